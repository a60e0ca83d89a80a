# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of attribute: fitted models, batching, padding, modes, warnings and errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import identica
from identica.attribution import METHODS, AttributionMap, _attribute, attribute
from identica.exceptions import ConfigurationError, DataValidationError, NotFittedError
from identica.nn import MLPEncoder


def _fit(encoder: str, X: np.ndarray, **kwargs) -> identica.Embedding:
    return identica.Embedding(
        encoder=encoder, output_dimension=3, hidden_units=8, batch_size=32, max_iterations=5,
        time_offset=1, device="cpu", random_state=0, **kwargs,
    ).fit(X)


@pytest.fixture(scope="module")
def data():
    return np.random.default_rng(0).normal(size=(120, 10)).astype(np.float32)


@pytest.fixture(scope="module")
def mlp_model(data):
    return _fit("mlp", data, similarity="euclidean")


@pytest.fixture(scope="module")
def conv_model(data):
    return _fit("conv5", data)


@pytest.mark.parametrize("method", METHODS)
def test_every_method_on_a_fitted_model(mlp_model, data, method):
    maps = attribute(mlp_model, data, method=method, n_steps=4)
    assert isinstance(maps, AttributionMap)
    assert maps.summary.shape == (3, 10) and maps.per_sample.shape == (120, 3, 10)
    assert maps.summary.dtype == np.float32 and np.all(np.isfinite(maps.per_sample))
    np.testing.assert_allclose(maps.summary, np.abs(maps.per_sample).mean(0), rtol=1e-5)


def test_model_and_its_encoder_agree(mlp_model, data):
    from_model = attribute(mlp_model, data, method="jacobian")
    from_encoder = attribute(mlp_model.encoder_, data, method="jacobian")
    np.testing.assert_array_equal(from_model.per_sample, from_encoder.per_sample)


def test_conv_model_gives_one_map_per_row_and_batching_does_not_matter(conv_model, data):
    full = attribute(conv_model, data, method="jacobian")
    small = attribute(conv_model, data, method="jacobian", batch_size=7)
    assert full.per_sample.shape == (120, 3, 10)
    np.testing.assert_allclose(small.per_sample, full.per_sample, rtol=1e-5, atol=1e-7)
    # a normalised output makes J rank-deficient (C - 1): float32 noise in J shows more in J⁺
    inverted = attribute(conv_model, data, method="inverted-jacobian")
    inverted_small = attribute(conv_model, data, method="inverted-jacobian", batch_size=7)
    np.testing.assert_allclose(inverted_small.per_sample, inverted.per_sample, rtol=1e-3,
                               atol=1e-4)


def test_summary_only(conv_model, data):
    full = attribute(conv_model, data, method="jacobian", lags="convabs")
    summary = attribute(conv_model, data, method="jacobian", lags="convabs",
                        return_per_sample=False, batch_size=50)
    assert summary.per_sample is None
    np.testing.assert_allclose(summary.summary, full.summary, rtol=1e-5)


def test_restores_training_mode_and_works_under_no_grad(data):
    torch.manual_seed(0)
    encoder = MLPEncoder(10, 3, hidden_units=8).train()
    expected = attribute(encoder, data, method="jacobian")
    assert encoder.training
    with torch.no_grad():
        again = attribute(encoder, data, method="jacobian")
    np.testing.assert_array_equal(again.per_sample, expected.per_sample)
    assert all(p.grad is None for p in encoder.parameters())


@pytest.mark.parametrize(
    "method", ["jacobian", "integrated-gradients", "feature-ablation", "gradient-shap"]
)
def test_works_under_inference_mode(data, method):
    torch.manual_seed(0)
    encoder = MLPEncoder(10, 3, hidden_units=8)
    expected = attribute(encoder, data, method=method, baseline=0.1, n_steps=2)
    with torch.inference_mode():
        inferred = attribute(encoder, data, method=method, baseline=0.1, n_steps=2)
    np.testing.assert_array_equal(inferred.per_sample, expected.per_sample)


def test_constant_encoder_gives_zero_maps(data):
    encoder = MLPEncoder(10, 3, hidden_units=8, output_constraint="none")
    with torch.no_grad():
        for p in encoder.parameters():
            p.zero_()
    maps = attribute(encoder, data, method="inverted-integrated-gradients", n_steps=2)
    np.testing.assert_array_equal(maps.per_sample, 0.0)


def test_multi_session_model_needs_a_session(seed):
    rng = np.random.default_rng(seed)
    X = [rng.normal(size=(80, 6)), rng.normal(size=(80, 9))]
    y = [rng.normal(size=(80, 1)), rng.normal(size=(80, 1))]
    model = identica.Embedding(encoder="mlp", output_dimension=3, hidden_units=8, batch_size=16,
                               max_iterations=2, time_offset=1, device="cpu", random_state=0)
    model.fit(X, y)
    assert len(model.encoders_) == 2
    with pytest.raises(ConfigurationError, match=r"'session' of attribute must be .* Got None"):
        attribute(model, X[1])
    with pytest.raises(ConfigurationError, match=r"'session' of attribute .* Got 2"):
        attribute(model, X[1], session=2)
    with pytest.raises(DataValidationError, match="X has 9 features, .* expecting 6"):
        attribute(model, X[1], session=0)
    assert attribute(model, X[1], session=1, method="jacobian").summary.shape == (3, 9)


def test_warns_when_the_two_inverses_disagree(monkeypatch, mlp_model, data):
    pinv = _attribute.pinv

    def perturbed(matrices, inverse, rcond):
        out = pinv(matrices, inverse, rcond)
        return out * 1.01 if inverse == "svd" else out

    monkeypatch.setattr(_attribute, "pinv", perturbed)
    with pytest.warns(RuntimeWarning, match=r"'lstsq' and 'svd' .* 120 of 120 samples"):
        attribute(mlp_model, data, method="inverted-jacobian")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "inverted-jacobain"}, "Did you mean 'inverted-jacobian'"),
        ({"inverse": "pinv"}, r"'inverse' of attribute must be one of \['lstsq', 'svd'\]"),
        ({"lags": "abs"}, r"'lags' of attribute must be one of .* Got 'abs'"),
        ({"n_steps": 0}, r"'n_steps' of attribute must be an int in \[1, inf\]. Got 0"),
        ({"batch_size": 1.5}, r"'batch_size' of attribute .* Got 1.5"),
        ({"baseline": [0.0, 1.0]}, r"'baseline' .* shape \(10,\)"),
        ({"baseline": float("nan")}, "'baseline' of attribute must be finite"),
        ({"baseline": "zero"}, r"'baseline' .* Got 'zero'"),
        ({"n_draws": 0}, r"'n_draws' of attribute must be an int in \[1, inf\]. Got 0"),
        ({"noise": -0.1},
         r"'noise' of attribute must be a finite number in \[0.0, inf\]. Got -0.1"),
        ({"noise": float("inf")}, r"'noise' of attribute .* Got inf"),
        ({"random_state": -1},
         r"'random_state' of attribute must be None, a non-negative int, .* Got -1"),
        ({"random_state": "seed"}, r"'random_state' of attribute .* Got 'seed'"),
        ({"method": "integrated-gradients", "baseline": "shuffled"},
         r"'baseline' of attribute must be a number or an array of shape \(10,\) .* for "
         r"method 'integrated-gradients'; the string baselines \['shuffled'\] are only allowed "
         r"for 'gradient-shap' and 'inverted-gradient-shap'. Got 'shuffled'"),
        ({"method": "inverted-jacobian", "baseline": "shuffled"}, r"only allowed .* 'shuffled'"),
        ({"method": "gradient-shap", "baseline": "shufled"},
         r"'baseline' of attribute must be a number, an array of shape \(10,\) or one of "
         r"\['shuffled'\] for method 'gradient-shap'. Got 'shufled'. Did you mean 'shuffled'"),
        ({"method": "inverted-gradient-shap", "baseline": "zeros"}, r"one of \['shuffled'\]"),
        ({"method": "gradient-shap", "baseline": [0.0, 1.0]}, r"'baseline' .* shape \(10,\)"),
    ],
)
def test_parameter_errors(mlp_model, data, kwargs, match):
    with pytest.raises(ConfigurationError, match=match):
        attribute(mlp_model, data, **kwargs)


def test_data_errors(mlp_model, data):
    with pytest.raises(DataValidationError, match="X has 4 features, .* expecting 10"):
        attribute(mlp_model, data[:, :4])
    with pytest.raises(DataValidationError, match="2-D"):
        attribute(mlp_model, data[:, 0])


def test_model_errors(data):
    with pytest.raises(NotFittedError, match="not fitted"):
        attribute(identica.Embedding(), data)
    with pytest.raises(ConfigurationError, match="fitted identica.Embedding .* Got str"):
        attribute("mlp", data)
    with pytest.raises(ConfigurationError, match=r"lacks \['receptive_field'"):
        attribute(torch.nn.Linear(10, 3), data)
    with pytest.raises(ConfigurationError, match="must be None when an encoder is given"):
        attribute(MLPEncoder(10, 3), data, session=0)
