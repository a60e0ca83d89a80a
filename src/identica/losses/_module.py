# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""InfoNCE as a module: holds the similarity and a fixed or learned temperature."""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from identica.losses._base import AbstractContrastiveLoss
from identica.losses._infonce import DENOMINATORS, LossParts, infonce
from identica.losses._similarity import AbstractSimilarity, cosine

__all__ = ["InfoNCE"]


class InfoNCE(AbstractContrastiveLoss):
    """InfoNCE loss with a fixed or learned temperature.

    A learned temperature is ``τ = min_temperature + softplus(ρ)``, with ``ρ`` initialised so
    that ``τ`` starts at ``temperature``. It never gets stuck at the floor: the gradient of
    ``softplus`` is positive everywhere.

    Parameters
    ----------
    similarity : AbstractSimilarity
        Similarity measure (``identica.losses.cosine``, ``dot`` or ``euclidean``).
    temperature : float
        Fixed τ, or the starting τ when learned.
    learn_temperature : bool
        Make τ a trainable parameter.
    min_temperature : float
        Floor of a learned τ.
    denominator : {"negatives", "full"}
        See :func:`identica.losses.infonce`.

    Examples
    --------
    >>> import torch
    >>> from identica.losses import InfoNCE, euclidean
    >>> loss = InfoNCE(similarity=euclidean, temperature=0.5, learn_temperature=True)
    >>> round(float(loss.temperature.detach()), 4)
    0.5
    >>> z = torch.randn(8, 3)
    >>> loss(z, z, z).total.shape
    torch.Size([])
    """

    def __init__(
        self,
        *,
        similarity: AbstractSimilarity = cosine,
        temperature: float = 1.0,
        learn_temperature: bool = False,
        min_temperature: float = 0.1,
        denominator: str = "negatives",
    ) -> None:
        super().__init__()
        if denominator not in DENOMINATORS:
            raise ValueError(
                f"'denominator' of InfoNCE must be one of {list(DENOMINATORS)}. "
                f"Got {denominator!r}."
            )
        self.similarity = similarity
        self.denominator = denominator
        self.min_temperature = float(min_temperature)
        self.learn_temperature = learn_temperature
        if learn_temperature:
            excess = float(temperature) - self.min_temperature
            if excess <= 0:
                raise ValueError(
                    f"'temperature' of InfoNCE must exceed min_temperature "
                    f"({self.min_temperature}) when learned. Got {temperature}."
                )
            rho = excess + math.log(-math.expm1(-excess))  # inverse softplus
            self.rho = nn.Parameter(torch.tensor(rho, dtype=torch.float32))
        else:
            if not float(temperature) > 0:
                raise ValueError(f"'temperature' of InfoNCE must be > 0. Got {temperature!r}.")
            self.register_buffer("fixed_temperature", torch.tensor(float(temperature)))

    @property
    def temperature(self) -> torch.Tensor:
        """The current temperature τ (a scalar tensor)."""
        if self.learn_temperature:
            return self.min_temperature + F.softplus(self.rho)
        return self.fixed_temperature

    def forward(
        self,
        reference: torch.Tensor,
        positive: torch.Tensor,
        negative: torch.Tensor,
        *,
        exclude_self: bool = False,
        context: Any = None,
    ) -> LossParts:
        """Loss of ``(n, d)`` positive pairs against ``(m, d)`` negatives; see :func:`infonce`."""
        return infonce(
            reference,
            positive,
            negative,
            similarity=self.similarity,
            temperature=self.temperature,
            denominator=self.denominator,
            exclude_self=exclude_self,
        )
