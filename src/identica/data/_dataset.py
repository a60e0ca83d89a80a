# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Recordings laid end to end on one global timeline, cut into segments that windows never cross."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from identica.data._offset import Offset
from identica.data._recording import Recording
from identica.exceptions import DataValidationError

__all__ = ["Dataset", "ValidRuns"]


@dataclass(frozen=True)
class ValidRuns:
    """Runs of consecutive valid window positions on the global timeline.

    Run ``i`` covers the global indices ``[starts[i], starts[i] + counts[i])``; ``session[i]`` is
    the session it belongs to. Built once; drawing uniform positions costs O(n log n_runs).
    """

    starts: np.ndarray
    counts: np.ndarray
    session: np.ndarray

    @property
    def total(self) -> int:
        """Number of valid positions."""
        return int(self.counts.sum())

    def shrink(self, by: int) -> ValidRuns:
        """Runs of positions ``t`` such that ``t`` and ``t + by`` are both valid in one run."""
        counts = np.maximum(self.counts - by, 0)
        keep = counts > 0
        return ValidRuns(self.starts[keep], counts[keep], self.session[keep])

    def indices(self) -> np.ndarray:
        """Every valid global index, in increasing order."""
        if len(self.counts) == 0:
            return np.zeros(0, dtype=np.int64)
        ends = np.cumsum(self.counts)
        shift = np.repeat(self.starts - (ends - self.counts), self.counts)
        return (np.arange(ends[-1], dtype=np.int64) + shift).astype(np.int64)

    def draw(self, n: int, *, generator: torch.Generator) -> torch.Tensor:
        """Draw ``n`` positions uniformly over all valid positions (int64 tensor)."""
        cum = torch.from_numpy(np.cumsum(self.counts))
        u = torch.randint(int(cum[-1]), (n,), generator=generator)
        run = torch.searchsorted(cum, u, right=True)
        before = cum[run] - torch.from_numpy(self.counts)[run]
        return torch.from_numpy(self.starts)[run] + (u - before)


class Dataset:
    """Recordings laid end to end on one global timeline.

    Session ``s`` occupies the global rows ``[session_starts[s], session_starts[s + 1])``. A
    segment is one trial of one session; no window may cross a segment border.

    Parameters
    ----------
    recordings : sequence of Recording
        One or more validated recordings.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.data import Dataset, Offset, Recording
    >>> ds = Dataset([Recording(neural=np.zeros((100, 4), dtype=np.float32))])
    >>> ds.valid_runs(Offset(5, 5)).total
    91
    """

    def __init__(self, recordings: Sequence[Recording]) -> None:
        self.recordings = list(recordings)
        lengths = [r.n_samples for r in self.recordings]
        self.session_starts = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        seg_start, seg_stop, seg_session = [], [], []
        for s, rec in enumerate(self.recordings):
            trials = rec.trial_starts if rec.trial_starts is not None else np.array([0])
            bounds = np.concatenate([np.asarray(trials, dtype=np.int64), [rec.n_samples]])
            seg_start.append(bounds[:-1] + self.session_starts[s])
            seg_stop.append(bounds[1:] + self.session_starts[s])
            seg_session.append(np.full(len(bounds) - 1, s, dtype=np.int64))
        self.segment_starts = np.concatenate(seg_start)
        self.segment_stops = np.concatenate(seg_stop)
        self.segment_session = np.concatenate(seg_session)

    @property
    def n_sessions(self) -> int:
        """Number of recordings."""
        return len(self.recordings)

    @property
    def n_samples(self) -> int:
        """Length of the global timeline."""
        return int(self.session_starts[-1])

    def continuous(self) -> np.ndarray | None:
        """Continuous labels of all sessions, stacked on the global timeline."""
        if any(r.continuous is None for r in self.recordings):
            return None
        return np.concatenate([r.continuous for r in self.recordings])

    def discrete(self) -> np.ndarray | None:
        """Discrete labels of all sessions, stacked on the global timeline."""
        if any(r.discrete is None for r in self.recordings):
            return None
        return np.concatenate([r.discrete for r in self.recordings])

    def valid_runs(self, receptive_field: Offset) -> ValidRuns:
        """Global positions whose window ``[t - left, t + right)`` stays inside one segment.

        Segments shorter than the receptive field are skipped with a warning naming them.

        Raises
        ------
        DataValidationError
            If no segment is long enough.
        """
        field = len(receptive_field)
        lengths = self.segment_stops - self.segment_starts
        short = lengths < field
        if short.all():
            raise DataValidationError(
                f"Every segment is shorter than the encoder's receptive field of {field} rows "
                f"(longest segment: {int(lengths.max())} rows). Use a longer recording, fewer "
                "trial borders or an encoder with a smaller receptive field."
            )
        if short.any():
            names = [
                f"session {s} rows [{a - self.session_starts[s]}, {b - self.session_starts[s]})"
                for a, b, s in zip(
                    self.segment_starts[short],
                    self.segment_stops[short],
                    self.segment_session[short],
                    strict=True,
                )
            ]
            warnings.warn(
                f"Skipping {int(short.sum())} segment(s) shorter than the receptive field of "
                f"{field} rows: {', '.join(names[:5])}{' ...' if len(names) > 5 else ''}.",
                UserWarning,
                stacklevel=2,
            )
        keep = ~short
        return ValidRuns(
            starts=(self.segment_starts[keep] + receptive_field.left).astype(np.int64),
            counts=(lengths[keep] - field + 1).astype(np.int64),
            session=self.segment_session[keep],
        )
