# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Three animals on one track: a shared embedding across sessions, and adapting to a fourth.

Generates four independent animals with ``identica.synthetic.linear_track`` (``--n-samples``
bins each; 40, 60, 80 and 100 place cells), fits one multi-session embedding on the first three
(one encoder per animal, positives dealt across animals by position), and reports

* the label-aligned consistency of the three embeddings (position binned into 100 bins);
* position R² when a kNN decoder fitted on one animal's embedding reads another's (all pairs);
* for the fourth animal, adapted from the fitted model through a new input layer (anchored on
  animal 0's recording): R² of animal 0's decoder on the new animal's embedding.

Reproduce the README figures with::

    python benchmarks/sessions.py
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-samples", type=int, default=4000)
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--adapt-iterations", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import numpy as np

    import identica
    from identica.decoders import KNNDecoder

    animals = identica.synthetic.linear_track(
        n_samples=args.n_samples, n_neurons=[40, 60, 80, 100], n_sessions=4,
        random_state=args.seed + 100,
    )
    fitted, new = animals[:3], animals[3]
    model = identica.Embedding(
        encoder="conv10", output_dimension=8, batch_size=args.batch_size,
        max_iterations=args.iterations, max_adapt_iterations=args.adapt_iterations,
        num_threads=args.threads, random_state=args.seed,
    )
    start = time.perf_counter()
    model.fit([a.neural for a in fitted], [a.continuous for a in fitted])
    fit_seconds = time.perf_counter() - start
    embeddings = model.transform([a.neural for a in fitted])
    positions = [a.truth["position"] for a in fitted]
    aligned = identica.metrics.consistency(embeddings, labels=positions)
    cross = np.full((3, 3), np.nan)
    for i in range(3):
        decoder = KNNDecoder().fit(embeddings[i], positions[i])
        for j in range(3):
            if i != j:
                cross[i, j] = decoder.score(embeddings[j], positions[j])
    decoder = KNNDecoder().fit(embeddings[0], positions[0])
    start = time.perf_counter()
    model.adapt(new.neural, new.continuous, from_session=0,
                anchor=(fitted[0].neural, fitted[0].continuous))
    adapt_seconds = time.perf_counter() - start
    adapted = decoder.score(model.transform(new.neural, session=3), new.truth["position"])
    result = {
        "label_aligned_consistency": round(float(aligned), 4),
        "cross_animal_r2": [[None if np.isnan(v) else round(float(v), 4) for v in row]
                            for row in cross],
        "cross_animal_r2_min": round(float(np.nanmin(cross)), 4),
        "adapted_animal_r2_with_animal0_decoder": round(float(adapted), 4),
        "fit_seconds": round(fit_seconds, 1),
        "adapt_seconds": round(adapt_seconds, 1),
        "config": vars(args),
    }
    print(json.dumps(result, indent=1))
    print(
        f"\n| animals | label-aligned consistency | cross-animal R² (min over pairs) | "
        f"adapted 4th animal R² |\n|---|---|---|---|\n| 3 (40/60/80 cells) + 1 adapted (100) | "
        f"{aligned:.3f} | {np.nanmin(cross):.3f} | {adapted:.3f} |"
    )


if __name__ == "__main__":
    main()
