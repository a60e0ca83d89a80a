# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""xCEBRA attribution benchmark: does the inverted neuron gradient recover which latent drives
which neuron?

Trains the configuration of the xCEBRA synthetic demo through the public API (spec xcebra §2):
encoder ``mlp-clip`` (output 6), two objectives sharing references and 512 independent
negatives — time (all 6 dims, time offset 1) and time_delta on the behaviour label Z2 (dims 3-5,
time offset 1) — squared-euclidean similarity, temperature 1, batch 512, Adam 3e-4, 2000 steps,
1 thread. Then maps ``mean_t |J|`` and ``mean_t |J⁺ᵀ|`` (lstsq) on the training data are scored
against the ground-truth map by ROC-AUC, and the in-sample affine R² from the true latents to
the embedding is reported. ``--regularize`` trains 6000 steps with a Jacobian penalty ramped
from 0 at step 2500 to ``--reg-weight`` at 5000. Prints one JSON line.

The data: an ``.npz`` with ``neural`` (T, D), ``latents`` (T, 6) and ``attribution_truth``
(6, D); the behaviour label is ``latents[:, 3:6]``. Default: ``../shared/data/xcebra_synthetic.npz``
beside the repository; ``--generator`` uses ``identica.synthetic.attribution_benchmark`` instead.
Reproduce the README figures with::

    for s in 0 1 2; do python benchmarks/attribution.py --seed $s; done
    for s in 0 1 2; do python benchmarks/attribution.py --seed $s --regularize; done
    for s in 0 1 2; do python benchmarks/attribution.py --generator --seed $s; done
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / (
    "xcebra_synthetic.npz"
)


def _load(args: argparse.Namespace):
    import numpy as np

    import identica

    if args.generator:
        rec = identica.synthetic.attribution_benchmark(random_state=args.seed)
        return rec.neural, rec.truth["latents"], rec.truth["attribution"]
    with np.load(args.data, allow_pickle=False) as data:
        return data["neural"], data["latents"], data["attribution_truth"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--generator", action="store_true",
                        help="use identica.synthetic.attribution_benchmark(random_state=seed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--iterations", type=int, default=None,
                        help="default 2000, or 6000 with --regularize")
    parser.add_argument("--regularize", action="store_true")
    parser.add_argument("--reg-weight", type=float, default=0.1)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))

    import numpy as np
    import torch
    from sklearn.linear_model import LinearRegression

    import identica
    from identica import Objective
    from identica.losses import LinearRamp

    torch.set_num_threads(args.threads)
    neural, latents, truth = _load(args)
    iterations = args.iterations or (6000 if args.regularize else 2000)
    regularization = (LinearRamp(on=2500, off=5000, start=0.0, end=args.reg_weight)
                      if args.regularize else None)
    model = identica.Embedding(
        encoder="mlp-clip", output_dimension=6, batch_size=512, num_negatives=512,
        learning_rate=3e-4, temperature=1.0, max_iterations=iterations, device="cpu",
        num_threads=args.threads, random_state=args.seed,
        jacobian_regularization=regularization,
        objectives=[
            Objective(dims=(0, 1, 2, 3, 4, 5), conditional="time", time_offset=1,
                      similarity="euclidean"),
            Objective(dims=(3, 4, 5), conditional="time_delta", label="z2", time_offset=1,
                      similarity="euclidean"),
        ],
    )
    start = time.process_time()
    model.fit(neural, {"z2": np.ascontiguousarray(latents[:, 3:6], dtype=np.float32)})
    train_seconds = time.process_time() - start
    embedding = model.transform(neural)
    start = time.process_time()
    inverted = identica.attribution.attribute(model, neural, method="inverted-jacobian",
                                              inverse="lstsq", return_per_sample=False)
    attribution_seconds = time.process_time() - start
    jacobian = identica.attribution.attribute(model, neural, method="jacobian",
                                              return_per_sample=False)
    r2 = LinearRegression().fit(latents, embedding).score(latents, embedding)
    blocks = {
        f"r2_{src}_to_dims{a}{b - 1}": round(float(
            LinearRegression().fit(latents[:, s], embedding[:, a:b])
            .score(latents[:, s], embedding[:, a:b])), 4)
        for src, s in (("z1", slice(0, 3)), ("z2", slice(3, 6)))
        for a, b in ((0, 3), (3, 6))
    }
    result = {
        "data": "generator" if args.generator else str(args.data),
        "seed": args.seed,
        "regularize": args.regularize,
        "iterations": iterations,
        "auc_inverted": round(identica.metrics.attribution_auc(inverted.summary, truth), 4),
        "auc_jacobian": round(identica.metrics.attribution_auc(jacobian.summary, truth), 4),
        "r2_latents": round(float(r2), 4),
        **blocks,
        "seconds": round(train_seconds, 1),
        "attribution_seconds": round(attribution_seconds, 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
