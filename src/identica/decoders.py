# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Decoders that read behaviour out of embeddings, as scikit-learn estimators.

A decoder picks its task from the labels it is fitted on: float labels (1-D or 2-D) are
regressed, integer, bool or string labels (1-D) are classified. :class:`KNNDecoder` is the
decoder of the CEBRA decoding protocol; :class:`LinearDecoder` is a linear probe. :func:`decode`
fits a decoder on a training split and reports the protocol's scores on a test split.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, Any

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.utils.validation import validate_data

if TYPE_CHECKING:  # typing.Self is Python 3.11+; annotations are never evaluated here
    from typing import Self

from identica._checks import check_choice, check_float, check_int
from identica.exceptions import ConfigurationError, DataValidationError, NotFittedError

__all__ = ["KNNDecoder", "LinearDecoder", "decode"]

_METRICS = ("cosine", "euclidean", "manhattan", "chebyshev")


class _AbstractDecoder(BaseEstimator, metaclass=abc.ABCMeta):
    """Shared fit/predict/score of the decoders; subclasses build the wrapped estimator."""

    @abc.abstractmethod
    def _build(self, *, classification: bool, n_samples: int) -> BaseEstimator:
        """Check the parameters and return an unfitted scikit-learn estimator for the task."""

    def fit(self, X: Any, y: Any) -> Self:
        """Fit the decoder on embeddings ``X`` and labels ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Embeddings.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Float labels (regression; 1-D or 2-D) or integer, bool or string labels
            (classification; 1-D).

        Returns
        -------
        self
            The fitted decoder.

        Raises
        ------
        ConfigurationError
            If a parameter is out of range.
        DataValidationError
            If ``y`` is not float and not 1-D, or of an unsupported dtype.
        ValueError
            If ``X`` or ``y`` has NaN or inf, or their lengths differ.
        """
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=False)
        classification = _is_classification(y, name="y", owner=type(self).__name__)
        estimator = self._build(classification=classification, n_samples=X.shape[0])
        self.is_classifier_ = classification
        self.estimator_ = estimator.fit(X, y)
        if classification:
            self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Predict labels of embeddings ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Embeddings with as many features as seen in :meth:`fit`.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predicted labels, shaped like the ``y`` given to :meth:`fit`.
        """
        self._check_fitted()
        X = validate_data(self, X, reset=False)
        return self.estimator_.predict(X)

    def score(self, X: Any, y: Any) -> float:
        """Return R² (regression, uniform average over targets) or accuracy (classification).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Embeddings.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            True labels.

        Returns
        -------
        float
            R² for a decoder fitted on float labels, else the fraction of correct predictions.
        """
        prediction = self.predict(X)
        y = np.asarray(y)
        if self.is_classifier_:
            return float(accuracy_score(y, prediction))
        return float(r2_score(y, prediction, multioutput="uniform_average"))

    def _check_fitted(self) -> None:
        if not hasattr(self, "estimator_"):
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet. Call fit(X, y) before predict "
                "or score."
            )

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "estimator_")

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.target_tags.multi_output = True
        return tags


class KNNDecoder(_AbstractDecoder):
    """k-nearest-neighbour decoder: regression for float labels, classification otherwise.

    Parameters
    ----------
    n_neighbors : int, default=36
        Number of neighbours averaged (regression) or voted (classification), at least 1. When
        fitted on fewer samples, all of them are used (see ``n_neighbors_``).
    metric : {"cosine", "euclidean", "manhattan", "chebyshev"}, default="cosine"
        Distance between embeddings.

    Attributes
    ----------
    estimator_ : KNeighborsRegressor or KNeighborsClassifier
        The fitted scikit-learn estimator.
    is_classifier_ : bool
        Whether the labels seen in :meth:`fit` were discrete.
    classes_ : ndarray of shape (n_classes,)
        Class labels; only after fitting on discrete labels.
    n_neighbors_ : int
        Number of neighbours used: ``min(n_neighbors, n_samples)``.
    n_features_in_ : int
        Number of features seen in :meth:`fit`.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.decoders import KNNDecoder
    >>> rng = np.random.default_rng(0)
    >>> angle = rng.uniform(0, 2 * np.pi, size=400)
    >>> Z = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    >>> decoder = KNNDecoder(n_neighbors=5).fit(Z[:300], np.sin(angle[:300] / 2))
    >>> bool(decoder.score(Z[300:], np.sin(angle[300:] / 2)) > 0.99)
    True
    >>> KNNDecoder(n_neighbors=5).fit(Z, angle > np.pi).is_classifier_
    True
    """

    def __init__(self, n_neighbors: int = 36, metric: str = "cosine") -> None:
        self.n_neighbors = n_neighbors
        self.metric = metric

    def _build(self, *, classification: bool, n_samples: int) -> BaseEstimator:
        n_neighbors = check_int(self.n_neighbors, name="n_neighbors", owner="KNNDecoder", low=1)
        metric = check_choice(self.metric, _METRICS, name="metric", owner="KNNDecoder")
        self.n_neighbors_ = min(n_neighbors, n_samples)
        cls = KNeighborsClassifier if classification else KNeighborsRegressor
        return cls(n_neighbors=self.n_neighbors_, metric=metric)


class LinearDecoder(_AbstractDecoder):
    """Linear decoder: ridge regression for float labels, logistic regression otherwise.

    Parameters
    ----------
    alpha : float, default=1.0
        L2 regularisation strength, > 0. Ridge uses it directly; logistic regression uses
        ``C = 1 / alpha``.

    Attributes
    ----------
    estimator_ : Ridge or LogisticRegression
        The fitted scikit-learn estimator.
    is_classifier_ : bool
        Whether the labels seen in :meth:`fit` were discrete.
    classes_ : ndarray of shape (n_classes,)
        Class labels; only after fitting on discrete labels.
    n_features_in_ : int
        Number of features seen in :meth:`fit`.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.decoders import LinearDecoder
    >>> rng = np.random.default_rng(0)
    >>> Z = rng.normal(size=(200, 3))
    >>> y = Z @ np.array([1.0, -2.0, 0.5]) + 0.01 * rng.normal(size=200)
    >>> bool(LinearDecoder(alpha=1e-3).fit(Z, y).score(Z, y) > 0.99)
    True
    >>> LinearDecoder().fit(Z, (Z[:, 0] > 0).astype(int)).score(Z, (Z[:, 0] > 0)) > 0.9
    True
    """

    def __init__(self, alpha: float = 1.0) -> None:
        self.alpha = alpha

    def _build(self, *, classification: bool, n_samples: int) -> BaseEstimator:
        alpha = check_float(self.alpha, name="alpha", owner="LinearDecoder", low=0.0)
        if classification:
            return LogisticRegression(C=1.0 / alpha, max_iter=1000)
        return Ridge(alpha=alpha)


def decode(
    Z_train: Any,
    y_train: Any,
    Z_test: Any,
    y_test: Any,
    *,
    decoder: BaseEstimator | None = None,
) -> dict[str, float]:
    """Fit a decoder on a training split and score it on a test split.

    Parameters
    ----------
    Z_train : array-like of shape (n_train, n_features)
        Training embeddings.
    y_train : array-like of shape (n_train,) or (n_train, n_targets)
        Training labels: float for continuous targets, integer, bool or string (1-D) for
        discrete ones.
    Z_test : array-like of shape (n_test, n_features)
        Test embeddings.
    y_test : array-like of shape (n_test,) or (n_test, n_targets)
        Test labels, shaped like ``y_train``.
    decoder : estimator, optional
        Unfitted decoder with ``fit`` and ``predict``; it is cloned, not modified. Default
        ``KNNDecoder()`` (36 neighbours, cosine metric).

    Returns
    -------
    dict of str to float
        Continuous targets: ``"r2"`` (uniform average over targets) and ``"median_abs_error"``
        (median over test rows of the Euclidean norm of the error). Discrete targets:
        ``"accuracy"`` and ``"balanced_accuracy"`` (mean recall over the classes in ``y_test``).

    Raises
    ------
    ConfigurationError
        If ``decoder`` has no ``fit`` or ``predict`` method.
    DataValidationError
        If ``y_test`` does not match ``Z_test`` in length or ``y_train`` in shape or kind.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.decoders import decode
    >>> rng = np.random.default_rng(0)
    >>> angle = rng.uniform(0, 2 * np.pi, size=500)
    >>> Z = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    >>> y = np.sin(angle / 2)
    >>> scores = decode(Z[:400], y[:400], Z[400:], y[400:])
    >>> sorted(scores), bool(scores["r2"] > 0.99)
    (['median_abs_error', 'r2'], True)
    >>> sorted(decode(Z[:400], angle[:400] > np.pi, Z[400:], angle[400:] > np.pi))
    ['accuracy', 'balanced_accuracy']
    """
    if decoder is None:
        decoder = KNNDecoder()
    if not (hasattr(decoder, "fit") and hasattr(decoder, "predict")):
        raise ConfigurationError(
            "'decoder' of decode must be an unfitted estimator with fit and predict, such as "
            f"KNNDecoder() or LinearDecoder(), or None. Got {decoder!r}."
        )
    model = clone(decoder).fit(Z_train, y_train)
    prediction = np.asarray(model.predict(Z_test))
    y_true = np.asarray(y_test)
    n_test = len(prediction)
    if y_true.shape != prediction.shape:
        raise DataValidationError(
            f"y_test of decode must have one label per row of Z_test, shaped like y_train: "
            f"{prediction.shape}. Got shape {y_true.shape}."
        )
    classification = _is_classification(np.asarray(y_train), name="y_train", owner="decode")
    if classification != _is_classification(y_true, name="y_test", owner="decode"):
        raise DataValidationError(
            "y_train and y_test of decode must both be continuous (float) or both discrete. "
            f"Got dtypes {np.asarray(y_train).dtype} and {y_true.dtype}."
        )
    if classification:
        correct = prediction == y_true
        recalls = [correct[y_true == c].mean() for c in np.unique(y_true)]
        return {"accuracy": float(correct.mean()), "balanced_accuracy": float(np.mean(recalls))}
    error = (prediction - y_true).reshape(n_test, -1)
    return {
        "r2": float(r2_score(y_true, prediction, multioutput="uniform_average")),
        "median_abs_error": float(np.median(np.linalg.norm(error, axis=1))),
    }


def _is_classification(y: np.ndarray, *, name: str, owner: str) -> bool:
    """Return True for discrete labels (1-D integer, bool or string), False for float labels."""
    kind = y.dtype.kind
    if kind == "O" and all(isinstance(v, str) for v in y.ravel()):
        kind = "U"
    if kind == "f":
        return False
    if kind not in "biuUS":
        raise DataValidationError(
            f"Unknown label type: {name} of {owner} must hold float labels (regression) or "
            f"integer, bool or string labels (classification). Got dtype {y.dtype}."
        )
    if y.ndim != 1:
        raise DataValidationError(
            f"{name} of {owner} must be 1-D when it holds discrete labels. Got shape {y.shape} "
            f"and dtype {y.dtype}. Pass float labels for multi-target regression, or one column."
        )
    return True
