# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The measures of the quality report: key, group, direction and how each is anchored."""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["GROUPS", "MEASURES", "Measure"]

GROUPS = ("Task", "Stability", "Truth", "Robustness", "Reliability", "Form", "Cost")


class Measure(NamedTuple):
    """One row of the report.

    ``direction``: ``"higher"``, ``"lower"`` or ``"target"`` (best at the reference); only
    shown, since anchor scores need no sign flip. ``anchors``: ``"embedding"`` (trivial: PCA
    to the same dimension; reference: the reference embedding or model), ``"fixed"`` (fixed
    values named in ``note``) or ``"none"`` (shown, never scored).
    """

    key: str
    group: str
    label: str
    direction: str
    anchors: str
    note: str = ""


MEASURES: tuple[Measure, ...] = (
    Measure("decoding_knn", "Task", "decoding, kNN (k=36): R² or balanced accuracy, held out",
            "higher", "embedding"),
    Measure("decoding_linear", "Task", "decoding, linear: R² or balanced accuracy, held out",
            "higher", "embedding"),
    Measure("goodness_of_fit", "Task", "goodness of fit, bits, held out", "higher", "fixed",
            "0 bits (chance) and the ceiling log2 C: the score is bits ÷ ceiling"),
    Measure("consistency", "Stability", "consistency across seeds, held-out affine R²", "higher",
            "fixed", "0 (unrelated) and 1 (affine images of each other)"),
    Measure("consistency_in_sample", "Stability", "consistency across seeds, in-sample",
            "higher", "none"),
    Measure("update_compatibility", "Stability",
            "update compatibility: 1 - NFR, old decoder on the mapped new embedding", "higher",
            "fixed", "an independent re-fit (1 - P(old right) P(new wrong)) and 1 (no flips)"),
    Measure("negative_flip_rate", "Stability", "negative flip rate, prediction level", "lower",
            "none"),
    Measure("positive_flip_rate", "Stability", "positive flip rate, prediction level", "higher",
            "none"),
    Measure("identifiability", "Truth", "identifiability: affine R² to the true latents, "
            "held out", "higher", "embedding"),
    Measure("attribution_auc", "Truth", "attribution ROC-AUC against the true map", "higher",
            "fixed", "0.5 (chance) and 1"),
    Measure("drift_raw", "Robustness", "drift robustness, raw: R² kept (ratio)", "higher",
            "embedding", "0 when the clean R² is <= 0 (nothing to keep)"),
    Measure("drift_adapted", "Robustness", "drift robustness, adapted: R² kept (ratio)",
            "higher", "embedding", "0 when the clean R² is <= 0 (nothing to keep)"),
    Measure("noise", "Robustness", "noise robustness: R² kept at fixed SNRs (ratio)", "higher",
            "embedding", "0 when the clean R² is <= 0 (nothing to keep)"),
    Measure("calibration", "Reliability", "calibration: coverage gap (continuous) or ECE "
            "(discrete)", "lower", "embedding"),
    Measure("calibration_secondary", "Reliability", "calibration: Gaussian NLL (continuous) or "
            "adaptive ECE (discrete)", "lower", "embedding"),
    Measure("balance", "Reliability", "behaviour balance: 1 - sd of per-bin scores", "higher",
            "embedding"),
    Measure("smoothness", "Form", "temporal smoothness, target-matched: -|log(r ÷ r_true)|",
            "target", "embedding"),
    Measure("smoothness_ratio", "Form", "temporal smoothness r = mean step² ÷ variance",
            "target", "none"),
    Measure("compactness", "Form", "compactness: participation ratio ÷ dimension", "higher",
            "embedding"),
    Measure("parameters", "Cost", "parameters", "lower", "embedding"),
    Measure("latency", "Cost", "latency, ms per 1000 samples (1 thread)", "lower",
            "embedding"),
    Measure("training_seconds", "Cost", "training time, s", "lower", "embedding"),
    Measure("iterations_to_95", "Cost", "iterations to 95 % of the final goodness of fit "
            "(training loss)", "lower", "none"),
)
