# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Several conditionals on one batch: shared references and negatives, one positive block each."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from identica.data._dataset import ValidRuns
from identica.sampling._base import AbstractSampler

__all__ = ["MultiObjectiveSampler"]


class MultiObjectiveSampler(AbstractSampler):
    """Shared references and negatives; one set of positives per objective, concatenated.

    Rows ``[k n, (k + 1) n)`` of the batch's ``positive`` pair with the ``n`` references for
    objective ``k`` (see :class:`~identica.losses.MultiObjectiveLoss`).

    Parameters
    ----------
    runs : ValidRuns
        Valid window positions.
    samplers : sequence of AbstractSampler
        One per objective; their :meth:`~AbstractSampler.positive_for` draws the positives.
    num_negatives : int
        Negatives per batch, uniform over valid positions.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from identica.data import Dataset, Offset, Recording
    >>> from identica.sampling import DiscreteSampler, MultiObjectiveSampler, TimeSampler
    >>> runs = Dataset([Recording(np.zeros((100, 2), np.float32))]).valid_runs(Offset(0, 1))
    >>> both = MultiObjectiveSampler(runs, [TimeSampler(runs, 2, num_negatives=0),
    ...     DiscreteSampler(runs, np.arange(100) % 2, num_negatives=0)], num_negatives=3)
    >>> batch = both.sample(4, generator=torch.Generator().manual_seed(0))
    >>> batch.reference.shape, batch.positive.shape, batch.negative.shape
    (torch.Size([4]), torch.Size([8]), torch.Size([3]))
    """

    def __init__(
        self, runs: ValidRuns, samplers: Sequence[AbstractSampler], *, num_negatives: int
    ) -> None:
        super().__init__(runs, num_negatives=num_negatives)
        self.samplers = list(samplers)

    def positive_for(self, reference: torch.Tensor, *, generator: torch.Generator) -> torch.Tensor:
        return torch.cat([s.positive_for(reference, generator=generator) for s in self.samplers])
