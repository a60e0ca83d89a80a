# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Embedding: what it learns, determinism, partial_fit, label typing."""

from __future__ import annotations

import numpy as np
import pytest

import identica
from identica.decoders import KNNDecoder

SMALL = dict(output_dimension=4, hidden_units=16, batch_size=64, max_iterations=4,
             device="cpu", random_state=0)


def test_seeded_fits_are_bit_identical(track):
    a = identica.Embedding(encoder="conv10", **SMALL).fit(track.neural, track.continuous)
    b = identica.Embedding(encoder="conv10", **SMALL).fit(track.neural, track.continuous)
    assert np.array_equal(a.transform(track.neural), b.transform(track.neural))
    assert np.array_equal(a.loss_history_, b.loss_history_)


def test_different_seeds_differ(track):
    a = identica.Embedding(**SMALL).fit(track.neural, track.continuous)
    b = identica.Embedding(**{**SMALL, "random_state": 1}).fit(track.neural, track.continuous)
    assert not np.array_equal(a.transform(track.neural), b.transform(track.neural))


def test_partial_fit_continues_exactly_where_fit_stops(track):
    whole = identica.Embedding(**SMALL).fit(track.neural, track.continuous)
    halves = identica.Embedding(**{**SMALL, "max_iterations": 2})
    halves.partial_fit(track.neural, track.continuous)
    halves.partial_fit(track.neural, track.continuous)
    assert halves.n_iter_ == whole.n_iter_ == 4
    assert np.array_equal(halves.loss_history_, whole.loss_history_)
    assert np.array_equal(halves.transform(track.neural), whole.transform(track.neural))


def test_fit_starts_over(track):
    model = identica.Embedding(**SMALL).fit(track.neural, track.continuous)
    model.fit(track.neural, track.continuous)
    assert model.n_iter_ == 4


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ({}, "time"),
        ({"y": "continuous"}, "time_delta"),
        ({"y": "discrete"}, "discrete"),
        ({"y": "continuous", "discrete": "discrete"}, "mixed"),
    ],
)
def test_auto_conditional_follows_the_labels(track, labels, expected):
    kinds = {"continuous": track.continuous, "discrete": track.truth["direction"]}
    kwargs = {k: kinds[v] for k, v in labels.items()}
    model = identica.Embedding(encoder="mlp", **SMALL).fit(track.neural, **kwargs)
    assert model.conditional_ == expected


def test_transform_has_one_row_per_input_row(track):
    model = identica.Embedding(encoder="conv10", **SMALL).fit(track.neural)
    out = model.transform(track.neural[:7])
    assert out.shape == (7, 4) and out.dtype == np.float32
    assert np.allclose(np.linalg.norm(out, axis=1), 1.0, atol=1e-5)


def test_transform_pads_edges_by_repeating_rows(track):
    model = identica.Embedding(encoder="conv5", **SMALL).fit(track.neural)
    X = track.neural[:50]
    padded = np.concatenate([X[:1], X[:1], X, X[-1:], X[-1:]])  # Offset(2, 3)
    inner = model.transform(padded)[2:-2]
    assert np.allclose(model.transform(X), inner, atol=1e-6)


@pytest.mark.parametrize("similarity", ["euclidean", "dot"])
def test_non_cosine_similarities_train(track, similarity):
    model = identica.Embedding(encoder="mlp", similarity=similarity, **SMALL)
    out = model.fit(track.neural, track.continuous).transform(track.neural)
    assert np.isfinite(out).all()
    assert not np.allclose(np.linalg.norm(out, axis=1), 1.0)


def test_learned_temperature_moves(track):
    model = identica.Embedding(encoder="mlp", learn_temperature=True, temperature=1.0,
                               **{**SMALL, "learning_rate": 0.05})
    model.fit(track.neural, track.continuous)
    assert float(model.loss_.temperature.detach()) != 1.0


def test_time_offset_tuple(track):
    model = identica.Embedding(encoder="mlp", conditional="time", time_offset=(1, 5, 10),
                               **SMALL)
    assert model.fit(track.neural).n_iter_ == 4


def _heldout_r2(model, track):
    cut = 1600
    model.fit(track.neural[:cut], track.continuous[:cut])
    z = model.transform(track.neural)
    position = track.truth["position"]
    return KNNDecoder().fit(z[:cut], position[:cut]).score(z[cut:], position[cut:])


@pytest.mark.parametrize("conditional", ["time_delta", "delta"])
def test_behaviour_embedding_carries_position(track, conditional):
    model = identica.Embedding(encoder="conv10", conditional=conditional, delta=0.1,
                               output_dimension=4, hidden_units=16, batch_size=128,
                               max_iterations=150, learning_rate=3e-3, random_state=0)
    assert _heldout_r2(model, track) > 0.8


def test_trials_bound_every_pair(track):
    starts = np.arange(0, 2000, 250)
    model = identica.Embedding(encoder="conv10", conditional="time", time_offset=5, **SMALL)
    model.fit(track.neural, trial_starts=starts)
    assert model.n_iter_ == 4
    from identica.data import Dataset, as_recording
    from identica.sampling import make_sampler

    dataset = Dataset([as_recording(track.neural, trial_starts=starts)])
    runs = dataset.valid_runs(model.receptive_field_)
    sampler = make_sampler("time", dataset, runs, time_offset=5, delta=None,
                           prior=None, num_negatives=64)
    import torch

    batch = sampler.sample(512, generator=torch.Generator().manual_seed(0))
    trial = np.searchsorted(starts, batch.reference.numpy() - 5, side="right")
    trial_end = np.searchsorted(starts, batch.positive.numpy() + 4, side="right")
    assert np.array_equal(trial, trial_end)


@pytest.mark.parametrize(
    ("starts", "match"),
    [([5, 100], "must start at 0"), ([0, 100, 50], "increase strictly"),
     ([0, 5000], "stay below the 2000 rows"), ([0.0, 10.0], "integer row indices")],
)
def test_malformed_trial_starts(track, starts, match):
    from identica.exceptions import DataValidationError

    with pytest.raises(DataValidationError, match=match):
        identica.Embedding(**SMALL).fit(track.neural, trial_starts=np.array(starts))


def test_negatives_default_to_the_other_references(track):
    from identica.estimator import EmbeddingConfig

    assert EmbeddingConfig.from_params(identica.Embedding().get_params()).negatives == "references"
    resolved = EmbeddingConfig.from_params(identica.Embedding(num_negatives=100).get_params())
    assert resolved.negatives == "independent"


@pytest.mark.parametrize("negatives", ["references", "independent"])
def test_both_negative_modes_learn_position(track, negatives):
    model = identica.Embedding(encoder="conv10", negatives=negatives, output_dimension=4,
                               hidden_units=16, batch_size=128, max_iterations=150,
                               learning_rate=3e-3, random_state=0)
    assert _heldout_r2(model, track) > 0.8


LEARN = dict(encoder="conv10", output_dimension=4, hidden_units=16, batch_size=128,
             max_iterations=150, learning_rate=3e-3, random_state=0)


def test_discrete_embedding_carries_the_class(track):
    direction = track.truth["direction"]
    model = identica.Embedding(**LEARN).fit(track.neural[:1600], direction[:1600])
    assert model.conditional_ == "discrete"
    z = model.transform(track.neural)
    assert KNNDecoder().fit(z[:1600], direction[:1600]).score(z[1600:], direction[1600:]) > 0.85


def test_mixed_embedding_carries_position_within_direction(track):
    direction = track.truth["direction"]
    model = identica.Embedding(**LEARN).fit(track.neural[:1600], track.continuous[:1600, :1],
                                            discrete=direction[:1600])
    assert model.conditional_ == "mixed"
    z = model.transform(track.neural)
    position = track.truth["position"]
    assert KNNDecoder().fit(z[:1600], position[:1600]).score(z[1600:], position[1600:]) > 0.8


def test_time_embedding_without_labels_still_carries_position(track):
    model = identica.Embedding(**{**LEARN, "time_offset": 2}).fit(track.neural[:1600])
    assert model.conditional_ == "time"
    z = model.transform(track.neural)
    position = track.truth["position"]
    assert KNNDecoder().fit(z[:1600], position[:1600]).score(z[1600:], position[1600:]) > 0.5
