# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The sampler contract: draw indices of reference, positive and negative windows."""

from __future__ import annotations

import abc
import dataclasses
from typing import NamedTuple

import torch

from identica.data._dataset import ValidRuns

__all__ = ["AbstractSampler", "BatchIndex", "PairContext"]


@dataclasses.dataclass(frozen=True)
class PairContext:
    """What a loss may need to know about the pairs besides their windows.

    Parameters
    ----------
    offset : Tensor of shape (n,), int64, optional
        Time steps from each reference to its positive (dynamics models predict across it).
    group : Tensor of shape (n,), int64, optional
        Group id of each pair (pairs of one group share, for example, one group action).

    Examples
    --------
    >>> import torch
    >>> from identica.sampling import BatchIndex, PairContext
    >>> batch = BatchIndex(torch.tensor([0, 5]), torch.tensor([2, 6]), torch.tensor([9]),
    ...                    context=PairContext(offset=torch.tensor([2, 1])))
    >>> batch.context.offset.tolist(), batch.context.group
    ([2, 1], None)
    """

    offset: torch.Tensor | None = None
    group: torch.Tensor | None = None


class BatchIndex(NamedTuple):
    """Global int64 indices of the windows in one training batch.

    ``reference[i]`` and ``positive[i]`` form a positive pair (samplers of several objectives
    stack one block of positives per objective); every ``negative[j]`` is an independent draw
    from the prior. ``context`` carries what a loss needs beyond the windows (a per-pair
    offset, group ids); ``None`` for plain contrastive pairs.
    """

    reference: torch.Tensor
    positive: torch.Tensor
    negative: torch.Tensor
    context: PairContext | None = None

    @property
    def windows(self) -> torch.Tensor:
        """Every index of the batch, reference then positive then negative (one encoder call)."""
        return torch.cat([self.reference, self.positive, self.negative])


class AbstractSampler(abc.ABC):
    """Draws :class:`BatchIndex` values; built once at fit time from labels and valid positions.

    Subclasses implement :meth:`positive_for`; :meth:`sample` draws ``n`` references from
    the prior (:meth:`draw_prior`), their positives, then ``num_negatives`` negatives from the
    prior. A subclass overrides :meth:`draw_prior` for another prior, and :meth:`sample` only
    when references and positives must be drawn together (time pairs, context). Samplers draw
    only from the generator they are given, never from global random state, and use no Python
    loop over samples.

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
        reference = self.draw_prior(n, generator=generator)
        positive = self.positive_for(reference, generator=generator)
        negative = self.draw_prior(self.num_negatives, generator=generator)
        return BatchIndex(reference, positive, negative)
