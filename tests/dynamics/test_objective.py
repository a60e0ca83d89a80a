# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""DynamicsObjective: one encoder call, the model's prediction scored by predictive InfoNCE."""

from __future__ import annotations

import torch

from identica.data import Offset, WindowGatherer
from identica.dynamics import DynamicsObjective, LinearDynamics, SwitchingDynamics
from identica.losses import predictive_infonce
from identica.nn import make_encoder
from identica.sampling import BatchIndex
from identica.training import AbstractObjective, SessionEncoders


class Counting(torch.nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner, self.calls = inner, 0
        self.receptive_field = inner.receptive_field

    def forward(self, x):
        self.calls += 1
        return self.inner(x)


def _setup(seed=0):
    generator = torch.Generator().manual_seed(seed)
    data = torch.randn(40, 5, generator=generator)
    encoder = Counting(make_encoder("mlp-scaled", 5, 2, output_constraint="none"))
    embed = SessionEncoders([encoder], [WindowGatherer(data, Offset(0, 1))], [0])
    batch = BatchIndex(torch.tensor([0, 3, 7, 20]), torch.tensor([1, 4, 8, 21]),
                       torch.arange(25, 40))
    return encoder, embed, batch


def test_one_encoder_call_and_the_loss_of_the_prediction():
    encoder, embed, batch = _setup()
    dynamics = LinearDynamics(2)
    with torch.no_grad():
        dynamics.A.copy_(torch.tensor([[0.0, -1.0], [1.0, 0.0]]))
    objective = DynamicsObjective(dynamics)
    assert isinstance(objective, AbstractObjective)
    parts = objective(batch, embed, step=0, generator=torch.Generator())
    assert encoder.calls == 1
    z = encoder.inner(embed.gathers[0](batch.windows))
    expected = predictive_infonce(z[:4] @ dynamics.A.detach().T, z[4:8], z[8:])
    for a, b in zip(parts, expected):
        torch.testing.assert_close(a, b)


def test_gradients_reach_encoder_and_dynamics():
    encoder, embed, batch = _setup()
    dynamics = LinearDynamics(2)
    DynamicsObjective(dynamics)(batch, embed, step=0, generator=torch.Generator()).total.backward()
    assert dynamics.A.grad is not None and dynamics.A.grad.abs().sum() > 0
    assert all(p.grad is not None for p in encoder.parameters())


def test_controls_are_gathered_at_the_references():
    _, embed, batch = _setup()
    dynamics = LinearDynamics(2, n_controls=1)
    with torch.no_grad():
        dynamics.B.fill_(1.0)
    controls = torch.arange(40.0)[:, None]
    seen = {}

    def record(module, args, kwargs, output):
        seen["controls"] = kwargs["controls"]

    dynamics.register_forward_hook(record, with_kwargs=True)
    DynamicsObjective(dynamics, controls=controls)(batch, embed, step=0,
                                                   generator=torch.Generator())
    assert seen["controls"][:, 0].tolist() == [0.0, 3.0, 7.0, 20.0]


def test_switching_draws_only_from_the_step_generator():
    _, embed, batch = _setup()
    dynamics = SwitchingDynamics(2, 3, generator=torch.Generator().manual_seed(1)).train()
    objective = DynamicsObjective(dynamics)
    a = objective(batch, embed, step=0, generator=torch.Generator().manual_seed(3)).total
    torch.manual_seed(123)
    b = objective(batch, embed, step=0, generator=torch.Generator().manual_seed(3)).total
    assert torch.equal(a, b)
