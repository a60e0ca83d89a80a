# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The loss contract: embeddings of a batch in, :class:`LossParts` out."""

from __future__ import annotations

import abc
from typing import Any

import torch
from torch import nn

from identica.losses._infonce import LossParts

__all__ = ["AbstractContrastiveLoss"]


class AbstractContrastiveLoss(nn.Module, abc.ABC):
    """A contrastive loss over the embeddings of one batch.

    ``reference`` and ``positive`` rows pair up (a loss of several objectives receives one
    block of positives per objective); ``negative`` holds the negatives' embeddings, which
    are the references themselves when ``exclude_self`` is set (each row's own reference is
    then left out of its denominator). ``context`` is the batch's
    :class:`~identica.sampling.PairContext` (per-pair offsets, group ids) for losses that
    need it; the plain losses ignore it. Parameters of the loss (a learned temperature, a
    dynamics model) are trained with the encoder.
    """

    @abc.abstractmethod
    def forward(
        self,
        reference: torch.Tensor,
        positive: torch.Tensor,
        negative: torch.Tensor,
        *,
        exclude_self: bool = False,
        context: Any = None,
    ) -> LossParts:
        """Loss of ``(n, d)`` references and their positives against ``(m, d)`` negatives."""
