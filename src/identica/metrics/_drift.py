# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Scores of a method over a drifting stream, and label-free monitors of an embedding."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from identica._checks import check_float, check_int
from identica.exceptions import DataValidationError

__all__ = ["StreamSummary", "collapse_flag", "disagreement",
           "moment_distance", "stream_summary", "window_goodness_of_fit", "window_r2"]


def window_r2(y_true: np.ndarray, y_pred: np.ndarray, window: int) -> np.ndarray:
    """R² of predictions in consecutive windows (targets averaged uniformly).

    Parameters
    ----------
    y_true, y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
    window : int
        Samples per window; a last partial window is scored if it holds at least 2 samples.

    Returns
    -------
    ndarray of shape (n_windows,)

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import window_r2
    >>> y = np.arange(8.0)
    >>> window_r2(y, y + np.array([0, 0, 0, 0, 1, -1, 1, -1]), 4).round(2).tolist()
    [1.0, 0.2]
    """
    window = check_int(window, name="window", owner="window_r2", low=2)
    y_true = np.asarray(y_true, dtype=np.float64).reshape(len(y_true), -1)
    y_pred = np.asarray(y_pred, dtype=np.float64).reshape(len(y_pred), -1)
    if y_true.shape != y_pred.shape:
        raise DataValidationError(
            f"y_true of window_r2 has shape {y_true.shape} but y_pred has {y_pred.shape}."
        )
    scores = []
    for start in range(0, len(y_true), window):
        t, p = y_true[start:start + window], y_pred[start:start + window]
        if len(t) < 2:
            break
        residual = ((t - p) ** 2).sum(axis=0)
        total = ((t - t.mean(axis=0)) ** 2).sum(axis=0)
        r2 = np.where(total > 0, 1.0 - residual / np.where(total > 0, total, 1.0),
                      np.where(residual == 0, 1.0, 0.0))
        scores.append(float(r2.mean()))
    return np.asarray(scores)


def collapse_flag(r2: np.ndarray, reference: np.ndarray, *, delta: float = 0.1,
                  k: int = 5) -> bool:
    """Whether ``r2`` stays below ``reference`` by more than ``delta`` for ``k`` windows in a row.

    Parameters
    ----------
    r2, reference : ndarray of shape (n_windows,)
        Per-window scores of a method and of the non-adapting model.
    delta : float, default=0.1
    k : int, default=5

    Returns
    -------
    bool

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import collapse_flag
    >>> collapse_flag(np.array([0.9, 0.5, 0.5, 0.9]), np.full(4, 0.9), delta=0.1, k=2)
    True
    """
    delta = check_float(delta, name="delta", owner="collapse_flag", low=0.0, low_inclusive=True)
    k = check_int(k, name="k", owner="collapse_flag", low=1)
    below = np.asarray(r2) < np.asarray(reference) - delta
    run = 0
    for b in below:
        run = run + 1 if b else 0
        if run >= k:
            return True
    return False


class StreamSummary(NamedTuple):
    """Summary of per-window R² over a stream (see :func:`stream_summary`).

    Examples
    --------
    >>> from identica.metrics import StreamSummary
    >>> StreamSummary._fields
    ('mean_r2', 'last_quarter_r2', 'worst_r2', 'area', 'collapsed', 'delta', 'k')
    """

    mean_r2: float
    last_quarter_r2: float
    worst_r2: float
    area: float
    collapsed: bool
    delta: float
    k: int


def stream_summary(r2: np.ndarray, reference: np.ndarray | None = None, *,
                   delta: float = 0.1, k: int = 5) -> StreamSummary:
    """Mean, last-quarter mean and worst per-window R², area against a reference, collapse flag.

    ``area`` is the mean of ``r2 - reference`` over windows (R² x windows / n_windows);
    ``collapsed`` is :func:`collapse_flag`. Without a reference both are 0 / False.

    Parameters
    ----------
    r2 : ndarray of shape (n_windows,)
    reference : ndarray of shape (n_windows,), optional
        The non-adapting model's per-window R².
    delta, k : float, int
        Parameters of the collapse flag (reported back).

    Returns
    -------
    StreamSummary

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import stream_summary
    >>> s = stream_summary(np.array([0.8, 0.6, 0.4, 0.2]), np.full(4, 0.5))
    >>> round(s.mean_r2, 2), s.last_quarter_r2, s.worst_r2, round(s.area, 2)
    (0.5, 0.2, 0.2, 0.0)
    """
    r2 = np.asarray(r2, dtype=np.float64)
    if r2.ndim != 1 or len(r2) == 0:
        raise DataValidationError(f"r2 of stream_summary must be a non-empty 1-D array. "
                                  f"Got shape {r2.shape}.")
    quarter = max(1, len(r2) // 4)
    if reference is None:
        area, collapsed = 0.0, False
    else:
        reference = np.asarray(reference, dtype=np.float64)
        if reference.shape != r2.shape:
            raise DataValidationError(f"reference of stream_summary has shape "
                                      f"{reference.shape} but r2 has {r2.shape}.")
        area = float((r2 - reference).mean())
        collapsed = collapse_flag(r2, reference, delta=delta, k=k)
    return StreamSummary(float(r2.mean()), float(r2[-quarter:].mean()), float(r2.min()),
                         area, collapsed, float(delta), int(k))


def moment_distance(z: np.ndarray, mean: np.ndarray, covariance: np.ndarray) -> float:
    """Distance of ``z``'s mean and covariance from reference moments.

    ``||mean(z) - mean|| + ||cov(z) - covariance||_F / ||covariance||_F``.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import moment_distance
    >>> z = np.random.default_rng(0).standard_normal((50_000, 2))
    >>> moment_distance(z, np.zeros(2), np.eye(2)) < 0.05
    True
    """
    z = np.asarray(z, dtype=np.float64)
    cov = np.cov(z, rowvar=False).reshape(z.shape[1], -1)
    scale = max(float(np.linalg.norm(covariance)), 1e-12)
    return float(np.linalg.norm(z.mean(axis=0) - mean)
                 + np.linalg.norm(cov - covariance) / scale)


def disagreement(a: np.ndarray, b: np.ndarray) -> float:
    """Mean squared difference of two predictions (or embeddings) relative to ``b``'s variance.

    0 when they agree; about 2 for unrelated predictions of equal variance.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import disagreement
    >>> y = np.arange(10.0)
    >>> disagreement(y, y), disagreement(-y + 9, y) > 1
    (0.0, True)
    """
    a = np.asarray(a, dtype=np.float64).reshape(len(a), -1)
    b = np.asarray(b, dtype=np.float64).reshape(len(b), -1)
    variance = float(b.var(axis=0).sum())
    return float(((a - b) ** 2).sum(axis=1).mean() / max(variance, 1e-12))


def window_goodness_of_fit(z: np.ndarray, *, time_offset: int = 10,
                           temperature: float = 1.0) -> float:
    """Time-contrastive InfoNCE of an embedding window below chance, in bits (label-free).

    Row ``t``'s positive is row ``t + time_offset``; its negatives are all such positives;
    cosine similarity. Chance is ``log(m)`` for ``m`` pairs; the score is
    ``(log m - loss) / log 2``.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import window_goodness_of_fit
    >>> t = np.linspace(0, 20, 400)
    >>> smooth = np.stack([np.cos(t), np.sin(t)], axis=1)
    >>> window_goodness_of_fit(smooth) > 0.5
    True
    """
    z = np.asarray(z, dtype=np.float64)
    time_offset = check_int(time_offset, name="time_offset", owner="window_goodness_of_fit",
                            low=1, high=len(z) - 2)
    unit = z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)
    ref, pos = unit[:-time_offset], unit[time_offset:]
    logits = ref @ pos.T / temperature
    top = logits.max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
    loss = float((lse - np.diag(logits)).mean())
    return (math.log(len(ref)) - loss) / math.log(2)
