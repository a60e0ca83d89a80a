# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The sampler contract: draw indices of reference, positive and negative windows."""

from __future__ import annotations

import abc
from typing import NamedTuple

import torch

from identica.data._dataset import ValidRuns

__all__ = ["AbstractSampler", "BatchIndex"]


class BatchIndex(NamedTuple):
    """Global int64 indices of the windows in one training batch.

    ``reference[i]`` and ``positive[i]`` form a positive pair; every ``negative[j]`` is an
    independent draw from the prior.
    """

    reference: torch.Tensor
    positive: torch.Tensor
    negative: torch.Tensor


class AbstractSampler(abc.ABC):
    """Draws :class:`BatchIndex` values; built once at fit time from labels and valid positions.

    Subclasses implement :meth:`sample` (usually with :meth:`draw_prior` for the negatives) and
    :meth:`positive_for`. They draw only from the generator they are given, never
    from global random state, and use no Python loop over samples.

    Attributes
    ----------
    runs : ValidRuns
        The positions whose windows stay inside one segment.
    num_negatives : int
        Negatives drawn per batch.
    """

    runs: ValidRuns
    num_negatives: int

    def __init__(self, runs: ValidRuns, *, num_negatives: int) -> None:
        self.runs = runs
        self.num_negatives = num_negatives

    def draw_prior(self, n: int, *, generator: torch.Generator) -> torch.Tensor:
        """Draw ``n`` positions from the prior (uniform over valid positions by default)."""
        return self.runs.draw(n, generator=generator)

    @abc.abstractmethod
    def positive_for(self, reference: torch.Tensor, *, generator: torch.Generator) -> torch.Tensor:
        """One positive position for each given (valid) reference position.

        Lets several conditionals share one set of references (multi-objective training).
        """

    @abc.abstractmethod
    def sample(self, n: int, *, generator: torch.Generator) -> BatchIndex:
        """Draw ``n`` positive pairs and ``num_negatives`` negatives.

        Parameters
        ----------
        n : int
            Number of reference/positive pairs.
        generator : torch.Generator
            Source of every random draw.

        Returns
        -------
        BatchIndex
        """
