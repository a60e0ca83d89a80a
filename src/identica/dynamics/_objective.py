# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The training step of dynamics contrastive learning: embed, predict one step, contrast."""

from __future__ import annotations

import torch

from identica.dynamics._models import AbstractDynamics
from identica.losses._infonce import LossParts
from identica.losses._predictive import PredictiveInfoNCE
from identica.sampling._base import BatchIndex
from identica.training._encoders import SessionEncoders
from identica.training._objective import AbstractObjective

__all__ = ["DynamicsObjective"]


class DynamicsObjective(AbstractObjective):
    """Predictive InfoNCE of a dynamics model's one-step prediction.

    One encoder call embeds ``[references; positives; negatives]`` (a batch of
    :class:`~identica.sampling.DynamicsPairSampler`: positive = reference + 1); the dynamics
    model predicts each positive from its reference (a switching model also sees the positive,
    to choose its mode, and draws its Gumbel noise from the step's generator); the loss scores
    the predictions against the positives and the negatives.

    Parameters
    ----------
    dynamics : AbstractDynamics
        The model ``f̂`` (trained with the encoder when it has parameters).
    loss : PredictiveInfoNCE, optional
        Default ``PredictiveInfoNCE()`` (τ = 1).
    controls : Tensor of shape (n_samples, n_controls), optional
        Control input of every row of the timeline (``u_t`` acts between rows t and t + 1),
        on the training device; the batch's are gathered by reference index.

    Examples
    --------
    >>> import torch
    >>> from identica.data import Offset, WindowGatherer
    >>> from identica.dynamics import DynamicsObjective, LinearDynamics
    >>> from identica.nn import make_encoder
    >>> from identica.sampling import BatchIndex
    >>> from identica.training import SessionEncoders
    >>> encoder = make_encoder("mlp-scaled", 3, 2, output_constraint="none")
    >>> embed = SessionEncoders([encoder], [WindowGatherer(torch.randn(20, 3), Offset(0, 1))],
    ...                         [0])
    >>> batch = BatchIndex(torch.arange(4), torch.arange(1, 5), torch.arange(10, 18))
    >>> objective = DynamicsObjective(LinearDynamics(2))
    >>> objective(batch, embed, step=0, generator=torch.Generator()).total.shape
    torch.Size([])
    """

    def __init__(self, dynamics: AbstractDynamics, loss: PredictiveInfoNCE | None = None, *,
                 controls: torch.Tensor | None = None) -> None:
        self.dynamics = dynamics
        self.loss = PredictiveInfoNCE() if loss is None else loss
        self.controls = controls

    def __call__(
        self, batch: BatchIndex, embed: SessionEncoders, *, step: int,
        generator: torch.Generator,
    ) -> LossParts:
        n = len(batch.reference)
        embedding = embed(batch.windows)
        reference, positive = embedding[:n], embedding[n : 2 * n]
        negative = embedding[2 * n :]
        controls = None
        if self.controls is not None:
            controls = self.controls[batch.reference.to(self.controls.device)]
        prediction = self.dynamics(reference, positive, controls=controls, generator=generator)
        return self.loss(prediction, positive, negative)
