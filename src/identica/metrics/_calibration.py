# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Decoder calibration: ECE for classes, interval coverage and Gaussian NLL for continuous."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from identica._checks import check_int
from identica.exceptions import DataValidationError

__all__ = ["calibration_error", "coverage_gap", "gaussian_nll"]


def calibration_error(
    y_true: Any, probabilities: Any, *, n_bins: int = 15, adaptive: bool = False
) -> float:
    """Expected calibration error (L1) of the top-label confidence.

    Samples are binned by the confidence of their predicted class (the column of the largest
    probability): ``n_bins`` equal-width bins over [0, 1], or with ``adaptive=True`` equal-mass
    bins (the adaptive ECE). The error is the sample-weighted mean over bins of
    ``|accuracy - mean confidence|``.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Class index of every sample: the column of ``probabilities`` that is right.
    probabilities : array-like of shape (n_samples, n_classes)
        Predicted class probabilities.
    n_bins : int, default=15
    adaptive : bool, default=False

    Returns
    -------
    float
        0 for a perfectly calibrated decoder; at most 1.

    Examples
    --------
    >>> from identica.metrics import calibration_error
    >>> p = [[0.9, 0.1], [0.9, 0.1], [0.2, 0.8], [0.2, 0.8]]
    >>> round(calibration_error([0, 1, 1, 1], p, n_bins=10), 6)   # bins .9: acc .5; .8: acc 1
    0.3
    """
    n_bins = check_int(n_bins, name="n_bins", owner="calibration_error", low=1)
    y_true = np.asarray(y_true)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    if probabilities.ndim != 2 or y_true.shape != (len(probabilities),):
        raise DataValidationError(
            "calibration_error needs probabilities of shape (n_samples, n_classes) and y_true of "
            f"shape (n_samples,). Got {probabilities.shape} and {y_true.shape}."
        )
    confidence = probabilities.max(axis=1)
    correct = (probabilities.argmax(axis=1) == y_true).astype(np.float64)
    if adaptive:
        order = np.argsort(confidence, kind="stable")
        bins = np.empty(len(order), dtype=np.int64)
        bins[order] = np.minimum(np.arange(len(order)) * n_bins // len(order), n_bins - 1)
    else:
        bins = np.minimum((confidence * n_bins).astype(np.int64), n_bins - 1)
    total = 0.0
    for b in np.unique(bins):
        inside = bins == b
        total += inside.sum() * abs(correct[inside].mean() - confidence[inside].mean())
    return float(total / len(y_true))


def coverage_gap(
    y_true: Any, samples: Any, *, levels: Sequence[float] = (0.5, 0.8, 0.9, 0.95)
) -> float:
    """Mean absolute gap between nominal and empirical coverage of predictive intervals.

    For every level ``q`` the interval of a sample is the central ``q`` range of its predictive
    samples (the targets of its k nearest neighbours, or a seed ensemble): from the
    ``(1 - q) / 2`` to the ``(1 + q) / 2`` quantile. The empirical coverage is the fraction of
    true values inside; the result averages ``|coverage - q|`` over levels and targets.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_targets)
    samples : array-like of shape (n_samples, n_draws) or (n_samples, n_draws, n_targets)
    levels : sequence of float in (0, 1), default=(0.5, 0.8, 0.9, 0.95)

    Returns
    -------
    float
        0 when every interval covers as often as it claims; at most 1.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import coverage_gap
    >>> samples = np.tile(np.arange(101.0), (4, 1))        # every interval is centred on 50
    >>> coverage_gap([50.0, 50.0, 95.0, 99.0], samples, levels=[0.5])   # covers 2 of 4
    0.0
    >>> coverage_gap([50.0, 50.0, 50.0, 50.0], samples, levels=[0.5])   # covers 4 of 4
    0.5
    """
    y = np.asarray(y_true, dtype=np.float64)
    s = np.asarray(samples, dtype=np.float64)
    y2 = y.reshape(len(y), -1)
    s3 = s.reshape(s.shape[0], s.shape[1], -1) if s.ndim >= 2 else s
    if s.ndim not in (2, 3) or s3.shape[0] != len(y2) or s3.shape[2] != y2.shape[1]:
        raise DataValidationError(
            "coverage_gap needs samples of shape (n_samples, n_draws[, n_targets]) matching "
            f"y_true. Got y_true {y.shape} and samples {s.shape}."
        )
    gaps = []
    for q in levels:
        if not 0.0 < float(q) < 1.0:
            raise DataValidationError(f"levels of coverage_gap must be in (0, 1). Got {q!r}.")
        low = np.quantile(s3, (1.0 - q) / 2.0, axis=1)
        high = np.quantile(s3, (1.0 + q) / 2.0, axis=1)
        covered = (y2 >= low) & (y2 <= high)
        gaps.append(np.abs(covered.mean(axis=0) - q))
    return float(np.mean(gaps))


def gaussian_nll(y_true: Any, mean: Any, variance: Any, *, min_variance: float = 1e-6) -> float:
    """Mean Gaussian negative log-likelihood of the truth under predicted means and variances.

    ``0.5 * (log(2 pi v) + (y - mu)^2 / v)``, averaged over samples and targets, with the
    variance floored at ``min_variance``.

    Examples
    --------
    >>> import math
    >>> from identica.metrics import gaussian_nll
    >>> round(gaussian_nll([0.0], [0.0], [1.0]) - 0.5 * math.log(2 * math.pi), 12)
    0.0
    """
    y, mu = np.asarray(y_true, np.float64), np.asarray(mean, np.float64)
    v = np.maximum(np.asarray(variance, np.float64), min_variance)
    if not (y.shape == mu.shape == v.shape):
        raise DataValidationError(
            "y_true, mean and variance of gaussian_nll must have the same shape. Got "
            f"{y.shape}, {mu.shape} and {v.shape}."
        )
    return float(np.mean(0.5 * (np.log(2.0 * np.pi * v) + (y - mu) ** 2 / v)))
