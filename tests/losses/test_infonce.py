# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of infonce, InfoNCE and the similarities against a naive per-pair loop (spec §4)."""

from __future__ import annotations

import math

import pytest
import torch

from identica.losses import (
    DENOMINATORS,
    SIMILARITIES,
    AbstractSimilarity,
    InfoNCE,
    LossParts,
    cosine,
    dot,
    euclidean,
    infonce,
)

SIMS = ["cosine", "dot", "euclidean"]
DTYPES = [torch.float32, torch.float64]
# (rtol, atol) per dtype for values and gradients.
TOL = {torch.float32: (1e-4, 1e-5), torch.float64: (1e-9, 1e-11)}


# --------------------------------------------------------------------------------------------
# Naive reference: explicit loops over rows i, negatives j and coordinates k (spec §4).
# --------------------------------------------------------------------------------------------


def naive_sim(kind: str, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Similarity of two 1-D vectors, coordinate by coordinate."""
    d = a.shape[0]
    if kind == "dot":
        return sum(a[k] * b[k] for k in range(d))
    if kind == "euclidean":
        return -sum((a[k] - b[k]) ** 2 for k in range(d))
    if kind == "cosine":
        inner = sum(a[k] * b[k] for k in range(d))
        norm_a = torch.clamp(torch.sqrt(sum(a[k] ** 2 for k in range(d))), min=1e-8)
        norm_b = torch.clamp(torch.sqrt(sum(b[k] ** 2 for k in range(d))), min=1e-8)
        return inner / (norm_a * norm_b)
    raise AssertionError(kind)


def naive_logsumexp(values: list[torch.Tensor]) -> torch.Tensor:
    top = max(float(v.detach()) for v in values)  # detached row maximum
    return torch.log(sum(torch.exp(v - top) for v in values)) + top


def naive_infonce(
    reference: torch.Tensor,
    positive: torch.Tensor,
    negative: torch.Tensor,
    kind: str,
    tau: torch.Tensor | float,
    denominator: str = "negatives",
    exclude_self: bool = False,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Return (total, alignment, uniformity), each a mean over rows."""
    n, m = reference.shape[0], negative.shape[0]
    align_terms, unif_terms = [], []
    for i in range(n):
        s_pos = naive_sim(kind, reference[i], positive[i]) / tau
        terms = [s_pos] if denominator == "full" else []
        for j in range(m):
            if exclude_self and i == j:
                continue
            terms.append(naive_sim(kind, reference[i], negative[j]) / tau)
        align_terms.append(-s_pos)
        unif_terms.append(naive_logsumexp(terms))
    alignment = sum(align_terms) / n
    uniformity = sum(unif_terms) / n
    return alignment + uniformity, alignment, uniformity


@pytest.fixture
def generator() -> torch.Generator:
    return torch.Generator().manual_seed(1234)


def embeddings(generator: torch.Generator, dtype: torch.dtype, n: int = 5, m: int = 6, d: int = 3):
    ref = torch.randn(n, d, generator=generator, dtype=torch.float64).to(dtype)
    pos = (ref + 0.5 * torch.randn(n, d, generator=generator, dtype=torch.float64)).to(dtype)
    neg = torch.randn(m, d, generator=generator, dtype=torch.float64).to(dtype)
    return ref, pos, neg


def close(actual: torch.Tensor, expected: torch.Tensor, dtype: torch.dtype) -> None:
    rtol, atol = TOL[dtype]
    torch.testing.assert_close(actual, expected.to(actual.dtype), rtol=rtol, atol=atol)


# --------------------------------------------------------------------------------------------
# Values and gradients against the loop.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("denominator", ["negatives", "full"])
@pytest.mark.parametrize("kind", SIMS)
def test_values_match_naive_loop(generator, kind, denominator, dtype) -> None:
    ref, pos, neg = embeddings(generator, dtype)
    parts = infonce(ref, pos, neg, similarity=SIMILARITIES[kind], temperature=0.7,
                    denominator=denominator)
    expected = naive_infonce(ref, pos, neg, kind, 0.7, denominator)
    assert isinstance(parts, LossParts)
    assert parts.total.dtype == dtype and parts.total.shape == ()
    for got, want in zip(parts, expected, strict=True):
        close(got, want, dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("denominator", ["negatives", "full"])
@pytest.mark.parametrize("kind", SIMS)
def test_gradients_match_naive_loop(generator, kind, denominator, dtype) -> None:
    """Gradients w.r.t. reference, positive, negative and the temperature."""
    ref, pos, neg = embeddings(generator, dtype)
    leaves = [t.clone().requires_grad_(True) for t in (ref, pos, neg)]
    tau = torch.tensor(0.7, dtype=dtype, requires_grad=True)
    got = torch.autograd.grad(
        infonce(*leaves, similarity=SIMILARITIES[kind], temperature=tau,
                denominator=denominator).total,
        [*leaves, tau],
    )
    naive_leaves = [t.clone().requires_grad_(True) for t in (ref, pos, neg)]
    naive_tau = torch.tensor(0.7, dtype=dtype, requires_grad=True)
    want = torch.autograd.grad(
        naive_infonce(*naive_leaves, kind, naive_tau, denominator)[0],
        [*naive_leaves, naive_tau],
    )
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape
        assert bool(torch.isfinite(g).all())
        close(g, w, dtype)
    # The temperature gradient is not trivially zero on this data.
    assert abs(float(want[3])) > 1e-3


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("denominator", ["negatives", "full"])
@pytest.mark.parametrize("kind", SIMS)
def test_learned_temperature_gradient_matches_chain_rule(generator, kind, denominator,
                                                         dtype) -> None:
    """d loss / d rho = d loss / d tau * sigmoid(rho) for tau = tau_min + softplus(rho)."""
    ref, pos, neg = embeddings(generator, dtype)
    loss = InfoNCE(similarity=SIMILARITIES[kind], temperature=0.7, learn_temperature=True,
                   denominator=denominator)
    loss(ref, pos, neg).total.backward()
    tau = loss.temperature.detach().to(dtype).clone().requires_grad_(True)
    (d_tau,) = torch.autograd.grad(naive_infonce(ref, pos, neg, kind, tau, denominator)[0], [tau])
    expected = d_tau * torch.sigmoid(loss.rho.detach().to(dtype))
    torch.testing.assert_close(loss.rho.grad.to(dtype), expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("denominator", ["negatives", "full"])
@pytest.mark.parametrize("kind", SIMS)
def test_exclude_self_drops_the_diagonal(generator, kind, denominator) -> None:
    ref, pos, _ = embeddings(generator, torch.float64, n=5)
    parts = infonce(ref, pos, ref, similarity=SIMILARITIES[kind], temperature=0.5,
                    denominator=denominator, exclude_self=True)
    expected = naive_infonce(ref, pos, ref, kind, 0.5, denominator, exclude_self=True)
    for got, want in zip(parts, expected, strict=True):
        close(got, want, torch.float64)
    # And it differs from keeping the self-pair.
    kept = infonce(ref, pos, ref, similarity=SIMILARITIES[kind], temperature=0.5,
                   denominator=denominator)
    assert not torch.allclose(kept.uniformity, parts.uniformity)


def test_exclude_self_with_more_negatives_than_rows(generator) -> None:
    """Only the (i, i) entries are masked when the negatives extend past the references."""
    ref, pos, extra = embeddings(generator, torch.float64, n=4, m=3)
    neg = torch.cat([ref, extra])
    parts = infonce(ref, pos, neg, similarity=dot, exclude_self=True)
    expected = naive_infonce(ref, pos, neg, "dot", 1.0, exclude_self=True)
    close(parts.total, expected[0], torch.float64)


# --------------------------------------------------------------------------------------------
# Structure: additivity, chance value, stability.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("denominator", DENOMINATORS)
@pytest.mark.parametrize("kind", SIMS)
def test_loss_parts_are_exactly_additive(generator, kind, denominator) -> None:
    ref, pos, neg = embeddings(generator, torch.float32, n=16, m=20, d=4)
    parts = infonce(ref, pos, neg, similarity=SIMILARITIES[kind], temperature=0.3,
                    denominator=denominator)
    assert torch.equal(parts.total, parts.alignment + parts.uniformity)
    # alignment is -mean(s+); uniformity is the mean logsumexp.
    s_pos = torch.stack([naive_sim(kind, ref[i], pos[i]) for i in range(16)]) / 0.3
    close(parts.alignment, -s_pos.mean(), torch.float32)


@pytest.mark.parametrize("n_negatives", [1, 7, 64])
@pytest.mark.parametrize("denominator", DENOMINATORS)
@pytest.mark.parametrize("kind", SIMS)
def test_chance_value_for_identical_constant_embeddings(kind, denominator, n_negatives) -> None:
    z = torch.tensor([0.3, -1.2, 0.5], dtype=torch.float64)
    ref = z.expand(10, 3)
    neg = z.expand(n_negatives, 3)
    parts = infonce(ref, ref, neg, similarity=SIMILARITIES[kind], temperature=0.2,
                    denominator=denominator)
    chance = math.log(n_negatives + (denominator == "full"))
    assert float(parts.total) == pytest.approx(chance, abs=1e-9)


def test_large_logits_are_stable() -> None:
    """logsumexp subtracts the row maximum: huge similarities give a finite, exact loss."""
    ref = torch.tensor([[100.0, 0.0], [0.0, 100.0]])
    neg = torch.tensor([[100.0, 0.0], [0.0, 100.0], [-100.0, 0.0]])
    parts = infonce(ref, ref, neg, similarity=dot, temperature=0.1)
    assert bool(torch.isfinite(parts.total))
    # Each row: -1e5 + logsumexp(1e5, 0, -1e5) = log(1 + e^-1e5 + ...) = 0.
    assert float(parts.total) == pytest.approx(0.0, abs=1e-3)


# --------------------------------------------------------------------------------------------
# Invariances (STYLE "Tests": property tests).
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("denominator", DENOMINATORS)
@pytest.mark.parametrize("kind", SIMS)
def test_invariant_to_joint_permutation_of_pairs(generator, kind, denominator) -> None:
    ref, pos, neg = embeddings(generator, torch.float64, n=12, m=9, d=4)
    perm = torch.randperm(12, generator=generator)
    sim = SIMILARITIES[kind]
    base = infonce(ref, pos, neg, similarity=sim, denominator=denominator)
    permuted = infonce(ref[perm], pos[perm], neg, similarity=sim, denominator=denominator)
    for a, b in zip(base, permuted, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)
    # Sanity: permuting positives alone breaks the pairs and changes the loss.
    broken = infonce(ref, pos[perm], neg, similarity=sim, denominator=denominator)
    assert not torch.allclose(broken.total, base.total)


@pytest.mark.parametrize("denominator", DENOMINATORS)
@pytest.mark.parametrize("kind", SIMS)
def test_invariant_to_shuffling_negatives(generator, kind, denominator) -> None:
    ref, pos, neg = embeddings(generator, torch.float64, n=12, m=9, d=4)
    perm = torch.randperm(9, generator=generator)
    sim = SIMILARITIES[kind]
    base = infonce(ref, pos, neg, similarity=sim, denominator=denominator)
    shuffled = infonce(ref, pos, neg[perm], similarity=sim, denominator=denominator)
    for a, b in zip(base, shuffled, strict=True):
        torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("scale", [1e-3, 0.5, 7.0, 1e4])
def test_cosine_invariant_to_positive_rescaling(generator, scale) -> None:
    ref, pos, neg = embeddings(generator, torch.float64, n=8, m=10, d=4)
    row_scales = torch.rand(8, 1, generator=generator, dtype=torch.float64) + 0.1
    base = infonce(ref, pos, neg, similarity=cosine)
    scaled = infonce(ref * scale, pos * row_scales * scale, neg * (scale + 1.0),
                     similarity=cosine)
    torch.testing.assert_close(scaled.total, base.total, rtol=1e-10, atol=1e-10)
    # Dot and euclidean are not scale invariant: the property test can tell them apart.
    for sim in (dot, euclidean):
        assert not torch.allclose(
            infonce(ref * 2.0, pos * 2.0, neg * 2.0, similarity=sim).total,
            infonce(ref, pos, neg, similarity=sim).total,
        )


def test_cosine_floors_norm_of_zero_vector() -> None:
    a = torch.zeros(1, 3)
    b = torch.tensor([[1.0, 2.0, 2.0]])
    assert float(cosine.paired(a, b)) == 0.0
    assert bool(torch.isfinite(cosine.pairwise(a, b)).all())


def test_euclidean_pairwise_is_squared_distance_clamped_at_zero(generator) -> None:
    a = torch.randn(6, 3, generator=generator) * 100.0
    sims = euclidean.pairwise(a, a)
    assert bool((sims <= 0).all())  # rounding never yields a positive similarity
    expected = -torch.cdist(a.double(), a.double()) ** 2
    torch.testing.assert_close(sims.double(), expected, rtol=1e-4, atol=1.0)
    torch.testing.assert_close(euclidean.paired(a, a + 1.0), torch.full((6,), -3.0))


# --------------------------------------------------------------------------------------------
# InfoNCE module: fixed and learned temperature.
# --------------------------------------------------------------------------------------------


def test_fixed_temperature_has_no_parameters(generator) -> None:
    loss = InfoNCE(similarity=dot, temperature=0.25)
    assert list(loss.parameters()) == []
    assert float(loss.temperature) == 0.25
    ref, pos, neg = embeddings(generator, torch.float32)
    expected = infonce(ref, pos, neg, similarity=dot, temperature=0.25)
    torch.testing.assert_close(loss(ref, pos, neg).total, expected.total)


@pytest.mark.parametrize(
    ("temperature", "min_temperature"), [(1.0, 0.1), (0.5, 0.1), (0.1001, 0.1), (3.0, 0.0)]
)
def test_learned_temperature_starts_at_requested_value(temperature, min_temperature) -> None:
    loss = InfoNCE(temperature=temperature, learn_temperature=True,
                   min_temperature=min_temperature)
    params = list(loss.parameters())
    assert len(params) == 1 and params[0] is loss.rho
    assert float(loss.temperature.detach()) == pytest.approx(temperature, rel=1e-5)


def test_learned_temperature_stays_above_floor_and_can_leave_it() -> None:
    """Drive tau down with Adam, then check it can still move up (the reference's clamp cannot)."""
    floor = 0.1
    loss = InfoNCE(similarity=dot, temperature=1.0, learn_temperature=True,
                   min_temperature=floor)
    optimizer = torch.optim.Adam(loss.parameters(), lr=0.1)
    ref = torch.eye(4)
    for _ in range(150):  # aligned positives: a lower temperature always lowers the loss
        optimizer.zero_grad()
        loss(ref, ref, -ref).total.backward()
        optimizer.step()
        assert float(loss.temperature.detach()) >= floor
    low = float(loss.temperature.detach())
    assert low < floor + 1e-3
    # At the floor the parameter still gets a gradient, and tau can leave the floor again.
    optimizer = torch.optim.Adam(loss.parameters(), lr=0.1)
    for _ in range(30):  # anti-aligned positives: a higher temperature is better
        optimizer.zero_grad()
        loss(ref, -ref, ref).total.backward()
        assert float(loss.rho.grad) < 0.0
        optimizer.step()
    assert float(loss.temperature.detach()) > low + 1e-3


def test_learned_temperature_gradient_nonzero_just_above_floor() -> None:
    loss = InfoNCE(similarity=cosine, temperature=0.1 + 1e-3, learn_temperature=True,
                   min_temperature=0.1)
    z = torch.eye(3)
    loss(z, z, -z).total.backward()
    assert loss.rho.grad is not None
    assert float(loss.rho.grad) > 0.0


@pytest.mark.parametrize("temperature", [0.1, 0.05, 0.0, -1.0])
def test_learned_temperature_must_exceed_floor(temperature) -> None:
    with pytest.raises(ValueError, match=r"must exceed min_temperature \(0\.1\).*Got"):
        InfoNCE(temperature=temperature, learn_temperature=True, min_temperature=0.1)


def test_unknown_denominator_is_rejected(generator) -> None:
    ref, pos, neg = embeddings(generator, torch.float32)
    with pytest.raises(ValueError, match="denominator"):
        infonce(ref, pos, neg, denominator="ful")


@pytest.mark.parametrize("temperature", [0.0, -0.5])
def test_fixed_temperature_must_be_positive(temperature) -> None:
    with pytest.raises(ValueError, match="temperature"):
        InfoNCE(temperature=temperature)


class NegativeL1(AbstractSimilarity):
    """A user-defined similarity: runs the generic (non-blocked) path of infonce."""

    name = "negative_l1"

    def pairwise(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return -(a[:, None, :] - b[None, :, :]).abs().sum(-1)

    def paired(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return -(a - b).abs().sum(-1)


def naive_l1(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return -sum(torch.abs(a[k] - b[k]) for k in range(a.shape[0]))


@pytest.mark.parametrize("exclude_self", [False, True])
@pytest.mark.parametrize("denominator", DENOMINATORS)
def test_custom_similarity_matches_naive_loop(generator, denominator, exclude_self) -> None:
    ref, pos, neg = embeddings(generator, torch.float64, n=5, m=6)
    if exclude_self:
        neg = torch.cat([ref, neg])
    leaves = [t.clone().requires_grad_(True) for t in (ref, pos, neg)]
    parts = infonce(*leaves, similarity=NegativeL1(), temperature=0.4, denominator=denominator,
                    exclude_self=exclude_self)
    got = torch.autograd.grad(parts.total, leaves)
    # The same per-pair loop as naive_infonce, with the L1 similarity.
    n, m = ref.shape[0], neg.shape[0]
    naive_leaves = [t.clone().requires_grad_(True) for t in (ref, pos, neg)]
    r, p, q = naive_leaves
    rows = []
    for i in range(n):
        s_pos = naive_l1(r[i], p[i]) / 0.4
        terms = [s_pos] if denominator == "full" else []
        terms += [naive_l1(r[i], q[j]) / 0.4 for j in range(m) if not (exclude_self and i == j)]
        rows.append(-s_pos + naive_logsumexp(terms))
    expected = sum(rows) / n
    close(parts.total, expected.detach(), torch.float64)
    for g, w in zip(got, torch.autograd.grad(expected, naive_leaves), strict=True):
        close(g, w, torch.float64)
