# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Jacobian penalty against torch.func.jacrev, its projection estimate, and the ramp schedule."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import identica
from identica.losses import JacobianRegularizer, LinearRamp, jacobian_penalty


def _net() -> nn.Module:
    torch.manual_seed(0)  # test-local network weights
    return nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 3)).double()


def _reference(net, x):
    jac = torch.func.vmap(torch.func.jacrev(net))(x)  # (batch, 3, 5)
    return 0.5 * jac.pow(2).sum((1, 2)).mean()


def test_exact_form_equals_jacrev():
    net, x = _net(), torch.randn(11, 5, dtype=torch.float64, requires_grad=True)
    got = jacobian_penalty(x, net(x), exact=True)
    torch.testing.assert_close(got, _reference(net, x.detach()))


def test_projection_is_unbiased():
    net, x = _net(), torch.randn(6, 5, dtype=torch.float64, requires_grad=True)
    out = net(x)
    generator = torch.Generator().manual_seed(3)
    draws = torch.stack([jacobian_penalty(x, out, generator=generator).detach()
                         for _ in range(2000)])
    exact = float(_reference(net, x.detach()).detach())
    assert abs(float(draws.mean()) - exact) < 3 * float(draws.std()) / np.sqrt(len(draws))


def test_zero_for_a_constant_network():
    x = torch.randn(4, 5, requires_grad=True)
    assert float(jacobian_penalty(x, 0 * x[:, :2] + 1.0, exact=True)) == 0.0


def test_penalty_trains_through_a_double_backward():
    net, x = _net(), torch.randn(5, 5, dtype=torch.float64, requires_grad=True)
    jacobian_penalty(x, net(x), exact=True).backward()
    weights = [net[0].weight, net[0].bias, net[2].weight]  # the last bias has no Jacobian
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in weights)


@pytest.mark.parametrize(("step", "weight"), [(9, None), (10, 0.0), (15, 0.05), (20, 0.1),
                                              (21, 0.1)])
def test_ramp_values(step, weight):
    assert LinearRamp(on=10, off=20, start=0.0, end=0.1).weight(step) == pytest.approx(weight)


def test_ramp_refuses_reversed_steps():
    with pytest.raises(ValueError, match="0 <= on <= off"):
        LinearRamp(on=5, off=2)


def test_regularizer_sums_its_slices():
    x = torch.randn(3, 4, requires_grad=True)
    reg = JacobianRegularizer(slices=((0,), (1, 2)), schedule=1.0, n_projections=0)
    got = reg.penalty(x, 3 * x, generator=torch.Generator()).detach()
    assert float(got) == pytest.approx(0.5 * 27)


def test_regularised_fit_with_a_ramp_round_trips(track, tmp_path):
    ramp = LinearRamp(on=2, off=4, start=0.0, end=0.1)
    model = identica.Embedding(encoder="conv5", output_dimension=4, hidden_units=8,
                               batch_size=32, max_iterations=6, random_state=0,
                               jacobian_regularization=ramp)
    model.fit(track.neural, track.continuous)
    assert model.encoders_[0].fused is False and np.isfinite(model.loss_history_).all()
    model.save(tmp_path / "r.safetensors")
    assert identica.load(tmp_path / "r.safetensors").jacobian_regularization == ramp


def test_regularization_changes_training(track):
    def fit(weight):
        model = identica.Embedding(encoder="mlp", output_dimension=4, hidden_units=8,
                                   batch_size=32, max_iterations=5, random_state=0,
                                   jacobian_regularization=weight)
        return model.fit(track.neural).transform(track.neural)

    assert np.array_equal(fit(None), fit(0.0))
    assert not np.array_equal(fit(None), fit(1.0))


def test_regularization_trains_multi_session_models(track):
    """Each session's references are penalised through their own encoder."""
    half = len(track.neural) // 2
    X = [track.neural[:half], track.neural[half:, :-3]]
    y = [track.continuous[:half], track.continuous[half:]]
    plain = identica.Embedding(encoder="conv5", batch_size=16, max_iterations=3, random_state=0)
    penalised = identica.Embedding(encoder="conv5", batch_size=16, max_iterations=3,
                                   random_state=0, jacobian_regularization=10.0)
    a, b = plain.fit(X, y), penalised.fit(X, y)
    assert len(b.encoders_) == 2
    # The first step's InfoNCE parts agree; the optimised total adds a positive penalty.
    assert a.alignment_history_[0] == pytest.approx(b.alignment_history_[0], rel=1e-5)
    assert b.loss_history_[0] > a.loss_history_[0] + 1e-3
