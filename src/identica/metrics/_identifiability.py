# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Identifiability scores against known latents: R² under a class of maps, and MCC."""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.stats import rankdata

from identica._checks import check_choice, check_float
from identica.exceptions import DataValidationError
from identica.metrics._alignment import (
    _SQUARE,
    INDETERMINACIES,
    _fit,
    check_pair,
    check_same_dims,
    r2,
    standardise,
)

__all__ = ["identifiability", "mcc"]

_METHODS = ("pearson", "spearman")


def _split(
    z_true: np.ndarray, z_pred: np.ndarray, test_size: Any, owner: str
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """(fit part, score part): all rows twice, or the rows before / from the held-out tail."""
    if test_size is None:
        return (z_true, z_pred), (z_true, z_pred)
    test_size = check_float(test_size, name="test_size", owner=owner, low=0.0, high=1.0,
                            allow_none=True)
    n_test = int(np.ceil(len(z_true) * test_size))
    if n_test < 2 or len(z_true) - n_test < 2:
        raise DataValidationError(
            f"'test_size' of {owner} must leave at least 2 rows to fit on and 2 to score on. "
            f"Got test_size={test_size} of {len(z_true)} rows: {len(z_true) - n_test} to fit, "
            f"{n_test} to score."
        )
    cut = len(z_true) - n_test
    return (z_true[:cut], z_pred[:cut]), (z_true[cut:], z_pred[cut:])


def identifiability(
    z_true: Any, z_pred: Any, indeterminacy: str = "affine", *, test_size: float | None = None
) -> float:
    """Return the R² of the true latents predicted from an embedding up to a class of maps.

    The identifiability score of contrastive learning as independent component analysis
    (Zimmermann et al., "Contrastive learning inverts the data generating process", ICML
    2021): fit the map of class ``indeterminacy`` that best takes ``z_pred`` onto ``z_true``
    (:func:`fit_alignment`) and score it by R² (uniform average over the columns of
    ``z_true``, scikit-learn's conventions). 1 means ``z_pred`` recovers ``z_true`` up to a
    map of that class. By default the map is fitted and scored on the same rows (in-sample,
    as in the reference implementation); with ``test_size`` it is fitted on the leading rows
    and scored on the trailing ``test_size`` fraction (held out: a rich map cannot fit noise
    it has not seen). In-sample, richer classes never score lower: ``"affine"`` bounds all
    others, ``"linear"`` bounds ``"identity"``, the permutations and ``"orthogonal"``, and
    ``"scaled-permutation"`` bounds ``"permutation"``.

    Parameters
    ----------
    z_true : array-like of shape (n_samples, n_latents)
        The ground-truth latents.
    z_pred : array-like of shape (n_samples, n_dims)
        The embedding of the same samples. ``"identity"``, the permutations and
        ``"orthogonal"`` need ``n_dims == n_latents``.
    indeterminacy : {"identity", "permutation", "scaled-permutation", "orthogonal", "linear", \
"affine"}, default="affine"
        The class of maps the embedding is allowed to differ by; see
        :data:`INDETERMINACIES`.
    test_size : float, optional
        Fraction of rows, from the end, held out for scoring, in (0, 1]; both parts need at
        least 2 rows. The split is contiguous (no shuffling): for a time series this keeps
        neighbouring, correlated rows on one side; shuffle i.i.d. samples yourself if they
        are ordered.

    Returns
    -------
    float
        R², at most 1; 0 for a prediction no better than the mean, negative for worse.

    Raises
    ------
    ConfigurationError
        If ``indeterminacy`` is not one of :data:`INDETERMINACIES`.
    DataValidationError
        If an array is not 2-D and finite, the row counts differ, there are fewer than 2 rows,
        the dimensions differ under a class that needs them equal, or ``test_size`` leaves
        fewer than 2 rows on a side.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import identifiability
    >>> rng = np.random.default_rng(0)
    >>> z_true = rng.normal(size=(500, 3))
    >>> z_pred = z_true @ rng.normal(size=(3, 3)) + 2.0
    >>> round(identifiability(z_true, z_pred), 6)
    1.0
    >>> bool(identifiability(z_true, z_pred, "permutation") < 0.9)
    True
    >>> round(identifiability(z_true, z_pred, test_size=0.5), 6)
    1.0
    """
    owner = "identifiability"
    names = ("z_true", "z_pred")
    indeterminacy = check_choice(
        indeterminacy, INDETERMINACIES, name="indeterminacy", owner=owner
    )
    z_true, z_pred = check_pair(z_true, z_pred, names=names, owner=owner)
    if indeterminacy in _SQUARE:
        check_same_dims(z_true, z_pred, names=names, owner=owner, indeterminacy=indeterminacy)
    (fit_true, fit_pred), (test_true, test_pred) = _split(z_true, z_pred, test_size, owner)
    alignment = _fit(fit_pred, fit_true, indeterminacy)
    return r2(test_true, alignment.apply(test_pred))


def mcc(
    z_true: Any, z_pred: Any, *, method: str = "pearson", test_size: float | None = None
) -> float:
    """Return the mean correlation coefficient between true latents and matched embedding dims.

    The MCC of the identifiability literature (e.g. Hyvärinen & Morioka 2016; Zimmermann et
    al. 2021): correlate every true latent with every embedding dimension, match each latent
    to one distinct dimension so that the summed absolute correlation is largest (Hungarian
    algorithm, ``scipy.optimize.linear_sum_assignment``), and average the absolute
    correlations of the matched pairs. It is 1 when ``z_pred`` equals ``z_true`` up to a
    permutation, signs and per-dimension scale and offset (and, with ``"spearman"``, any
    strictly monotone map per dimension), and near 0 for unrelated data. A constant column
    correlates 0 with everything.

    ``z_pred`` may have more dimensions than ``z_true`` (an embedding larger than the
    latent space): every latent is matched to one dimension and the unmatched dimensions are
    ignored. It may not have fewer, since some latents would then go unmatched.

    Parameters
    ----------
    z_true : array-like of shape (n_samples, n_latents)
        The ground-truth latents.
    z_pred : array-like of shape (n_samples, n_dims)
        The embedding of the same samples, with ``n_dims >= n_latents``.
    method : {"pearson", "spearman"}, default="pearson"
        Pearson's (linear) or Spearman's (rank) correlation coefficient.
    test_size : float, optional
        Held out: match the dimensions on the leading rows, then average the absolute
        correlations of those pairs on the trailing ``test_size`` fraction, in (0, 1]; both
        parts need at least 2 rows. Default: match and score on all rows.

    Returns
    -------
    float
        Mean absolute correlation of the matched pairs, in [0, 1].

    Raises
    ------
    ConfigurationError
        If ``method`` is not ``"pearson"`` or ``"spearman"``.
    DataValidationError
        If an array is not 2-D and finite, the row counts differ, there are fewer than 2 rows,
        ``z_pred`` has fewer dimensions than ``z_true``, or ``test_size`` leaves fewer than 2
        rows on a side.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import mcc
    >>> rng = np.random.default_rng(0)
    >>> z_true = rng.normal(size=(1000, 3))
    >>> round(mcc(z_true, -3.0 * z_true[:, [2, 0, 1]] + 1.0), 6)
    1.0
    >>> round(mcc(z_true, np.exp(z_true), method="spearman"), 6)
    1.0
    >>> bool(mcc(z_true, rng.normal(size=(1000, 3))) < 0.1)
    True
    """
    owner = "mcc"
    method = check_choice(method, _METHODS, name="method", owner=owner)
    z_true, z_pred = check_pair(z_true, z_pred, names=("z_true", "z_pred"), owner=owner)
    if z_pred.shape[1] < z_true.shape[1]:
        raise DataValidationError(
            f"'z_pred' of mcc must have at least as many dimensions as 'z_true', so that every "
            f"latent is matched to its own dimension. Got z_true with {z_true.shape[1]} and "
            f"z_pred with {z_pred.shape[1]}."
        )
    fit, test = _split(z_true, z_pred, test_size, owner)
    rows, cols = linear_sum_assignment(-_abs_corr(*fit, method))
    return float(np.minimum(_abs_corr(*test, method)[rows, cols], 1.0).mean())


def _abs_corr(z_true: np.ndarray, z_pred: np.ndarray, method: str) -> np.ndarray:
    """|correlation| of every true latent (rows) with every embedding dimension (columns)."""
    if method == "spearman":
        z_true, z_pred = rankdata(z_true, axis=0), rankdata(z_pred, axis=0)
    return np.abs(standardise(z_true).T @ standardise(z_pred) / len(z_true))
