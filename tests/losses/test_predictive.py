# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Predictive InfoNCE against a naive loop over rows and negatives (values and gradients)."""

from __future__ import annotations

import math

import pytest
import torch

from identica.losses import (
    AbstractContrastiveLoss,
    InfoNCE,
    LossParts,
    PredictiveInfoNCE,
    euclidean,
    predictive_infonce,
)

DTYPES = [torch.float32, torch.float64]
TOL = {torch.float32: (1e-4, 1e-5), torch.float64: (1e-10, 1e-12)}


def naive(prediction, positive, negative, tau=1.0):
    """Row by row: |r - p|²/τ + log(exp(-|r - p|²/τ) + Σ_j exp(-|r - n_j|²/τ)), stable."""
    rows = []
    for i in range(prediction.shape[0]):
        r, p = prediction[i], positive[i]
        aligned = sum((r[k] - p[k]) ** 2 for k in range(r.shape[0])) / tau
        terms = [-aligned] + [
            -sum((r[k] - negative[j, k]) ** 2 for k in range(r.shape[0])) / tau
            for j in range(negative.shape[0])
        ]
        top = max(float(t.detach()) for t in terms)
        rows.append(aligned + torch.log(sum(torch.exp(t - top) for t in terms)) + top)
    return sum(rows) / len(rows)


def _tensors(dtype, n=6, m=9, d=3, scale=1.0, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return [(scale * torch.randn(k, d, generator=generator, dtype=torch.float64))
            .to(dtype).requires_grad_(True) for k in (n, n, m)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("tau", [1.0, 0.3])
def test_values_and_gradients_match_the_naive_loop(dtype, tau):
    rtol, atol = TOL[dtype]
    tensors = _tensors(dtype)
    fast = predictive_infonce(*tensors, temperature=tau).total
    grads = torch.autograd.grad(fast, tensors)
    copies = [t.detach().clone().requires_grad_(True) for t in tensors]
    slow = naive(*copies, tau=tau)
    slow_grads = torch.autograd.grad(slow, copies)
    torch.testing.assert_close(fast, slow.to(dtype), rtol=rtol, atol=atol)
    for g, h in zip(grads, slow_grads):
        torch.testing.assert_close(g, h, rtol=rtol, atol=atol)


def test_gradients_pass_gradcheck_in_float64():
    tensors = _tensors(torch.float64, n=3, m=4, d=2)
    assert torch.autograd.gradcheck(lambda r, p, n: predictive_infonce(r, p, n).total, tensors)


def test_parts_add_up_and_alignment_is_the_mean_squared_distance():
    prediction, positive, negative = _tensors(torch.float64)
    parts = predictive_infonce(prediction, positive, negative, temperature=0.5)
    assert isinstance(parts, LossParts)
    torch.testing.assert_close(parts.total, parts.alignment + parts.uniformity)
    distance = ((prediction - positive) ** 2).sum(1).mean() / 0.5
    torch.testing.assert_close(parts.alignment, distance)


def test_with_identity_dynamics_it_is_infonce_with_squared_distance_and_full_denominator():
    reference, positive, negative = _tensors(torch.float64, n=32, m=64, d=4)
    ours = PredictiveInfoNCE()(reference, positive, negative)
    theirs = InfoNCE(similarity=euclidean, denominator="full")(reference, positive, negative)
    for a, b in zip(ours, theirs):
        torch.testing.assert_close(a, b.to(a.dtype), rtol=1e-12, atol=1e-12)
    # the default InfoNCE leaves the positive out of the denominator: a different loss
    other = InfoNCE(similarity=euclidean)(reference, positive, negative).total
    assert not torch.isclose(ours.total, other.to(ours.total.dtype))


def test_chance_value_is_log_of_negatives_plus_one():
    z = torch.zeros(5, 3)
    assert math.isclose(float(predictive_infonce(z, z, torch.zeros(7, 3)).total), math.log(8),
                        rel_tol=1e-6)


@pytest.mark.parametrize("scale", [30.0, 1e3])
def test_stable_for_large_distances(scale):
    tensors = _tensors(torch.float64, scale=scale)
    value = predictive_infonce(*tensors).total
    grads = torch.autograd.grad(value, tensors)
    assert torch.isfinite(value) and all(torch.isfinite(g).all() for g in grads)
    expected = naive(*[t.detach() for t in tensors])
    torch.testing.assert_close(value, expected, rtol=1e-9, atol=1e-6)
    small = _tensors(torch.float32, scale=scale)
    assert torch.isfinite(predictive_infonce(*small).total)


def test_unchanged_when_pairs_are_permuted_jointly_or_negatives_shuffled():
    prediction, positive, negative = [t.detach() for t in _tensors(torch.float64, n=10, m=12)]
    base = predictive_infonce(prediction, positive, negative).total
    rows = torch.randperm(10, generator=torch.Generator().manual_seed(1))
    cols = torch.randperm(12, generator=torch.Generator().manual_seed(2))
    moved = predictive_infonce(prediction[rows], positive[rows], negative[cols]).total
    torch.testing.assert_close(base, moved)


def test_exclude_self_drops_the_own_row():
    prediction, positive, _ = [t.detach() for t in _tensors(torch.float64, n=5)]
    with_self = predictive_infonce(prediction, positive, prediction).total
    without = predictive_infonce(prediction, positive, prediction, exclude_self=True).total
    rows = [naive(prediction[i:i + 1], positive[i:i + 1],
                  torch.cat([prediction[:i], prediction[i + 1:]])) for i in range(5)]
    torch.testing.assert_close(without, sum(rows) / 5)
    assert without < with_self


def test_module_is_a_contrastive_loss_with_a_fixed_temperature():
    loss = PredictiveInfoNCE(temperature=0.25)
    assert isinstance(loss, AbstractContrastiveLoss) and list(loss.parameters()) == []
    prediction, positive, negative = _tensors(torch.float32)
    torch.testing.assert_close(loss(prediction, positive, negative).total,
                               predictive_infonce(prediction, positive, negative,
                                                  temperature=0.25).total)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("inf"), float("nan"), "1", True])
def test_bad_temperature_is_refused(bad):
    with pytest.raises(ValueError, match="'temperature' of PredictiveInfoNCE must be a finite "
                                         "number > 0. Got"):
        PredictiveInfoNCE(temperature=bad)
