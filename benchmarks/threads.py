# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Wall and CPU time of a fit with the automatic thread count against 1 and 2 threads.

Each run is a fresh process that fits ``linear_track(n_samples, n_neurons)`` with the default
model (conv10, output 8, batch ``--batch-size``, ``--iterations`` steps, seed 0, CPU) under
one ``num_threads`` setting: ``auto`` (``None``, the default), ``1`` or ``2``. The settings
alternate, ``auto, 1, 2, auto, 1, 2, ...``, ``--repeats`` times. With ``--busy 1`` one
CPU-bound process (a Python loop) runs from before the first run until after the last, as on
a laptop or a shared server that is not idle; ``--busy 0`` measures the machine as it is.

Prints one JSON line per run (``threads_setting``, ``threads_used`` -- read inside the
training loop --, ``wall_s``, ``cpu_s``, ``busy``, ``load_before``, ``load_after``: the
1-minute load average around the run; ``work``, the multiply-adds per encoder call that the
automatic choice weighs) and a summary line with the median wall time per setting and the
ratio of the default to one thread::

    python benchmarks/threads.py --busy 0
    python benchmarks/threads.py --busy 1
    python benchmarks/threads.py --busy 1 --n-samples 50000 --n-neurons 200 --repeats 1

On an idle machine, ``--settings 1,2`` over growing ``--batch-size`` (or ``--hidden-units``,
``--encoder conv20``) shows the work at which a second thread starts to pay: the automatic
rule gives one thread per ``identica._runtime.WORK_PER_THREAD`` multiply-adds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

WORKER = """
import json, sys, time, torch
import identica
from identica.training import AbstractCallback

class Threads(AbstractCallback):  # what the training loop runs with (it may follow the load)
    every = 1
    used = set()
    def __call__(self, solver, iteration, history):
        Threads.used.add(torch.get_num_threads())
        return False

from identica._runtime import encoder_work

setting, n_samples, n_neurons, batch, iterations, encoder, hidden = sys.argv[1:8]
data = identica.synthetic.linear_track(int(n_samples), int(n_neurons))
model = identica.Embedding(encoder=encoder, hidden_units=int(hidden), batch_size=int(batch),
                           max_iterations=int(iterations), random_state=0, device="cpu",
                           num_threads=None if setting == "auto" else int(setting))
wall, cpu = time.perf_counter(), time.process_time()
model.fit(data.neural, data.continuous, callbacks=[Threads()])
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
work = encoder_work(model.encoder_, 2 * int(batch))  # what the automatic choice weighs
used = sorted(Threads.used)
print(json.dumps({"threads_used": used[0] if len(used) == 1 else used, "wall_s": wall,
                  "cpu_s": cpu, "work": work}))
"""

BUSY = "while True:\n    pass\n"


def _setting(text: str) -> str:
    if text != "auto" and not (text.isdigit() and int(text) >= 1):
        raise argparse.ArgumentTypeError(f"expected 'auto' or a positive int; got {text!r}")
    return text


def _run(setting: str, args: argparse.Namespace) -> dict:
    load_before = os.getloadavg()[0]
    proc = subprocess.run(
        [sys.executable, "-c", WORKER, setting, str(args.n_samples), str(args.n_neurons),
         str(args.batch_size), str(args.iterations), args.encoder, str(args.hidden_units)],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"the run with num_threads={setting} failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"threads_setting": setting if setting == "auto" else int(setting),
            "threads_used": result["threads_used"], "wall_s": round(result["wall_s"], 3),
            "cpu_s": round(result["cpu_s"], 3), "busy": args.busy,
            "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2),
            "n_samples": args.n_samples, "n_neurons": args.n_neurons, "encoder": args.encoder,
            "hidden_units": args.hidden_units, "batch_size": args.batch_size,
            "iterations": args.iterations, "work": float(f"{result['work']:.3g}")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--busy", type=int, choices=(0, 1), default=0,
                        help="1: run one CPU-bound process during the measurements")
    parser.add_argument("--n-samples", type=int, default=8000)
    parser.add_argument("--n-neurons", type=int, default=120)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--encoder", default="conv10")
    parser.add_argument("--hidden-units", type=int, default=32)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--settings", type=lambda s: [_setting(t) for t in s.split(",")],
                        default=["auto", "1", "2"], help="comma-separated (default: auto,1,2)")
    parser.add_argument("--settle", type=float, default=2.0,
                        help="seconds the busy process runs before the first measurement")
    args = parser.parse_args()

    busy = None
    if args.busy:
        busy = subprocess.Popen([sys.executable, "-c", BUSY])
        time.sleep(args.settle)
    runs = []
    try:
        for _ in range(args.repeats):
            for setting in args.settings:
                runs.append(_run(setting, args))
                print(json.dumps(runs[-1]), flush=True)
    finally:
        if busy is not None:
            busy.terminate()
            busy.wait()
    wall = {s: round(statistics.median(r["wall_s"] for r in runs
                                       if str(r["threads_setting"]) == s), 3)
            for s in args.settings}
    cpu = {s: round(statistics.median(r["cpu_s"] for r in runs
                                      if str(r["threads_setting"]) == s), 3)
           for s in args.settings}
    summary = {"summary": True, "busy": args.busy, "median_wall_s": wall, "median_cpu_s": cpu,
               "threads_used_auto": sorted({str(r["threads_used"]) for r in runs
                                            if r["threads_setting"] == "auto"})}
    if "auto" in wall and "1" in wall:
        summary["ratio_auto_over_1"] = round(wall["auto"] / wall["1"], 3)
    if "2" in wall and "1" in wall:
        summary["ratio_2_over_1"] = round(wall["2"] / wall["1"], 3)
    print(json.dumps(summary), flush=True)


if __name__ == "__main__":
    main()
