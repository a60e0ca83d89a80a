# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Consistency of embeddings: how well an affine map explains one embedding by another."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from identica._checks import check_int
from identica.exceptions import ConfigurationError, DataValidationError
from identica.metrics._alignment import _fit, check_points
from identica.metrics._alignment import r2 as _r2  # the one R²

__all__ = ["consistency", "consistency_matrix"]

_TRAIN_FRACTION = 0.8
_MIN_HELD_OUT_ROWS = 10
_BORROW_RADII = (1, 2)


def consistency(
    embeddings: Sequence[np.ndarray],
    *,
    held_out: bool = False,
    labels: Sequence[np.ndarray] | None = None,
    n_bins: int = 100,
) -> float:
    """Return the mean pairwise affine R² between embeddings.

    For every ordered pair ``(i, j)`` with ``i != j``, an affine map (least squares with an
    intercept) from embedding ``i`` to embedding ``j`` is fitted, and the R² of embedding ``j``
    (uniform average over its dimensions) is taken. The result is the mean over all pairs; see
    :func:`consistency_matrix` for the matrix itself and the full parameter description.

    Parameters
    ----------
    embeddings : sequence of ndarray of shape (n_samples_i, n_dims_i)
        At least two embeddings. Without ``labels`` they must have the same number of rows,
        row ``t`` of every embedding belonging to the same time point.
    held_out : bool, default=False
        If False, fit and score every map on all rows (the reference behaviour). If True, fit
        on the first 80 % of the rows and score on the last 20 %.
    labels : sequence of ndarray of shape (n_samples_i,), optional
        One 1-D label per embedding, to compare embeddings of different lengths. Float labels
        are binned into ``n_bins`` bins over the range shared by all sessions; integer or bool
        labels give one point per class present in every session.
    n_bins : int, default=100
        Number of label bins for float labels, at least 2.

    Returns
    -------
    float
        Mean of the off-diagonal entries of :func:`consistency_matrix`; 1 for embeddings that
        are affine images of each other, around 0 (or below, when held out) for unrelated ones.

    Raises
    ------
    ConfigurationError
        If ``held_out`` is not a bool or ``n_bins`` is not an int >= 2.
    DataValidationError
        If the embeddings or labels are malformed (see :func:`consistency_matrix`).

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import consistency
    >>> rng = np.random.default_rng(0)
    >>> z = rng.normal(size=(500, 3))
    >>> round(consistency([z, z @ rng.normal(size=(3, 3)) + 1.0]), 6)
    1.0
    """
    matrix = consistency_matrix(embeddings, held_out=held_out, labels=labels, n_bins=n_bins)
    return float(matrix[~np.eye(len(matrix), dtype=bool)].mean())


def consistency_matrix(
    embeddings: Sequence[np.ndarray],
    *,
    held_out: bool = False,
    labels: Sequence[np.ndarray] | None = None,
    n_bins: int = 100,
) -> np.ndarray:
    """Return the matrix of pairwise affine R² between embeddings.

    Entry ``[i, j]`` is the R² (uniform average over the dimensions of embedding ``j``) of an
    affine least-squares map from embedding ``i`` to embedding ``j``; the diagonal is NaN.

    With ``labels``, each embedding is first reduced to one point per label value, which aligns
    sessions of different lengths (label-aligned, cross-session consistency). Float labels are
    cut into ``n_bins`` equal bins over the range shared by all sessions (the last bin closed,
    rows outside the shared range ignored) and the embedding is averaged per bin. An empty bin
    borrows the rows of bins ±1, then ±2; a bin still empty in any session is dropped for all.
    Integer or bool labels give one mean per class present in every session. Every point is then
    L2-normalised. With ``held_out=True`` the points are computed separately from the first 80 %
    and the last 20 % of each session's rows; maps are fitted on the first and scored on the
    second.

    Parameters
    ----------
    embeddings : sequence of ndarray of shape (n_samples_i, n_dims_i)
        At least two embeddings. Without ``labels`` they must have the same number of rows.
    held_out : bool, default=False
        Fit on the first 80 % of the rows (or of the label points' rows) and score on the last
        20 %, instead of fitting and scoring on all rows.
    labels : sequence of ndarray of shape (n_samples_i,), optional
        One 1-D label array per embedding, all float or all integer/bool.
    n_bins : int, default=100
        Number of bins for float labels, at least 2; unused otherwise.

    Returns
    -------
    ndarray of shape (n_embeddings, n_embeddings)
        Float64 matrix of R² values with NaN on the diagonal.

    Raises
    ------
    ConfigurationError
        If ``held_out`` is not a bool or ``n_bins`` is not an int >= 2.
    DataValidationError
        If fewer than two embeddings are given; an embedding is not 2-D, has NaN or inf, or has
        too few rows; lengths differ without ``labels``; labels are not 1-D, do not match their
        embedding's length, mix float and integer types, or leave fewer than two aligned points.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import consistency_matrix
    >>> rng = np.random.default_rng(0)
    >>> position = [rng.uniform(0, 1, size=n) for n in (400, 600)]
    >>> embeddings = [np.stack([np.cos(3 * p), np.sin(3 * p)], axis=1) for p in position]
    >>> m = consistency_matrix(embeddings, labels=position, n_bins=20)
    >>> m.shape, bool(np.isnan(m[0, 0])), bool(m[0, 1] > 0.99)
    ((2, 2), True, True)
    """
    if not isinstance(held_out, (bool, np.bool_)):
        raise ConfigurationError(f"'held_out' of consistency must be a bool. Got {held_out!r}.")
    n_bins = check_int(n_bins, name="n_bins", owner="consistency", low=2)
    arrays = _check_embeddings(embeddings)

    if labels is None:
        lengths = {len(e) for e in arrays}
        if len(lengths) > 1:
            raise DataValidationError(
                "embeddings of consistency must all have the same number of rows unless labels "
                f"are given. Got lengths {[len(e) for e in arrays]}. Pass labels= (one 1-D label "
                "array per embedding) to align embeddings of different lengths."
            )
        n = lengths.pop()
        if held_out:
            split = _split_point(n, what="embeddings")
            fit_points = [e[:split] for e in arrays]
            score_points = [e[split:] for e in arrays]
        else:
            _require_points(n, 2, what="rows in each embedding")
            fit_points = score_points = arrays
    else:
        fit_points, score_points = _label_points(arrays, labels, n_bins=n_bins, held_out=held_out)

    n_sessions = len(arrays)
    matrix = np.full((n_sessions, n_sessions), np.nan)
    for i in range(n_sessions):
        for j in range(n_sessions):
            if i != j:
                alignment = _fit(fit_points[i], fit_points[j], "affine")
                matrix[i, j] = _r2(score_points[j], alignment.apply(score_points[i]))
    return matrix


def _check_embeddings(embeddings: object) -> list[np.ndarray]:
    """Return the embeddings as float64 2-D arrays; raise on anything malformed."""
    if (isinstance(embeddings, np.ndarray) and embeddings.ndim < 3) or not _is_sequence(embeddings):
        raise DataValidationError(
            "embeddings of consistency must be a sequence (list or tuple) of at least two 2-D "
            f"arrays. Got {type(embeddings).__name__}"
            + (f" of shape {embeddings.shape}" if isinstance(embeddings, np.ndarray) else "")
            + ". Wrap the arrays in a list: consistency([z1, z2])."
        )
    arrays = [check_points(e, what=f"embeddings[{k}] of consistency")
              for k, e in enumerate(embeddings)]
    if len(arrays) < 2:
        raise DataValidationError(
            f"embeddings of consistency must hold at least 2 embeddings. Got {len(arrays)}."
        )
    return arrays


def _is_sequence(value: object) -> bool:
    return isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, (str, bytes))


def _split_point(n: int, *, what: str) -> int:
    """Return the first row of the held-out 20 % of ``n`` rows."""
    if n < _MIN_HELD_OUT_ROWS:
        raise DataValidationError(
            f"held_out=True of consistency needs at least {_MIN_HELD_OUT_ROWS} rows in the "
            f"{what}, 80 % to fit and 20 % to score. Got {n} rows. Use held_out=False for such "
            "short data."
        )
    return int(np.floor(_TRAIN_FRACTION * n))


def _require_points(n: int, low: int, *, what: str) -> None:
    if n < low:
        raise DataValidationError(
            f"consistency needs at least {low} {what} to compute R². Got {n}."
        )


def _label_points(
    arrays: list[np.ndarray], labels: object, *, n_bins: int, held_out: bool
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Reduce every embedding to L2-normalised mean points per label bin or class."""
    if not _is_sequence(labels) or len(labels) != len(arrays):
        got = f"length {len(labels)}" if _is_sequence(labels) else type(labels).__name__
        raise DataValidationError(
            "labels of consistency must be a sequence of one 1-D array per embedding "
            f"({len(arrays)} embeddings). Got {got}."
        )
    label_arrays = [np.asarray(lab) for lab in labels]
    kinds = set()
    for k, (lab, e) in enumerate(zip(label_arrays, arrays)):
        if lab.ndim != 1 or len(lab) != len(e):
            raise DataValidationError(
                f"labels[{k}] of consistency must be 1-D with one value per row of "
                f"embeddings[{k}] ({len(e)} rows). Got shape {lab.shape}."
            )
        if lab.dtype.kind not in "biuf":
            raise DataValidationError(
                f"labels[{k}] of consistency must be float (binned) or integer/bool (classes). "
                f"Got dtype {lab.dtype}."
            )
        kinds.add(lab.dtype.kind == "f")
        if lab.dtype.kind == "f" and not np.all(np.isfinite(lab)):
            first = int(np.flatnonzero(~np.isfinite(lab))[0])
            raise DataValidationError(
                f"labels[{k}] of consistency contains NaN or inf; first at index {first}."
            )
    if len(kinds) > 1:
        raise DataValidationError(
            "labels of consistency must be all float or all integer/bool. Got "
            f"{[str(lab.dtype) for lab in label_arrays]}. Cast them to one kind."
        )
    continuous = kinds.pop()

    if held_out:
        splits = [_split_point(len(e), what=f"embeddings[{k}]") for k, e in enumerate(arrays)]
        first = [(e[:s], lab[:s]) for e, lab, s in zip(arrays, label_arrays, splits)]
        last = [(e[s:], lab[s:]) for e, lab, s in zip(arrays, label_arrays, splits)]
        parts = [tuple(map(list, zip(*first))), tuple(map(list, zip(*last)))]
    else:
        parts = [(arrays, label_arrays)]

    if continuous:
        lo = max(float(lab.min()) for lab in label_arrays)
        hi = min(float(lab.max()) for lab in label_arrays)
        if not lo < hi:
            raise DataValidationError(
                "labels of consistency must share a range of values across sessions. Got ranges "
                f"{[(float(lab.min()), float(lab.max())) for lab in label_arrays]}."
            )
        edges = np.linspace(lo, hi, n_bins + 1)
        reduce = functools.partial(_bin_means, edges=edges)
    else:
        reduce = _class_means

    points = [reduce(es, ls) for es, ls in parts]
    for p in points:
        _require_points(len(p[0]), 2, what="aligned label points shared by all sessions")
    return points[0], points[-1]


def _bin_means(
    arrays: list[np.ndarray], labels: list[np.ndarray], edges: np.ndarray
) -> list[np.ndarray]:
    """Mean embedding per label bin, with empty bins borrowing neighbours; shared bins only."""
    n_bins = len(edges) - 1
    means, filled = [], np.ones(n_bins, dtype=bool)
    for e, lab in zip(arrays, labels):
        idx = np.searchsorted(edges, lab, side="right") - 1
        idx[lab == edges[-1]] = n_bins - 1  # the last bin is closed
        inside = (idx >= 0) & (idx < n_bins)
        idx, rows = idx[inside], e[inside]
        counts = np.bincount(idx, minlength=n_bins).astype(np.float64)
        sums = np.stack(
            [np.bincount(idx, weights=col, minlength=n_bins) for col in rows.T], axis=1
        )
        mean = np.zeros_like(sums)
        have = counts > 0
        mean[have] = sums[have] / counts[have, None]
        for radius in _BORROW_RADII:
            window_counts = _window_sum(counts, radius)
            window_sums = _window_sum(sums, radius)
            borrow = ~have & (window_counts > 0)
            mean[borrow] = window_sums[borrow] / window_counts[borrow, None]
            have = have | borrow
        means.append(mean)
        filled &= have
    return [_l2_normalise(m[filled]) for m in means]


def _window_sum(values: np.ndarray, radius: int) -> np.ndarray:
    """Sum of ``values`` over the bins ``b - radius .. b + radius`` (clipped at the ends)."""
    pad = np.zeros((radius,) + values.shape[1:])
    cum = np.cumsum(np.concatenate([pad, values, pad]), axis=0)
    cum = np.concatenate([np.zeros((1,) + values.shape[1:]), cum])
    return cum[2 * radius + 1:] - cum[: len(values)]


def _class_means(arrays: list[np.ndarray], labels: list[np.ndarray]) -> list[np.ndarray]:
    """Mean embedding per class present in every session, classes in sorted order."""
    shared = labels[0]
    for lab in labels[1:]:
        shared = np.intersect1d(shared, lab)
    classes = np.unique(shared)
    return [
        _l2_normalise(np.stack([e[lab == c].mean(axis=0) for c in classes]))
        if len(classes)
        else np.zeros((0, e.shape[1]))
        for e, lab in zip(arrays, labels)
    ]


def _l2_normalise(points: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(points, axis=1, keepdims=True)
    return np.divide(points, norms, out=np.zeros_like(points), where=norms > 0)
