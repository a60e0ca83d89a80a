# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Where a step's negatives come from: the batch's other references, or draws of their own."""

from __future__ import annotations

import abc

import torch

__all__ = ["AbstractNegatives", "DrawnNegatives", "ReferenceNegatives"]


class AbstractNegatives(abc.ABC):
    """A negatives strategy: how many windows the sampler draws, and which embeddings are used.

    Subclass it for another source (for example negatives gathered across processes).
    """

    @abc.abstractmethod
    def num_drawn(self, batch_size: int) -> int:
        """Negatives the sampler must draw per batch (per session) for this strategy."""

    @abc.abstractmethod
    def select(self, reference: torch.Tensor, drawn: torch.Tensor) -> tuple[torch.Tensor, bool]:
        """The negatives' embeddings, and whether each reference's own row must be left out.

        Parameters
        ----------
        reference : Tensor of shape (n, d)
            The batch's reference embeddings.
        drawn : Tensor of shape (m, d)
            Embeddings of the negatives the sampler drew (empty when it drew none).
        """


class ReferenceNegatives(AbstractNegatives):
    """The batch's other references are the negatives (each row's own is left out).

    References are independent draws from the prior too, so no extra window is embedded: a
    third less encoder work per step than drawing negatives.

    Examples
    --------
    >>> import torch
    >>> from identica.training import ReferenceNegatives
    >>> z = torch.randn(4, 2)
    >>> negatives, exclude_self = ReferenceNegatives().select(z, z[:0])
    >>> negatives is z, exclude_self, ReferenceNegatives().num_drawn(512)
    (True, True, 0)
    """

    def num_drawn(self, batch_size: int) -> int:
        return 0

    def select(self, reference: torch.Tensor, drawn: torch.Tensor) -> tuple[torch.Tensor, bool]:
        return reference, True


class DrawnNegatives(AbstractNegatives):
    """The sampler draws the negatives from the prior, independently of the references.

    Parameters
    ----------
    num_negatives : int, optional
        Negatives per batch; ``None`` draws as many as there are references.

    Examples
    --------
    >>> import torch
    >>> from identica.training import DrawnNegatives
    >>> DrawnNegatives().num_drawn(512), DrawnNegatives(64).num_drawn(512)
    (512, 64)
    """

    def __init__(self, num_negatives: int | None = None) -> None:
        self.num_negatives = num_negatives

    def num_drawn(self, batch_size: int) -> int:
        return self.num_negatives or batch_size

    def select(self, reference: torch.Tensor, drawn: torch.Tensor) -> tuple[torch.Tensor, bool]:
        return drawn, False
