# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""action_infonce against a naive loop (values and gradients) and its invariances."""

from __future__ import annotations

import pytest
import torch

from identica.losses import action_infonce


def _naive(reference, positive, negative, action, temperature=1.0):
    rows, align, unif = [], [], []
    for i in range(len(reference)):
        acted = action[i] @ reference[i]
        a = ((acted - positive[i]) ** 2).sum() / temperature
        u = torch.logsumexp(torch.stack([-((acted - n) ** 2).sum() / temperature
                                         for n in negative]), dim=0)
        rows.append(a + u)
        align.append(a)
        unif.append(u)
    return torch.stack(rows).mean(), torch.stack(align).mean(), torch.stack(unif).mean()


def _inputs(dtype, seed=0, n=6, m=9, d=4):
    g = torch.Generator().manual_seed(seed)
    make = lambda *s: torch.randn(*s, generator=g, dtype=dtype).requires_grad_(True)  # noqa: E731
    return make(n, d), make(n, d), make(m, d), make(n, d, d)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("temperature", [1.0, 0.5])
def test_values_and_gradients_match_a_naive_loop(dtype, temperature):
    inputs = _inputs(dtype)
    parts = action_infonce(*inputs, temperature=temperature)
    naive = _naive(*inputs, temperature=temperature)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == torch.float32 else dict(rtol=1e-9, atol=1e-9)
    for got, want in zip(parts, naive, strict=True):
        torch.testing.assert_close(got, want, **tol)
    grads = torch.autograd.grad(parts.total, inputs)
    naive_grads = torch.autograd.grad(naive[0], inputs)
    for got, want in zip(grads, naive_grads, strict=True):
        torch.testing.assert_close(got, want, **tol)


def test_a_common_orthogonal_map_leaves_the_loss_unchanged():
    """With x' = A x, transforming every embedding by one orthogonal L (and so the action to
    L A Lᵀ) changes neither the loss nor its alignment and uniformity."""
    r, p, n, a = (t.detach() for t in _inputs(torch.float64, seed=2))
    p = torch.einsum("nij,nj->ni", a, r)
    l_map = torch.linalg.qr(torch.randn(4, 4, dtype=torch.float64,
                                        generator=torch.Generator().manual_seed(5))).Q
    before = action_infonce(r, p, n, a)
    after = action_infonce(r @ l_map.T, p @ l_map.T, n @ l_map.T, l_map @ a @ l_map.T)
    for x, y in zip(before, after, strict=True):
        torch.testing.assert_close(x, y)


def test_identity_actions_are_euclidean_infonce():
    from identica.losses import euclidean, infonce

    r, p, n, _ = (t.detach() for t in _inputs(torch.float64))
    eye = torch.eye(4, dtype=torch.float64).expand(len(r), 4, 4)
    got = action_infonce(r, p, n, eye)
    want = infonce(r, p, n, similarity=euclidean, denominator="negatives")
    torch.testing.assert_close(got.total, want.total)


def test_permuting_rows_jointly_and_shuffling_negatives_leaves_the_loss_unchanged():
    r, p, n, a = (t.detach() for t in _inputs(torch.float64, seed=3))
    perm, shuffle = torch.randperm(len(r)), torch.randperm(len(n))
    torch.testing.assert_close(action_infonce(r, p, n, a).total,
                               action_infonce(r[perm], p[perm], n[shuffle], a[perm]).total)
