# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Time offsets: one int or a tuple of ints, drawn uniformly per sample."""

from __future__ import annotations

import numpy as np
import torch

from identica.data._dataset import ValidRuns
from identica.exceptions import ConfigurationError

__all__ = ["OffsetPairs"]


class OffsetPairs:
    """All pairs ``(u, u + d)`` inside one run, for each time offset ``d``.

    Drawing first picks ``d`` uniformly from the offsets, then ``u`` uniformly among the
    positions where ``u`` and ``u + d`` are both valid in one run.

    Parameters
    ----------
    runs : ValidRuns
        Valid window positions.
    time_offset : int or tuple of int
        The offsets.
    """

    def __init__(self, runs: ValidRuns, time_offset: int | tuple[int, ...]) -> None:
        offsets = (time_offset,) if isinstance(time_offset, int) else tuple(time_offset)
        self.offsets = offsets
        self._runs = runs
        self._shrunk = [runs.shrink(d) for d in offsets]
        empty = [d for d, r in zip(offsets, self._shrunk, strict=True) if r.total == 0]
        if empty:
            longest = int(runs.counts.max()) if len(runs.counts) else 0
            raise ConfigurationError(
                f"'time_offset' must be shorter than the longest run of valid positions "
                f"({longest} positions once the receptive field is cut off). Got {empty[0]}: "
                "no pair of windows is that far apart inside one trial. Use a smaller "
                "time_offset or a longer recording."
            )
        self._offsets_tensor = torch.tensor(offsets, dtype=torch.int64)

    def partner(self, reference: torch.Tensor, *, generator: torch.Generator) -> torch.Tensor:
        """A time partner of each valid ``reference``: ``t + d`` where that stays in ``t``'s run,
        else ``t - d``, else the run's far end (``d`` drawn uniformly from the offsets)."""
        d = self._offsets_tensor[
            torch.randint(len(self.offsets), reference.shape, generator=generator)
        ]
        starts = torch.from_numpy(self._runs.starts)
        run = torch.searchsorted(starts, reference, right=True) - 1
        first = starts[run]
        last = first + torch.from_numpy(self._runs.counts)[run] - 1
        forward, backward = reference + d, reference - d
        far_end = torch.where(last - reference >= reference - first, last, first)
        return torch.where(
            forward <= last, forward, torch.where(backward >= first, backward, far_end)
        )

    def all_pairs(self) -> list[tuple[int, np.ndarray]]:
        """For each offset ``d``, every first position ``u`` of a pair."""
        return [(d, r.indices()) for d, r in zip(self.offsets, self._shrunk, strict=True)]

    def draw(self, n: int, *, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
        """Draw ``n`` pairs; return first positions ``u`` and offsets ``d`` (int64 tensors)."""
        if len(self.offsets) == 1:
            u = self._shrunk[0].draw(n, generator=generator)
            return u, self._offsets_tensor.expand(n)
        which = torch.randint(len(self.offsets), (n,), generator=generator)
        u = torch.empty(n, dtype=torch.int64)
        for k, runs in enumerate(self._shrunk):
            mask = which == k
            u[mask] = runs.draw(int(mask.sum()), generator=generator)
        return u, self._offsets_tensor[which]
