# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The dynamics models: identity, linear (with controls) and ∇-SLDS, and their registry."""

from __future__ import annotations

import pytest
import torch

from identica.dynamics import (
    DYNAMICS,
    AbstractDynamics,
    IdentityDynamics,
    LinearDynamics,
    SwitchingDynamics,
    gumbel_noise,
    make_dynamics,
)
from identica.exceptions import ConfigurationError


def _gen(seed=0):
    return torch.Generator().manual_seed(seed)


def test_identity_is_frozen_and_returns_its_input():
    model = IdentityDynamics(3)
    x = torch.randn(5, 3, generator=_gen())
    assert list(model.parameters()) == [] and torch.equal(model(x), x)
    assert torch.equal(model.matrices, torch.eye(3)[None]) and model.control_matrix is None
    assert torch.equal(model.modes(x, x), torch.zeros(5, dtype=torch.int64))


def test_linear_starts_at_the_identity_without_bias():
    model = LinearDynamics(4)
    assert [name for name, _ in model.named_parameters()] == ["A"]
    assert torch.equal(model.A, torch.eye(4)) and model.control_matrix is None
    with torch.no_grad():
        model.A.copy_(2 * torch.eye(4))
    x = torch.randn(3, 4, generator=_gen())
    torch.testing.assert_close(model(x), 2 * x)
    torch.testing.assert_close(model(torch.zeros(2, 4)), torch.zeros(2, 4))  # no bias


def test_linear_controls_add_b_u():
    model = LinearDynamics(2, n_controls=3)
    assert torch.equal(model.B, torch.zeros(2, 3))
    with torch.no_grad():
        model.B.copy_(torch.arange(6.0).reshape(2, 3))
    x, u = torch.randn(4, 2, generator=_gen()), torch.randn(4, 3, generator=_gen(1))
    torch.testing.assert_close(model(x, controls=u), x + u @ model.B.detach().T)
    with pytest.raises(ValueError, match=r"takes 3 control input\(s\) per step; got none"):
        model(x)
    with pytest.raises(ValueError, match=r"controls must have shape \(4, 3\).*got \(4, 2\)"):
        model(x, controls=torch.zeros(4, 2))
    with pytest.raises(ValueError, match=r"takes 0 control input\(s\).*shape \(4, 1\)"):
        LinearDynamics(2)(x, controls=torch.zeros(4, 1))


def test_switching_starts_near_the_identity_from_its_generator():
    a = SwitchingDynamics(3, 4, generator=_gen(7))
    b = SwitchingDynamics(3, 4, generator=_gen(7))
    assert a.matrices.shape == (4, 3, 3) and torch.equal(a.A, b.A)
    deviation = a.A.detach() - torch.eye(3)
    assert 0 < deviation.abs().max() < 0.1 and not torch.equal(a.A[0], a.A[1])
    exact = SwitchingDynamics(3, 4, init_noise=0.0)
    assert torch.equal(exact.A, torch.eye(3).expand(4, 3, 3))
    with pytest.raises(ValueError, match="needs a generator for its initial perturbation"):
        SwitchingDynamics(3, 4)


def _separated(k=3, d=2):
    model = SwitchingDynamics(d, k, init_noise=0.0)
    with torch.no_grad():
        for i in range(k):
            angle = torch.tensor(0.5 * (i + 1))
            model.A[i] = torch.stack([torch.stack([angle.cos(), -angle.sin()]),
                                      torch.stack([angle.sin(), angle.cos()])])
    return model


def test_switching_evaluation_picks_the_best_mode_without_noise():
    model = _separated().eval()
    x = torch.randn(30, 2, generator=_gen())
    truth = torch.arange(30) % 3
    following = model.step(x, truth)
    assert torch.equal(model.modes(x, following), truth)
    torch.testing.assert_close(model(x, following), following)
    errors = model.errors(x, following)
    assert errors.shape == (30, 3) and torch.equal(errors.argmin(1), truth)
    torch.testing.assert_close(model.logits(x, following), 1 / (errors + 1e-16))


def test_switching_training_mixes_with_gumbel_weights_from_the_generator():
    model = _separated().train()
    x = torch.randn(50, 2, generator=_gen())
    following = model.step(x, torch.zeros(50, dtype=torch.int64)) + 0.3
    a = model(x, following, generator=_gen(5))
    b = model(x, following, generator=_gen(5))
    c = model(x, following, generator=_gen(6))
    assert torch.equal(a, b) and not torch.equal(a, c)
    # the mix, by hand: softmax(λ + g) over the K predictions, g drawn from the same seed
    logits = model.logits(x, following)
    weights = torch.softmax(logits + gumbel_noise((50, 3), generator=_gen(5)), dim=1)
    expected = (weights[:, :, None] * model.predict_all(x)).sum(1)
    torch.testing.assert_close(a, expected)
    torch.manual_seed(0)  # the global random state plays no part
    torch.testing.assert_close(model(x, following, generator=_gen(5)), a)


def test_switching_needs_the_positive_and_in_training_a_generator():
    model = SwitchingDynamics(2, 2, init_noise=0.0)
    x = torch.zeros(3, 2)
    with pytest.raises(ValueError, match="chooses its mode from the embedding it predicts"):
        model(x)
    with pytest.raises(ValueError, match="draws Gumbel noise in training"):
        model.train()(x, x)
    with pytest.raises(ValueError, match="has 2 modes: step needs the mode"):
        model.step(x)


@pytest.mark.parametrize("detach", [False, True])
def test_gradients_flow_through_the_logits_unless_detached(detach):
    model = SwitchingDynamics(2, 2, detach_logits=detach, generator=_gen(1)).train()
    x = torch.randn(16, 2, generator=_gen(2))
    following = torch.randn(16, 2, generator=_gen(3), requires_grad=True)
    model(x, following, generator=_gen(4)).sum().backward()
    # the prediction depends on the positive only through the mode weights
    assert (following.grad is not None and following.grad.abs().sum() > 0) != detach


def test_gumbel_noise_is_standard_gumbel():
    draws = gumbel_noise((200_000,), generator=_gen(0), dtype=torch.float64)
    assert torch.isfinite(draws).all()
    assert abs(float(draws.mean()) - 0.5772) < 0.01  # Euler–Mascheroni constant
    assert abs(float(draws.var()) - torch.pi ** 2 / 6) < 0.03


@pytest.mark.parametrize("name, cls", [("identity", IdentityDynamics),
                                       ("linear", LinearDynamics),
                                       ("slds", SwitchingDynamics)])
def test_registry_builds_each_model(name, cls):
    model = make_dynamics(name, 3, n_modes=2 if name == "slds" else 1, generator=_gen())
    assert isinstance(model, cls) and isinstance(model, AbstractDynamics)
    assert model.dimension == 3 and name in DYNAMICS


@pytest.mark.parametrize("kwargs, match", [
    (dict(name="lds"), r"'dynamics' of make_dynamics must be one of.*Got 'lds'"),
    (dict(name="linear", n_modes=2), "'n_modes' of make_dynamics must be 1 for dynamics='linear'"),
    (dict(name="identity", detach_logits=True), "'detach_logits' of make_dynamics applies to"),
    (dict(name="identity", n_controls=1), "'n_controls' of make_dynamics must be 0 for dynamics"),
    (dict(name="slds", n_modes=0), r"'n_modes' of make_dynamics must be an int in \[1, inf\]"),
])
def test_registry_errors_name_the_argument(kwargs, match):
    name = kwargs.pop("name")
    with pytest.raises(ConfigurationError, match=match):
        make_dynamics(name, 2, **kwargs)
