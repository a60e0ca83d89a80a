# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of ConsistencyEnsemble: alignment maps, scores, the sklearn contract and its errors."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks
from tests.metrics._maps import random_map

import identica
from identica.estimator._ensemble import ConsistencyEnsemble, _pairwise_maps
from identica.exceptions import ConfigurationError, DataValidationError, NotFittedError
from identica.metrics import INDETERMINACIES, consistency, consistency_matrix
from identica.metrics import fit_alignment as _fit_map

TINY = dict(encoder="mlp", output_dimension=3, hidden_units=8, batch_size=32, max_iterations=20,
            time_offset=1, device="cpu", num_threads=1)


class Projection(TransformerMixin, BaseEstimator):
    """Fast stand-in member: PCA scores, then a random map of class ``kind`` per seed."""

    def __init__(self, kind="affine", n_components=3, random_state=None, vary_dims=False):
        self.kind = kind
        self.n_components = n_components
        self.random_state = random_state
        self.vary_dims = vary_dims

    def fit(self, X, y=None, *, tag=None):
        X = np.asarray(X, dtype=np.float64)
        d = self.n_components + (self.random_state % 2 if self.vary_dims else 0)
        self.mean_ = X.mean(axis=0)
        self.components_ = np.linalg.svd(X - self.mean_, full_matrices=False)[2][:d].T
        rng = np.random.default_rng(self.random_state)
        self.matrix_, self.offset_ = random_map(self.kind, d, rng)
        self.n_features_in_ = X.shape[1]
        self.tag_ = tag
        return self

    def transform(self, X):
        return ((np.asarray(X) - self.mean_) @ self.components_) @ self.matrix_ + self.offset_


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    return (rng.normal(size=(200, 6)) * np.arange(1, 7)).astype(np.float32)


@pytest.fixture(scope="module")
def track():
    return identica.synthetic.linear_track(n_samples=800, n_neurons=20)


@pytest.fixture(scope="module")
def fitted(track):
    return ConsistencyEnsemble(identica.Embedding(**TINY), n_seeds=3).fit(track.neural)


# -- alignment maps ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", INDETERMINACIES)
def test_fit_map_recovers_a_map_of_its_class(kind, seed):
    rng = np.random.default_rng(seed)
    source = rng.normal(size=(300, 4)) * [1.0, 2.0, 3.0, 4.0]
    matrix, offset = random_map(kind, 4, rng)
    target = source @ matrix + offset
    alignment = _fit_map(source, target, kind)
    np.testing.assert_allclose(alignment.apply(source), target, atol=1e-10)
    _, scores = _pairwise_maps([source, target], kind)
    np.testing.assert_allclose(scores[~np.eye(2, dtype=bool)], 1.0, atol=1e-12)


def test_permutation_map_is_a_signed_permutation(seed):
    rng = np.random.default_rng(seed)
    source = rng.normal(size=(300, 4))
    target = source @ random_map("linear", 4, rng)[0]  # not a permutation: still one out
    matrix = _fit_map(source, target, "permutation").matrix
    assert set(np.unique(np.abs(matrix))) == {0.0, 1.0}
    np.testing.assert_array_equal(np.abs(matrix).sum(axis=0), 1.0)
    np.testing.assert_array_equal(np.abs(matrix).sum(axis=1), 1.0)


def test_orthogonal_map_is_orthogonal_and_keeps_the_origin(seed):
    rng = np.random.default_rng(seed)
    source = rng.normal(size=(300, 3))
    rotation = random_map("orthogonal", 3, rng)[0]
    alignment = _fit_map(source, source @ rotation + 5.0, "orthogonal")
    np.testing.assert_allclose(alignment.matrix @ alignment.matrix.T, np.eye(3), atol=1e-12)
    np.testing.assert_array_equal(alignment.offset, 0.0)
    # uncentred by design: a translation is not in the class, unlike for "affine"
    scores = {k: _pairwise_maps([source, source @ rotation + 5.0], k)[1][0, 1]
              for k in ("orthogonal", "affine")}
    assert scores["orthogonal"] < 0.5 < scores["affine"] == pytest.approx(1.0)


def test_richer_classes_score_higher(seed):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(300, 3))
    embeddings = [z, z @ rng.normal(size=(3, 3)) + 1.0 + 0.5 * rng.normal(size=(300, 3)),
                  np.tanh(z) + 0.3 * rng.normal(size=(300, 3))]
    c = {k: _pairwise_maps(embeddings, k)[1] for k in INDETERMINACIES}
    off = ~np.eye(3, dtype=bool)
    for kind in ("identity", "permutation", "orthogonal"):
        assert np.all(c[kind][off] <= c["linear"][off] + 1e-12)
    assert np.all(c["linear"][off] <= c["affine"][off] + 1e-12)
    np.testing.assert_allclose(c["affine"], consistency_matrix(embeddings))


# -- the estimator on exact members --------------------------------------------------------------


@pytest.mark.parametrize("kind", INDETERMINACIES)
def test_members_related_by_the_class_align_exactly(kind, data):
    ensemble = ConsistencyEnsemble(Projection(kind=kind), n_seeds=3, indeterminacy=kind,
                                   reference=1).fit(data)
    assert ensemble.consistency_ == pytest.approx(1.0, abs=1e-10)
    assert ensemble.score(data) == pytest.approx(1.0, abs=1e-10)
    members = ensemble.transform_members(data)
    reference = ensemble.estimators_[1].transform(data)
    for aligned in members:
        np.testing.assert_allclose(aligned, reference, atol=1e-4)
    np.testing.assert_allclose(ensemble.transform(data), reference, atol=1e-4)


def test_members_get_consecutive_seeds_and_fit_params(data):
    base = Projection()
    ensemble = ConsistencyEnsemble(base, n_seeds=3, random_state=5).fit(data, tag="x")
    assert [m.random_state for m in ensemble.estimators_] == [5, 6, 7]
    assert [m.tag_ for m in ensemble.estimators_] == ["x"] * 3
    assert not hasattr(base, "mean_")  # the given estimator is cloned, never fitted
    none = ConsistencyEnsemble(base, n_seeds=2, random_state=None).fit(data)
    assert [m.random_state for m in none.estimators_] == [None, None]


def test_identity_is_unrelated_members_scored_as_they_are(data):
    ensemble = ConsistencyEnsemble(Projection(kind="orthogonal"), n_seeds=2,
                                   indeterminacy="identity").fit(data)
    assert ensemble.consistency_ < 0.99
    np.testing.assert_array_equal(ensemble.alignments_[1].matrix, np.eye(3))


# -- the estimator on tiny Embeddings ------------------------------------------------------------


def test_shapes_and_fitted_attributes(fitted, track):
    x = track.neural
    assert len(fitted.estimators_) == len(fitted.alignments_) == 3
    assert [m.random_state for m in fitted.estimators_] == [0, 1, 2]
    np.testing.assert_array_equal(fitted.alignments_[0].matrix, np.eye(3))
    embedding = fitted.transform(x)
    assert embedding.shape == (800, 3) and embedding.dtype == np.float32
    members = fitted.transform_members(x)
    assert [(z.shape, z.dtype) for z in members] == [((800, 3), np.float32)] * 3
    np.testing.assert_allclose(embedding, np.mean(members, axis=0), atol=1e-5)
    assert fitted.consistency_matrix_.shape == (3, 3)
    assert np.isnan(np.diag(fitted.consistency_matrix_)).all()
    assert fitted.n_features_in_ == 20
    assert list(fitted.get_feature_names_out()) == [f"consistencyensemble{k}" for k in range(3)]


def test_affine_consistency_is_the_metric_of_the_raw_members(fitted, track):
    raw = [m.transform(track.neural) for m in fitted.estimators_]
    assert fitted.consistency_ == pytest.approx(consistency(raw), abs=1e-10)
    np.testing.assert_allclose(fitted.consistency_matrix_, consistency_matrix(raw), atol=1e-10)
    assert fitted.score(track.neural) == pytest.approx(fitted.consistency_, abs=1e-10)
    assert fitted.score(track.neural[:300]) <= 1.0


def test_identity_scores_at_most_affine(fitted, track):
    identity = clone(fitted).set_params(indeterminacy="identity").fit(track.neural)
    assert identity.consistency_ <= fitted.consistency_


def test_same_random_state_gives_the_same_embedding(fitted, track):
    again = clone(fitted).fit(track.neural)
    np.testing.assert_array_equal(again.transform(track.neural), fitted.transform(track.neural))


def test_pickle_round_trip(fitted, track):
    loaded = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(loaded.transform(track.neural), fitted.transform(track.neural))


def test_params_round_trip():
    ensemble = ConsistencyEnsemble(identica.Embedding(**TINY), n_seeds=4, reference=2)
    params = ensemble.get_params()
    assert params["estimator__max_iterations"] == 20
    assert ConsistencyEnsemble().set_params(**ensemble.get_params(deep=False)).get_params() == (
        params)
    copy = clone(ensemble).set_params(n_seeds=2, estimator__max_iterations=7)
    assert (copy.n_seeds, copy.estimator.max_iterations) == (2, 7)
    assert (ensemble.n_seeds, ensemble.estimator.max_iterations) == (4, 20)
    assert isinstance(ConsistencyEnsemble()._base_estimator(), identica.Embedding)


# -- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "match"),
    [
        (dict(n_seeds=1), r"'n_seeds' of ConsistencyEnsemble must be an int in \[2, inf\]. Got 1"),
        (dict(indeterminacy="afine"), r"must be one of \['identity', .*Got 'afine'.*'affine'\?"),
        (dict(reference=3), r"'reference' of ConsistencyEnsemble .* \[0, 2\]. Got 3"),
        (dict(random_state=-1), r"'random_state' of ConsistencyEnsemble .* Got -1"),
        (dict(estimator=object()), r"'estimator' of ConsistencyEnsemble .* lacks \['get_"),
        (dict(estimator=StandardScaler()), r"must have a 'random_state' parameter.*Scaler"),
    ],
)
def test_bad_parameters_raise_before_training(params, match, data):
    base = Projection()
    ensemble = ConsistencyEnsemble(**{"estimator": base, **params})
    with pytest.raises(ConfigurationError, match=match):
        ensemble.fit(data)
    assert not hasattr(ensemble, "estimators_") and not hasattr(base, "mean_")


def test_members_of_different_dimensions_need_a_linear_class(data):
    base = Projection(vary_dims=True)
    with pytest.raises(DataValidationError, match=r"same number of embedding dim.*\[3, 4\]"):
        ConsistencyEnsemble(base, n_seeds=2, indeterminacy="orthogonal").fit(data)
    ensemble = ConsistencyEnsemble(base, n_seeds=2, indeterminacy="affine").fit(data)
    assert ensemble.transform(data).shape == (200, 3)


@pytest.mark.parametrize("method", ["transform", "transform_members", "score"])
def test_use_before_fit_raises(method, data):
    with pytest.raises(NotFittedError, match="ConsistencyEnsemble is not fitted yet"):
        getattr(ConsistencyEnsemble(Projection()), method)(data)


def test_feature_mismatch_raises(data):
    ensemble = ConsistencyEnsemble(Projection(), n_seeds=2).fit(data)
    with pytest.raises(DataValidationError, match="X has 5 features, but ConsistencyEnsemble "
                                                  "is expecting 6 features"):
        ensemble.transform(data[:, :5])


# -- scikit-learn's checks -----------------------------------------------------------------------

CHECKED = [ConsistencyEnsemble(identica.Embedding(**{**TINY, "max_iterations": 2,
                                                     "batch_size": 8}), n_seeds=2)]


@parametrize_with_checks(CHECKED)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_enough_checks_are_collected():
    assert len(list(parametrize_with_checks(CHECKED).args[1])) >= 40
