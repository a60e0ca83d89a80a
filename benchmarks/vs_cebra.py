# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""identica against CEBRA 0.6.1 on the same recording and the same configuration.

What is measured
----------------
A recording is generated with ``identica.synthetic.linear_track`` (default 10,000 bins x 120
neurons, ``random_state=1234``); both tools are trained on its first 80 % with one
configuration (spec section 8): a 10-bin convolutional encoder (identica ``encoder="conv10"``,
CEBRA ``model_architecture="offset10-model"``), output dimension 8, 32 hidden units,
``time_delta`` conditional with time offset 10, cosine similarity, temperature 1, learning rate
3e-4, the given batch size and number of iterations, on the CPU. The labels are the recording's
continuous labels ``[position, is_right, is_left]``.

Every fit runs in a fresh process (this script in worker mode, answering JSON), with the thread
count fixed through ``OMP_NUM_THREADS``/``MKL_NUM_THREADS`` before torch is imported and through
``torch.set_num_threads``. The fits alternate identica, CEBRA, identica, CEBRA, ... for seeds 0
and 1 (``--repeats`` such pairs per seed), so a machine whose speed drifts affects both tools
alike. For every fit the worker reports

* CPU-s/iter: process CPU time (``time.process_time``) of the ``fit`` call alone, divided by the
  iterations; plus the wall time of that call;
* peak RSS: ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of the worker right after the fit and
  at its end (transform, decoding and goodness of fit included), and before the fit (imports and
  data);
* held-out decoding: ``KNNDecoder(n_neighbors=36, metric="cosine")`` fitted on the train
  embedding and the true position (``data.truth["position"]``), scored on the last 20 %: R² and
  median absolute error in cm;
* goodness of fit in bits on the training data (``--gof-batches`` batches; 0 skips it);
* the loss: first value and the mean of the last 50.

The consistency (``identica.metrics.consistency``, in-sample) of the train embeddings of seeds 0
and 1 of each tool is computed per repeat (by the seed-1 worker, which reads the saved seed-0
embedding). The parent summarises each tool by medians over its runs and gives the ratios
identica / CEBRA. It writes ``vs_cebra_b{batch}.json`` (every run, the configuration and the
summary) and ``vs_cebra_b{batch}.md`` to ``--out`` and prints the table.

The worker imports torch, identica, CEBRA and ``torch._dynamo`` (which ``torch.optim`` imports on
first use, ~2 CPU-s) and generates the data before the timed ``fit`` call, the same for both tools.

CEBRA is an optional extra (``pip install 'identica[bench]'``, i.e. ``cebra==0.6.1``; pin torch
first: ``pip install torch==2.13.0 'cebra==0.6.1'``). Without it the script exits with status 2
unless ``--skip-cebra`` is given.

Reproduce the README numbers (from the repository root)
--------------------------------------------------------
::

    python benchmarks/vs_cebra.py                                  # 2000 iterations, batch 512
    python benchmarks/vs_cebra.py --iterations 200                 # the short run
    python benchmarks/vs_cebra.py --n-neurons 30                   # fewer cells
    python benchmarks/vs_cebra.py --identica-negatives references  # shared negatives
    python benchmarks/vs_cebra.py --iterations 50 --repeats 1      # a quick check (~1 min)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULT_MARK = "@@VS_CEBRA_RESULT@@ "
INSTALL_HINT = (
    "CEBRA 0.6.1 is needed for this benchmark but could not be imported ({error}).\n"
    "Install the benchmark extra with torch pinned first, so pip keeps this torch build:\n"
    "    pip install torch==2.13.0 'cebra==0.6.1'\n"
    "(equivalently: pip install 'identica[bench]' after pinning torch), or run with "
    "--skip-cebra to measure identica alone."
)
TOOLS = ("identica", "cebra")
LOSS_TAIL = 50
TRAIN_FRACTION = 0.8
DATA_SEED = 1234
SEEDS = (0, 1)


# -- worker: one fit in this fresh process -------------------------------------------------------


def _limit_threads(threads: int) -> None:
    """Fix the thread count of every math library; must run before torch/numpy are imported."""
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = str(threads)


def _max_rss_mb() -> float:
    # ru_maxrss is in KiB on Linux, bytes on macOS.
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def _fit_identica(config: dict, X, y):
    import identica

    kwargs = dict(
        encoder="conv10",
        output_dimension=8,
        hidden_units=32,
        conditional="time_delta",
        time_offset=10,
        similarity="cosine",
        temperature=1.0,
        learning_rate=3e-4,
        batch_size=config["batch_size"],
        max_iterations=config["iterations"],
        device="cpu",
        num_threads=config["threads"],
        random_state=config["seed"],
    )
    if config.get("identica_negatives"):
        kwargs["negatives"] = config["identica_negatives"]
    model = identica.Embedding(**kwargs)
    cpu, wall = time.process_time(), time.perf_counter()
    model.fit(X, y)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    info = {"negatives": model.negatives, "version": identica.__version__}
    return model, cpu, wall, model.loss_history_, info


def _fit_cebra(config: dict, X, y):
    import cebra
    import numpy as np
    import torch

    torch.manual_seed(config["seed"])
    np.random.seed(config["seed"])
    model = cebra.CEBRA(
        model_architecture="offset10-model",
        batch_size=config["batch_size"],
        learning_rate=3e-4,
        temperature=1.0,
        output_dimension=8,
        num_hidden_units=32,
        max_iterations=config["iterations"],
        distance="cosine",
        conditional="time_delta",
        device="cpu",
        verbose=False,
        time_offsets=10,
    )
    cpu, wall = time.process_time(), time.perf_counter()
    model.fit(X, y)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    history = None
    solver = getattr(model, "solver_", None)
    log = getattr(solver, "log", None)
    if isinstance(log, dict) and len(log.get("total", [])):
        history = np.asarray(log["total"], dtype=np.float64)
    else:
        try:
            history = np.asarray(model.state_dict_["loss"], dtype=np.float64)
        except Exception:  # noqa: BLE001 - a missing history must not fail the benchmark
            history = None
    return model, cpu, wall, history, {"version": cebra.__version__}


def _gof_bits(tool: str, model, X, y, n_batches: int) -> float | None:
    if n_batches <= 0:
        return None
    if tool == "identica":
        from identica.metrics import goodness_of_fit

        return float(goodness_of_fit(model, X, y, n_batches=n_batches))
    from cebra.integrations.sklearn.metrics import goodness_of_fit_score

    return float(goodness_of_fit_score(model, X, y, num_batches=n_batches))


def worker(config: dict) -> dict:
    """Fit one tool once; return the measurements (embeddings go to ``config['embedding']``)."""
    _limit_threads(config["threads"])
    import numpy as np
    import torch

    torch.set_num_threads(config["threads"])
    import identica
    from identica.decoders import KNNDecoder, decode
    from identica.metrics import consistency

    if config["tool"] == "cebra":
        try:
            import cebra  # noqa: F401 - imported before the data so its cost is not in the fit
        except Exception as error:  # noqa: BLE001 - any import failure means "not usable"
            print(INSTALL_HINT.format(error=f"{type(error).__name__}: {error}"), file=sys.stderr)
            sys.exit(2)
    # torch.optim imports torch._dynamo on first use (seconds of CPU time): do it here, for both
    # tools alike, so the timed fit holds training only.
    import torch._dynamo  # noqa: F401

    data = identica.synthetic.linear_track(
        n_samples=config["n_samples"], n_neurons=config["n_neurons"], random_state=DATA_SEED
    )
    split = int(round(TRAIN_FRACTION * config["n_samples"]))
    X_train, X_test = data.neural[:split], data.neural[split:]
    y_train = data.continuous[:split]
    position = np.asarray(data.truth["position"], dtype=np.float64)
    rss_before = _max_rss_mb()

    fit = _fit_identica if config["tool"] == "identica" else _fit_cebra
    model, cpu, wall, history, info = fit(config, X_train, y_train)
    rss_fit = _max_rss_mb()

    Z_train = np.asarray(model.transform(X_train), dtype=np.float32)
    Z_test = np.asarray(model.transform(X_test), dtype=np.float32)
    scores = decode(
        Z_train, position[:split], Z_test, position[split:],
        decoder=KNNDecoder(n_neighbors=36, metric="cosine"),
    )
    gof = _gof_bits(config["tool"], model, X_train, y_train, config["gof_batches"])
    np.save(config["embedding"], Z_train)
    # Seeds run in order: the last seed compares itself with the saved earlier ones.
    seeds_consistency = None
    if config.get("compare_with"):
        others = [np.load(path) for path in config["compare_with"]]
        seeds_consistency = float(consistency([*others, Z_train]))

    loss = None if history is None or len(history) == 0 else np.asarray(history, np.float64)
    return {
        "tool": config["tool"],
        "seed": config["seed"],
        "repeat": config["repeat"],
        "iterations": config["iterations"],
        "cpu_s": cpu,
        "cpu_s_per_iter": cpu / config["iterations"],
        "wall_s": wall,
        "wall_s_per_iter": wall / config["iterations"],
        "peak_rss_mb": _max_rss_mb(),
        "rss_before_fit_mb": rss_before,
        "peak_rss_fit_mb": rss_fit,
        "knn_r2": float(scores["r2"]),
        "median_error_cm": 100.0 * float(scores["median_abs_error"]),
        "gof_bits": gof,
        "loss_first": None if loss is None else float(loss[0]),
        "loss_final": None if loss is None else float(loss[-LOSS_TAIL:].mean()),
        "consistency": seeds_consistency,
        "torch_threads": torch.get_num_threads(),
        **info,
    }


# -- parent: run the workers, summarise ----------------------------------------------------------


def _run_worker(config: dict) -> dict:
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[name] = str(config["threads"])
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(config)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    if proc.returncode == 2 and config["tool"] == "cebra":
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(2)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_MARK) and proc.returncode == 0:
            return json.loads(line[len(RESULT_MARK):])
    sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-8000:])
    raise RuntimeError(
        f"the {config['tool']} worker (seed {config['seed']}) failed with exit code "
        f"{proc.returncode}; its output is above."
    )


def _median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return float(statistics.median(values)) if values else None


SUMMARY_KEYS = (
    "cpu_s_per_iter", "wall_s", "wall_s_per_iter", "peak_rss_fit_mb", "peak_rss_mb", "knn_r2",
    "median_error_cm", "gof_bits", "loss_first", "loss_final",
)


def summarise(runs: list[dict], consistency: dict, tools: tuple[str, ...]) -> dict:
    summary: dict = {}
    for tool in tools:
        mine = [r for r in runs if r["tool"] == tool]
        entry = {key: _median([r[key] for r in mine]) for key in SUMMARY_KEYS}
        entry["consistency"] = _median(consistency.get(tool, []))
        for key in ("knn_r2", "median_error_cm", "gof_bits"):
            entry[f"{key}_by_seed"] = [_median([r[key] for r in mine if r["seed"] == s])
                                       for s in SEEDS]
        entry["runs"] = len(mine)
        summary[tool] = entry
    if "cebra" in summary:
        a, b = summary["identica"], summary["cebra"]
        summary["ratio_identica_over_cebra"] = {
            key: (a[key] / b[key] if a[key] is not None and b[key] not in (None, 0) else None)
            for key in (*SUMMARY_KEYS, "consistency")
        }
        ratio = summary["ratio_identica_over_cebra"]["cpu_s_per_iter"]
        summary["speedup_cpu"] = None if not ratio else 1.0 / ratio
    return summary


def _fmt(value, digits: int = 4) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1e4 else f"{value:.0f}"
    return str(value)


def _pair(values: list) -> str:
    return " / ".join(_fmt(v) for v in values)


def markdown(result: dict) -> str:
    cfg, summary = result["config"], result["summary"]
    lines = [
        f"# identica vs CEBRA 0.6.1 — batch {cfg['batch_size']}, {cfg['iterations']} iterations",
        "",
        f"linear_track {cfg['n_samples']} bins x {cfg['n_neurons']} neurons (train first 80 %), "
        f"conv10 / offset10-model, output 8, hidden 32, time_delta (offset 10), cosine, "
        f"temperature 1, lr 3e-4, CPU, {cfg['threads']} thread(s), {cfg['repeats']} repeat(s) "
        f"per seed, seeds 0 and 1, identica negatives: {cfg['identica_negatives_used']}.",
        "",
        "| tool | CPU-s/iter | wall s (fit) | peak RSS MB (fit / end) | "
        "kNN R² (test, seed 0 / 1) | median error cm (seed 0 / 1) | consistency | "
        "GoF bits (seed 0 / 1) | final loss |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for tool in [t for t in TOOLS if t in summary]:
        s = summary[tool]
        lines.append(
            f"| {tool} | {_fmt(s['cpu_s_per_iter'])} | {_fmt(s['wall_s'])} | "
            f"{_fmt(s['peak_rss_fit_mb'])} / {_fmt(s['peak_rss_mb'])} | "
            f"{_pair(s['knn_r2_by_seed'])} | "
            f"{_pair(s['median_error_cm_by_seed'])} | {_fmt(s['consistency'])} | "
            f"{_pair(s['gof_bits_by_seed'])} | {_fmt(s['loss_final'])} |"
        )
    if "ratio_identica_over_cebra" in summary:
        r = summary["ratio_identica_over_cebra"]
        lines.append(
            f"| identica / CEBRA | {_fmt(r['cpu_s_per_iter'], 3)} | {_fmt(r['wall_s'], 3)} | "
            f"{_fmt(r['peak_rss_fit_mb'], 3)} / {_fmt(r['peak_rss_mb'], 3)} | "
            f"{_fmt(r['knn_r2'], 4)} | "
            f"{_fmt(r['median_error_cm'], 3)} | {_fmt(r['consistency'], 4)} | "
            f"{_fmt(r['gof_bits'], 3)} | {_fmt(r['loss_final'], 4)} |"
        )
        lines += ["", f"Speed-up (CPU time per iteration, CEBRA / identica): "
                      f"{_fmt(summary['speedup_cpu'], 3)}x."]
    lines += [
        "",
        "Medians over runs. CPU-s/iter: process CPU time of the fit call / iterations. Peak RSS: "
        "ru_maxrss of the fresh worker process right after the fit, and at its end (transform, "
        "decoding and goodness of fit included). Consistency: in-sample affine R² between the "
        "train embeddings of seeds 0 and 1.",
        "",
        "| run | tool | seed | repeat | CPU-s/iter | wall s | peak RSS MB (fit / end) | kNN R² | "
        "median error cm | GoF bits | first loss | final loss |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(result["runs"]):
        lines.append(
            f"| {i} | {r['tool']} | {r['seed']} | {r['repeat']} | {_fmt(r['cpu_s_per_iter'])} | "
            f"{_fmt(r['wall_s'])} | {_fmt(r['peak_rss_fit_mb'])} / {_fmt(r['peak_rss_mb'])} | "
            f"{_fmt(r['knn_r2'])} | "
            f"{_fmt(r['median_error_cm'])} | {_fmt(r['gof_bits'])} | {_fmt(r['loss_first'])} | "
            f"{_fmt(r['loss_final'])} |"
        )
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark identica against CEBRA 0.6.1 (speed, memory, quality).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--iterations", type=int, default=2000, help="training steps per fit")
    parser.add_argument("--batch-size", type=int, default=512, help="positive pairs per step")
    parser.add_argument("--repeats", type=int, default=1, help="identica/CEBRA pairs per seed")
    parser.add_argument("--threads", type=int, default=1, help="torch threads of each fit")
    parser.add_argument("--n-samples", type=int, default=10_000, help="time bins generated")
    parser.add_argument("--n-neurons", type=int, default=120, help="neurons generated")
    parser.add_argument(
        "--identica-negatives", choices=("independent", "references"), default=None,
        help="identica's negatives parameter (default: the estimator's default)",
    )
    parser.add_argument("--gof-batches", type=int, default=500,
                        help="batches for the goodness of fit (0 skips it)")
    parser.add_argument("--skip-cebra", action="store_true", help="measure identica alone")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results",
                        help="directory for the JSON and Markdown results")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    for name in ("iterations", "batch_size", "repeats", "threads", "n_samples", "n_neurons"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.gof_batches < 0:
        parser.error("--gof-batches must be >= 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        result = worker(json.loads(args.worker))
        print(RESULT_MARK + json.dumps(result), flush=True)
        return 0

    tools: tuple[str, ...] = ("identica",) if args.skip_cebra else TOOLS
    # A cheap look-up here; the cebra worker imports it and exits 2 (with the hint) if it fails.
    if not args.skip_cebra and importlib.util.find_spec("cebra") is None:
        print(INSTALL_HINT.format(error="no module named 'cebra'"), file=sys.stderr)
        return 2

    config = {
        "iterations": args.iterations,
        "batch_size": args.batch_size,
        "repeats": args.repeats,
        "threads": args.threads,
        "n_samples": args.n_samples,
        "n_neurons": args.n_neurons,
        "identica_negatives": args.identica_negatives,
        "gof_batches": args.gof_batches,
        "tools": list(tools),
        "data": f"identica.synthetic.linear_track(random_state={DATA_SEED})",
        "python": sys.version.split()[0],
        "cpu_count": os.cpu_count(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    runs: list[dict] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="vs_cebra_") as tmp:
        paths: dict = {}
        for seed in SEEDS:
            for repeat in range(args.repeats):
                for tool in tools:
                    path = str(Path(tmp) / f"{tool}_s{seed}_r{repeat}.npy")
                    paths[tool, seed, repeat] = path
                    earlier = [paths[tool, s, repeat] for s in SEEDS if s < seed]
                    job = {
                        "tool": tool, "seed": seed, "repeat": repeat, "embedding": path,
                        "compare_with": earlier if seed == SEEDS[-1] else [],
                        **{k: config[k] for k in ("iterations", "batch_size", "threads",
                                                  "n_samples", "n_neurons",
                                                  "identica_negatives", "gof_batches")},
                    }
                    run = _run_worker(job)
                    runs.append(run)
                    print(
                        f"[{len(runs)}] {tool:8s} seed {seed} repeat {repeat}: "
                        f"{run['cpu_s_per_iter']:.4f} CPU-s/iter, wall {run['wall_s']:.2f} s, "
                        f"R² {run['knn_r2']:.4f}", file=sys.stderr, flush=True,
                    )
    consistency = {
        tool: [r["consistency"] for r in runs if r["tool"] == tool and r["consistency"] is not None]
        for tool in tools
    }
    config["identica_negatives_used"] = next(
        r["negatives"] for r in runs if r["tool"] == "identica"
    )
    result = {
        "config": config,
        "runs": runs,
        "consistency": consistency,
        "summary": summarise(runs, consistency, tools),
        "total_wall_s": time.perf_counter() - started,
    }
    stem = f"vs_cebra_b{args.batch_size}"
    table = markdown(result)
    (args.out / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / f"{stem}.md").write_text(table)
    print(table)
    print(f"Wrote {args.out / (stem + '.json')} and {args.out / (stem + '.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
