# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""How identica's training step scales with batch size, recording length, receptive field, threads.

What is measured
----------------
Each sweep varies one setting around the base configuration (spec section 8: ``conv10``, batch
512, 10,000 bins x 120 neurons, output dimension 8, 32 hidden units, ``time_delta`` with time
offset 10, cosine, CPU, 1 thread):

* ``batch``: batch size 256, 512, 1024, 2048, 4096, 8192;
* ``length``: recording length 10k, 100k, 1M bins (peak RSS and data size reported too);
* ``field``: encoder ``mlp`` (receptive field 1), ``conv5``, ``conv10``, ``conv20``, ``conv36``,
  ``conv50``;
* ``threads``: 1 and 2 torch threads.

Every point runs in a fresh process (this script in worker mode, answering JSON), with
``OMP_NUM_THREADS``/``MKL_NUM_THREADS`` set before torch is imported, so the peak RSS
(``ru_maxrss``) belongs to that point alone. The worker generates the recording (recordings
longer than 10,000 bins are stitched from independent 10,000-bin ``linear_track`` chunks written
into preallocated arrays: generating 1M bins in one call takes ~13 s and ~5 GB of temporaries,
which would swamp the peak RSS, and tiling one chunk would repeat the labels exactly), fits an
``Embedding`` for two iterations to build its parts, and keeps the
:class:`~identica.training.Solver` that ``fit`` built. Then, ``--repeats`` times, right next
to each other:

* step: ``--iterations`` calls of ``Solver.step()`` (sample, gather, one encoder call, loss,
  backward, Adam), timed as a block (``--method fit`` instead times
  ``Embedding(max_iterations=n).fit`` for n = iterations and 2 x iterations and takes the
  difference / iterations, which removes the setup cost);
* floor: the same windows (of one ``BatchIndex`` drawn by the fit's own sampler, gathered by a
  ``WindowGatherer`` over the same data and receptive field) through the same encoder in one
  call, forward + backward of ``(encoder(windows) * fixed_random).sum()``, ``--iterations``
  times; no sampler, no loss, no optimiser;
* sampling: ``--iterations`` calls of the sampler alone (positive search included).

Reported per step: the median over repeats of process CPU time (``time.process_time``; the
headline for 1 thread) and wall time (``time.perf_counter``; the one that matters for 2 threads,
where CPU time counts both cores), the step / floor ratio, peak RSS and the data size. The
results go to ``scaling.json`` and ``scaling.md`` in ``--out`` and the tables are printed.

Reproduce the README numbers (from the repository root)
--------------------------------------------------------
::

    python benchmarks/scaling.py                          # all four sweeps
    python benchmarks/scaling.py --sweep batch,field      # some sweeps
    python benchmarks/scaling.py --sweep length --negatives references
    python benchmarks/scaling.py --sweep batch --batch-sizes 256,512 --iterations 5 --repeats 2
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULT_MARK = "@@SCALING_RESULT@@ "
SWEEPS = ("batch", "length", "field", "threads")
BASE_LENGTH = 10_000
DATA_SEED = 1234
WARMUP_ITERATIONS = 2
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


# -- worker: one point in this fresh process -----------------------------------------------------


def _max_rss_mb() -> float:
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: KiB on Linux, bytes on macOS
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def _recording(n_samples: int, n_neurons: int):
    """Neural data and labels of ``n_samples`` bins, stitched from 10,000-bin linear_tracks.

    Chunk ``i`` is ``linear_track(random_state=1234 + i)`` written into preallocated arrays, so
    the labels are as varied as those of one long recording (a plain tile would repeat them
    exactly, which changes the nearest-label search) while generation stays linear in time and
    its temporaries stay at one chunk.
    """
    import numpy as np

    from identica.synthetic import linear_track

    if n_samples <= BASE_LENGTH:
        rec = linear_track(n_samples=n_samples, n_neurons=n_neurons, random_state=DATA_SEED)
        return rec.neural, rec.continuous
    neural = np.empty((n_samples, n_neurons), dtype=np.float32)
    continuous = None
    for i, start in enumerate(range(0, n_samples, BASE_LENGTH)):
        rec = linear_track(n_samples=BASE_LENGTH, n_neurons=n_neurons, random_state=DATA_SEED + i)
        if continuous is None:
            continuous = np.empty((n_samples, rec.continuous.shape[1]), dtype=np.float32)
        stop = min(start + BASE_LENGTH, n_samples)
        neural[start:stop] = rec.neural[: stop - start]
        continuous[start:stop] = rec.continuous[: stop - start]
    return neural, continuous


def _block(fn, n: int) -> tuple[float, float]:
    """CPU and wall seconds per call of ``n`` calls of ``fn``."""
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        fn()
    return (time.process_time() - cpu) / n, (time.perf_counter() - wall) / n


def worker(config: dict) -> dict:
    """Measure one point; return the per-step times and memory."""
    for name in THREAD_VARS:
        os.environ[name] = str(config["threads"])
    import torch

    torch.set_num_threads(config["threads"])
    import torch._dynamo  # noqa: F401 - torch.optim imports it on first use; keep it out of timings

    import identica
    from identica.data import WindowGatherer
    from identica.training import Solver

    rss_imports = _max_rss_mb()
    data_wall = time.perf_counter()
    X, y = _recording(config["n_samples"], config["n_neurons"])
    data_wall = time.perf_counter() - data_wall
    data_mb = (X.nbytes + y.nbytes) / 2**20

    kwargs = dict(
        encoder=config["encoder"], output_dimension=8, hidden_units=32,
        conditional="time_delta", time_offset=10, similarity="cosine", temperature=1.0,
        learning_rate=3e-4, batch_size=config["batch_size"], device="cpu",
        num_threads=config["threads"], random_state=0,
    )
    if config.get("negatives"):
        kwargs["negatives"] = config["negatives"]

    # Keep the Solver that fit builds (wherever it is built), to time its step() and reuse its
    # sampler: wrap the class's __init__ for the duration of one fit.
    solvers = []
    original_init = Solver.__init__

    def keeping_init(self, *args, **kw):
        original_init(self, *args, **kw)
        solvers.append(self)

    Solver.__init__ = keeping_init
    try:
        model = identica.Embedding(max_iterations=WARMUP_ITERATIONS, **kwargs)
        cpu, wall = time.process_time(), time.perf_counter()
        model.fit(X, y)
        setup_cpu, setup_wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        Solver.__init__ = original_init
    if not solvers:
        raise RuntimeError(
            "Embedding.fit built no identica.training.Solver; this benchmark times "
            "Solver.step() of the solver that fit builds."
        )
    solver = solvers[-1]
    encoder, n = model.encoder_, config["batch_size"]

    # The floor's windows: one BatchIndex of the fit's own sampler, gathered as fit gathers them.
    gather = WindowGatherer(torch.from_numpy(X), model.receptive_field_)
    batch = solver.sampler.sample(n, generator=torch.Generator().manual_seed(1))
    windows = gather(batch.windows)
    generator = torch.Generator().manual_seed(2)
    weights = torch.randn(len(windows), encoder.output_dimension, generator=generator)

    def floor() -> None:
        encoder.zero_grad(set_to_none=True)
        (encoder(windows) * weights).sum().backward()

    sample_generator = torch.Generator().manual_seed(3)

    def sample() -> None:
        solver.sampler.sample(n, generator=sample_generator)

    def fit_block(iterations: int) -> tuple[float, float]:
        fresh = identica.Embedding(max_iterations=iterations, **kwargs)
        cpu, wall = time.process_time(), time.perf_counter()
        fresh.fit(X, y)
        return time.process_time() - cpu, time.perf_counter() - wall

    k = config["iterations"]
    for _ in range(2):  # warm the floor path too
        floor()
    times: dict[str, list[float]] = {f"{p}_{c}": [] for p in ("step", "floor", "sample")
                                     for c in ("cpu", "wall")}
    for _ in range(config["repeats"]):
        if config["method"] == "step":
            step_cpu, step_wall = _block(solver.step, k)
        else:
            cpu1, wall1 = fit_block(k)
            cpu2, wall2 = fit_block(2 * k)
            step_cpu, step_wall = (cpu2 - cpu1) / k, (wall2 - wall1) / k
        floor_cpu, floor_wall = _block(floor, k)
        sample_cpu, sample_wall = _block(sample, k)
        for name, value in (("step_cpu", step_cpu), ("step_wall", step_wall),
                            ("floor_cpu", floor_cpu), ("floor_wall", floor_wall),
                            ("sample_cpu", sample_cpu), ("sample_wall", sample_wall)):
            times[name].append(value)

    ms = {f"{name}_ms": 1e3 * statistics.median(values) for name, values in times.items()}
    return {
        **{key: config[key] for key in ("sweep", "batch_size", "n_samples", "n_neurons",
                                        "encoder", "threads", "iterations", "repeats", "method")},
        "negatives": model.negatives,
        "receptive_field": len(model.receptive_field_),
        "windows_per_step": len(windows),
        **ms,
        "step_over_floor_cpu": ms["step_cpu_ms"] / ms["floor_cpu_ms"],
        "step_over_floor_wall": ms["step_wall_ms"] / ms["floor_wall_ms"],
        "all_ms": {name: [1e3 * v for v in values] for name, values in times.items()},
        "setup_cpu_s": setup_cpu,
        "setup_wall_s": setup_wall,
        "data_mb": data_mb,
        "data_wall_s": data_wall,
        "rss_after_imports_mb": rss_imports,
        "peak_rss_mb": _max_rss_mb(),
        "torch_threads": torch.get_num_threads(),
        "version": identica.__version__,
    }


# -- parent --------------------------------------------------------------------------------------


def _run_worker(config: dict) -> dict:
    env = dict(os.environ)
    for name in THREAD_VARS:
        env[name] = str(config["threads"])
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(config)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_MARK) and proc.returncode == 0:
            return json.loads(line[len(RESULT_MARK):])
    sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-8000:])
    raise RuntimeError(f"worker for {config} failed with exit code {proc.returncode}")


def points(args: argparse.Namespace) -> list[dict]:
    """The points of the selected sweeps, each a full worker configuration."""
    base = {
        "batch_size": args.batch_size, "n_samples": args.n_samples, "n_neurons": args.n_neurons,
        "encoder": args.encoder, "threads": 1, "iterations": args.iterations,
        "repeats": args.repeats, "method": args.method, "negatives": args.negatives,
    }
    varied = {
        "batch": ("batch_size", args.batch_sizes),
        "length": ("n_samples", args.lengths),
        "field": ("encoder", args.encoders),
        "threads": ("threads", args.thread_counts),
    }
    out = []
    for sweep in args.sweep:
        key, values = varied[sweep]
        out += [{**base, "sweep": sweep, key: value} for value in values]
    return out


def _f(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}g}" if abs(value) < 10 ** digits else f"{value:.0f}"


COLUMNS = {
    "batch": ("batch", lambda r: str(r["batch_size"])),
    "length": ("bins", lambda r: f"{r['n_samples']:,}"),
    "field": ("encoder (field)", lambda r: f"{r['encoder']} ({r['receptive_field']})"),
    "threads": ("threads", lambda r: str(r["threads"])),
}


def markdown(result: dict) -> str:
    cfg = result["config"]
    lines = [
        "# identica step time scaling",
        "",
        f"Base: {cfg['encoder']}, batch {cfg['batch_size']}, {cfg['n_samples']:,} bins x "
        f"{cfg['n_neurons']} neurons, output 8, hidden 32, time_delta (offset 10), cosine, CPU, "
        f"negatives {cfg['negatives_used']}; medians of {cfg['repeats']} blocks of "
        f"{cfg['iterations']} steps (method: {cfg['method']}). Times in ms per step; "
        "floor = forward + backward of the same windows through the same encoder; sampling = "
        "the sampler alone; setup = the first fit call of 2 steps (sampler build included).",
    ]
    for sweep in SWEEPS:
        rows = [r for r in result["runs"] if r["sweep"] == sweep]
        if not rows:
            continue
        label, cell = COLUMNS[sweep]
        first = rows[0]
        lines += [
            "",
            f"## {sweep}",
            "",
            f"| {label} | windows | step CPU | step wall | floor CPU | floor wall | sampling CPU "
            f"| step/floor (CPU) | step wall vs first | peak RSS MB | RSS after imports MB "
            "| data MB | setup s |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in rows:
            lines.append(
                f"| {cell(r)} | {r['windows_per_step']} | {_f(r['step_cpu_ms'])} | "
                f"{_f(r['step_wall_ms'])} | {_f(r['floor_cpu_ms'])} | {_f(r['floor_wall_ms'])} | "
                f"{_f(r['sample_cpu_ms'])} | {_f(r['step_over_floor_cpu'])} | "
                f"{_f(r['step_wall_ms'] / first['step_wall_ms'])} | {_f(r['peak_rss_mb'], 4)} | "
                f"{_f(r['rss_after_imports_mb'], 4)} | {_f(r['data_mb'], 4)} | "
                f"{_f(r['setup_wall_s'])} |"
            )
    return "\n".join(lines) + "\n"


def _int_list(text: str) -> list[int]:
    return [int(float(v)) for v in text.split(",") if v]


def _str_list(text: str) -> list[str]:
    return [v.strip() for v in text.split(",") if v.strip()]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="identica step time against batch size, length, receptive field, threads.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--sweep", type=_str_list, default=list(SWEEPS),
                        help="comma-separated sweeps among " + ",".join(SWEEPS))
    parser.add_argument("--iterations", type=int, default=20, help="steps per timed block")
    parser.add_argument("--repeats", type=int, default=5, help="timed blocks per point")
    parser.add_argument("--method", choices=("step", "fit"), default="step",
                        help="time Solver.step() directly, or the difference of two fits")
    parser.add_argument("--batch-size", type=int, default=512, help="base batch size")
    parser.add_argument("--n-samples", type=int, default=BASE_LENGTH, help="base length (bins)")
    parser.add_argument("--n-neurons", type=int, default=120, help="neurons")
    parser.add_argument("--encoder", default="conv10", help="base encoder")
    parser.add_argument("--negatives", choices=("independent", "references"), default=None,
                        help="identica's negatives parameter (default: the estimator's default)")
    parser.add_argument("--batch-sizes", type=_int_list,
                        default=[256, 512, 1024, 2048, 4096, 8192], help="batch sweep values")
    parser.add_argument("--lengths", type=_int_list, default=[10_000, 100_000, 1_000_000],
                        help="length sweep values (bins)")
    parser.add_argument("--encoders", type=_str_list,
                        default=["mlp", "conv5", "conv10", "conv20", "conv36", "conv50"],
                        help="receptive-field sweep values")
    parser.add_argument("--thread-counts", type=_int_list, default=[1, 2],
                        help="threads sweep values")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results",
                        help="directory for scaling.json and scaling.md")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = [s for s in args.sweep if s not in SWEEPS]
    if unknown or not args.sweep:
        parser.error(f"--sweep takes a comma-separated subset of {','.join(SWEEPS)}; "
                     f"got {unknown or 'nothing'}")
    for name in ("iterations", "repeats", "batch_size", "n_samples", "n_neurons"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        print(RESULT_MARK + json.dumps(worker(json.loads(args.worker))), flush=True)
        return 0

    config = {
        key: getattr(args, key)
        for key in ("sweep", "iterations", "repeats", "method", "batch_size", "n_samples",
                    "n_neurons", "encoder", "negatives", "batch_sizes", "lengths", "encoders",
                    "thread_counts")
    }
    config.update(
        python=sys.version.split()[0], cpu_count=os.cpu_count(),
        load_average=list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    )
    args.out.mkdir(parents=True, exist_ok=True)
    runs = []
    started = time.perf_counter()
    for point in points(args):
        run = _run_worker(point)
        runs.append(run)
        print(
            f"[{len(runs)}] {point['sweep']:7s} batch {run['batch_size']} bins "
            f"{run['n_samples']} {run['encoder']} threads {run['threads']}: step "
            f"{run['step_cpu_ms']:.2f} ms CPU / {run['step_wall_ms']:.2f} ms wall, floor "
            f"{run['floor_cpu_ms']:.2f} ms CPU, peak RSS {run['peak_rss_mb']:.0f} MB",
            file=sys.stderr, flush=True,
        )
    config["negatives_used"] = runs[0]["negatives"]
    result = {"config": config, "runs": runs, "total_wall_s": time.perf_counter() - started}
    table = markdown(result)
    (args.out / "scaling.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "scaling.md").write_text(table)
    print(table)
    print(f"Wrote {args.out / 'scaling.json'} and {args.out / 'scaling.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
