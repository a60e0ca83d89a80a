# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Multi-session fits: every label kind, alignment across animals, transform, files, errors."""

from __future__ import annotations

import numpy as np
import pytest

import identica
from identica.decoders import KNNDecoder
from identica.exceptions import ConfigurationError, DataValidationError

FAST = dict(encoder="conv10", output_dimension=6, hidden_units=16, batch_size=128,
            max_iterations=400, learning_rate=3e-3, device="cpu", random_state=0)


@pytest.fixture(scope="module")
def animals():
    """Three animals on the same track with 20, 30 and 40 place cells."""
    return identica.synthetic.linear_track(n_samples=2000, n_neurons=[20, 30, 40],
                                           n_sessions=3, random_state=3)


@pytest.fixture(scope="module")
def behaviour_model(animals):
    model = identica.Embedding(**{**FAST, "output_dimension": 8, "batch_size": 192})
    return model.fit([a.neural for a in animals], [a.continuous for a in animals])


def test_one_encoder_per_animal(behaviour_model, animals):
    assert len(behaviour_model.encoders_) == 3
    assert behaviour_model.n_features_per_session_ == [20, 30, 40]
    assert behaviour_model.conditional_ == "time_delta"


def test_animals_share_one_embedding_space(behaviour_model, animals):
    embeddings = behaviour_model.transform([a.neural for a in animals])
    positions = [a.truth["position"] for a in animals]
    assert identica.metrics.consistency(embeddings, labels=positions) >= 0.9
    decoder = KNNDecoder().fit(embeddings[0], positions[0])
    for other in (1, 2):
        assert decoder.score(embeddings[other], positions[other]) >= 0.8


def test_transform_one_session(behaviour_model, animals):
    listed = behaviour_model.transform([a.neural for a in animals])
    single = behaviour_model.transform(animals[1].neural, session=1)
    assert np.array_equal(single, listed[1])


def test_transform_needs_the_session(behaviour_model, animals):
    with pytest.raises(ConfigurationError, match=r"'session'.*int in \[0, 2\].*Got None"):
        behaviour_model.transform(animals[0].neural)
    with pytest.raises(DataValidationError, match="expecting 20 features as input for session 0"):
        behaviour_model.transform(animals[1].neural, session=0)
    with pytest.raises(DataValidationError, match="X has 2 sessions, but this Embedding was"):
        behaviour_model.transform([animals[0].neural, animals[1].neural])


def test_multi_session_model_file(behaviour_model, animals, tmp_path):
    behaviour_model.save(tmp_path / "m.safetensors")
    loaded = identica.load(tmp_path / "m.safetensors")
    X = [a.neural for a in animals]
    for a, b in zip(loaded.transform(X), behaviour_model.transform(X), strict=True):
        assert np.array_equal(a, b)


def test_discrete_labels_across_sessions(animals):
    direction = [a.truth["direction"] for a in animals]
    model = identica.Embedding(**FAST).fit([a.neural for a in animals], direction)
    assert model.conditional_ == "discrete"
    z = model.transform([a.neural for a in animals])
    accuracy = KNNDecoder().fit(z[0], direction[0]).score(z[2], direction[2])
    assert accuracy > 0.85


def test_mixed_labels_across_sessions(animals):
    model = identica.Embedding(**FAST).fit(
        [a.neural for a in animals], [a.continuous[:, :1] for a in animals],
        discrete=[a.truth["direction"] for a in animals],
    )
    assert model.conditional_ == "mixed"
    z = model.transform([a.neural for a in animals])
    position = [a.truth["position"] for a in animals]
    assert KNNDecoder().fit(z[0], position[0]).score(z[1], position[1]) > 0.8


def test_no_labels_shares_one_encoder():
    sessions = identica.synthetic.linear_track(n_samples=1500, n_neurons=30, n_sessions=2,
                                               random_state=5)
    model = identica.Embedding(**{**FAST, "time_offset": 2})
    model.fit([s.neural for s in sessions])
    assert model.conditional_ == "time" and len(model.encoders_) == 1
    assert model.session_encoder_ == [0, 0]
    z = model.transform(sessions[1].neural)  # one shared encoder: no session needed
    position = sessions[1].truth["position"]
    assert KNNDecoder().fit(z[:1200], position[:1200]).score(z[1200:], position[1200:]) > 0.5


def test_no_labels_with_different_widths_is_refused(animals):
    model = identica.Embedding(**FAST)
    with pytest.raises(DataValidationError, match=r"without labels uses one shared encoder.*"
                                                  r"Got \[20, 30, 40\]"):
        model.fit([a.neural for a in animals])
    assert not model.__sklearn_is_fitted__()


def test_label_lists_must_match_the_sessions(animals):
    X = [a.neural for a in animals]
    model = identica.Embedding(**FAST)
    with pytest.raises(DataValidationError, match="y must be a list with one entry per session"):
        model.fit(X, animals[0].continuous)
    with pytest.raises(DataValidationError, match="X has 3 sessions but y has 2 entries"):
        model.fit(X, [a.continuous for a in animals[:2]])
    with pytest.raises(DataValidationError, match="same kinds of labels"):
        model.fit(X, [animals[0].continuous, animals[1].continuous, None])
    with pytest.raises(DataValidationError, match=r"same number of columns.*\[1, 3\]"):
        model.fit(X, [animals[0].continuous[:, :1], animals[1].continuous,
                      animals[2].continuous])


def test_bad_session_names_the_session(animals):
    X = [a.neural for a in animals]
    X[1] = X[1].copy()
    X[1][4, 2] = np.nan
    with pytest.raises(DataValidationError, match=r"X contains NaN or inf \(session 1\)"):
        identica.Embedding(**FAST).fit(X, [a.continuous for a in animals])


def test_partial_fit_needs_the_same_sessions(behaviour_model, animals):
    with pytest.raises(DataValidationError, match="X has 2 session"):
        behaviour_model.partial_fit([a.neural for a in animals[:2]],
                                    [a.continuous for a in animals[:2]])
