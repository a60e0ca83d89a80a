# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""LpSimilarity (the CL-ICA matched similarities) against a naive per-pair loop (spec §5)."""

from __future__ import annotations

import pytest
import torch

from identica.losses import SIMILARITIES, LpSimilarity, euclidean, infonce, l1

DTYPES = [torch.float32, torch.float64]
TOL = {torch.float32: (1e-4, 1e-5), torch.float64: (1e-9, 1e-11)}
P = [1, 1.5, 3]


def naive_lp(a: torch.Tensor, b: torch.Tensor, p: float) -> torch.Tensor:
    return -sum(torch.abs(a[k] - b[k]) ** p for k in range(a.shape[0]))


def naive_logsumexp(values: list[torch.Tensor]) -> torch.Tensor:
    top = max(float(v.detach()) for v in values)
    return torch.log(sum(torch.exp(v - top) for v in values)) + top


def naive_loss(ref, pos, neg, p, tau, denominator, exclude_self):
    rows = []
    for i in range(ref.shape[0]):
        s_pos = naive_lp(ref[i], pos[i], p) / tau
        terms = [s_pos] if denominator == "full" else []
        terms += [naive_lp(ref[i], neg[j], p) / tau for j in range(neg.shape[0])
                  if not (exclude_self and i == j)]
        rows.append(-s_pos + naive_logsumexp(terms))
    return sum(rows) / ref.shape[0]


def batch(dtype, exclude_self):
    g = torch.Generator().manual_seed(7)
    ref = torch.randn(5, 3, generator=g, dtype=torch.float64)
    pos = ref + 0.3 * torch.randn(5, 3, generator=g, dtype=torch.float64)
    neg = torch.randn(6, 3, generator=g, dtype=torch.float64)
    if exclude_self:  # the references are among the negatives: distance 0 on the diagonal
        neg = torch.cat([ref, neg])
    return [t.to(dtype) for t in (ref, pos, neg)]


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("exclude_self", [False, True])
@pytest.mark.parametrize("denominator", ["negatives", "full"])
@pytest.mark.parametrize("p", P)
def test_infonce_values_and_gradients_match_naive_loop(p, denominator, exclude_self, dtype):
    rtol, atol = TOL[dtype]
    data = batch(dtype, exclude_self)
    leaves = [t.clone().requires_grad_(True) for t in data]
    got = infonce(*leaves, similarity=LpSimilarity(p), temperature=0.6,
                  denominator=denominator, exclude_self=exclude_self).total
    naive_leaves = [t.clone().requires_grad_(True) for t in data]
    want = naive_loss(*naive_leaves, p, 0.6, denominator, exclude_self)
    torch.testing.assert_close(got, want, rtol=rtol, atol=atol)
    for g, w in zip(torch.autograd.grad(got, leaves), torch.autograd.grad(want, naive_leaves),
                    strict=True):
        assert bool(torch.isfinite(g).all())
        torch.testing.assert_close(g, w, rtol=rtol, atol=atol)


@pytest.mark.parametrize("p", P)
def test_pairwise_diagonal_is_paired(p):
    a, b, _ = batch(torch.float64, False)
    sim = LpSimilarity(p)
    torch.testing.assert_close(sim.pairwise(a, b).diagonal(), sim.paired(a, b))


def test_p2_is_the_squared_euclidean_similarity():
    a, _, b = batch(torch.float64, False)
    torch.testing.assert_close(LpSimilarity(2).pairwise(a, b), euclidean.pairwise(a, b))


def test_l1_is_registered_by_name():
    assert SIMILARITIES["l1"] is l1 and l1.p == 1.0 and repr(l1) == "l1"
    assert repr(LpSimilarity(2.5)) == "lp(2.5)"


@pytest.mark.parametrize("p", [0.5, 0, -1, float("inf"), float("nan"), "1", True])
def test_bad_exponent_is_rejected(p):
    with pytest.raises(ValueError, match=r"'p' of LpSimilarity must be a finite number >= 1\. "
                                         r"Got"):
        LpSimilarity(p)
