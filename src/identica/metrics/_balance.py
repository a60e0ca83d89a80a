# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Behaviour balance: how evenly a decoder serves every behaviour bin or condition."""

from __future__ import annotations

from typing import Any

import numpy as np

from identica._checks import check_int
from identica.exceptions import DataValidationError
from identica.metrics._decoding import is_discrete

__all__ = ["behavior_balance"]


def behavior_balance(y_true: Any, y_pred: Any, *, n_bins: int = 10) -> float:
    """``1 - sd`` over behaviour bins (or classes) of a per-bin score in [0, 1].

    Discrete labels: the per-class score is the accuracy of the class. Continuous 1-D labels:
    the range of ``y_true`` is cut into ``n_bins`` equal bins and the per-bin score is
    ``1 - mean |error| / range`` (floored at 0); empty bins are skipped. The standard deviation
    is the population one (``ddof=0``). 1 means every bin is decoded equally well.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        Truth and prediction, float (continuous) or integer (discrete).
    n_bins : int, default=10
        Bins of continuous labels, at least 1.

    Returns
    -------
    float

    Examples
    --------
    >>> from identica.metrics import behavior_balance
    >>> behavior_balance([0, 0, 1, 1], [0, 0, 1, 0])    # accuracies 1 and 0.5: sd 0.25
    0.75
    >>> behavior_balance([0.0, 1.0, 2.0, 4.0], [0.0, 1.0, 2.0, 3.0], n_bins=2)   # 1 and 0.875
    0.9375
    """
    n_bins = check_int(n_bins, name="n_bins", owner="behavior_balance", low=1)
    y, p = np.asarray(y_true), np.asarray(y_pred)
    if y.ndim != 1 or y.shape != p.shape or len(y) == 0:
        raise DataValidationError(
            "y_true and y_pred of behavior_balance must be 1-D of one and the same non-empty "
            f"length. Got shapes {y.shape} and {p.shape}."
        )
    if is_discrete(y):
        scores = [float(np.mean(p[y == c] == c)) for c in np.unique(y)]
    else:
        y, p = y.astype(np.float64), p.astype(np.float64)
        span = float(y.max() - y.min())
        if span == 0:
            return 1.0
        bins = np.minimum(((y - y.min()) / span * n_bins).astype(np.int64), n_bins - 1)
        scores = [max(0.0, 1.0 - float(np.abs(p[bins == b] - y[bins == b]).mean()) / span)
                  for b in np.unique(bins)]
    return float(1.0 - np.std(scores))
