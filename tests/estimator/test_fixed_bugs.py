# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Bugs of the facade before it became a package, each with the test that catches it."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import identica
from identica.exceptions import ConfigurationError

SMALL = dict(encoder="mlp", output_dimension=4, hidden_units=8, batch_size=16,
             max_iterations=3, random_state=0, device="cpu")


@pytest.fixture(scope="module")
def track():
    return identica.synthetic.linear_track(n_samples=600, n_neurons=12, random_state=0)


@pytest.mark.parametrize(
    ("objective", "match"),
    [(identica.Objective(time_offset=-3, conditional="time"),
      r"'time_offset' of Objective 0 must be an int in \[1, inf\]. Got -3"),
     (identica.Objective(time_offset=(2, 0), conditional="time"),
      r"'time_offset' of Objective 0 .* Got 0"),
     (identica.Objective(conditional="delta", delta=-1.0),
      r"'delta' of Objective 0 must be a finite number in \(0.0, inf\]. Got -1.0")],
)
def test_objectives_with_bad_offsets_or_noise_are_refused(track, objective, match):
    model = identica.Embedding(**SMALL, objectives=[objective])
    with pytest.raises(ConfigurationError, match=match):
        model.fit(track.neural, track.continuous)
    assert not model.__sklearn_is_fitted__()


def test_a_delta_objective_needs_delta(track):
    model = identica.Embedding(**SMALL, objectives=[identica.Objective(conditional="delta")])
    with pytest.raises(ConfigurationError, match="'delta' of Objective 0 must be a positive"):
        model.fit(track.neural, track.continuous)


@pytest.mark.parametrize("kind", ["hybrid", "objectives", "sessions"])
def test_goodness_of_fit_of_every_model_kind(track, kind):
    X, y = track.neural, track.continuous
    if kind == "hybrid":
        model = identica.Embedding(**{**SMALL, "max_iterations": 40}, hybrid=True)
    elif kind == "objectives":
        model = identica.Embedding(**{**SMALL, "max_iterations": 40}, objectives=[
            identica.Objective(dims=(0, 1), label="position"),
            identica.Objective(dims=(2, 3), conditional="time", weight=0.5)])
        y = {"position": track.continuous}
    else:
        X, y = [X[:300], X[300:, :10]], [y[:300], y[300:]]
        model = identica.Embedding(**{**SMALL, "max_iterations": 40})
    model.fit(X, y)
    bits = identica.metrics.goodness_of_fit(model, X, y, n_batches=4)
    assert np.isfinite(bits)
    # Goodness of fit is the chance loss minus the mean loss, in bits.
    loss = model.contrastive_loss(X, y, n_batches=4)
    assert bits == pytest.approx((model.chance_loss_ - loss) * np.log2(np.e))
    if kind != "sessions":
        weights = 2.0 if kind == "hybrid" else 1.5
        assert model.chance_loss_ == pytest.approx(weights * np.log(15))


def test_goodness_of_fit_checks_its_random_state(track):
    model = identica.Embedding(**SMALL).fit(track.neural, track.continuous)
    with pytest.raises(ConfigurationError, match="'random_state' of goodness_of_fit"):
        identica.metrics.goodness_of_fit(model, track.neural, track.continuous,
                                         random_state=-1)
    seeded = [identica.metrics.goodness_of_fit(model, track.neural, track.continuous,
                                               n_batches=2,
                                               random_state=np.random.default_rng(5))
              for _ in range(2)]
    assert seeded[0] == seeded[1]


def test_adapt_takes_the_registry_mlp_clip_encoder(track):
    model = identica.Embedding(**{**SMALL, "encoder": "mlp-clip", "max_adapt_iterations": 3})
    model.fit(track.neural, track.continuous)
    new = track.neural[:, :9]
    model.adapt(new, track.continuous)
    assert model.transform(new).shape == (600, 4)
    assert model.encoder_.net[0].in_features == 9


def test_batch_size_is_per_session_as_documented(track):
    """``batch_size`` pairs per session and step: the docstring says so, and it holds."""
    assert "per session" in identica.Embedding.__doc__.split("batch_size")[1][:200]
    X, y = [track.neural[:300], track.neural[300:]], [track.continuous[:300],
                                                      track.continuous[300:]]
    model = identica.Embedding(**{**SMALL, "batch_size": 16, "max_iterations": 1}).fit(X, y)
    from identica.estimator import EmbeddingConfig, assemble, plan_fit

    config = EmbeddingConfig.from_params(model.get_params())
    parts = assemble(config, plan_fit(config, X, y), "cpu")
    batch = parts.sampler.sample(config.batch_size, generator=torch.Generator())
    assert len(batch.reference) == 2 * 16


def test_every_public_random_state_takes_the_same_values(track):
    rs = np.random.RandomState(0)
    assert identica.synthetic.linear_track(n_samples=200, n_neurons=5,
                                           random_state=rs).neural.shape == (200, 5)
    member = identica.Embedding(**SMALL)
    ensemble = identica.ConsistencyEnsemble(member, n_seeds=2,
                                            random_state=np.random.default_rng(3))
    ensemble.fit(track.neural, track.continuous)
    seeds = [m.random_state for m in ensemble.estimators_]
    assert seeds[1] == seeds[0] + 1
    for bad in (-1, 1.5, "seed", True):
        for call in (
            lambda b: identica.Embedding(**{**SMALL, "random_state": b}).fit(track.neural),
            lambda b: identica.ConsistencyEnsemble(member, random_state=b).fit(track.neural),
            lambda b: identica.synthetic.linear_track(n_samples=100, random_state=b),
        ):
            with pytest.raises(ConfigurationError, match=r"'random_state' of \w+ must be None"):
                call(bad)


def test_save_load_partial_fit_continues_the_run_bit_for_bit(track, tmp_path):
    """The file stores the optimiser and the sampling stream: no re-seeding, no restart."""
    params = {**SMALL, "encoder": "conv5", "learn_temperature": True, "temperature": 0.5}
    straight = identica.Embedding(**params).fit(track.neural, track.continuous)
    resumed = identica.Embedding(**params).fit(track.neural, track.continuous)
    path = tmp_path / "m.safetensors"
    resumed.save(path)
    resumed = identica.load(path)
    straight.partial_fit(track.neural, track.continuous)
    resumed.partial_fit(track.neural, track.continuous)
    np.testing.assert_array_equal(straight.loss_history_, resumed.loss_history_)
    np.testing.assert_array_equal(straight.transform(track.neural),
                                  resumed.transform(track.neural))


@pytest.mark.parametrize("random_state", [np.random.default_rng(7), np.random.RandomState(7)])
def test_numpy_generators_are_saved_faithfully(track, tmp_path, random_state):
    model = identica.Embedding(**{**SMALL, "random_state": random_state}).fit(track.neural)
    path = tmp_path / "m.safetensors"
    model.save(path)
    loaded = identica.load(path).random_state
    assert type(loaded) is type(random_state)
    draw = (lambda g: g.integers(1000, size=5)) if isinstance(random_state, np.random.Generator) \
        else (lambda g: g.randint(1000, size=5))
    np.testing.assert_array_equal(draw(loaded), draw(random_state))
