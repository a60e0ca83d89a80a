# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Every attribution method against closed forms (linear encoders) and finite differences."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _linear_encoder import LinearWindowEncoder
from torch import nn

from identica.attribution import INVERSES, attribute
from identica.data import Offset
from identica.nn import ConvEncoder, MLPEncoder


@pytest.fixture
def rng(seed):
    return np.random.default_rng(seed)


@pytest.fixture
def linear(rng):
    return LinearWindowEncoder(rng.normal(size=(3, 8, 1)), bias=0.5)


@pytest.fixture
def X(rng):
    return rng.normal(size=(40, 8))


def windows(X: np.ndarray, field: Offset) -> np.ndarray:
    """Naive edge-padded windows (n_samples, n_features, window), one per row of X."""
    padded = np.concatenate([X[:1].repeat(field.left, 0), X, X[-1:].repeat(field.right - 1, 0)])
    return np.stack([padded[t : t + len(field)].T for t in range(len(X))])


def central_differences(encoder: nn.Module, wins: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """(n, C, D, W) window Jacobians by central differences of the encoder."""
    base = torch.from_numpy(wins)
    out = np.zeros((len(wins), encoder.output_dimension, *wins.shape[1:]))
    with torch.no_grad():
        for d in range(wins.shape[1]):
            for w in range(wins.shape[2]):
                step = torch.zeros_like(base)
                step[:, d, w] = h
                out[:, :, d, w] = ((encoder(base + step) - encoder(base - step)) / (2 * h)).numpy()
    return out


def test_jacobian_of_linear_encoder_is_weight(linear, X):
    maps = attribute(linear, X, method="jacobian")
    weight = linear.weight.detach().numpy()[:, :, 0]
    np.testing.assert_allclose(maps.per_sample, np.broadcast_to(weight, (40, 3, 8)), atol=1e-12)
    np.testing.assert_allclose(maps.summary, np.abs(weight), atol=1e-12)
    assert maps.summary.dtype == np.float64


@pytest.mark.parametrize("inverse", INVERSES)
def test_inverted_jacobian_of_linear_encoder_is_pinv(linear, X, inverse):
    maps = attribute(linear, X, method="inverted-jacobian", inverse=inverse)
    expected = np.linalg.pinv(linear.weight.detach().numpy()[:, :, 0]).T
    np.testing.assert_allclose(maps.per_sample, np.broadcast_to(expected, (40, 3, 8)), atol=1e-12)
    np.testing.assert_allclose(maps.summary, np.abs(expected), atol=1e-12)


@pytest.mark.parametrize("baseline", [0.0, 0.3, "vector"])
@pytest.mark.parametrize("method", ["integrated-gradients", "feature-ablation"])
def test_linear_closed_form_is_weight_times_distance(linear, X, rng, baseline, method):
    if baseline == "vector":
        baseline = rng.normal(size=8)
    maps = attribute(linear, X, method=method, baseline=baseline, n_steps=3)
    weight = linear.weight.detach().numpy()[:, :, 0]
    expected = weight[None] * (X - baseline)[:, None, :]
    np.testing.assert_allclose(maps.per_sample, expected, atol=1e-12)
    inverted = attribute(linear, X, method=f"inverted-{method}", baseline=baseline, n_steps=3)
    np.testing.assert_allclose(
        inverted.per_sample, np.swapaxes(np.linalg.pinv(expected), 1, 2), rtol=1e-7, atol=1e-9
    )


def test_gradient_x_input_of_linear_encoder(linear, X):
    maps = attribute(linear, X, method="gradient-x-input")
    weight = linear.weight.detach().numpy()[:, :, 0]
    np.testing.assert_allclose(maps.per_sample, weight[None] * X[:, None, :], atol=1e-12)


@pytest.mark.parametrize("lags", ["mean", "convabs"])
def test_lag_reductions_of_a_linear_window_encoder(rng, X, lags):
    encoder = LinearWindowEncoder(rng.normal(size=(3, 8, 4)), left=2)
    weight = encoder.weight.detach().numpy()
    reduced = np.abs(weight).mean(-1) if lags == "convabs" else weight.mean(-1)
    maps = attribute(encoder, X, method="jacobian", lags=lags)
    np.testing.assert_allclose(maps.per_sample, np.broadcast_to(reduced, (40, 3, 8)), atol=1e-12)
    inverted = attribute(encoder, X, method="inverted-jacobian", lags=lags)
    np.testing.assert_allclose(inverted.per_sample[5], np.linalg.pinv(reduced).T, atol=1e-12)


def test_mlp_jacobian_matches_central_differences(X):
    torch.manual_seed(0)
    encoder = MLPEncoder(8, 3, hidden_units=8).double()
    maps = attribute(encoder, X, method="jacobian")
    numeric = central_differences(encoder, windows(X, encoder.receptive_field))[..., 0]
    np.testing.assert_allclose(maps.per_sample, numeric, atol=1e-7)


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("lags", ["mean", "convabs"])
def test_conv_jacobian_matches_central_differences(X, fused, lags):
    torch.manual_seed(0)
    encoder = ConvEncoder(8, 3, hidden_units=6, n_blocks=1, last_kernel=2).double()
    encoder.fused = fused
    assert len(encoder.receptive_field) == 5
    numeric = central_differences(encoder, windows(X, encoder.receptive_field))
    reduced = np.abs(numeric).mean(-1) if lags == "convabs" else numeric.mean(-1)
    maps = attribute(encoder, X, method="jacobian", lags=lags, batch_size=16)
    np.testing.assert_allclose(maps.per_sample, reduced, atol=1e-7)


def test_conv_gradient_x_input_and_integrated_gradients(X):
    torch.manual_seed(0)
    encoder = ConvEncoder(8, 3, hidden_units=6, n_blocks=1, last_kernel=2, output_constraint="none")
    encoder = encoder.double()
    wins = windows(X, encoder.receptive_field)
    numeric = central_differences(encoder, wins)
    gxi = attribute(encoder, X, method="gradient-x-input")
    np.testing.assert_allclose(gxi.per_sample, (numeric * wins[:, None]).mean(-1), atol=1e-7)
    ig = attribute(encoder, X, method="integrated-gradients", baseline=0.2, n_steps=40)
    with torch.no_grad():  # completeness: the lag sum of IG is f(x) - f(baseline)
        change = encoder(torch.from_numpy(wins)) - encoder(torch.full_like(
            torch.from_numpy(wins), 0.2))
    np.testing.assert_allclose(ig.per_sample.sum(-1) * 5, change.numpy(), atol=1e-9)


def test_integrated_gradients_completeness_on_mlp(X):
    torch.manual_seed(0)
    encoder = MLPEncoder(8, 3, hidden_units=8).double()
    maps = attribute(encoder, X, method="integrated-gradients", n_steps=50)
    with torch.no_grad():
        wins = torch.from_numpy(windows(X, encoder.receptive_field))
        change = encoder(wins) - encoder(torch.zeros_like(wins))
    np.testing.assert_allclose(maps.per_sample.sum(-1), change.numpy(), atol=1e-10)


def test_feature_ablation_matches_naive_loop(X):
    torch.manual_seed(0)
    encoder = ConvEncoder(8, 3, hidden_units=6, n_blocks=1, last_kernel=2).double()
    wins = windows(X, encoder.receptive_field)
    maps = attribute(encoder, X, method="feature-ablation", baseline=-0.5)
    with torch.no_grad():
        for t in (0, 17, 39):
            x = torch.from_numpy(wins[t : t + 1])
            for d in (0, 7):
                ablated = x.clone()
                ablated[:, d, :] = -0.5
                expected = (encoder(x) - encoder(ablated))[0].numpy()
                np.testing.assert_allclose(maps.per_sample[t, :, d], expected, atol=1e-12)
