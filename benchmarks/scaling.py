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
* floor: the same windows (of one ``BatchIndex`` drawn by the fit's own sampler) through the
  same encoder in one call, as the step calls it (``SessionEncoders`` over a
  ``WindowGatherer``: a conv encoder reads the recording and computes rows shared by windows
  once), forward + backward of ``(embed(windows) * fixed_random).sum()``, ``--iterations``
  times; no sampler, no loss, no optimiser;
* sampling: ``--iterations`` calls of the sampler alone (positive search included).

After the timed blocks the worker measures the compute floor of a conv encoder's step on one
thread (``_floor.py``): the step's matrix-product FLOPs (conv forward over the step's windows,
backward twice that except the first layer's, the similarity matrix and its gradients) divided
by the rate of the step's own matrix products, each timed on its own shapes. (``floor`` above is
the encoder's measured forward + backward; ``compute floor`` is this FLOP bound; ``mlp`` has
none.)

Reported per step: the median over repeats of process CPU time (``time.process_time``; the
headline for 1 thread) and wall time (``time.perf_counter``; the one that matters for 2 threads,
where CPU time counts both cores), the step / floor and step / compute-floor ratios, the step
relative to the sweep's first point, peak RSS, the data size and peak RSS minus data size.

Protocol (``_protocol.py``): the load average and the CPU model are recorded before and after
the whole run and around every point's measurement. When the 1-minute load average before the
run is above 0.3 per core, ``scaling.json`` is written but ``scaling.md`` is not, and the script
exits with status 3; ``--under-load`` writes the table anyway, captioned "measured under load
(load average X on N cores)". One JSON line per point is printed on stdout, then a summary line
(machine state; for the length sweep the step CPU time at the longest recording over the first,
and the largest peak RSS minus data size); progress and the tables go to stderr.

Reproduce the README numbers (from the repository root, on a quiet machine)
----------------------------------------------------------------------------
::

    python benchmarks/scaling.py                          # all four sweeps
    python benchmarks/scaling.py --sweep length           # 10k, 100k, 1M bins: flat step, memory
    python benchmarks/scaling.py --sweep batch,field      # some sweeps
    python benchmarks/scaling.py --sweep length --negatives references
    python benchmarks/scaling.py --sweep batch --batch-sizes 256,512 --iterations 5 --repeats 2
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from dataclasses import asdict
from pathlib import Path

import _floor
import _protocol
from _scaling_report import SWEEPS, fmt, markdown, summary_line

ROOT = Path(__file__).resolve().parents[1]
BASE_LENGTH = 10_000
DATA_SEED = 1234
WARMUP_ITERATIONS = 2
WARMUP_CPU_S = 3.0  # of steps (and of the floor) before the timed blocks
FLOOR_REPEATS = 5


# -- worker: one point in this fresh process -----------------------------------------------------


def _conv_step(encoder, batch_size: int, n_features: int, config) -> _floor.ConvStep | None:
    """The compute-floor description of a ``ConvEncoder`` step; None for other encoders."""
    first, blocks, last = (getattr(encoder, name, None) for name in ("first", "blocks", "last"))
    if first is None or blocks is None or last is None:
        return None
    return _floor.ConvStep(
        batch_size=batch_size, n_features=n_features, hidden_units=first.out_channels,
        output_dimension=last.out_channels, first_kernel=first.kernel_size[0],
        n_blocks=len(blocks), block_kernel=blocks[0].kernel_size[0] if len(blocks) else 3,
        last_kernel=last.kernel_size[0], negatives=config.negatives,
        num_negatives=config.num_negatives,
    )


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
    _protocol.limit_threads(config["threads"])
    import torch

    torch.set_num_threads(config["threads"])
    import torch._dynamo  # noqa: F401 - torch.optim imports it on first use; keep it out of timings

    import identica
    from identica.data import WindowGatherer
    from identica.estimator import EmbeddingConfig
    from identica.training import SessionEncoders, Solver, keep_freed_memory

    rss_imports = _protocol.max_rss_mb()
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

    # The floor's windows: one BatchIndex of the fit's own sampler, through the encoder as the
    # step calls it (a ConvEncoder reads its windows from the recording, sharing their rows).
    embed = SessionEncoders([encoder], [WindowGatherer(torch.from_numpy(X),
                                                       model.receptive_field_)], [0])
    batch = solver.sampler.sample(n, generator=torch.Generator().manual_seed(1))
    windows = batch.windows
    generator = torch.Generator().manual_seed(2)
    weights = torch.randn(len(windows), encoder.output_dimension, generator=generator)

    def floor() -> None:
        encoder.zero_grad(set_to_none=True)
        (embed(windows) * weights).sum().backward()

    sample_generator = torch.Generator().manual_seed(3)

    def sample() -> None:
        solver.sampler.sample(n, generator=sample_generator)

    def fit_block(iterations: int) -> tuple[float, float]:
        fresh = identica.Embedding(max_iterations=iterations, **kwargs)
        cpu, wall = time.process_time(), time.perf_counter()
        fresh.fit(X, y)
        return time.process_time() - cpu, time.perf_counter() - wall

    k = config["iterations"]
    # Time as a fit runs: with the allocator keeping freed blocks (Solver.fit does the same).
    keep_freed_memory()
    # Warm up for a few CPU seconds: the first few hundred steps still fault in fresh memory
    # (the heap settles), which a short timed block would count.
    for call in (solver.step, floor):
        start = time.process_time()
        for done in itertools.count(1):
            call()
            if done >= 5 and time.process_time() - start > WARMUP_CPU_S:
                break
    times: dict[str, list[float]] = {f"{p}_{c}": [] for p in ("step", "floor", "sample")
                                     for c in ("cpu", "wall")}
    before = _protocol.machine_state()
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

    load_after = _protocol.load_average()

    ms = {f"{name}_ms": 1e3 * statistics.median(values) for name, values in times.items()}
    resolved = EmbeddingConfig.from_params(model.get_params())  # "auto" negatives resolved
    step = _conv_step(encoder, n, X.shape[1], resolved)
    if step is not None and step.n_windows != len(windows):
        raise RuntimeError(f"the compute floor assumes {step.n_windows} windows per step, the "
                           f"fit's sampler gives {len(windows)}; _floor.ConvStep is out of date.")
    compute = None if step is None else _floor.floor_worker(asdict(step), FLOOR_REPEATS)
    return {
        **{key: config[key] for key in ("sweep", "batch_size", "n_samples", "n_neurons",
                                        "encoder", "threads", "iterations", "repeats", "method")},
        "negatives": resolved.negatives,
        "receptive_field": len(model.receptive_field_),
        "windows_per_step": len(windows),
        **ms,
        "step_over_floor_cpu": ms["step_cpu_ms"] / ms["floor_cpu_ms"],
        "step_over_floor_wall": ms["step_wall_ms"] / ms["floor_wall_ms"],
        "compute_floor_ms": None if compute is None else compute["floor_ms"],
        "compute_floor_gflop": None if compute is None else compute["floor_gflop"],
        "matmul_rate_gflops": None if compute is None else compute["matmul_rate_gflops"],
        "step_over_compute_floor": (None if compute is None
                                    else ms["step_cpu_ms"] / compute["floor_ms"]),
        "load_before": before["load"],
        "load_after": load_after,
        "cpu_model": before["cpu_model"],
        "all_ms": {name: [1e3 * v for v in values] for name, values in times.items()},
        "setup_cpu_s": setup_cpu,
        "setup_wall_s": setup_wall,
        "data_mb": data_mb,
        "data_wall_s": data_wall,
        "rss_after_imports_mb": rss_imports,
        "peak_rss_mb": _protocol.max_rss_mb(),
        "torch_threads": torch.get_num_threads(),
        "version": identica.__version__,
    }


# -- parent --------------------------------------------------------------------------------------


def _run_worker(config: dict) -> dict:
    return _protocol.run_worker(Path(__file__).resolve(), config, config["threads"], ROOT)


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
    parser.add_argument("--under-load", action="store_true",
                        help="write the table even when the machine is busy, marked as "
                             "measured under load")
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
        result = worker(json.loads(args.worker))
        print(_protocol.RESULT_MARK + json.dumps(result), flush=True)
        return 0

    announced = _protocol.announce_headline(args.under_load)
    state, status = announced["state"], announced["status"]
    config = {
        key: getattr(args, key)
        for key in ("sweep", "iterations", "repeats", "method", "batch_size", "n_samples",
                    "n_neurons", "encoder", "negatives", "batch_sizes", "lengths", "encoders",
                    "thread_counts", "under_load")
    }
    config.update(python=sys.version.split()[0], cpu_count=state["cpu_count"],
                  cpu_model=state["cpu_model"], load_before=state["load"])
    runs = []
    started = time.perf_counter()
    for point in points(args):
        run = _run_worker(point)
        runs.append(run)
        print(json.dumps(run), flush=True)
        print(
            f"[{len(runs)}] {point['sweep']:7s} batch {run['batch_size']} bins "
            f"{run['n_samples']} {run['encoder']} threads {run['threads']}: step "
            f"{run['step_cpu_ms']:.2f} ms CPU / {run['step_wall_ms']:.2f} ms wall, floor "
            f"{run['floor_cpu_ms']:.2f} ms CPU, compute floor {fmt(run['compute_floor_ms'])} ms, "
            f"peak RSS {run['peak_rss_mb']:.0f} MB, load {fmt(run['load_before'][0])}",
            file=sys.stderr, flush=True,
        )
    config["negatives_used"] = runs[0]["negatives"]
    result = {"config": config, "runs": runs, "total_wall_s": time.perf_counter() - started,
              "load_after": _protocol.load_average(), "headline": status}
    result["summary_line"] = summary_line(result)
    print(json.dumps(result["summary_line"]), flush=True)
    return _protocol.write_results(args.out, "scaling", result, markdown(result), status)


if __name__ == "__main__":
    sys.exit(main())
