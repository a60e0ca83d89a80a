# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Adapting a fitted embedding to a new animal with another number of neurons."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import identica
from identica.decoders import KNNDecoder
from identica.exceptions import ConfigurationError, DataValidationError

PARAMS = dict(encoder="conv10", output_dimension=8, hidden_units=16, batch_size=128,
              max_iterations=300, max_adapt_iterations=200, learning_rate=3e-3, device="cpu",
              random_state=0)


@pytest.fixture(scope="module")
def animals():
    return identica.synthetic.linear_track(n_samples=2000, n_neurons=[30, 45], n_sessions=2,
                                           random_state=11)


@pytest.fixture(scope="module")
def fitted(animals):
    old = animals[0]
    return identica.Embedding(**PARAMS).fit(old.neural, old.continuous)


def test_decoder_of_the_original_animal_reads_the_new_one(fitted, animals):
    old, new = animals
    decoder = KNNDecoder().fit(fitted.transform(old.neural), old.truth["position"])
    frozen = {k: v.clone() for k, v in fitted.encoders_[0].state_dict().items()}
    adapted = _copy(fitted).adapt(new.neural, new.continuous, anchor=(old.neural, old.continuous))
    assert adapted.n_features_in_ == 45
    assert decoder.score(adapted.transform(new.neural), new.truth["position"]) >= 0.8
    # everything but the input layer kept its trained values
    for name, value in adapted.encoders_[0].state_dict().items():
        if not name.startswith("first."):
            assert torch.equal(value, frozen[name]), name


def test_without_anchor_the_new_animal_is_still_embedded(fitted, animals):
    new = animals[1]
    adapted = _copy(fitted).adapt(new.neural, new.continuous)
    z = adapted.transform(new.neural)
    position = new.truth["position"]
    assert KNNDecoder().fit(z[:1600], position[:1600]).score(z[1600:], position[1600:]) > 0.8


def test_adapting_a_multi_session_model_adds_a_session():
    a, b, c = identica.synthetic.linear_track(n_samples=1500, n_neurons=[20, 25, 35],
                                              n_sessions=3, random_state=2)
    model = identica.Embedding(**{**PARAMS, "max_iterations": 5, "max_adapt_iterations": 5})
    model.fit([a.neural, b.neural], [a.continuous, b.continuous])
    model.adapt(c.neural, c.continuous, from_session=1, anchor=(b.neural, b.continuous))
    assert model.n_features_per_session_ == [20, 25, 35] and len(model.encoders_) == 3
    assert model.transform(c.neural, session=2).shape == (1500, 8)


def test_adapt_is_reproducible(fitted, animals):
    new = animals[1]
    one = _copy(fitted).adapt(new.neural, new.continuous).transform(new.neural)
    two = _copy(fitted).adapt(new.neural, new.continuous).transform(new.neural)
    assert np.array_equal(one, two)


def test_adapt_before_fit(animals):
    with pytest.raises(identica.exceptions.NotFittedError):
        identica.Embedding().adapt(animals[1].neural)


def test_anchor_must_be_the_fitted_session(fitted, animals):
    old, new = animals
    with pytest.raises(DataValidationError, match="anchor X has 45 features, but session 0"):
        _copy(fitted).adapt(new.neural, new.continuous, anchor=(new.neural, new.continuous))
    with pytest.raises(ConfigurationError, match="'anchor' of Embedding.adapt must be a tuple"):
        _copy(fitted).adapt(new.neural, new.continuous, anchor=old.neural)
    with pytest.raises(DataValidationError, match="same kinds of labels"):
        _copy(fitted).adapt(new.neural, anchor=(old.neural, old.continuous))


def test_from_session_out_of_range(fitted, animals):
    with pytest.raises(ConfigurationError, match=r"'from_session'.*\[0, 0\]. Got 3"):
        _copy(fitted).adapt(animals[1].neural, from_session=3)


def test_custom_encoders_without_an_input_layer_cannot_be_adapted(animals):
    encoder = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(30, 8))
    encoder.receptive_field = identica.nn.Offset(0, 1)
    encoder.n_features_in, encoder.output_dimension = 30, 8
    model = identica.Embedding(**{**PARAMS, "encoder": encoder, "max_iterations": 2})
    model.fit(animals[0].neural)
    with pytest.raises(ConfigurationError, match="declares no 'input_layer_name'"):
        model.adapt(animals[1].neural)


def _copy(model):
    import pickle

    return pickle.loads(pickle.dumps(model))
