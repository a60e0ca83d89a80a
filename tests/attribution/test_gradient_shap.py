# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Gradient SHAP against closed forms (linear encoders) and independent Monte Carlo references.

The references use ``torch.func.jacrev`` and numpy draws, not the library's batched gradients
or its generators. Monte Carlo checks compare ``z = (estimate - reference) / standard error``:
every ``|z|`` below 6, and a mean ``z²`` near 1 (so the tolerance is not vacuous).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _linear_encoder import LinearWindowEncoder
from torch import nn
from torch.func import jacrev, vmap

from identica.attribution import attribute
from identica.data import Offset
from identica.nn import MLPEncoder

N_DRAWS = 2000


@pytest.fixture
def rng(seed):
    return np.random.default_rng(seed)


@pytest.fixture
def X(rng):
    return rng.normal(size=(40, 8))


@pytest.fixture
def mlp():
    torch.manual_seed(0)
    return MLPEncoder(8, 3, hidden_units=8, output_constraint="none").double()


def windows(X: np.ndarray, field: Offset) -> np.ndarray:
    """Naive edge-padded windows (n_samples, n_features, window), one per row of X."""
    padded = np.concatenate([X[:1].repeat(field.left, 0), X, X[-1:].repeat(field.right - 1, 0)])
    return np.stack([padded[t : t + len(field)].T for t in range(len(X))])


def jacobians(encoder: nn.Module, points: np.ndarray) -> np.ndarray:
    """(n, C, D) Jacobians of a one-step encoder at points (n, D), by torch.func.jacrev."""
    def single(point: torch.Tensor) -> torch.Tensor:
        return encoder(point[None, :, None])[0]

    return vmap(jacrev(single))(torch.from_numpy(points)).detach().numpy()


def outputs(encoder: nn.Module, points: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return encoder(torch.from_numpy(points)[:, :, None]).numpy()


def assert_within_monte_carlo_error(estimate, reference, standard_error):
    z = (estimate - reference) / standard_error
    assert np.abs(z).max() < 6, f"max |z| = {np.abs(z).max():.2f}"
    assert 0.3 < np.mean(z**2) < 3, f"mean z² = {np.mean(z**2):.2f}"


@pytest.mark.parametrize("baseline", [0.0, "vector"])
@pytest.mark.parametrize("width", [1, 4])
def test_linear_encoder_gives_weight_times_distance_for_every_draw(rng, X, baseline, width):
    encoder = LinearWindowEncoder(rng.normal(size=(3, 8, width)), left=width // 2)
    zero = baseline == 0.0
    if baseline == "vector":
        baseline = rng.normal(size=8)
    weight = encoder.weight.detach().numpy()
    distance = windows(X, encoder.receptive_field) - np.reshape(baseline, (1, -1, 1))
    expected = np.einsum("cdw,tdw->tcdw", weight, distance).mean(-1)
    for n_draws in (1, 3):
        maps = attribute(encoder, X, method="gradient-shap", baseline=baseline,
                         n_draws=n_draws, random_state=n_draws)
        np.testing.assert_allclose(maps.per_sample, expected, rtol=1e-12, atol=1e-12)
    if zero:  # a zero baseline makes it gradient × input
        gxi = attribute(encoder, X, method="gradient-x-input")
        np.testing.assert_allclose(maps.per_sample, gxi.per_sample, rtol=1e-12, atol=1e-12)


def test_input_noise_is_gaussian_with_sd_noise(rng, X):
    encoder = LinearWindowEncoder(rng.normal(size=(3, 8, 1)))
    weight = encoder.weight.detach().numpy()[:, :, 0]
    maps = attribute(encoder, X, method="gradient-shap", n_draws=4, noise=0.5)
    mean_noise = maps.per_sample / weight[None] - X[:, None, :]  # mean of 4 draws of ε
    np.testing.assert_allclose(mean_noise, np.broadcast_to(mean_noise[:, :1], mean_noise.shape),
                               atol=1e-9)  # one ε per input entry, shared by the outputs
    assert abs(mean_noise[:, 0].mean()) < 4 * 0.25 / np.sqrt(320)
    assert 0.22 < mean_noise[:, 0].std() < 0.28  # 0.5 / sqrt(4)


def test_shuffled_baselines_are_entries_of_the_data(rng, X):
    encoder = LinearWindowEncoder(rng.normal(size=(3, 8, 1)))
    weight = encoder.weight.detach().numpy()[0, :, 0]  # row of output 0
    maps = attribute(encoder, X, method="gradient-shap", baseline="shuffled", n_draws=1)
    drawn = X - maps.per_sample[:, 0, :] / weight  # the baseline of the single draw
    distance = np.abs(drawn[..., None] - X.ravel()).min(-1)
    assert distance.max() < 1e-9  # every baseline entry is an entry of X ...
    nearest = np.abs(drawn[..., None] - X.ravel()).argmin(-1)
    assert len(np.unique(nearest)) > 0.5 * X.size  # ... drawn from all of them
    own_place = nearest == np.arange(X.size).reshape(X.shape)  # about 1 of 320 by chance
    assert own_place.sum() < 0.05 * X.size


def test_mean_over_draws_approaches_integrated_gradients(mlp, X):
    X = X[:16]
    maps = attribute(mlp, X, method="gradient-shap", n_draws=N_DRAWS)
    nodes, weights = np.polynomial.legendre.leggauss(64)
    per_node = np.stack([X[:, None, :] * jacobians(mlp, a * X) for a in (nodes + 1) / 2])
    integral = np.einsum("k,k...->...", weights / 2, per_node)
    variance = np.einsum("k,k...->...", weights / 2, per_node**2) - integral**2
    assert_within_monte_carlo_error(maps.per_sample, integral, np.sqrt(variance / N_DRAWS))


def test_shuffled_baselines_are_complete_in_expectation(mlp, rng):
    X = rng.normal(size=(40, 8)) + 1.0
    maps = attribute(mlp, X, method="gradient-shap", baseline="shuffled", n_draws=N_DRAWS)
    pool = X.ravel()
    at_baselines = outputs(mlp, rng.choice(pool, size=(100_000, 8)))
    expected = outputs(mlp, X) - at_baselines.mean(0)  # f(x) - E_b f(b)
    # spread of one draw's sum Σ_d (x - b)_d ∂f/∂x_d(b + α(x - b)), by its own simulation
    baselines = rng.choice(pool, size=(40, 500, 8))
    alpha = rng.uniform(size=(40, 500, 1))
    delta = X[:, None] - baselines
    grads = jacobians(mlp, (baselines + alpha * delta).reshape(-1, 8)).reshape(40, 500, 3, 8)
    sums = np.einsum("tkcd,tkd->tkc", grads, delta)
    error = np.sqrt(sums.var(1, ddof=1) / N_DRAWS + at_baselines.var(0) / len(at_baselines))
    assert_within_monte_carlo_error(maps.per_sample.sum(-1), expected, error)
    zero_baseline = outputs(mlp, X) - outputs(mlp, np.zeros((1, 8)))
    assert np.mean(((zero_baseline - expected) / error) ** 2) > 50  # the check has power


@pytest.mark.parametrize("baseline", [0.3, "shuffled"])
def test_same_random_state_is_bit_identical_and_batching_does_not_matter(mlp, X, baseline):
    kwargs = {"method": "gradient-shap", "baseline": baseline, "noise": 0.2, "n_draws": 3}
    torch_state = torch.get_rng_state()
    first = attribute(mlp, X, random_state=7, **kwargs).per_sample
    assert torch.equal(torch.get_rng_state(), torch_state)  # the global generator is untouched
    torch.manual_seed(123)
    np.random.seed(123)
    np.testing.assert_array_equal(attribute(mlp, X, random_state=7, **kwargs).per_sample, first)
    other = attribute(mlp, X, random_state=8, **kwargs).per_sample
    assert not np.allclose(other, first, rtol=1e-3)
    batched = attribute(mlp, X, random_state=7, batch_size=7, **kwargs).per_sample
    np.testing.assert_allclose(batched, first, rtol=1e-12, atol=1e-14)
    fresh = [attribute(mlp, X, random_state=np.random.default_rng(5), **kwargs).per_sample
             for _ in range(2)]
    np.testing.assert_array_equal(fresh[0], fresh[1])
    generator = np.random.default_rng(5)
    advanced = [attribute(mlp, X, random_state=generator, **kwargs).per_sample for _ in range(2)]
    assert not np.allclose(advanced[0], advanced[1], rtol=1e-3)


def test_draws_of_a_time_step_do_not_depend_on_the_recording_length(mlp, X):
    full = attribute(mlp, X, method="gradient-shap", noise=0.2, n_draws=2)
    head = attribute(mlp, X[:25], method="gradient-shap", noise=0.2, n_draws=2)
    np.testing.assert_allclose(head.per_sample, full.per_sample[:25], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("baseline", [0.0, "shuffled"])
def test_inverted_gradient_shap_is_the_pinv_of_the_map(mlp, X, baseline):
    kwargs = {"baseline": baseline, "noise": 0.1, "random_state": 3}
    plain = attribute(mlp, X, method="gradient-shap", **kwargs).per_sample
    inverted = attribute(mlp, X, method="inverted-gradient-shap", **kwargs)
    expected = np.swapaxes(np.linalg.pinv(plain), 1, 2)
    np.testing.assert_allclose(inverted.per_sample, expected, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(inverted.summary, np.abs(expected).mean(0), rtol=1e-7)
