# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Time-contrastive conditional: the positive is the window ``time_offset`` steps later."""

from __future__ import annotations

import torch

from identica.data._dataset import ValidRuns
from identica.sampling._base import AbstractSampler, BatchIndex
from identica.sampling._offsets import OffsetPairs

__all__ = ["TimeSampler"]


class TimeSampler(AbstractSampler):
    """Positive of reference ``t`` is ``t + d``, ``d`` drawn uniformly from ``time_offset``.

    References are uniform over the positions where ``t`` and ``t + d`` both lie in one segment.

    Parameters
    ----------
    runs : ValidRuns
        Valid window positions.
    time_offset : int or tuple of int
        Offsets between reference and positive.
    num_negatives : int
        Negatives per batch, drawn uniformly over valid positions.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from identica.data import Dataset, Offset, Recording
    >>> from identica.sampling import TimeSampler
    >>> runs = Dataset([Recording(np.zeros((100, 2), np.float32))]).valid_runs(Offset(0, 1))
    >>> batch = TimeSampler(runs, 3, num_negatives=4).sample(5, generator=torch.Generator())
    >>> bool(((batch.positive - batch.reference) == 3).all())
    True
    """

    def __init__(
        self, runs: ValidRuns, time_offset: int | tuple[int, ...], *, num_negatives: int
    ) -> None:
        super().__init__(runs, num_negatives=num_negatives)
        self._pairs = OffsetPairs(runs, time_offset)

    def sample(self, n: int, *, generator: torch.Generator) -> BatchIndex:
        reference, offsets = self._pairs.draw(n, generator=generator)
        negative = self.draw_prior(self.num_negatives, generator=generator)
        return BatchIndex(reference, reference + offsets, negative)

    def positive_for(self, reference: torch.Tensor, *, generator: torch.Generator) -> torch.Tensor:
        """``t + d`` where that stays in ``t``'s run, else ``t - d``, else the run's far end."""
        return self._pairs.partner(reference, generator=generator)
