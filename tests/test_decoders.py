# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of KNNDecoder, LinearDecoder and decode."""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.exceptions
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, balanced_accuracy_score, r2_score
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from identica import exceptions
from identica.decoders import KNNDecoder, LinearDecoder, decode

CHECKED = [
    KNNDecoder(),
    KNNDecoder(n_neighbors=3, metric="euclidean"),
    LinearDecoder(),
    LinearDecoder(alpha=0.1),
]


@parametrize_with_checks(CHECKED)
def test_sklearn_compatible(estimator, check) -> None:
    check(estimator)


def test_sklearn_checks_are_all_collected() -> None:
    # Guard against a harness that quietly runs a subset of the checks.
    mark = parametrize_with_checks([KNNDecoder()])
    assert len(list(mark.args[1])) > 40


@pytest.fixture
def circle() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    angle = rng.uniform(0, 2 * np.pi, size=600)
    Z = np.stack([np.cos(angle), np.sin(angle)], axis=1) * rng.uniform(0.5, 2.0, size=(600, 1))
    return Z, angle


def test_knn_recovers_smooth_function(circle) -> None:
    Z, angle = circle
    y = np.sin(angle / 2)
    decoder = KNNDecoder(n_neighbors=10).fit(Z[:500], y[:500])
    assert decoder.is_classifier_ is False
    assert isinstance(decoder.estimator_, KNeighborsRegressor)
    assert decoder.n_features_in_ == 2
    assert decoder.score(Z[500:], y[500:]) > 0.98


def test_knn_multi_target_regression(circle) -> None:
    Z, angle = circle
    y = np.stack([np.sin(angle / 2), np.cos(angle / 2)], axis=1)
    decoder = KNNDecoder(n_neighbors=10).fit(Z[:500], y[:500])
    prediction = decoder.predict(Z[500:])
    assert prediction.shape == (100, 2)
    expected = r2_score(y[500:], prediction, multioutput="uniform_average")
    assert decoder.score(Z[500:], y[500:]) == pytest.approx(expected)


@pytest.mark.parametrize(
    "to_labels",
    [lambda q: q, lambda q: q.astype(np.uint8), lambda q: np.array(["a", "b", "c", "d"])[q]],
    ids=["int64", "uint8", "str"],
)
def test_knn_classification(circle, to_labels) -> None:
    Z, angle = circle
    labels = to_labels((angle // (np.pi / 2)).astype(int))
    decoder = KNNDecoder(n_neighbors=5).fit(Z[:500], labels[:500])
    assert decoder.is_classifier_ is True
    assert isinstance(decoder.estimator_, KNeighborsClassifier)
    assert len(decoder.classes_) == 4
    assert decoder.predict(Z[500:]).dtype == labels.dtype
    assert decoder.score(Z[500:], labels[500:]) > 0.9


def test_bool_labels_are_classified(circle) -> None:
    Z, angle = circle
    decoder = LinearDecoder().fit(Z, np.sin(angle) > 0)
    assert decoder.is_classifier_
    assert isinstance(decoder.estimator_, LogisticRegression)
    assert decoder.score(Z, np.sin(angle) > 0) > 0.95


def test_score_is_accuracy_for_classifiers_not_r2() -> None:
    Z = np.arange(8.0).reshape(-1, 1)
    y = np.array([0, 0, 0, 0, 5, 5, 5, 5])
    decoder = KNNDecoder(n_neighbors=1, metric="euclidean").fit(Z, y)
    y_wrong = np.array([0, 0, 0, 5, 5, 5, 5, 5])
    assert decoder.score(Z, y_wrong) == pytest.approx(accuracy_score(y_wrong, decoder.predict(Z)))
    assert decoder.score(Z, y_wrong) == pytest.approx(7 / 8)
    assert decoder.score(Z, y_wrong) != pytest.approx(r2_score(y_wrong, decoder.predict(Z)))


def test_score_is_r2_for_regression() -> None:
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(100, 3))
    y = Z[:, 0] + 0.1 * rng.normal(size=100)
    decoder = LinearDecoder(alpha=0.5).fit(Z, y)
    assert decoder.score(Z, y) == pytest.approx(r2_score(y, decoder.predict(Z)))


def test_n_neighbors_is_clamped_to_training_size() -> None:
    Z = np.arange(10.0).reshape(5, 2)
    decoder = KNNDecoder(n_neighbors=36).fit(Z, np.arange(5.0))
    assert decoder.n_neighbors_ == 5
    np.testing.assert_allclose(decoder.predict(Z), 2.0)
    assert KNNDecoder(n_neighbors=3).fit(Z, np.arange(5.0)).n_neighbors_ == 3


def test_metric_is_used() -> None:
    # Same direction, different norms: cosine sees the points as identical, euclidean does not.
    Z = np.array([[1.0, 0.0], [10.0, 0.0], [0.0, 1.0]])
    y = np.array([0.0, 1.0, 2.0])
    query = np.array([[9.0, 0.5]])
    euclidean = KNNDecoder(n_neighbors=1, metric="euclidean").fit(Z, y).predict(query)
    cosine = KNNDecoder(n_neighbors=2, metric="cosine").fit(Z, y).predict(query)
    assert euclidean[0] == 1.0
    assert cosine[0] == pytest.approx(0.5)


def test_linear_decoder_wraps_ridge_and_logistic_with_alpha() -> None:
    rng = np.random.default_rng(2)
    Z = rng.normal(size=(200, 4))
    y = Z @ np.array([1.0, 2.0, 0.0, -1.0])
    ridge = LinearDecoder(alpha=10.0).fit(Z, y)
    assert isinstance(ridge.estimator_, Ridge)
    np.testing.assert_allclose(ridge.predict(Z), Ridge(alpha=10.0).fit(Z, y).predict(Z))
    logistic = LinearDecoder(alpha=4.0).fit(Z, y > 0)
    assert logistic.estimator_.C == pytest.approx(0.25)


def test_init_only_stores_arguments() -> None:
    decoder = KNNDecoder(n_neighbors=-3, metric="nope")
    assert decoder.get_params() == {"n_neighbors": -3, "metric": "nope"}
    assert clone(LinearDecoder(alpha=-1)).alpha == -1


@pytest.mark.parametrize(
    ("decoder", "match"),
    [
        (
            KNNDecoder(n_neighbors=0),
            r"'n_neighbors' of KNNDecoder must be an int in \[1, inf\]\. Got 0\.",
        ),
        (KNNDecoder(n_neighbors=2.5), r"'n_neighbors' of KNNDecoder .* Got 2\.5\."),
        (
            KNNDecoder(metric="cosin"),
            r"'metric' of KNNDecoder must be one of .* Got 'cosin'\. Did you mean 'cosine'\?",
        ),
        (
            LinearDecoder(alpha=0.0),
            r"'alpha' of LinearDecoder must be a finite number in \(0\.0, inf\]\. Got 0\.0\.",
        ),
    ],
)
def test_bad_parameters_raise_at_fit(decoder, match: str) -> None:
    with pytest.raises(exceptions.ConfigurationError, match=match):
        decoder.fit(np.zeros((5, 2)), np.zeros(5))


def test_two_d_discrete_labels_raise() -> None:
    match = r"1-D when it holds discrete labels\. Got shape \(5, 2\)"
    with pytest.raises(exceptions.DataValidationError, match=match):
        KNNDecoder().fit(np.zeros((5, 2)), np.zeros((5, 2), dtype=int))


def test_unknown_label_type_raises() -> None:
    y = np.array([object()] * 5)
    match = r"Unknown label type: y of LinearDecoder .* Got dtype object\."
    with pytest.raises(exceptions.DataValidationError, match=match):
        LinearDecoder().fit(np.zeros((5, 2)), y)


def test_unfitted_raises_both_not_fitted_errors() -> None:
    for error in (exceptions.NotFittedError, sklearn.exceptions.NotFittedError):
        with pytest.raises(error, match=r"This KNNDecoder is not fitted yet\. Call fit\(X, y\)"):
            KNNDecoder().predict(np.zeros((2, 2)))


def test_feature_count_mismatch_raises() -> None:
    decoder = LinearDecoder().fit(np.zeros((5, 2)) + np.arange(5)[:, None], np.arange(5.0))
    with pytest.raises(ValueError, match=r"X has 3 features, but LinearDecoder is expecting 2"):
        decoder.predict(np.zeros((4, 3)))


def test_decode_continuous(circle) -> None:
    Z, angle = circle
    y = np.stack([np.sin(angle / 2), np.cos(angle / 2)], axis=1)
    scores = decode(Z[:500], y[:500], Z[500:], y[500:], decoder=KNNDecoder(n_neighbors=10))
    prediction = KNNDecoder(n_neighbors=10).fit(Z[:500], y[:500]).predict(Z[500:])
    assert scores == pytest.approx({
        "r2": r2_score(y[500:], prediction),
        "median_abs_error": np.median(np.linalg.norm(prediction - y[500:], axis=1)),
    })


def test_decode_one_d_error_is_absolute_error(circle) -> None:
    Z, angle = circle
    scores = decode(Z[:500], angle[:500], Z[500:], angle[500:])
    prediction = KNNDecoder().fit(Z[:500], angle[:500]).predict(Z[500:])
    assert scores["median_abs_error"] == pytest.approx(np.median(np.abs(prediction - angle[500:])))


def test_decode_discrete(circle) -> None:
    Z, angle = circle
    labels = (angle // (np.pi / 2)).astype(int)
    labels[:500][labels[:500] == 3] = 0  # class 3 is never seen in training
    decoder = LinearDecoder()
    scores = decode(Z[:500], labels[:500], Z[500:], labels[500:], decoder=decoder)
    prediction = LinearDecoder().fit(Z[:500], labels[:500]).predict(Z[500:])
    assert scores["accuracy"] == pytest.approx(accuracy_score(labels[500:], prediction))
    assert scores["balanced_accuracy"] == pytest.approx(
        balanced_accuracy_score(labels[500:], prediction)
    )
    assert not hasattr(decoder, "estimator_")  # the decoder passed in is cloned, not fitted


def test_decode_rejects_bad_decoder() -> None:
    match = r"'decoder' of decode must be an unfitted estimator .* Got 'knn'\."
    with pytest.raises(exceptions.ConfigurationError, match=match):
        decode(np.zeros((5, 2)), np.zeros(5), np.zeros((5, 2)), np.zeros(5), decoder="knn")


def test_decode_rejects_mismatched_test_labels() -> None:
    Z = np.arange(20.0).reshape(10, 2)
    match = r"shaped like y_train: \(10,\)\. Got shape \(9,\)\."
    with pytest.raises(exceptions.DataValidationError, match=match):
        decode(Z, np.arange(10.0), Z, np.arange(9.0))
    match = r"both be continuous \(float\) or both discrete\. Got dtypes float64 and int64\."
    with pytest.raises(exceptions.DataValidationError, match=match):
        decode(Z, np.arange(10.0), Z, np.arange(10))
