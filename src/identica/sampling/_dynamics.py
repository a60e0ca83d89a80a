# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Dynamics pairs: each reference with its successor, for a model that predicts one step ahead."""

from __future__ import annotations

import torch

from identica.data._dataset import ValidRuns
from identica.exceptions import ConfigurationError
from identica.sampling._base import AbstractSampler, BatchIndex, PairContext
from identica.sampling._offsets import OffsetPairs

__all__ = ["DynamicsPairSampler"]


class DynamicsPairSampler(AbstractSampler):
    """Reference ``t``, positive ``t + 1`` in the same trial, negatives from all rows.

    References are uniform over the valid positions whose successor ``t + 1`` is valid in
    the same run (so no pair crosses a trial or session border); ``num_negatives`` negatives
    are uniform over every valid position, their number independent of the batch size. This
    is the sampling of dynamics contrastive learning (specs/dcl.md §3): a dynamics model maps
    the reference's embedding to a prediction of the positive's. ``context.offset`` is 1 for
    every pair.

    Parameters
    ----------
    runs : ValidRuns
        Valid window positions (for a one-step encoder, every row of every trial).
    num_negatives : int
        Negatives per batch.

    Raises
    ------
    ConfigurationError
        If no run holds two consecutive positions (every trial has a single row).

    Examples
    --------
    >>> import numpy as np, torch
    >>> from identica.data import Dataset, Offset, Recording
    >>> from identica.sampling import DynamicsPairSampler
    >>> recording = Recording(np.zeros((20, 2), np.float32), trial_starts=np.array([0, 10]))
    >>> runs = Dataset([recording]).valid_runs(Offset(0, 1))
    >>> batch = DynamicsPairSampler(runs, num_negatives=64).sample(8, generator=torch.Generator())
    >>> bool((batch.positive == batch.reference + 1).all()), bool((batch.reference != 9).all())
    (True, True)
    >>> batch.negative.shape
    torch.Size([64])
    """

    def __init__(self, runs: ValidRuns, *, num_negatives: int) -> None:
        super().__init__(runs, num_negatives=num_negatives)
        if runs.shrink(1).total == 0:
            raise ConfigurationError(
                "DynamicsPairSampler needs a trial of at least two rows: every reference is "
                "paired with the next row of its trial. Got trials of one row only. Use longer "
                "trials (fewer trial_starts)."
            )
        self._pairs = OffsetPairs(runs, 1)

    def sample(self, n: int, *, generator: torch.Generator) -> BatchIndex:
        """Draw ``n`` pairs ``(t, t + 1)`` and ``num_negatives`` negatives (in that order)."""
        reference, offset = self._pairs.draw(n, generator=generator)
        negative = self.draw_prior(self.num_negatives, generator=generator)
        return BatchIndex(reference, reference + 1, negative, context=PairContext(offset=offset))

    def positive_for(self, reference: torch.Tensor, *, generator: torch.Generator) -> torch.Tensor:
        """``t + 1`` where that stays in ``t``'s run, else ``t - 1`` (a run's last position)."""
        return self._pairs.partner(reference, generator=generator)
