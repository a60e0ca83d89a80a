# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Decoding scores of an embedding: kNN or linear decoders fitted on training rows."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

from identica._checks import check_choice, check_int
from identica.exceptions import DataValidationError
from identica.metrics._alignment import r2

__all__ = ["decoding_score", "decoder_predictions", "is_discrete"]

_DECODERS = ("knn", "linear")
_METRICS = ("cosine", "euclidean")
_OWNER = "decoding_score"


def is_discrete(y: np.ndarray) -> bool:
    """Integer or bool 1-D labels are classes; float labels are regressed."""
    return y.dtype.kind in "biu"


def _labels(y: Any, n: int, name: str) -> np.ndarray:
    y = np.asarray(y)
    if len(y) != n:
        raise DataValidationError(
            f"{name} of {_OWNER} must have one row per embedding row ({n}). Got {len(y)}."
        )
    if y.dtype.kind not in "biuf":
        raise DataValidationError(
            f"{name} of {_OWNER} must hold float (continuous) or integer (discrete) labels. "
            f"Got dtype {y.dtype}."
        )
    return y


def _decoder(decoder: str, discrete: bool, n_neighbors: int, metric: str, n_train: int) -> Any:
    if decoder == "knn":
        cls = KNeighborsClassifier if discrete else KNeighborsRegressor
        return cls(n_neighbors=min(n_neighbors, n_train), metric=metric)
    if discrete:
        return LogisticRegression(max_iter=1000)
    return Ridge(alpha=1.0)


def decoder_predictions(
    Z_train: Any, y_train: Any, Z_test: Any, *, decoder: str = "knn", n_neighbors: int = 36,
    metric: str = "cosine",
) -> np.ndarray:
    """Predictions on ``Z_test`` of a decoder fitted on ``(Z_train, y_train)``.

    Same parameters as :func:`decoding_score`; returns ``(n_test,)`` or
    ``(n_test, n_targets)`` predictions shaped like ``y_train``.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import decoder_predictions
    >>> Z = np.array([[0.0], [1.0], [10.0], [11.0]])
    >>> decoder_predictions(Z, np.array([0, 0, 1, 1]), np.array([[0.5], [10.5]]),
    ...                     n_neighbors=1, metric="euclidean").tolist()
    [0, 1]
    """
    decoder = check_choice(decoder, _DECODERS, name="decoder", owner=_OWNER)
    metric = check_choice(metric, _METRICS, name="metric", owner=_OWNER)
    n_neighbors = check_int(n_neighbors, name="n_neighbors", owner=_OWNER, low=1)
    Z_train, Z_test = np.asarray(Z_train, np.float64), np.asarray(Z_test, np.float64)
    y_train = _labels(y_train, len(Z_train), "y_train")
    discrete = is_discrete(y_train)
    if discrete and y_train.ndim != 1:
        raise DataValidationError(
            f"discrete y_train of {_OWNER} must be 1-D. Got shape {y_train.shape}."
        )
    if decoder == "knn" and metric == "cosine":
        # the same neighbours as the cosine distance (|a - b|² = 2 - 2 cos on unit vectors),
        # found with a tree instead of a dense distance matrix
        Z_train, Z_test, metric = _unit_rows(Z_train), _unit_rows(Z_test), "euclidean"
    model = _decoder(decoder, discrete, n_neighbors, metric, len(Z_train))
    return np.asarray(model.fit(Z_train, y_train).predict(Z_test))


def _unit_rows(Z: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero, as the cosine distance treats them)."""
    norms = np.linalg.norm(Z, axis=1, keepdims=True)
    return Z / np.where(norms > 0, norms, 1.0)


def decoding_score(
    Z_train: Any,
    y_train: Any,
    Z_test: Any,
    y_test: Any,
    *,
    decoder: str = "knn",
    n_neighbors: int = 36,
    metric: str = "cosine",
) -> float:
    """Held-out decoding: R² (continuous) or balanced accuracy (discrete) on test rows.

    A decoder is fitted on the training rows and scored on the test rows; pass rows from
    :func:`block_split` (time blocks with a gap) so that neighbouring, correlated samples do
    not leak from training to test.

    Parameters
    ----------
    Z_train, Z_test : array-like of shape (n_train, n_dims), (n_test, n_dims)
        Embeddings of the training and test rows.
    y_train, y_test : array-like of shape (n, ) or (n, n_targets)
        Labels: float for regression (R², uniform average over targets), integer or bool 1-D
        for classification (balanced accuracy: mean recall over the classes in ``y_test``).
    decoder : {"knn", "linear"}, default="knn"
        k nearest neighbours, or ridge regression (alpha 1) / logistic regression.
    n_neighbors : int, default=36
        Neighbours of the kNN decoder (at most the training rows).
    metric : {"cosine", "euclidean"}, default="cosine"
        Distance of the kNN decoder.

    Returns
    -------
    float

    Raises
    ------
    ConfigurationError
        If ``decoder``, ``metric`` or ``n_neighbors`` is not allowed.
    DataValidationError
        If labels and embeddings differ in length or the labels are not numbers.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import decoding_score
    >>> Z = np.array([[0.0], [1.0], [10.0], [11.0]])
    >>> decoding_score(Z, np.array([0, 0, 1, 1]), np.array([[0.2], [10.4], [0.9]]),
    ...                np.array([0, 1, 1]), n_neighbors=1, metric="euclidean")
    0.75
    """
    prediction = decoder_predictions(Z_train, y_train, Z_test, decoder=decoder,
                                     n_neighbors=n_neighbors, metric=metric)
    y_test = _labels(y_test, len(prediction), "y_test")
    if is_discrete(np.asarray(y_train)):
        correct = prediction == y_test
        return float(np.mean([correct[y_test == c].mean() for c in np.unique(y_test)]))
    truth = y_test.reshape(len(y_test), -1).astype(np.float64)
    return r2(truth, prediction.reshape(len(truth), -1).astype(np.float64))
