# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The solver's one extension hook: what a step optimises, from a batch and an embed function."""

from __future__ import annotations

import abc

import torch

from identica.losses._base import AbstractContrastiveLoss
from identica.losses._infonce import LossParts
from identica.losses._jacobian import JacobianRegularizer
from identica.sampling._base import BatchIndex
from identica.training._encoders import SessionEncoders
from identica.training._negatives import AbstractNegatives, DrawnNegatives

__all__ = ["AbstractObjective", "ContrastiveObjective"]


class AbstractObjective(abc.ABC):
    """What one training step optimises.

    The :class:`~identica.training.Solver` draws a :class:`~identica.sampling.BatchIndex`,
    calls the objective with it and the step's embed function, back-propagates
    ``LossParts.total`` and records the three parts. A method family that needs another step
    (a dynamics model between reference and positive, pairs grouped by an action) subclasses
    this; everything else in the loop stays as it is.
    """

    @abc.abstractmethod
    def __call__(
        self, batch: BatchIndex, embed: SessionEncoders, *, step: int,
        generator: torch.Generator,
    ) -> LossParts:
        """The step's loss: ``total`` is optimised, all three parts are recorded.

        Parameters
        ----------
        batch : BatchIndex
            The sampled indices (and their pair context).
        embed : SessionEncoders
            ``embed(index)`` embeds windows at global indices; ``embed.with_inputs(index)``
            also returns the input windows as leaves, for input-gradient penalties.
        step : int
            Steps trained before this one (for schedules).
        generator : torch.Generator
            The sampling generator, for any random draw the objective makes.
        """


class ContrastiveObjective(AbstractObjective):
    """A contrastive loss on one encoder call over [references; positives; negatives].

    Parameters
    ----------
    loss : AbstractContrastiveLoss
        Receives the reference and positive embeddings, the negatives the strategy selects,
        and the batch's pair context.
    negatives : AbstractNegatives, optional
        Where negatives come from; default :class:`DrawnNegatives` (the sampler's draws).
    regularizer : JacobianRegularizer, optional
        Adds its weighted Jacobian penalty of the reference embeddings with respect to their
        input windows to ``total`` (every session through its own encoder; the encoders must
        support a double backward).

    Examples
    --------
    >>> import torch
    >>> from identica.data import Offset, WindowGatherer
    >>> from identica.losses import InfoNCE
    >>> from identica.nn import make_encoder
    >>> from identica.sampling import BatchIndex
    >>> from identica.training import ContrastiveObjective, ReferenceNegatives, SessionEncoders
    >>> encoder = make_encoder("mlp", 3, 2)
    >>> embed = SessionEncoders([encoder], [WindowGatherer(torch.randn(20, 3), Offset(0, 1))],
    ...                         [0])
    >>> objective = ContrastiveObjective(InfoNCE(), negatives=ReferenceNegatives())
    >>> batch = BatchIndex(torch.arange(4), torch.arange(1, 5), torch.arange(0))
    >>> objective(batch, embed, step=0, generator=torch.Generator()).total.shape
    torch.Size([])
    """

    def __init__(
        self,
        loss: AbstractContrastiveLoss,
        *,
        negatives: AbstractNegatives | None = None,
        regularizer: JacobianRegularizer | None = None,
    ) -> None:
        self.loss = loss
        self.negatives = DrawnNegatives() if negatives is None else negatives
        self.regularizer = regularizer

    def __call__(
        self, batch: BatchIndex, embed: SessionEncoders, *, step: int,
        generator: torch.Generator,
    ) -> LossParts:
        n, m = len(batch.reference), len(batch.positive)
        weight = None if self.regularizer is None else self.regularizer.weight(step)
        if weight is None:
            embedding, pieces = embed(batch.windows), None
        else:
            embedding, pieces = embed.with_inputs(batch.windows)
        reference, positive = embedding[:n], embedding[n : n + m]
        negative, exclude_self = self.negatives.select(reference, embedding[n + m :])
        parts = self.loss(reference, positive, negative, exclude_self=exclude_self,
                          context=batch.context)
        if pieces is None:
            return parts
        penalty = self._penalty(pieces, n, generator)
        return LossParts(parts.total + weight * penalty, parts.alignment, parts.uniformity)

    def _penalty(self, pieces: list, n: int, generator: torch.Generator) -> torch.Tensor:
        """Mean Jacobian penalty over the references, each through its session's encoder."""
        if len(pieces) == 1:
            piece = pieces[0]
            return self.regularizer.penalty(piece.windows, piece.embedding[:n],
                                            generator=generator)
        total = pieces[0].embedding.new_zeros(())
        for piece in pieces:
            is_reference = piece.rows < n
            count = int(is_reference.sum())
            if count:
                outputs = piece.embedding[is_reference.to(piece.embedding.device)]
                part = self.regularizer.penalty(piece.windows, outputs, generator=generator)
                total = total + part * (count / n)
        return total
