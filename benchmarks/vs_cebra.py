# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""identica against CEBRA 0.6.1 on the same recording and the same configuration.

What is measured
----------------
The recording is ``identica.synthetic.linear_track`` (default 10,000 bins x 120 neurons,
``random_state=1234``; labels ``[position, is_right, is_left]``) or a real one read from an
``.npz`` file (``--data PATH --label-key KEY``; ``--rat`` reads CEBRA's rat hippocampus recording
"buddy", 6,577 bins x 48 units, label ``[position, right, left]``, from
``../shared/data/real/rat_hippocampus_buddy/buddy.npz`` next to the repository, and skips with a
message when it is absent). Both tools are trained on its first 80 % with one configuration
(spec section 8): a 10-bin convolutional encoder (identica ``encoder="conv10"``, CEBRA
``model_architecture="offset10-model"``), output dimension 8, 32 hidden units, ``time_delta``
conditional with time offset 10, cosine similarity, temperature 1, learning rate 3e-4, the given
batch size and number of iterations, on the CPU.

Protocol
--------
Every fit runs in a fresh process (``_vs_cebra_worker.py``, answering JSON), with the thread
count fixed through ``OMP_NUM_THREADS``/``MKL_NUM_THREADS`` before torch is imported and through
``torch.set_num_threads``. A pair is one identica fit and one CEBRA fit with the same seed, run
back to back; the order within a pair alternates (identica first, then CEBRA first, ...) so a
drifting machine affects both tools alike. There are ``--repeats`` pairs for each of the seeds 0
and 1. The headline speed-up is the **median over pairs of the per-pair ratio** CEBRA CPU-s/iter
/ identica CPU-s/iter, reported with its min, max and quartiles.

The load average and the CPU model are recorded before and after the whole run and around every
fit. When the 1-minute load average before the run is above 0.3 per core the JSON is written
but the Markdown table is not, and the script exits with status 3; ``--under-load`` writes the
table anyway, captioned "measured under load (load average X on N cores)".

The compute floor is measured in the same run, in a fresh 1-thread process before the first
pair and again after the last: the matrix-product FLOPs of one identica step (conv10 forward over
2 x batch windows of 10 rows, 3 x batch with ``--identica-negatives independent``; backward twice
that except the first layer's, 1x; the similarity matrix and its gradients) divided by the
single-thread rate of the step's own matrix products (each timed on its own shapes and layout,
median of 5 blocks). ``floor_ms`` is the median of the two measurements; ``step_over_floor`` is
identica's CPU-ms per iteration over it (``_floor.py``).

For every fit the worker reports

* CPU-s/iter: process CPU time (``time.process_time``) of the ``fit`` call alone, divided by the
  iterations; plus the wall time of that call;
* peak RSS: ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of the worker right after the fit and
  at its end (transform, decoding and goodness of fit included), and before the fit (imports and
  data);
* held-out decoding: ``KNNDecoder(n_neighbors=36, metric="cosine")`` fitted on the train
  embedding and the position (synthetic: ``data.truth["position"]``; ``--data``: the label's
  first column), scored on the last 20 %: R² and median absolute error x 100 (cm for a label in
  metres);
* goodness of fit in bits on the training data (``--gof-batches`` batches; 0 skips it);
* the loss: first value and the mean of the last 50;
* ``load_before``, ``load_after`` (around the fit) and ``cpu_model``.

The consistency (``identica.metrics.consistency``, in-sample) of the train embeddings of seeds 0
and 1 of each tool is computed per repeat (by the seed-1 worker, which reads the saved seed-0
embedding). The script prints one JSON line per fit and per floor measurement and a summary line
(``ratio_median``, ``ratio_min``, ``ratio_max``, R², consistency, ``floor_ms``,
``step_over_floor``, machine state) on stdout, progress and the table on stderr, and writes
``vs_cebra_b{batch}.json`` (``vs_cebra_{file stem}_b{batch}.json`` for ``--data``) and the
``.md`` table to ``--out``.

The worker imports torch, identica, CEBRA and ``torch._dynamo`` (which ``torch.optim`` imports on
first use, ~2 CPU-s) and reads the data before the timed ``fit`` call, the same for both tools.
The compute floor runs in ``_floor.py`` as a worker of its own.

CEBRA is an optional extra (``pip install 'identica[bench]'``, i.e. ``cebra==0.6.1``; pin torch
first: ``pip install torch==2.13.0 'cebra==0.6.1'``). Without it the script exits with status 2
unless ``--skip-cebra`` is given.

Reproduce the README numbers (from the repository root, on a quiet machine)
----------------------------------------------------------------------------
::

    python benchmarks/vs_cebra.py --repeats 3                      # batch 512, 2000 iterations
    python benchmarks/vs_cebra.py --batch-size 4096 --iterations 200 --gof-batches 0 --repeats 3
    python benchmarks/vs_cebra.py --rat --repeats 3                # rat hippocampus, batch 512
    python benchmarks/vs_cebra.py --data REC.npz --neural-key spikes --label-key label
    python benchmarks/vs_cebra.py --identica-negatives independent # drawn negatives
    python benchmarks/vs_cebra.py --iterations 30 --repeats 1 --under-load   # a quick check
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
import time
from pathlib import Path

import _protocol
from _vs_cebra_report import SEEDS, TOOLS, markdown, summarise, summary_line
from _vs_cebra_worker import DATA_SEED, INSTALL_HINT

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
RAT_PATH = ROOT.parent / "shared" / "data" / "real" / "rat_hippocampus_buddy" / "buddy.npz"
RAT_KEYS = {"neural_key": "spikes", "label_key": "label"}
SYNTHETIC_DEFAULTS = {"n_samples": 10_000, "n_neurons": 120}
FLOOR_REPEATS = 5


# -- parent: data, workers, protocol ------------------------------------------------------------


def _cebra_missing() -> bool:
    """A cheap look-up; the cebra worker imports it and exits 2 (with the hint) if that fails."""
    return importlib.util.find_spec("cebra") is None


def _run_worker(config: dict) -> dict:
    if config["tool"] == "floor":
        return _protocol.run_worker(HERE / "_floor.py", config, 1, ROOT)
    try:
        return _protocol.run_worker(HERE / "_vs_cebra_worker.py", config, config["threads"], ROOT)
    except _protocol.WorkerFailed as error:
        if error.returncode == 2 and config["tool"] == "cebra":  # CEBRA not importable
            raise SystemExit(2) from error
        raise


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark identica against CEBRA 0.6.1 (speed, memory, quality).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--iterations", type=int, default=2000, help="training steps per fit")
    parser.add_argument("--batch-size", type=int, default=512, help="positive pairs per step")
    parser.add_argument("--repeats", type=int, default=1, help="identica/CEBRA pairs per seed")
    parser.add_argument("--threads", type=int, default=1, help="torch threads of each fit")
    parser.add_argument("--n-samples", type=int, default=None,
                        help=f"time bins generated (synthetic track only; default "
                             f"{SYNTHETIC_DEFAULTS['n_samples']})")
    parser.add_argument("--n-neurons", type=int, default=None,
                        help=f"neurons generated (synthetic track only; default "
                             f"{SYNTHETIC_DEFAULTS['n_neurons']})")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data", type=Path, default=None,
                        help="a real recording: .npz with the neural array and a label array")
    source.add_argument("--rat", action="store_true",
                        help=f"the rat hippocampus recording {RAT_PATH} (skipped if absent)")
    parser.add_argument("--neural-key", default="neural", help="--data: key of the neural array")
    parser.add_argument("--label-key", default=None,
                        help="--data: key of the label array (column 0 is decoded)")
    parser.add_argument(
        "--identica-negatives", choices=("independent", "references"), default=None,
        help="identica's negatives parameter (default: the estimator's default)",
    )
    parser.add_argument("--gof-batches", type=int, default=500,
                        help="batches for the goodness of fit (0 skips it)")
    parser.add_argument("--skip-cebra", action="store_true", help="measure identica alone")
    parser.add_argument("--under-load", action="store_true",
                        help="write the table even when the machine is busy, marked as "
                             "measured under load")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results",
                        help="directory for the JSON and Markdown results")
    args = parser.parse_args(argv)
    for name in ("iterations", "batch_size", "repeats", "threads", "n_samples", "n_neurons"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.gof_batches < 0:
        parser.error("--gof-batches must be >= 0")
    real = args.data is not None or args.rat
    if real and (args.n_samples is not None or args.n_neurons is not None):
        parser.error("--n-samples and --n-neurons size the synthetic track; they do not apply "
                     "to --data or --rat")
    if args.label_key is not None and args.data is None:
        parser.error("--label-key applies to --data only (--rat reads spikes and label)")
    if args.neural_key != "neural" and args.data is None:
        parser.error("--neural-key applies to --data only (--rat reads spikes and label)")
    if args.data is not None:
        if args.label_key is None:
            parser.error("--data needs --label-key: the key of the label array in the file")
        if not args.data.is_file():
            parser.error(f"--data: no file {args.data}")
    return args


def _bad_data(message: str):
    print(f"vs_cebra.py: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def data_source(args: argparse.Namespace) -> dict | None:
    """The worker's ``data`` entry, after checking the file's arrays; None when the rat is absent.

    Raises SystemExit(2) with the file's keys and shapes when a key is missing or the arrays do
    not fit together.
    """
    if not (args.rat or args.data is not None):
        n, d = (getattr(args, key) or SYNTHETIC_DEFAULTS[key] for key in ("n_samples", "n_neurons"))
        return {"kind": "synthetic", "n_samples": n, "n_neurons": d, "name": "linear_track",
                "description": f"linear_track(random_state={DATA_SEED}) {n} bins x {d} neurons"}
    if args.rat:
        if not RAT_PATH.is_file():
            return None
        path, keys = RAT_PATH, RAT_KEYS
    else:
        path, keys = args.data, {"neural_key": args.neural_key, "label_key": args.label_key}
    import numpy as np

    with np.load(path, allow_pickle=False) as z:
        shapes = {key: z[key].shape for key in z.files}
    missing = [k for k in keys.values() if k not in shapes]
    if missing:
        return _bad_data(f"{path}: no array {', '.join(map(repr, missing))}; the file holds "
                         f"{', '.join(f'{k} {s}' for k, s in shapes.items())}. Pass the right "
                         "--neural-key / --label-key.")
    neural, label = shapes[keys["neural_key"]], shapes[keys["label_key"]]
    if len(neural) != 2 or not label or label[0] != neural[0]:
        return _bad_data(f"{path}: {keys['neural_key']} must be (n_samples, n_features) and "
                         f"{keys['label_key']} must have as many rows; got {neural} and {label}.")
    return {"kind": "npz", "path": str(path.resolve()), **keys, "n_samples": neural[0],
            "n_neurons": neural[1], "name": path.stem,
            "description": f"{path.name}: {keys['neural_key']} {neural[0]} bins x {neural[1]} "
                           f"units, {keys['label_key']} {label}"}


def _jobs(args: argparse.Namespace, tools: tuple[str, ...], data: dict, tmp: str) -> list[dict]:
    """The fits in run order: pairs (seed, repeat), the tool order alternating pair to pair."""
    jobs, paths = [], {}
    common = {"iterations": args.iterations, "batch_size": args.batch_size,
              "threads": args.threads, "data": data,
              "identica_negatives": args.identica_negatives, "gof_batches": args.gof_batches}
    for seed in SEEDS:
        for repeat in range(args.repeats):
            pair = len(jobs) // len(tools)
            for tool in tools if pair % 2 == 0 else tools[::-1]:
                path = str(Path(tmp) / f"{tool}_s{seed}_r{repeat}.npy")
                paths[tool, seed, repeat] = path
                earlier = [paths[tool, s, repeat] for s in SEEDS if s < seed]
                jobs.append({"tool": tool, "seed": seed, "repeat": repeat, "pair": pair,
                             "embedding": path,
                             "compare_with": earlier if seed == SEEDS[-1] else [], **common})
    return jobs


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    tools: tuple[str, ...] = ("identica",) if args.skip_cebra else TOOLS
    data = data_source(args)
    if data is None:
        print(f"Skipped: the rat hippocampus recording is not at {RAT_PATH}. Put buddy.npz "
              "there, or pass --data PATH --neural-key spikes --label-key label.",
              file=sys.stderr)
        print(json.dumps({"summary": True, "skipped": True, "data": str(RAT_PATH)}), flush=True)
        return 0
    if not args.skip_cebra and _cebra_missing():
        print(INSTALL_HINT.format(error="no module named 'cebra'"), file=sys.stderr)
        return 2

    announced = _protocol.announce_headline(args.under_load)
    state, status = announced["state"], announced["status"]
    negatives = args.identica_negatives or "references"  # "auto" without num_negatives
    config = {
        "iterations": args.iterations,
        "batch_size": args.batch_size,
        "repeats": args.repeats,
        "threads": args.threads,
        "n_samples": data["n_samples"],
        "n_neurons": data["n_neurons"],
        "identica_negatives": args.identica_negatives,
        "gof_batches": args.gof_batches,
        "tools": list(tools),
        "data": data["description"],
        "data_name": data["name"],
        "data_source": data,
        "python": sys.version.split()[0],
        "cpu_count": state["cpu_count"],
        "cpu_model": state["cpu_model"],
        "load_before": state["load"],
        "under_load": args.under_load,
    }
    floor_job = {"tool": "floor", "threads": 1, "floor_repeats": FLOOR_REPEATS,
                 "step": {"batch_size": args.batch_size, "n_features": data["n_neurons"],
                          "negatives": negatives}}
    runs: list[dict] = []
    floors: list[dict] = []
    started = time.perf_counter()

    def floor(when: str) -> None:
        run = _run_worker({**floor_job, "when": when})
        floors.append(run)
        print(json.dumps(run), flush=True)
        print(f"[floor {when}] {run['floor_ms']:.3f} ms ({run['floor_gflop']:.3f} GFLOP at "
              f"{run['matmul_rate_gflops']:.1f} GFLOP/s)", file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="vs_cebra_") as tmp:
        floor("before")
        for job in _jobs(args, tools, data, tmp):
            run = _run_worker(job)
            runs.append(run)
            print(json.dumps(run), flush=True)
            print(
                f"[{len(runs)}] pair {job['pair']} {job['tool']:8s} seed {job['seed']}: "
                f"{run['cpu_s_per_iter']:.4f} CPU-s/iter, wall {run['wall_s']:.2f} s, "
                f"R² {run['knn_r2']:.4f}, load {run['load_before'][0]:g}",
                file=sys.stderr, flush=True,
            )
        floor("after")
    consistency = {
        tool: [r["consistency"] for r in runs if r["tool"] == tool and r["consistency"] is not None]
        for tool in tools
    }
    config["identica_negatives_used"] = next(
        r["negatives"] for r in runs if r["tool"] == "identica"
    )
    if config["identica_negatives_used"] != negatives:
        print(f"Warning: the floor assumed negatives={negatives!r} but identica used "
              f"{config['identica_negatives_used']!r}.", file=sys.stderr)
    result = {
        "config": config,
        "runs": runs,
        "floor_runs": floors,
        "consistency": consistency,
        "summary": summarise(runs, consistency, tools, floors),
        "total_wall_s": time.perf_counter() - started,
        "load_after": _protocol.load_average(),
        "headline": status,
    }
    result["summary_line"] = summary_line(result)
    print(json.dumps(result["summary_line"]), flush=True)
    stem = f"vs_cebra_b{args.batch_size}" if data["kind"] == "synthetic" else (
        f"vs_cebra_{data['name']}_b{args.batch_size}")
    return _protocol.write_results(args.out, stem, result, markdown(result), status)


if __name__ == "__main__":
    sys.exit(main())
