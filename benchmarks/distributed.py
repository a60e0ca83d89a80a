# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Data-parallel scaling: steps per second and negatives per step for 1, 2, ... processes.

Each run starts ``python -m torch.distributed.run --standalone --nproc-per-node K`` on a worker
that fits ``linear_track(n_samples, n_neurons)`` with ``Embedding(distributed=True)`` (conv10,
output 8, ``--batch-size`` pairs per process, negatives = the references of every process,
``--iterations`` steps, seed 0, ``--threads`` torch threads per process, gloo on CPU). Rank 0
times the steps after the first ``--warmup`` (the time between two steps, so start-up and
imports are left out) and decodes the position from the embedding with a KNN decoder
(R² on the second half of the recording, fitted on the first).

Prints one JSON line per run: ``nproc``, ``steps_per_s``, ``pairs_per_s`` (all processes),
``negatives_per_step`` (per reference: ``K * batch_size - 1``), ``knn_r2``, ``wall_s`` and
``load_before``/``load_after`` (``os.getloadavg()``: the machine may be shared, and then
processes compete with other work for its cores), then a summary line::

    nice -n 10 python benchmarks/distributed.py
    nice -n 10 python benchmarks/distributed.py --nprocs 1,2 --iterations 500

On a machine with K GPUs, ``--device cuda --nprocs 1,K`` gives one GPU per process (NCCL).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WORKER = """
import json, os, sys, time
import torch
import identica
from identica.training import AbstractCallback

args = json.loads(sys.argv[1])
torch.set_num_threads(args["threads"])

class Clock(AbstractCallback):
    every = 1
    def __init__(self):
        self.times = []
    def __call__(self, solver, iteration, history):
        self.times.append(time.perf_counter())
        return False

data = identica.synthetic.linear_track(n_samples=args["n_samples"], n_neurons=args["n_neurons"],
                                       random_state=1)
model = identica.Embedding(encoder="conv10", output_dimension=8, batch_size=args["batch_size"],
                           max_iterations=args["iterations"], learning_rate=3e-3,
                           num_threads=args["threads"], device=args["device"], random_state=0,
                           distributed=True)
clock = Clock()
model.fit(data.neural, data.continuous, callbacks=[clock])
if int(os.environ.get("RANK", "0")) == 0:
    warm = args["warmup"]
    steps = len(clock.times) - warm
    seconds = clock.times[-1] - clock.times[warm - 1]
    z = model.transform(data.neural)
    half = len(z) // 2
    decoder = identica.decoders.KNNDecoder(n_neighbors=16, metric="cosine")
    r2 = decoder.fit(z[:half], data.continuous[:half, 0]).score(z[half:],
                                                                 data.continuous[half:, 0])
    print("RESULT " + json.dumps({"steps_per_s": steps / seconds, "knn_r2": r2}), flush=True)
if torch.distributed.is_initialized():
    torch.distributed.destroy_process_group()
"""


def run(nproc: int, args: argparse.Namespace, script: Path) -> dict:
    config = {k: getattr(args, k) for k in ("n_samples", "n_neurons", "batch_size", "iterations",
                                             "threads", "device", "warmup")}
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node",
         str(nproc), str(script), json.dumps(config)],
        capture_output=True, text=True, check=False,
        env={**os.environ, "OMP_NUM_THREADS": str(args.threads)},
    )
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit(f"the run with {nproc} process(es) failed")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT "):])
    return {
        "nproc": nproc, "steps_per_s": round(result["steps_per_s"], 2),
        "pairs_per_s": round(result["steps_per_s"] * nproc * args.batch_size, 1),
        "negatives_per_step": nproc * args.batch_size - 1,
        "knn_r2": round(result["knn_r2"], 4), "wall_s": round(wall, 1),
        "batch_size": args.batch_size, "iterations": args.iterations,
        "threads_per_process": args.threads, "device": args.device,
        "cpu_count": os.cpu_count(), "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nprocs", default="1,2", help="comma-separated process counts")
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--n-samples", type=int, default=10_000)
    parser.add_argument("--n-neurons", type=int, default=120)
    parser.add_argument("--threads", type=int, default=1, help="torch threads per process")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    if not args.warmup < args.iterations:
        parser.error("--warmup must be smaller than --iterations")
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "worker.py"
        script.write_text(WORKER)
        for nproc in (int(k) for k in args.nprocs.split(",")):
            runs.append(run(nproc, args, script))
            print(json.dumps(runs[-1]), flush=True)
    base = runs[0]
    print(json.dumps({
        "summary": True,
        "speedup_steps": {r["nproc"]: round(r["steps_per_s"] / base["steps_per_s"], 2)
                          for r in runs},
        "speedup_pairs": {r["nproc"]: round(r["pairs_per_s"] / base["pairs_per_s"], 2)
                          for r in runs},
        "knn_r2": {r["nproc"]: r["knn_r2"] for r in runs},
        "shared_machine_note": "load_before/load_after are os.getloadavg()[0]; other work on "
                               "the machine competes for its cores",
    }), flush=True)


if __name__ == "__main__":
    main()
