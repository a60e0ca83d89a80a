# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Score an attribution map against a ground-truth connectivity mask: ROC-AUC and gaps."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from identica.exceptions import DataValidationError

__all__ = ["attribution_auc", "attribution_gaps"]


def _check(map: Any, truth: Any, owner: str) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(map)
    mask = np.asarray(truth)
    if scores.shape != mask.shape:
        raise DataValidationError(
            f"map and truth of {owner} must have the same shape (output_dimension, "
            f"n_features); got map {scores.shape} and truth {mask.shape}. Row i of the map "
            "must correspond to latent i of the truth."
        )
    if scores.size == 0 or not np.issubdtype(scores.dtype, np.number):
        raise DataValidationError(
            f"map of {owner} must be a non-empty numeric array; got dtype {scores.dtype} and "
            f"shape {scores.shape}."
        )
    if not np.all(np.isfinite(scores)):
        first = tuple(int(i) for i in np.argwhere(~np.isfinite(scores))[0])
        raise DataValidationError(f"map of {owner} holds NaN or inf (first at index {first}).")
    if mask.dtype != np.bool_:
        if not np.isin(mask, (0, 1)).all():
            raise DataValidationError(
                f"truth of {owner} must be a boolean mask (True = connected); got dtype "
                f"{mask.dtype} with values other than 0 and 1."
            )
        mask = mask.astype(bool)
    if mask.all() or not mask.any():
        raise DataValidationError(
            f"truth of {owner} must hold both connected (True) and unconnected (False) "
            f"entries; got {int(mask.sum())} of {mask.size} True."
        )
    return scores.astype(np.float64).ravel(), mask.ravel()


def attribution_auc(map: Any, truth: Any) -> float:
    """ROC-AUC of an attribution map against the true connections.

    The flattened scores are ranked against the flattened mask with
    :func:`sklearn.metrics.roc_auc_score`: 1 when every connected entry scores above every
    unconnected one, 0.5 for scores unrelated to the truth, 0 for a reversed ranking.

    Parameters
    ----------
    map : array-like of shape (output_dimension, n_features)
        Non-negative scores, e.g. ``AttributionMap.summary``; row i belongs to latent i.
    truth : array-like of bool, same shape
        True where latent i drives neuron j.

    Returns
    -------
    float
        The area under the ROC curve, in [0, 1].

    Raises
    ------
    DataValidationError
        Shapes differ, the map holds NaN or inf, or the truth is not a mask with both
        classes.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import attribution_auc
    >>> truth = np.array([[True, False], [False, True]])
    >>> attribution_auc(np.array([[0.9, 0.2], [0.1, 0.7]]), truth)
    1.0
    """
    scores, mask = _check(map, truth, "attribution_auc")
    return float(roc_auc_score(mask, scores))


def attribution_gaps(map: Any, truth: Any) -> dict[str, float]:
    """How far connected entries of an attribution map stand above unconnected ones.

    The statistics of the xCEBRA reference's ``compute_metrics``: max, mean and min of the
    connected and of the unconnected entries, and the gaps between them. ``min_gap > 0``
    means a single threshold separates the two classes perfectly.

    Parameters
    ----------
    map : array-like of shape (output_dimension, n_features)
        Non-negative scores; row i belongs to latent i.
    truth : array-like of bool, same shape
        True where latent i drives neuron j.

    Returns
    -------
    dict of str to float
        ``max_connected``, ``mean_connected``, ``min_connected``, ``max_unconnected``,
        ``mean_unconnected``, ``min_unconnected``, ``max_gap`` (max − max), ``mean_gap``
        (mean − mean), ``min_gap_aligned`` (min − min) and ``min_gap``
        (min(connected) − max(unconnected)).

    Raises
    ------
    DataValidationError
        As for :func:`attribution_auc`.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import attribution_gaps
    >>> gaps = attribution_gaps(np.array([[0.9, 0.2], [0.1, 0.7]]),
    ...                         np.array([[True, False], [False, True]]))
    >>> round(gaps["min_gap"], 6), round(gaps["mean_gap"], 6)
    (0.5, 0.65)
    """
    scores, mask = _check(map, truth, "attribution_gaps")
    on, off = scores[mask], scores[~mask]
    stats = {
        "max_connected": on.max(),
        "mean_connected": on.mean(),
        "min_connected": on.min(),
        "max_unconnected": off.max(),
        "mean_unconnected": off.mean(),
        "min_unconnected": off.min(),
    }
    stats["max_gap"] = stats["max_connected"] - stats["max_unconnected"]
    stats["mean_gap"] = stats["mean_connected"] - stats["mean_unconnected"]
    stats["min_gap_aligned"] = stats["min_connected"] - stats["min_unconnected"]
    stats["min_gap"] = stats["min_connected"] - stats["max_unconnected"]
    return {key: float(value) for key, value in stats.items()}
