# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Alignment maps between embedding spaces under a class of indeterminacy, and their R²."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.linalg import orthogonal_procrustes
from scipy.optimize import linear_sum_assignment

from identica._checks import check_choice
from identica.exceptions import DataValidationError

__all__ = ["INDETERMINACIES", "Alignment", "fit_alignment"]

INDETERMINACIES = (
    "identity", "permutation", "scaled-permutation", "orthogonal", "linear", "affine"
)
"""The classes of maps, from the narrowest to the richest."""

# maps that need equal dimensions
_SQUARE = ("identity", "permutation", "scaled-permutation", "orthogonal")


@dataclass(frozen=True, eq=False)
class Alignment:
    """A map ``z -> z @ matrix + offset`` from one embedding space into another.

    A small read-only value: :func:`fit_alignment` returns one, and :meth:`apply` maps
    embeddings with it. Compare two alignments through their arrays (``np.allclose``).

    Parameters
    ----------
    matrix : array-like of shape (n_dims_source, n_dims_target)
        Linear part; stored as a read-only float64 copy.
    offset : array-like of shape (n_dims_target,)
        Translation; stored as a read-only float64 copy.

    Raises
    ------
    DataValidationError
        If ``matrix`` is not 2-D, ``offset`` is not 1-D with one entry per column of
        ``matrix``, or either holds NaN or inf.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import Alignment
    >>> swap = Alignment(matrix=[[0.0, 1.0], [1.0, 0.0]], offset=[0.0, 10.0])
    >>> swap.apply(np.array([[1.0, 2.0]]))
    array([[ 2., 11.]])
    """

    matrix: np.ndarray
    offset: np.ndarray

    def __post_init__(self) -> None:
        matrix = np.array(self.matrix, dtype=np.float64)
        offset = np.array(self.offset, dtype=np.float64)
        if matrix.ndim != 2 or offset.shape != matrix.shape[1:]:
            raise DataValidationError(
                "Alignment needs a 2-D 'matrix' (n_dims_source, n_dims_target) and a 1-D "
                f"'offset' of length n_dims_target. Got matrix of shape {matrix.shape} and "
                f"offset of shape {offset.shape}."
            )
        if not (np.all(np.isfinite(matrix)) and np.all(np.isfinite(offset))):
            raise DataValidationError("'matrix' and 'offset' of Alignment must be finite.")
        matrix.flags.writeable = False
        offset.flags.writeable = False
        object.__setattr__(self, "matrix", matrix)
        object.__setattr__(self, "offset", offset)

    def apply(self, z: Any) -> np.ndarray:
        """Map embeddings into the target space.

        Parameters
        ----------
        z : array-like of shape (n_samples, n_dims_source)
            Embeddings in the source space.

        Returns
        -------
        ndarray of shape (n_samples, n_dims_target), float64
            ``z @ matrix + offset``.

        Raises
        ------
        DataValidationError
            If ``z`` is not 2-D with ``n_dims_source`` columns.

        Examples
        --------
        >>> import numpy as np
        >>> from identica.metrics import Alignment
        >>> Alignment(np.eye(2), [1.0, -1.0]).apply(np.zeros((3, 2))).tolist()
        [[1.0, -1.0], [1.0, -1.0], [1.0, -1.0]]
        """
        z = np.asarray(z, dtype=np.float64)
        if z.ndim != 2 or z.shape[1] != self.matrix.shape[0]:
            raise DataValidationError(
                f"'z' of Alignment.apply must be 2-D with {self.matrix.shape[0]} columns "
                f"(n_dims_source). Got shape {z.shape}."
            )
        return z @ self.matrix + self.offset


def fit_alignment(source: Any, target: Any, indeterminacy: str = "affine") -> Alignment:
    """Fit the map of one class that best takes ``source`` onto ``target``.

    Row ``t`` of ``source`` and row ``t`` of ``target`` describe the same sample. The classes,
    for ``target ~ source @ matrix + offset``:

    - ``"identity"``: nothing is fitted (``matrix`` is the identity, ``offset`` zero).
    - ``"permutation"``: a signed permutation. Dimensions are matched by maximising the summed
      absolute Pearson correlation of matched pairs (Hungarian algorithm,
      ``scipy.optimize.linear_sum_assignment``), the sign of each match is the sign of its
      correlation; no scale, no offset.
    - ``"scaled-permutation"``: the same matching, then every matched pair gets its own scale
      (sign included) and offset by least squares: the indeterminacy of ICA and of CL-ICA on a
      box (Laplace conditional, L1 similarity).
    - ``"orthogonal"``: rotations and reflections about the origin, by orthogonal Procrustes
      on the **uncentred** embeddings (a cosine-similarity embedding lies on the unit sphere,
      whose symmetries fix the origin); no offset.
    - ``"linear"``: least squares without intercept.
    - ``"affine"``: least squares with intercept.

    Parameters
    ----------
    source : array-like of shape (n_samples, n_dims_source)
        Embedding to map from.
    target : array-like of shape (n_samples, n_dims_target)
        Embedding to map onto. ``"identity"``, the permutations and ``"orthogonal"`` need
        ``n_dims_target == n_dims_source``.
    indeterminacy : {"identity", "permutation", "scaled-permutation", "orthogonal", "linear", \
"affine"}, default="affine"
        The class of maps; see :data:`INDETERMINACIES`.

    Returns
    -------
    Alignment
        The fitted map; ``alignment.apply(source)`` approximates ``target``.

    Raises
    ------
    ConfigurationError
        If ``indeterminacy`` is not one of :data:`INDETERMINACIES`.
    DataValidationError
        If an array is not 2-D and finite, the row counts differ, there are fewer than 2 rows,
        or the dimensions differ under a class that needs them equal.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import fit_alignment
    >>> rng = np.random.default_rng(0)
    >>> source = rng.normal(size=(100, 3))
    >>> target = -source[:, [2, 0, 1]]
    >>> fit_alignment(source, target, "permutation").matrix
    array([[ 0., -1.,  0.],
           [ 0.,  0., -1.],
           [-1.,  0.,  0.]])
    >>> affine = fit_alignment(source, 2.0 * target + 1.0)
    >>> bool(np.allclose(affine.apply(source), 2.0 * target + 1.0))
    True
    """
    owner = "fit_alignment"
    indeterminacy = check_choice(
        indeterminacy, INDETERMINACIES, name="indeterminacy", owner=owner
    )
    source, target = check_pair(source, target, names=("source", "target"), owner=owner)
    if indeterminacy in _SQUARE:
        check_same_dims(source, target, names=("source", "target"), owner=owner,
                        indeterminacy=indeterminacy)
    return _fit(source, target, indeterminacy)


def check_points(value: Any, *, what: str) -> np.ndarray:
    """``value`` as a float64, 2-D, finite array (n_samples, n_dims >= 1); else raise naming
    ``what`` (e.g. "'source' of fit_alignment")."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise DataValidationError(
            f"{what} must be a numeric array of shape (n_samples, n_dims). "
            f"Could not convert it: {error}"
        ) from error
    if array.ndim != 2 or array.shape[1] == 0:
        raise DataValidationError(
            f"{what} must be 2-D (n_samples, n_dims) with n_dims >= 1. Got "
            f"shape {array.shape}. Reshape a single dimension with z.reshape(-1, 1)."
        )
    bad = np.argwhere(~np.isfinite(array))
    if len(bad):
        raise DataValidationError(
            f"{what} contains NaN or inf; first at row {bad[0][0]}, column {bad[0][1]}."
        )
    return array


def check_pair(
    first: Any, second: Any, *, names: tuple[str, str], owner: str
) -> tuple[np.ndarray, np.ndarray]:
    """Both arrays as float64, 2-D, finite, with the same number (>= 2) of rows; else raise."""
    arrays = [check_points(value, what=f"{name!r} of {owner}")
              for name, value in zip(names, (first, second))]
    a, b = arrays
    if len(a) != len(b):
        raise DataValidationError(
            f"{names[0]!r} and {names[1]!r} of {owner} must have the same number of rows (one "
            f"per sample). Got {names[0]} with {len(a)} rows and {names[1]} with {len(b)}."
        )
    if len(a) < 2:
        raise DataValidationError(
            f"{owner} needs at least 2 rows in {names[0]!r} and {names[1]!r}. Got {len(a)}."
        )
    return a, b


def check_same_dims(
    first: np.ndarray, second: np.ndarray, *, names: tuple[str, str], owner: str,
    indeterminacy: str,
) -> None:
    """Raise unless both arrays have the same number of columns, as square classes need."""
    if first.shape[1] != second.shape[1]:
        raise DataValidationError(
            f"indeterminacy={indeterminacy!r} of {owner} needs {names[0]!r} and {names[1]!r} "
            f"with the same number of dimensions. Got {first.shape[1]} and {second.shape[1]}. "
            "Use 'linear' or 'affine', which map between spaces of different dimensions."
        )


def _fit(source: np.ndarray, target: np.ndarray, indeterminacy: str) -> Alignment:
    """:func:`fit_alignment` on checked float64 inputs."""
    d_source, d_target = source.shape[1], target.shape[1]
    offset = np.zeros(d_target)
    if indeterminacy == "identity":
        return Alignment(np.eye(d_source, d_target), offset)
    if indeterminacy in ("permutation", "scaled-permutation"):
        corr = standardise(source).T @ standardise(target) / len(source)
        rows, cols = linear_sum_assignment(-np.abs(corr))
        matrix = np.zeros((d_source, d_target))
        if indeterminacy == "permutation":
            matrix[rows, cols] = np.where(corr[rows, cols] < 0, -1.0, 1.0)
            return Alignment(matrix, offset)
        x, y = source[:, rows], target[:, cols]  # one least-squares line per matched pair
        dx = x - x.mean(axis=0)
        var = (dx * dx).sum(axis=0)
        slope = (dx * (y - y.mean(axis=0))).sum(axis=0) / np.where(var > 0, var, 1.0)
        matrix[rows, cols] = slope
        offset[cols] = y.mean(axis=0) - slope * x.mean(axis=0)
        return Alignment(matrix, offset)
    if indeterminacy == "orthogonal":
        return Alignment(orthogonal_procrustes(source, target)[0], offset)
    if indeterminacy == "linear":
        return Alignment(np.linalg.lstsq(source, target, rcond=None)[0], offset)
    design = np.hstack([source, np.ones((len(source), 1))])
    coef = np.linalg.lstsq(design, target, rcond=None)[0]
    return Alignment(coef[:-1], coef[-1])


def standardise(z: np.ndarray) -> np.ndarray:
    """Columns centred and scaled to unit standard deviation; constant columns become 0."""
    centred = z - z.mean(axis=0)
    std = centred.std(axis=0)
    return centred / np.where(std > 0, std, 1.0)


def r2(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """R² averaged uniformly over columns, with scikit-learn's conventions for constant targets.

    Equal to ``sklearn.metrics.r2_score(y_true, y_pred)`` (``multioutput="uniform_average"``):
    a constant target column scores 1 if predicted exactly, else 0.
    """
    ss_res = ((y_true - y_pred) ** 2).sum(axis=0)
    ss_tot = ((y_true - y_true.mean(axis=0)) ** 2).sum(axis=0)
    scores = np.where(ss_res == 0, 1.0, 0.0)  # constant target: perfect if exactly predicted
    varying = ss_tot > 0
    scores[varying] = 1.0 - ss_res[varying] / ss_tot[varying]
    return float(scores.mean())
