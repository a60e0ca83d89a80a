# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The quality report of the default demo configuration, three seeds, on the synthetic track.

``--data track`` (the default) fits the demo configuration (conv10, 8-D output, time_delta,
time offset 10, batch 512, ``--iterations`` steps, 1 thread) on
``identica.synthetic.linear_track`` (the demo recording: 10,000 bins x 120 place cells) for
seeds 0, 1 and 2 on the training blocks, runs the three controls (one seed each), all in
``--jobs`` processes of one thread, scores everything against PCA and the ground truth
(position, direction), and writes the self-contained HTML report. Prints one JSON line: wall
and CPU time (this process and its workers), the machine's load average before and after,
the overall and group scores, the verdict, and the controls' held-out decoding.

``--data rat`` runs the same report on CEBRA's rat hippocampus recording (rat "buddy", 48 units
x 6,577 bins, ``../shared/data/real/rat_hippocampus_buddy/buddy.npz`` next to the repository;
the synthetic track is used, and said so, when the file is absent). Real data have no ground
truth, so the reference is the demo configuration fitted with the same seeds; choose the
evaluated model's output dimension with ``--output-dimension`` (3, as in CEBRA's figures).

    python benchmarks/quality_report.py --out quality-report.html
    python benchmarks/quality_report.py --data rat --output-dimension 3 --out rat-report.html
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

RAT = (Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
       / "rat_hippocampus_buddy" / "buddy.npz")


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the fitting workers)."""
    import resource

    own, children = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                         resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--n-samples", type=int, default=10_000)
    parser.add_argument("--n-neurons", type=int, default=120)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--no-controls", action="store_true")
    parser.add_argument("--jobs", type=int, default=2, help="processes running the fits")
    parser.add_argument("--out", default="quality-report.html")
    parser.add_argument("--data", choices=("track", "rat"), default="track")
    parser.add_argument("--output-dimension", type=int, default=8)
    args = parser.parse_args()

    import numpy as np
    import torch

    torch.set_num_threads(1)

    import identica
    from identica.report import REFERENCE_CONFIG, quality_report

    load_before = os.getloadavg()
    wall, cpu = time.perf_counter(), _cpu_seconds()
    config = identica.Embedding(**{**REFERENCE_CONFIG, "conditional": "time_delta",
                                   "max_iterations": args.iterations,
                                   "output_dimension": args.output_dimension})
    data = "rat" if args.data == "rat" and RAT.exists() else "track"
    if data == "rat":
        archive = np.load(RAT)
        X, y = archive["spikes"].astype(np.float32), archive["label"].astype(np.float32)
        truth, reference = None, "auto"  # the demo configuration, fitted with the same seeds
    else:
        rec = identica.synthetic.linear_track(n_samples=args.n_samples,
                                              n_neurons=args.n_neurons)
        X, y = rec.neural, rec.continuous
        truth = np.column_stack([rec.truth["position"], rec.truth["direction"]])
        reference = "auto"  # the ground truth
    report = quality_report({"demo": config}, X, y, truth=truth, reference=reference,
                            seeds=tuple(range(args.seeds)), controls=not args.no_controls,
                            n_jobs=args.jobs)
    report.to_html(args.out)
    wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
    fits = report.config["protocol"]
    n_reference = len(fits["seeds"]) if truth is None else 0
    summary = {name: report.summary("demo", name) for name in ("decoding_knn", "consistency",
                                                               "goodness_of_fit")}
    print(json.dumps({
        "benchmark": "quality_report", "data": data,
        "data_requested": args.data, "output_dimension": args.output_dimension,
        "reference": report.anchor_names["reference"],
        "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "iterations": args.iterations, "jobs": args.jobs, "seeds": fits["seeds"],
        "n_fits": len(fits["seeds"]) + n_reference + (0 if args.no_controls else 3),
        "n_samples": fits["n_samples"], "gap": fits["gap"],
        "overall": report.overall["demo"], "groups": report.group_scores["demo"],
        "decoding_knn": summary["decoding_knn"], "consistency": summary["consistency"],
        "goodness_of_fit_bits": summary["goodness_of_fit"],
        "controls": {row["control"]: round(row["decoding_knn"], 4)
                     for row in report.controls.get("demo", [])},
        "verdict": report.verdicts["demo"], "excluded": sorted(report.excluded),
        "out": args.out,
    }))


if __name__ == "__main__":
    main()
