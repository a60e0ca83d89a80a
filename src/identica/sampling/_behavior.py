# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Continuous-label conditionals: the positive has the label nearest to a perturbed query.

``time_delta`` perturbs the reference label by an empirical label change over ``time_offset``
steps; ``delta`` by Gaussian noise of scale ``delta``.
"""

from __future__ import annotations

import numpy as np
import torch

from identica.data._dataset import ValidRuns
from identica.sampling._base import AbstractSampler
from identica.sampling._nearest import NearestLabelIndex
from identica.sampling._offsets import OffsetPairs

__all__ = ["DeltaSampler", "EmpiricalChanges", "TimeDeltaSampler"]


class EmpiricalChanges:
    """Label changes ``y[u + d] - y[u]`` with ``u`` and ``u + d`` valid in one segment.

    ``d`` is drawn uniformly from ``time_offset``, then one change uniformly among those for ``d``.
    No change spans a trial or session border, and none is zero-padded.
    """

    def __init__(
        self, runs: ValidRuns, labels: np.ndarray, time_offset: int | tuple[int, ...]
    ) -> None:
        pairs = OffsetPairs(runs, time_offset).all_pairs()
        changes = [labels[u + d] - labels[u] for d, u in pairs]
        self._changes = torch.from_numpy(np.ascontiguousarray(np.concatenate(changes)))
        counts = torch.tensor([len(c) for c in changes], dtype=torch.int64)
        self._counts = counts
        self._starts = torch.cumsum(counts, 0) - counts

    def draw(self, n: int, *, generator: torch.Generator) -> torch.Tensor:
        """Return ``n`` label changes, shape ``(n, n_labels)``."""
        if len(self._counts) == 1:
            pick = torch.randint(int(self._counts[0]), (n,), generator=generator)
        else:
            which = torch.randint(len(self._counts), (n,), generator=generator)
            u = torch.rand(n, generator=generator, dtype=torch.float64)
            pick = self._starts[which] + (u * self._counts[which]).long()
        return self._changes[pick]


class TimeDeltaSampler(AbstractSampler):
    """Positive = valid position whose label is nearest to ``y[t] + D``, D an empirical change.

    Parameters
    ----------
    runs : ValidRuns
        Valid window positions.
    labels : ndarray of shape (n_samples, n_labels)
        Continuous labels on the global timeline.
    time_offset : int or tuple of int
        Offsets over which label changes are measured.
    num_negatives : int
        Negatives per batch, drawn uniformly over valid positions.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from identica.data import Dataset, Offset, Recording
    >>> from identica.sampling import TimeDeltaSampler
    >>> y = np.linspace(0, 1, 200, dtype=np.float32)[:, None]
    >>> runs = Dataset([Recording(np.zeros((200, 2), np.float32))]).valid_runs(Offset(0, 1))
    >>> sampler = TimeDeltaSampler(runs, y, 5, num_negatives=8)
    >>> batch = sampler.sample(4, generator=torch.Generator().manual_seed(0))
    >>> bool(((batch.positive - batch.reference) == 5).all())
    True
    """

    def __init__(
        self,
        runs: ValidRuns,
        labels: np.ndarray,
        time_offset: int | tuple[int, ...],
        *,
        num_negatives: int,
    ) -> None:
        super().__init__(runs, num_negatives=num_negatives)
        valid = runs.indices()
        self._labels = torch.from_numpy(np.ascontiguousarray(labels, dtype=np.float32))
        self._index = NearestLabelIndex(labels[valid], valid)
        self._changes = EmpiricalChanges(runs, labels, time_offset)

    def positive_for(self, reference: torch.Tensor, *, generator: torch.Generator) -> torch.Tensor:
        query = self._labels[reference] + self._changes.draw(len(reference), generator=generator)
        return self._index.query(query, generator=generator)


class DeltaSampler(AbstractSampler):
    """Positive = valid position whose label is nearest to ``y[t] + e``, e ~ N(0, delta² I).

    Parameters
    ----------
    runs : ValidRuns
        Valid window positions.
    labels : ndarray of shape (n_samples, n_labels)
        Continuous labels on the global timeline.
    delta : float
        Standard deviation of the Gaussian perturbation, in label units.
    num_negatives : int
        Negatives per batch, drawn uniformly over valid positions.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from identica.data import Dataset, Offset, Recording
    >>> from identica.sampling import DeltaSampler
    >>> y = np.linspace(0, 1, 200, dtype=np.float32)[:, None]
    >>> runs = Dataset([Recording(np.zeros((200, 2), np.float32))]).valid_runs(Offset(0, 1))
    >>> batch = DeltaSampler(runs, y, 0.01, num_negatives=8).sample(4, generator=torch.Generator())
    >>> bool(((batch.positive - batch.reference).abs() < 20).all())
    True
    """

    def __init__(
        self, runs: ValidRuns, labels: np.ndarray, delta: float, *, num_negatives: int
    ) -> None:
        super().__init__(runs, num_negatives=num_negatives)
        valid = runs.indices()
        self._labels = torch.from_numpy(np.ascontiguousarray(labels, dtype=np.float32))
        self._index = NearestLabelIndex(labels[valid], valid)
        self.delta = float(delta)

    def positive_for(self, reference: torch.Tensor, *, generator: torch.Generator) -> torch.Tensor:
        noise = torch.randn(
            (len(reference), self._labels.shape[1]), generator=generator,
            dtype=self._labels.dtype,
        )
        return self._index.query(self._labels[reference] + self.delta * noise,
                                 generator=generator)
