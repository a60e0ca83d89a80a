# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""estimate_action: least squares recovers exact linear actions, projections, group blocks."""

from __future__ import annotations

import pytest
import torch

from identica.equivariance import estimate_action
from identica.exceptions import ConfigurationError


def _orthogonal(b, d, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.linalg.qr(torch.randn(b, d, d, generator=g, dtype=torch.float64)).Q


def _act(q, e):
    return e @ q.transpose(1, 2)


@pytest.mark.parametrize("d, s", [(3, 3), (3, 8), (6, 8)])
def test_least_squares_recovers_exact_linear_actions(d, s):
    g = torch.Generator().manual_seed(1)
    q_true = torch.randn(5, d, d, generator=g, dtype=torch.float64)
    e = torch.randn(5, s, d, generator=g, dtype=torch.float64)
    q = estimate_action(e, _act(q_true, e), projection="none")
    assert q.shape == (5, d, d)
    torch.testing.assert_close(q, q_true)


@pytest.mark.parametrize("projection", ["orthogonal", "procrustes"])
def test_orthogonal_actions_are_returned_by_the_projections(projection):
    q_true = _orthogonal(7, 4)
    e = torch.randn(7, 8, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    torch.testing.assert_close(estimate_action(e, _act(q_true, e), projection=projection),
                               q_true)


def test_the_projection_is_the_nearest_orthogonal_matrix():
    g = torch.Generator().manual_seed(3)
    q_true = torch.randn(4, 3, 3, generator=g, dtype=torch.float64)
    e = torch.randn(4, 10, 3, generator=g, dtype=torch.float64)
    q = estimate_action(e, _act(q_true, e))
    torch.testing.assert_close(q @ q.transpose(1, 2), torch.eye(3, dtype=torch.float64).expand(
        4, 3, 3))
    u, _, vh = torch.linalg.svd(q_true)
    torch.testing.assert_close(q, u @ vh)


def test_group_dimension_leaves_the_content_block_identity():
    q_group = _orthogonal(3, 2, seed=4)
    e = torch.randn(3, 8, 5, dtype=torch.float64, generator=torch.Generator().manual_seed(5))
    acted = e.clone()
    acted[..., :2] = _act(q_group, e[..., :2])
    acted[..., 2:] += 0.3  # the content block is ignored by the solve
    q = estimate_action(e, acted, group_dimension=2)
    torch.testing.assert_close(q[:, :2, :2], q_group)
    torch.testing.assert_close(q[:, 2:, 2:], torch.eye(3, dtype=torch.float64).expand(3, 3, 3))
    assert (q[:, :2, 2:] == 0).all() and (q[:, 2:, :2] == 0).all()


def test_identity_is_the_invariant_baseline():
    e = torch.randn(2, 8, 3)
    assert torch.equal(estimate_action(e, e + 1, projection="identity"),
                       torch.eye(3).expand(2, 3, 3))


def test_no_gradient_by_default_and_a_gradient_on_request():
    e = torch.randn(2, 8, 3, requires_grad=True)
    t = torch.randn(2, 8, 3, requires_grad=True)
    assert not estimate_action(e, t).requires_grad
    q = estimate_action(e, t, with_grad=True)
    q.sum().backward()
    assert e.grad is not None and t.grad is not None


def test_bad_options_are_refused():
    e = torch.randn(1, 4, 3)
    with pytest.raises(ConfigurationError, match="'projection' of estimate_action"):
        estimate_action(e, e, projection="complex")
    with pytest.raises(ConfigurationError, match="'group_dimension' of estimate_action"):
        estimate_action(e, e, group_dimension=4)
