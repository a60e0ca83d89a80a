# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""A weighted sum of InfoNCE terms, each on its own slice of the embedding."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from identica.losses._base import AbstractContrastiveLoss
from identica.losses._infonce import LossParts
from identica.losses._module import InfoNCE

__all__ = ["MultiObjectiveLoss"]


class MultiObjectiveLoss(AbstractContrastiveLoss):
    """``Σ_k weight_k · InfoNCE_k`` on the dimensions ``dims_k`` of shared embeddings.

    The positives of the ``K`` objectives come stacked: rows ``[k n, (k + 1) n)`` of
    ``positive`` pair with the ``n`` references for objective ``k``. References and negatives
    are shared. Alignment and uniformity are summed with the same weights, so the parts stay
    additive.

    Parameters
    ----------
    losses : sequence of InfoNCE
        One loss (similarity, temperature) per objective.
    dims : sequence of sequence of int
        Output dimensions of every objective.
    weights : sequence of float
        Weight of every objective.

    Examples
    --------
    >>> import torch
    >>> from identica.losses import InfoNCE, MultiObjectiveLoss
    >>> loss = MultiObjectiveLoss([InfoNCE(), InfoNCE()], [(0, 1), (2, 3)], [1.0, 0.5])
    >>> z = torch.randn(8, 4)
    >>> loss(z, torch.cat([z, z]), z).total.shape
    torch.Size([])
    """

    def __init__(
        self,
        losses: Sequence[InfoNCE],
        dims: Sequence[Sequence[int]],
        weights: Sequence[float],
    ) -> None:
        super().__init__()
        if not (len(losses) == len(dims) == len(weights)) or not losses:
            raise ValueError(
                f"MultiObjectiveLoss needs as many losses, dims and weights, at least one; got "
                f"{len(losses)}, {len(dims)}, {len(weights)}."
            )
        self.losses = nn.ModuleList(losses)
        self.dims = [tuple(int(d) for d in group) for group in dims]
        self.weights = [float(w) for w in weights]
        for k, group in enumerate(self.dims):
            self.register_buffer(f"_index{k}", torch.tensor(group, dtype=torch.int64),
                                 persistent=False)

    def forward(
        self,
        reference: torch.Tensor,
        positive: torch.Tensor,
        negative: torch.Tensor,
        *,
        exclude_self: bool = False,
        context: Any = None,
    ) -> LossParts:
        n = len(reference)
        total = alignment = uniformity = reference.new_zeros(())
        for k, (loss, weight) in enumerate(zip(self.losses, self.weights, strict=True)):
            index = getattr(self, f"_index{k}")
            parts = loss(
                reference.index_select(1, index),
                positive[k * n : (k + 1) * n].index_select(1, index),
                negative.index_select(1, index),
                exclude_self=exclude_self,
            )
            total = total + weight * parts.total
            alignment = alignment + weight * parts.alignment
            uniformity = uniformity + weight * parts.uniformity
        return LossParts(total, alignment, uniformity)
