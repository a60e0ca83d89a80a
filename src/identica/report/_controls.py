# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Validity controls: the same fit on shuffled labels, time-shifted labels, shuffled neural data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from identica import metrics
from identica.report._evaluate import Protocol, embedding
from identica.report._fits import Fit

__all__ = ["CONTROLS", "control_data", "control_rows", "in_sample_decoding", "verdict"]

CONTROLS = ("shuffled labels", "time-shifted labels", "time-shuffled neural data")


def control_data(p: Protocol) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The data of every control: (X, y) with the label or the neural rows scrambled."""
    assert p.y is not None
    rng = np.random.default_rng(p.random_state)
    return {
        "shuffled labels": (p.X, p.y[rng.permutation(len(p.y))]),
        # a circular shift by half the recording
        "time-shifted labels": (p.X, np.roll(p.y, len(p.y) // 2, axis=0)),
        "time-shuffled neural data": (p.X[rng.permutation(len(p.X))], p.y),
    }


def in_sample_decoding(fit: Fit, p: Protocol, y: np.ndarray, X: np.ndarray) -> float:
    """kNN decoding scored on the training rows it was fitted on (what #226 reported)."""
    Z = embedding(fit, X)[p.train]
    return metrics.decoding_score(Z, y[p.train], Z, y[p.train], n_neighbors=p.n_neighbors,
                                  metric=fit.metric)


def control_rows(fits: dict[str, list[Fit]], data: dict[str, tuple[np.ndarray, np.ndarray]],
                 p: Protocol) -> list[dict[str, Any]]:
    """Measure every control's fits on the label each was trained with."""
    rows = []
    for control in CONTROLS:
        X, y = data[control]
        held_out, in_sample, bits = [], [], []
        for fit in fits[control]:
            Z = embedding(fit, X)
            held_out.append(metrics.decoding_score(Z[p.train], y[p.train], Z[p.test],
                                                   y[p.test], n_neighbors=p.n_neighbors,
                                                   metric=fit.metric))
            in_sample.append(in_sample_decoding(fit, p, y, X))
            if hasattr(fit.model, "contrastive_loss"):
                try:
                    bits.append(metrics.goodness_of_fit(fit.model, X[p.test], y[p.test],
                                                        n_batches=p.gof_batches,
                                                        random_state=p.random_state))
                except ValueError:  # the test block is too short for the sampler
                    pass
        rows.append({"control": control, "decoding_knn": float(np.mean(held_out)),
                     "decoding_in_sample": float(np.mean(in_sample)),
                     "goodness_of_fit": float(np.mean(bits)) if bits else None,
                     "seeds": [f.seed for f in fits[control]]})
    return rows


def verdict(real: Sequence[float], controls: list[dict[str, Any]], *, chance: float,
            margin: float) -> tuple[bool, str]:
    """Whether the label explains the embedding beyond the controls, and the sentence.

    Explained when the real held-out kNN decoding is above chance and above every control by
    more than ``max(margin, 3 sd over seeds)``.

    Examples
    --------
    >>> from identica.report._controls import verdict
    >>> verdict([0.9, 0.92], [{"control": "shuffled labels", "decoding_knn": 0.01}],
    ...         chance=0.0, margin=0.1)[0]
    True
    """
    mean = float(np.mean(real))
    sd = float(np.std(real)) if len(real) > 1 else 0.0
    need = max(margin, 3.0 * sd)
    worst = max(controls, key=lambda row: row["decoding_knn"])
    gap = mean - worst["decoding_knn"]
    explained = gap > need and mean - chance > need
    numbers = (f"held-out kNN decoding {mean:.3f} ± {sd:.3f} against at most "
               f"{worst['decoding_knn']:.3f} for a control ({worst['control']}); gap "
               f"{gap:.3f}, margin {need:.3f}, chance {chance:.3f}")
    if explained:
        return True, f"the label explains the embedding beyond what the controls give: {numbers}."
    return False, ("the label does not explain the embedding beyond what the controls give: "
                   f"{numbers}.")
