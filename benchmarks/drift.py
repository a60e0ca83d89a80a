# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Drift benchmark ("drift-lite", specs/drift.md §8): test-time adaptation on a CCC-style stream.

Per population (place cells on a linear track decoded with kNN, cosine-tuned reaching decoded
with a linear decoder; 100 neurons each): the source recording is standardised per channel and a
``conv10`` encoder (8 dimensions, behaviour labels, batch 256, ``--iterations`` steps) is
trained on it; the frozen decoder is fitted on every 4th row of the source embedding. The
reference model is calibrated on a 6 x 6 severity grid for every pair of the six operators
(1,000 held-out samples per cell, ``identica.synthetic.calibrate_drift``); operators whose
severity-5 harm is below 0.02 R² are dropped from the walk. Per (difficulty, speed, seed) a
stream (``identica.synthetic.drift_stream``) is drawn and every method runs over it in
windows of 1,000 samples (update, then transform; ``identica.adaptation.evaluate_stream``).

Methods: ``none``; ``stats`` (InputStatistics, prior N = 1000, floor 0.1); ``tune``
(ContrastiveReadIn, per-channel affine read-in, buffer 4,000, 5 Adam steps of batch 256 at
lr 1e-3 per window, never reset; ``--tune-read-in``, ``--tune-lr`` and ``--tune-steps`` change
these for every tuning and self-learning method); ``tune-reset`` (tune reset every
``--reset-every`` samples, RDumb-style); ``tune-monitor`` (tune reset when the effective rank of
the adapted embedding falls below half the frozen one's); ``tune-l2sp`` (tune with the L2-SP
anchor, weight 1); ``coral`` (MomentMatching of the embedding, prior 1000); ``refit``
(InputRefit: a fresh input layer trained 100 Adam steps at lr 3e-3 on the last 4,000 samples,
every 4,000 samples, CEBRA-style); ``self-learning`` (SelfLearning, 8 source classes: position
bins or velocity-angle sectors; never reset); ``self-learning-reset`` (self-learning reset every
``--reset-every`` samples); ``self-learning-monitor`` (self-learning reset when the effective
rank halves); ``oracle`` (decoder re-fitted on the last 2 labelled windows; an upper bound, the
only method that reads labels).

Prints one JSON line per run (keys ``population``, ``difficulty``, ``speed``, ``seed``,
``method``, ``mean_r2``, ``last_quarter_r2``, ``worst_r2``, ``area``, ``collapsed`` (with
``collapse_delta``, ``collapse_k``), ``seconds_per_1000``, ``n_resets``, monitor means,
``stream_expected_r2`` (calibration's prediction), ``loadavg``), then one summary line per
(population, method): mean over runs, and ``robust`` (last-quarter R² >= none on every run and
never collapsed). ``--out DIR`` writes ``drift_stream.png`` (R² per method over one stream per
population with the severities beneath), ``runs.jsonl`` and ``curves.json``. ``--cost-only``
prints, per method, the median process CPU time and wall time of ``update`` + ``transform`` of
one window of 1,000 samples over 6 windows, and the largest CPU time (a re-fit window); the wall
time of the runs above includes waiting for a busy machine's cores.
``--control SEVERITY`` runs the methods on a stream whose occupancy is tilted by
``behavior_shift`` while the neurons do not drift (one JSON line per method). ``--merge DIR ...
--out DIR`` joins the outputs of runs split over processes (``runs.jsonl``, ``curves.json``)
into one ``runs.jsonl`` and one plot.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

import identica
from identica.adaptation import (
    ContrastiveReadIn,
    InputRefit,
    InputStatistics,
    MomentMatching,
    MonitorReset,
    NoAdaptation,
    Oracle,
    PeriodicReset,
    SelfLearning,
    SourceModel,
    evaluate_stream,
)
from identica.decoders import KNNDecoder, LinearDecoder
from identica.metrics import stream_summary, window_r2
from identica.synthetic import (
    OPERATORS,
    DriftModel,
    behavior_shift,
    calibrate_drift,
    drift_stream,
    place_cell_population,
    reaching_population,
)

WINDOW = 1000
METHODS = ("none", "stats", "tune", "tune-reset", "tune-monitor", "tune-l2sp", "coral",
           "refit", "self-learning", "self-learning-reset",
           "self-learning-monitor", "oracle")
# drawn in the stream plot (all methods are in runs.jsonl)
PLOTTED = ("none", "stats", "tune", "tune-reset", "self-learning", "self-learning-reset")


def _population(name: str, n_samples: int, seed: int):
    if name == "place":
        return place_cell_population(n_samples, 100, random_state=seed)
    return reaching_population(n_samples, 100, random_state=seed)


def _classes(name: str, target: np.ndarray) -> np.ndarray:
    if name == "place":
        return np.digitize(target[:, 0], np.linspace(0.0, 1.6, 9)[1:-1]).astype(np.int64)
    angle = np.arctan2(target[:, 1], target[:, 0])
    return np.digitize(angle, np.linspace(-np.pi, np.pi, 9)[1:-1]).astype(np.int64)



def _source(name: str, population, drift: DriftModel, args) -> tuple[SourceModel, np.ndarray]:
    source_rows = population[: args.source_samples]
    X = drift.sample(source_rows, {}, random_state=0)
    embedding = identica.Embedding(encoder="conv10", output_dimension=8, batch_size=256,
                                   max_iterations=args.iterations, time_offset=10,
                                   learning_rate=3e-3, random_state=0, num_threads=1,
                                   device=args.device)
    target = source_rows.target[:, 0] if name == "place" else source_rows.target
    source = SourceModel.fit(embedding, X, source_rows.behavior, target=target, decoder=None,
                             device="cpu" if args.device == "auto" else args.device)
    z = source.transform(X)
    decoder = KNNDecoder(n_neighbors=36) if name == "place" else LinearDecoder()
    source.decoder = decoder.fit(z[::4], target[::4])
    return source, z


def _methods(source: SourceModel, z: np.ndarray, classes: np.ndarray, args) -> dict:
    tune = {"read_in": args.tune_read_in, "buffer_size": 4000, "steps": args.tune_steps,
            "batch_size": 256, "learning_rate": args.tune_lr, "random_state": 0}
    return {
        "none": NoAdaptation(source),
        "stats": InputStatistics(source, prior=1000.0, floor=0.1),
        "tune": ContrastiveReadIn(source, **tune),
        "tune-reset": PeriodicReset(ContrastiveReadIn(source, **tune), args.reset_every),
        "tune-monitor": MonitorReset(ContrastiveReadIn(source, **tune), "rank", 0.5),
        "tune-l2sp": ContrastiveReadIn(source, anchor=1.0, **tune),
        "coral": MomentMatching(source, prior=1000.0),
        "refit": InputRefit(source, refit_every=4000, steps=100, learning_rate=3e-3,
                            buffer_size=4000, batch_size=256, random_state=0),
        "self-learning": SelfLearning(source, z[::4], classes[::4], **tune),
        "self-learning-reset": PeriodicReset(SelfLearning(source, z[::4], classes[::4], **tune),
                                             args.reset_every),
        "self-learning-monitor": MonitorReset(SelfLearning(source, z[::4], classes[::4], **tune),
                                              "rank", 0.5),
        "oracle": Oracle(source, memory=2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--populations", nargs="+", default=["place", "reaching"])
    parser.add_argument("--difficulties", nargs="+", type=float, default=[0.7, 0.5, 0.2])
    parser.add_argument("--speeds", nargs="+", type=int, default=[250, 1000])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--stream-samples", type=int, default=32_000)
    parser.add_argument("--source-samples", type=int, default=20_000)
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--reset-every", type=int, default=8000)
    parser.add_argument("--methods", nargs="+", default=list(METHODS))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--calibration-samples", type=int, default=1000)
    parser.add_argument("--operators", nargs="+", default=list(OPERATORS))
    parser.add_argument("--tune-read-in", choices=["affine", "input"], default="affine")
    parser.add_argument("--tune-lr", type=float, default=1e-3)
    parser.add_argument("--tune-steps", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--cost-only", action="store_true",
                        help="only time update + transform of 1,000-sample windows per method "
                             "(process CPU time and wall time; no calibration, no streams)")
    parser.add_argument("--control", type=float, default=None, metavar="SEVERITY",
                        help="only the behaviour-shift control: the stream's occupancy tilted at "
                             "this severity, no drift of the neurons")
    parser.add_argument("--table", type=Path, default=None,
                        help="print the README table of a finished run's runs.jsonl and exit")
    parser.add_argument("--merge", nargs="+", type=Path, default=None, metavar="DIR",
                        help="merge the --out folders of runs split over processes into --out "
                             "(one runs.jsonl, one plot) and exit")
    args = parser.parse_args(argv)
    if args.merge:
        _merge(args.merge, args.out or Path("."))
        return 0
    if args.table is not None:
        print(_table([json.loads(line) for line in args.table.read_text().splitlines()]))
        return 0
    n_calibration = args.calibration_samples
    torch.set_num_threads(args.threads)
    rows = []
    curves: dict[str, dict] = {}
    for name in args.populations:
        total = args.source_samples + n_calibration + args.stream_samples
        population = _population(name, total, 0)
        drift = DriftModel(population.n_neurons, random_state=0)
        tic = time.process_time()
        source, z = _source(name, population, drift, args)
        train_s = time.process_time() - tic
        if args.cost_only:
            _cost(name, population, drift, source, z, args)
            continue
        if args.control is not None:
            _control(name, population, drift, source, z, args)
            continue
        calib = population[args.source_samples:args.source_samples + n_calibration]
        calib_target = calib.target[:, 0] if name == "place" else calib.target

        def score(a, la, b, lb, calib=calib, calib_target=calib_target, source=source,
                  drift=drift):
            x = drift.sample(calib, {a: la, b: lb}, random_state=1)
            return float(window_r2(calib_target, source.decoder.predict(source.transform(x)),
                                   len(x))[0])

        tic = time.process_time()
        calibration = calibrate_drift(score, args.operators)
        calib_s = time.process_time() - tic
        print(json.dumps({"population": name, "clean_r2": round(calibration.clean, 4),
                          "harm_at_5": {o: round(calibration.harm(o), 4)
                                        for o in calibration.operators},
                          "train_cpu_s": round(train_s, 1), "calibration_cpu_s":
                          round(calib_s, 1)}), flush=True)
        stream_rows = population[args.source_samples + n_calibration:]
        target = stream_rows.target[:, 0] if name == "place" else stream_rows.target
        methods = _methods(source, z, _classes(name, population[: args.source_samples].target),
                           args)
        for difficulty in args.difficulties:
            for speed in args.speeds:
                for seed in args.seeds:
                    stream = drift_stream(calibration, difficulty=difficulty, speed=speed,
                                          n_samples=len(stream_rows), seed=seed)
                    X = drift.sample(stream_rows, stream.severities(), random_state=seed)
                    frozen = np.concatenate([
                        source.decoder.predict(source.transform(X[s:s + WINDOW]))
                        for s in range(0, len(X) - WINDOW + 1, WINDOW)])
                    runs = {}
                    for method in args.methods:
                        adapter = methods[method]
                        adapter.reset()
                        adapter.n_resets = 0
                        if hasattr(adapter, "adapter"):
                            adapter.adapter.n_resets = 0
                        runs[method] = evaluate_stream(adapter, X, target, window=WINDOW,
                                                       frozen=frozen)
                    reference = runs["none"].r2
                    for method, run in runs.items():
                        s = stream_summary(run.r2, reference, delta=0.1, k=5)
                        row = {"population": name, "difficulty": difficulty, "speed": speed,
                               "seed": seed, "method": method,
                               "mean_r2": round(s.mean_r2, 4),
                               "last_quarter_r2": round(s.last_quarter_r2, 4),
                               "worst_r2": round(s.worst_r2, 4), "area": round(s.area, 4),
                               "collapsed": s.collapsed, "collapse_delta": s.delta,
                               "collapse_k": s.k,
                               "seconds_per_1000": round(run.seconds_per_1000, 4),
                               "n_resets": run.n_resets,
                               "rank": round(float(run.rank.mean()), 3),
                               "moment_distance": round(float(run.moment_distance.mean()), 3),
                               "goodness_of_fit_bits": round(float(run.goodness_of_fit.mean()),
                                                             3),
                               "disagreement": round(float(run.disagreement.mean()), 3),
                               "stream_expected_r2": round(float(stream.expected.mean()), 4),
                               "dropped_operators": list(stream.dropped),
                               "threads": args.threads,
                               "loadavg": [round(v, 2) for v in os.getloadavg()]}
                        rows.append(row)
                        print(json.dumps(row), flush=True)
                    if speed == max(args.speeds) and seed == args.seeds[0] and \
                            difficulty == min(args.difficulties):
                        curves[name] = {"r2": {m: r.r2 for m, r in runs.items()},
                                        "a": stream.severity_a, "b": stream.severity_b,
                                        "title": f"{name}, target R² {difficulty}, "
                                                 f"{speed} samples/step, seed {seed}"}
    for name in args.populations:
        for method in args.methods:
            mine = [r for r in rows if r["population"] == name and r["method"] == method]
            none = [r for r in rows if r["population"] == name and r["method"] == "none"]
            if not mine:
                continue
            robust = all(m["last_quarter_r2"] >= n["last_quarter_r2"] and not m["collapsed"]
                         for m, n in zip(mine, none))
            summary = {"summary": True, "population": name, "method": method,
                       "runs": len(mine),
                       **{k: round(float(np.mean([r[k] for r in mine])), 4) for k in
                          ("mean_r2", "last_quarter_r2", "worst_r2", "area",
                           "seconds_per_1000")},
                       "min_worst_r2": round(min(r["worst_r2"] for r in mine), 4),
                       "collapsed_runs": sum(r["collapsed"] for r in mine),
                       "robust": robust}
            print(json.dumps(summary), flush=True)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "runs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        (args.out / "curves.json").write_text(json.dumps({
            name: {**c, "r2": {m: [float(v) for v in r2] for m, r2 in c["r2"].items()},
                   "a": [float(v) for v in c["a"]], "b": [float(v) for v in c["b"]]}
            for name, c in curves.items()}))
        _plot(curves, args.out / "drift_stream.png")
    return 0


def _merge(dirs: list[Path], out: Path) -> None:
    """One runs.jsonl and one plot from the outputs of runs split over processes."""
    rows, curves = [], {}
    for d in dirs:
        rows += [json.loads(line) for line in (d / "runs.jsonl").read_text().splitlines()]
        curves.update(json.loads((d / "curves.json").read_text()))
    out.mkdir(parents=True, exist_ok=True)
    (out / "runs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (out / "curves.json").write_text(json.dumps(curves))
    _plot(curves, out / "drift_stream.png")


def _cost(name: str, population, drift: DriftModel, source: SourceModel, z: np.ndarray,
          args) -> None:
    """Median (and largest) CPU and wall seconds of update + transform of a 1,000-sample window."""
    rows = population[args.source_samples:args.source_samples + 7 * WINDOW]
    X = drift.sample(rows, {"gain": 3.0, "noise": 2.0}, random_state=0)
    methods = _methods(source, z, _classes(name, population[: args.source_samples].target),
                       args)
    for method in args.methods:
        adapter = methods[method]
        adapter.reset()
        cpu, wall = [], []
        for k in range(7):
            window = X[k * WINDOW:(k + 1) * WINDOW]
            c, w = time.process_time(), time.perf_counter()
            adapter.update(window)
            adapter.transform(window)
            cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - w)
        print(json.dumps({"cost": True, "population": name, "method": method,
                          "cpu_seconds_per_1000": round(float(np.median(cpu[1:])), 4),
                          "max_cpu_seconds_per_1000": round(float(np.max(cpu[1:])), 4),
                          "wall_seconds_per_1000": round(float(np.median(wall[1:])), 4),
                          "threads": args.threads,
                          "loadavg": [round(v, 2) for v in os.getloadavg()]}), flush=True)


def _control(name: str, population, drift: DriftModel, source: SourceModel, z: np.ndarray,
             args) -> None:
    """Methods on a stream whose behaviour statistics shift while the neurons do not drift."""
    rows = population[args.source_samples + args.calibration_samples:]
    shifted = behavior_shift(rows, args.control, chunk=200, random_state=0)
    X = drift.sample(shifted, {}, random_state=0)
    target = shifted.target[:, 0] if name == "place" else shifted.target
    methods = _methods(source, z, _classes(name, population[: args.source_samples].target),
                       args)
    runs = {}
    for method in args.methods:
        methods[method].reset()
        runs[method] = evaluate_stream(methods[method], X, target, window=WINDOW)
    for method, run in runs.items():
        s = stream_summary(run.r2, runs["none"].r2)
        print(json.dumps({"control": True, "population": name, "severity": args.control,
                          "method": method, "mean_r2": round(s.mean_r2, 4),
                          "worst_r2": round(s.worst_r2, 4), "area": round(s.area, 4),
                          "loadavg": [round(v, 2) for v in os.getloadavg()]}), flush=True)


def _table(rows: list[dict]) -> str:
    """Markdown: per population and method, means over runs, worst window, collapses, robust."""
    lines = ["| population | method | mean R² | last-quarter R² | worst window R² | "
             "area vs none | collapsed runs | robust | s / 1000 samples |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name in dict.fromkeys(r["population"] for r in rows):
        none = [r for r in rows if r["population"] == name and r["method"] == "none"]
        for method in dict.fromkeys(r["method"] for r in rows):
            mine = [r for r in rows if r["population"] == name and r["method"] == method]
            robust = all(m["last_quarter_r2"] >= n["last_quarter_r2"] and not m["collapsed"]
                         for m, n in zip(mine, none))
            lines.append(
                f"| {name} | {method} | {np.mean([r['mean_r2'] for r in mine]):.3f} | "
                f"{np.mean([r['last_quarter_r2'] for r in mine]):.3f} | "
                f"{min(r['worst_r2'] for r in mine):.3f} | "
                f"{np.mean([r['area'] for r in mine]):+.3f} | "
                f"{sum(r['collapsed'] for r in mine)}/{len(mine)} | "
                f"{'yes' if robust else 'no'} | "
                f"{np.mean([r['seconds_per_1000'] for r in mine]):.3f} |")
    return "\n".join(lines)


def _plot(curves: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from identica.plot import plot_drift_stream

    if not curves:
        return
    fig, axes = plt.subplots(2, len(curves), figsize=(6.5 * len(curves), 4.8), squeeze=False,
                             gridspec_kw={"height_ratios": [3, 1]}, sharex="col")
    for k, c in enumerate(curves.values()):
        shown = {m: r2 for m, r2 in c["r2"].items() if m in PLOTTED}
        top, _ = plot_drift_stream(shown, np.asarray(c["a"]), np.asarray(c["b"]), window=WINDOW,
                                   ax=(axes[0, k], axes[1, k]))
        top.set_title(c["title"], fontsize=9)
        top.set_ylim(-0.5, 1.0)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


if __name__ == "__main__":
    sys.exit(main())
