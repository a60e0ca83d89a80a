# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""EquivariantObjective: the step's loss equals the loss of its parts, done by hand."""

from __future__ import annotations

import pytest
import torch

from identica.data import Offset, WindowGatherer
from identica.equivariance import EquivariantObjective, estimate_action
from identica.exceptions import ConfigurationError
from identica.losses import action_infonce
from identica.nn import make_encoder
from identica.sampling import GroupPairSampler
from identica.training import SessionEncoders


@pytest.mark.parametrize("projection", ["orthogonal", "none", "identity"])
def test_the_step_is_estimate_then_loss(projection):
    torch.manual_seed(0)
    encoder = make_encoder("mlp", 5, 3, output_constraint="none")
    pairs = torch.randn(2 * 60, 5)
    embed = SessionEncoders([encoder], [WindowGatherer(pairs, Offset(0, 1))], [0])
    sampler = GroupPairSampler(torch.arange(60) % 5, samples_per_action=4, num_negatives=16)
    batch = sampler.sample(3, generator=torch.Generator().manual_seed(0))
    parts = EquivariantObjective(projection=projection)(batch, embed, step=0,
                                                        generator=torch.Generator())
    with torch.no_grad():
        ref = encoder(pairs[batch.reference][:, :, None]).reshape(3, 5, 3)
        pos = encoder(pairs[batch.positive][:, :, None]).reshape(3, 5, 3)
        neg = encoder(pairs[batch.negative][:, :, None])
        q = estimate_action(ref[:, 1:], pos[:, 1:], projection=projection)
        want = action_infonce(ref[:, 0], pos[:, 0], neg, q)
    for got, expected in zip(parts, want, strict=True):
        torch.testing.assert_close(got.detach(), expected, rtol=1e-5, atol=1e-5)


def test_bad_options_are_refused():
    with pytest.raises(ConfigurationError, match="'projection' of EquivariantObjective"):
        EquivariantObjective(projection="svd")


@pytest.mark.parametrize("projection", ["orthogonal", "none", "procrustes"])
def test_estimate_then_loss_is_unchanged_by_a_common_orthogonal_map(projection):
    """x' = A x: transforming every embedding by one orthogonal L changes neither the loss nor
    its parts, the estimated action becoming L Q Lᵀ by itself."""
    g = torch.Generator().manual_seed(0)
    a = torch.linalg.qr(torch.randn(4, 3, 3, generator=g, dtype=torch.float64)).Q
    ref = torch.randn(4, 9, 3, generator=g, dtype=torch.float64)
    pos = ref @ a.transpose(1, 2) + 0.05 * torch.randn(4, 9, 3, generator=g,
                                                       dtype=torch.float64)
    neg = torch.randn(32, 3, generator=g, dtype=torch.float64)
    l_map = torch.linalg.qr(torch.randn(3, 3, generator=g, dtype=torch.float64)).Q

    def loss(r, p, n):
        q = estimate_action(r[:, 1:], p[:, 1:], projection=projection)
        return action_infonce(r[:, 0], p[:, 0], n, q)

    before, after = loss(ref, pos, neg), loss(ref @ l_map.T, pos @ l_map.T, neg @ l_map.T)
    for x, y in zip(before, after, strict=True):
        torch.testing.assert_close(x, y)
