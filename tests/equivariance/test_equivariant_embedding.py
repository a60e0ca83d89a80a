# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""EquivariantEmbedding: fit, transform, action_matrix, determinism, files, errors."""

from __future__ import annotations

import numpy as np
import pytest

from identica.equivariance import EquivariantEmbedding
from identica.exceptions import (
    ConfigurationError,
    DataValidationError,
    ModelFileError,
    NotFittedError,
)
from identica.synthetic import group_pairs

TINY = dict(output_dimension=4, hidden_units=16, batch_size=8, num_negatives=32,
            samples_per_action=5, max_iterations=4, random_state=0)


@pytest.fixture(scope="module")
def data():
    return group_pairs("O", n_elements=10, n_samples=300, random_state=0)


def test_fit_transform_and_action_matrix(data):
    model = EquivariantEmbedding(**TINY).fit(data.observed, data.observed_acted, data.action)
    z = model.transform(data.observed)
    assert z.shape == (300, 4) and z.dtype == np.float32
    assert model.loss_history_.shape == (4, 3) and model.n_iter_ == 4
    assert model.n_features_in_ == 50
    rows = data.action == data.action[0]
    q = model.action_matrix(data.observed[rows], data.observed_acted[rows])
    assert q.shape == (4, 4) and np.allclose(q @ q.T, np.eye(4), atol=1e-6)
    assert list(model.get_feature_names_out()) == [f"equivariantembedding{i}" for i in range(4)]


def test_seeded_cpu_fits_are_bit_identical(data):
    a = EquivariantEmbedding(**TINY).fit(data.observed, data.observed_acted, data.action)
    b = EquivariantEmbedding(**TINY).fit(data.observed, data.observed_acted, data.action)
    assert np.array_equal(a.transform(data.observed), b.transform(data.observed))
    assert np.array_equal(a.loss_history_, b.loss_history_)
    c = EquivariantEmbedding(**{**TINY, "random_state": 1}).fit(
        data.observed, data.observed_acted, data.action)
    assert not np.array_equal(a.transform(data.observed), c.transform(data.observed))


def test_group_dimension_and_the_baseline_fit(data):
    for params in (dict(group_dimension=2), dict(projection="identity"),
                   dict(projection="none"), dict(projection="procrustes")):
        model = EquivariantEmbedding(**{**TINY, **params}).fit(
            data.observed, data.observed_acted, data.action)
        q = model.action_matrix(data.observed[:6], data.observed_acted[:6])
        if params.get("projection") == "identity":
            assert np.array_equal(q, np.eye(4))
        if "group_dimension" in params:
            assert np.array_equal(q[2:, 2:], np.eye(2))


def test_action_none_is_one_shared_action(data):
    model = EquivariantEmbedding(**TINY).fit(data.observed, data.observed_acted)
    assert model.transform(data.observed[:2]).shape == (2, 4)


def test_save_and_load_round_trip(data, tmp_path):
    model = EquivariantEmbedding(**TINY).fit(data.observed, data.observed_acted, data.action)
    path = tmp_path / "ebc.safetensors"
    model.save(path)
    again = EquivariantEmbedding.load(path)
    assert again.get_params() == model.get_params()
    assert np.array_equal(again.transform(data.observed), model.transform(data.observed))
    assert np.array_equal(again.loss_history_, model.loss_history_)


def test_an_embedding_file_is_refused_by_load_and_the_other_way_round(data, tmp_path):
    import identica

    model = EquivariantEmbedding(**TINY).fit(data.observed, data.observed_acted, data.action)
    path = tmp_path / "ebc.safetensors"
    model.save(path)
    with pytest.raises(ModelFileError, match="EquivariantEmbedding.load"):
        identica.load(path)
    other = identica.Embedding(encoder="mlp", output_dimension=2, batch_size=8,
                               max_iterations=1, time_offset=1, random_state=0)
    other.fit(data.observed)
    other.save(tmp_path / "embedding.safetensors")
    with pytest.raises(ModelFileError, match="not an EquivariantEmbedding model file"):
        EquivariantEmbedding.load(tmp_path / "embedding.safetensors")


def test_errors_name_the_argument_and_the_value(data):
    X, Xa = data.observed, data.observed_acted
    with pytest.raises(DataValidationError, match="needs X_acted"):
        EquivariantEmbedding(**TINY).fit(X)
    with pytest.raises(DataValidationError, match=r"X_acted must have X's shape \(300, 50\)"):
        EquivariantEmbedding(**TINY).fit(X, Xa[:10])
    with pytest.raises(DataValidationError, match="integer action ids"):
        EquivariantEmbedding(**TINY).fit(X, Xa, np.zeros(300) + 0.5)
    with pytest.raises(DataValidationError, match="needs at least samples_per_action"):
        EquivariantEmbedding(**TINY).fit(X, Xa, np.arange(300))
    with pytest.raises(ConfigurationError, match="'projection' of EquivariantEmbedding"):
        EquivariantEmbedding(**{**TINY, "projection": "svd"}).fit(X, Xa, data.action)
    with pytest.raises(ConfigurationError, match="'group_dimension' of EquivariantEmbedding"):
        EquivariantEmbedding(**{**TINY, "group_dimension": 5}).fit(X, Xa, data.action)
    with pytest.raises(ConfigurationError, match="'verbose' of EquivariantEmbedding"):
        EquivariantEmbedding(**{**TINY, "verbose": "yes"}).fit(X, Xa, data.action)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        EquivariantEmbedding().transform(X)
    model = EquivariantEmbedding(**TINY).fit(X, Xa, data.action)
    with pytest.raises(DataValidationError, match="X has 3 features"):
        model.transform(X[:, :3])
    with pytest.raises(DataValidationError, match=r"X_acted must have X's shape \(6, 50\)"):
        model.action_matrix(X[:6], Xa[:5])


def test_the_sklearn_contract_with_paired_data(data):
    """What sklearn's checks test with a 1-D y, here with paired observations."""
    import pickle

    from sklearn.base import clone

    X, Xa = data.observed, data.observed_acted
    model = EquivariantEmbedding(**TINY)
    params = model.get_params()
    assert model.fit(X, Xa, data.action) is model
    assert model.get_params() == params  # fit leaves the parameters alone
    first = model.transform(X)
    assert np.array_equal(model.fit(X, Xa, data.action).transform(X), first)  # idempotent
    again = pickle.loads(pickle.dumps(model))
    assert np.array_equal(again.transform(X), first)
    assert clone(model).get_params() == params and not hasattr(clone(model), "encoder_")
    # subset and order invariance of transform (single observations)
    order = np.random.default_rng(0).permutation(len(X))
    assert np.allclose(model.transform(X[order]), first[order], atol=1e-6)
    assert np.allclose(model.transform(X[:7]), first[:7], atol=1e-6)
    # float64, Fortran-ordered and list inputs
    assert np.allclose(model.transform(np.asfortranarray(X.astype(np.float64))), first,
                       atol=1e-6)
    assert np.allclose(model.transform(X[:3].tolist()), first[:3], atol=1e-6)
    bad = X.copy()
    bad[2, 1] = np.nan
    with pytest.raises(DataValidationError, match="NaN or inf"):
        EquivariantEmbedding(**TINY).fit(bad, Xa, data.action)
    with pytest.raises(DataValidationError, match="X_acted contains NaN or inf"):
        EquivariantEmbedding(**TINY).fit(X, bad, data.action)
