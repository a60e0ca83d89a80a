# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Update compatibility: negative and positive flip rates between an old and a new model."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from identica._checks import check_choice, check_float
from identica.exceptions import DataValidationError
from identica.metrics._alignment import _fit
from identica.metrics._decoding import decoder_predictions, is_discrete

__all__ = ["FlipRates", "flip_rates", "update_flip_rates"]

_LEVELS = ("prediction", "compatibility")


class FlipRates(NamedTuple):
    """Flip rates of a model update over evaluation samples.

    ``negative``: fraction of samples the old model gets right and the new one wrong;
    ``positive``: the converse; ``old_correct``, ``new_correct``: the fractions each gets
    right; ``tolerance``: the error bound of a correct continuous prediction (None: classes).
    """

    negative: float
    positive: float
    old_correct: float
    new_correct: float
    tolerance: float | None


def _correct(y_true: np.ndarray, prediction: np.ndarray, tolerance: float | None) -> np.ndarray:
    if tolerance is None:
        return prediction == y_true
    error = np.abs(prediction - y_true).reshape(len(y_true), -1)
    return np.linalg.norm(error, axis=1) <= tolerance


def flip_rates(
    y_true: Any, old_prediction: Any, new_prediction: Any, *, tolerance: float | None = None
) -> FlipRates:
    """Negative and positive flip rate of a model update (ELODI's NFR).

    Discrete labels (integer, bool): a prediction is correct when it equals the truth.
    Continuous labels (float): correct when the error (Euclidean norm over targets) is at most
    ``tolerance``, by default the old model's median error on the same samples.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,) or (n_samples, n_targets)
        The truth.
    old_prediction, new_prediction : array-like shaped like ``y_true``
        Predictions of the old and the new model.
    tolerance : float, optional
        Error bound of a correct continuous prediction, >= 0.

    Returns
    -------
    FlipRates

    Raises
    ------
    DataValidationError
        If the three arrays differ in shape.

    Examples
    --------
    >>> from identica.metrics import flip_rates
    >>> rates = flip_rates([0, 1, 1, 0, 1], [0, 1, 0, 0, 0], [0, 0, 1, 1, 1])
    >>> rates.negative, rates.positive
    (0.4, 0.4)
    """
    y_true, old, new = (np.asarray(a) for a in (y_true, old_prediction, new_prediction))
    if not (y_true.shape == old.shape == new.shape) or len(y_true) == 0:
        raise DataValidationError(
            "y_true, old_prediction and new_prediction of flip_rates must have one and the same "
            f"non-empty shape. Got {y_true.shape}, {old.shape} and {new.shape}."
        )
    if is_discrete(y_true):
        tolerance = None
    else:
        if tolerance is None:
            error = np.abs(old - y_true).reshape(len(y_true), -1)
            tolerance = float(np.median(np.linalg.norm(error, axis=1)))
        tolerance = check_float(tolerance, name="tolerance", owner="flip_rates", low=0.0,
                                low_inclusive=True)
    old_ok, new_ok = _correct(y_true, old, tolerance), _correct(y_true, new, tolerance)
    return FlipRates(negative=float(np.mean(old_ok & ~new_ok)),
                     positive=float(np.mean(~old_ok & new_ok)),
                     old_correct=float(old_ok.mean()), new_correct=float(new_ok.mean()),
                     tolerance=tolerance)


def update_flip_rates(
    Z_old_train: Any,
    Z_old_test: Any,
    Z_new_train: Any,
    Z_new_test: Any,
    y_train: Any,
    y_test: Any,
    *,
    level: str = "compatibility",
    decoder: str = "knn",
    n_neighbors: int = 36,
    metric: str = "cosine",
    tolerance: float | None = None,
) -> FlipRates:
    """Flip rates of an embedding update, at the prediction or the decoder-compatibility level.

    ``level="prediction"``: each embedding gets its own decoder fitted on the training rows.
    ``level="compatibility"``: an affine map from the new embedding onto the old one is fitted
    on the training rows, and the **old** decoder reads the mapped new test embedding (can a
    downstream user keep the decoder after a re-fit?). Both compare with the old decoder on the
    old test embedding through :func:`flip_rates`.

    Parameters
    ----------
    Z_old_train, Z_old_test, Z_new_train, Z_new_test : array-like of shape (n, n_dims)
        Old and new embeddings of the same training and test rows.
    y_train, y_test : array-like
        Labels of the training and test rows (see :func:`decoding_score`).
    level : {"prediction", "compatibility"}, default="compatibility"
    decoder, n_neighbors, metric
        The decoder, as for :func:`decoding_score`.
    tolerance : float, optional
        See :func:`flip_rates`.

    Returns
    -------
    FlipRates

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import update_flip_rates
    >>> rng = np.random.default_rng(0)
    >>> z = rng.normal(size=(300, 3)); y = z @ [1.0, -1.0, 0.5]
    >>> rotated = z @ np.linalg.qr(rng.normal(size=(3, 3)))[0] + 2.0
    >>> update_flip_rates(z[:200], z[200:], rotated[:200], rotated[200:], y[:200], y[200:],
    ...                   metric="euclidean").negative
    0.0
    """
    level = check_choice(level, _LEVELS, name="level", owner="update_flip_rates")
    Z_old_train, Z_old_test, Z_new_train, Z_new_test = (
        np.asarray(z, np.float64) for z in (Z_old_train, Z_old_test, Z_new_train, Z_new_test))
    kwargs = {"decoder": decoder, "n_neighbors": n_neighbors, "metric": metric}
    old = decoder_predictions(Z_old_train, y_train, Z_old_test, **kwargs)
    if level == "prediction":
        new = decoder_predictions(Z_new_train, y_train, Z_new_test, **kwargs)
    else:
        mapped = _fit(Z_new_train, Z_old_train, "affine").apply(Z_new_test)
        new = decoder_predictions(Z_old_train, y_train, mapped, **kwargs)
    return flip_rates(y_test, old, new, tolerance=tolerance)
