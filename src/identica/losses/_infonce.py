# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""InfoNCE as a pure function, returning its alignment and uniformity parts."""

from __future__ import annotations

from typing import NamedTuple

import torch

from identica.losses._blockwise import mean_logsumexp
from identica.losses._similarity import (
    AbstractSimilarity,
    CosineSimilarity,
    DotSimilarity,
    EuclideanSimilarity,
    cosine,
    dot,
)

__all__ = ["DENOMINATORS", "LossParts", "infonce"]

DENOMINATORS = ("negatives", "full")


class LossParts(NamedTuple):
    """A loss value and its two additive parts: ``total = alignment + uniformity``."""

    total: torch.Tensor
    alignment: torch.Tensor
    uniformity: torch.Tensor


def infonce(
    reference: torch.Tensor,
    positive: torch.Tensor,
    negative: torch.Tensor,
    *,
    similarity: AbstractSimilarity = cosine,
    temperature: float | torch.Tensor = 1.0,
    denominator: str = "negatives",
    exclude_self: bool = False,
) -> LossParts:
    """InfoNCE of reference/positive pairs against shared negatives.

    With ``s+_i = sim(r_i, p_i) / τ`` and ``s_ij = sim(r_i, n_j) / τ`` the loss of row ``i`` is
    ``-s+_i + logsumexp_j s_ij`` (``denominator="negatives"``) or
    ``-s+_i + logsumexp({s+_i} ∪ {s_ij})`` (``"full"``). Its chance value is ``log M`` or
    ``log(M + 1)`` for ``M`` negatives. The loss is the mean over rows.

    Parameters
    ----------
    reference, positive : Tensor of shape (n, d)
        Positive pairs, row by row.
    negative : Tensor of shape (m, d)
        Negatives shared by all rows.
    similarity : AbstractSimilarity
        ``cosine``, ``dot`` or ``euclidean`` (squared distance), or your own.
    temperature : float or Tensor
        τ > 0; a tensor keeps the graph for a learned temperature.
    denominator : {"negatives", "full"}
        Whether the positive also enters the denominator.
    exclude_self : bool
        Drop ``s_ii`` from the denominator: use when ``negative`` is ``reference`` itself.

    Returns
    -------
    LossParts
        ``total = mean loss``, ``alignment = mean(-s+)``, ``uniformity = mean logsumexp``.

    Examples
    --------
    >>> import math, torch
    >>> from identica.losses import infonce
    >>> generator = torch.Generator().manual_seed(0)
    >>> z = torch.nn.functional.normalize(torch.randn(64, 3, generator=generator))
    >>> parts = infonce(z, z, z)
    >>> torch.allclose(parts.total, parts.alignment + parts.uniformity)
    True
    """
    if denominator not in DENOMINATORS:
        raise ValueError(
            f"'denominator' of infonce must be one of {list(DENOMINATORS)}. Got {denominator!r}."
        )
    if isinstance(similarity, CosineSimilarity):
        # cosine = dot of unit vectors: normalise each embedding once (the negatives are often
        # the references themselves)
        unit = similarity._unit(reference)
        negative = unit if negative is reference else similarity._unit(negative)
        reference, positive, similarity = unit, similarity._unit(positive), dot
    pos = similarity.paired(reference, positive) / temperature
    if isinstance(similarity, DotSimilarity | EuclideanSimilarity):
        uniformity = _blockwise_uniformity(
            reference, negative, pos, similarity, temperature, denominator, exclude_self
        )
        alignment = -pos.mean()
        return LossParts(alignment + uniformity, alignment, uniformity)
    neg = similarity.pairwise(reference, negative) / temperature
    if exclude_self:
        eye = torch.eye(neg.shape[0], neg.shape[1], dtype=torch.bool, device=neg.device)
        neg = neg.masked_fill(eye, float("-inf"))
    if denominator == "full":
        neg = torch.cat([pos[:, None], neg], dim=1)
    uniformity = torch.logsumexp(neg, dim=1).mean()
    alignment = -pos.mean()
    return LossParts(alignment + uniformity, alignment, uniformity)


def _blockwise_uniformity(
    reference: torch.Tensor,
    negative: torch.Tensor,
    pos: torch.Tensor,
    similarity: AbstractSimilarity,
    temperature: float | torch.Tensor,
    denominator: str,
    exclude_self: bool,
) -> torch.Tensor:
    """The denominator term for the built-in similarities, as row-blocked inner products.

    dot is an inner product (cosine arrives as dot of unit vectors); the squared euclidean
    similarity is ``2 r·n - |n|² - |r|²``, whose per-row constant ``-|r|²`` moves out of the
    logsumexp.
    """
    extra = pos if denominator == "full" else None
    if isinstance(similarity, DotSimilarity):
        return mean_logsumexp(reference / temperature, negative, extra=extra,
                              exclude_self=exclude_self)
    # Euclidean: the clamp at 0 of the reference implementation never binds for exact
    # arithmetic; here the distance is formed without cancellation inside the softmax.
    row = (reference * reference).sum(1) / temperature
    shifted = None if extra is None else extra + row
    bias = -(negative * negative).sum(1) / temperature
    lse = mean_logsumexp(2.0 * reference / temperature, negative, bias=bias, extra=shifted,
                         exclude_self=exclude_self)
    return lse - row.mean()
