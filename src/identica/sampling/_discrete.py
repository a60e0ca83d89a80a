# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Discrete conditionals: the positive shares the reference's class (``discrete`` and ``mixed``)."""

from __future__ import annotations

import numpy as np
import torch

from identica.data._dataset import ValidRuns
from identica.sampling._base import AbstractSampler
from identica.sampling._behavior import EmpiricalChanges
from identica.sampling._nearest import NearestLabelIndex

__all__ = ["ClassIndex", "DiscreteSampler", "MixedSampler"]

PRIORS = ("empirical", "uniform")  # the discrete priors; the conditional table uses these


class ClassIndex:
    """Valid positions sorted by class, with per-class start and count.

    Drawing a uniform member of class ``c`` is ``sorted[start[c] + floor(u * count[c])]``.

    Parameters
    ----------
    runs : ValidRuns
        Valid window positions.
    codes : ndarray of shape (n_samples,)
        Integer class codes on the global timeline.
    """

    def __init__(self, runs: ValidRuns, codes: np.ndarray) -> None:
        valid = runs.indices()
        classes = np.asarray(codes)[valid]
        order = np.argsort(classes, kind="stable")
        self.codes = torch.from_numpy(np.asarray(codes, dtype=np.int64))
        self.sorted = torch.from_numpy(valid[order])
        counts = np.bincount(classes, minlength=int(np.asarray(codes).max()) + 1)
        self.counts = torch.from_numpy(counts.astype(np.int64))
        self.starts = torch.cumsum(self.counts, 0) - self.counts
        self.present = torch.from_numpy(np.flatnonzero(counts > 0).astype(np.int64))

    def members(self, label: int) -> torch.Tensor:
        """Every valid position of class ``label``."""
        start, count = int(self.starts[label]), int(self.counts[label])
        return self.sorted[start : start + count]

    def draw_in_class(self, classes: torch.Tensor, *, generator: torch.Generator) -> torch.Tensor:
        """One uniform valid position of each given class."""
        u = torch.rand(classes.shape, generator=generator, dtype=torch.float64)
        offset = (u * self.counts[classes]).long()
        return self.sorted[self.starts[classes] + offset]

    def draw_balanced(self, n: int, *, generator: torch.Generator) -> torch.Tensor:
        """Positions drawn class-uniformly: a present class uniformly, then a member uniformly."""
        pick = torch.randint(len(self.present), (n,), generator=generator)
        return self.draw_in_class(self.present[pick], generator=generator)

    def draw_prior(self, n: int, prior: str, *, generator: torch.Generator) -> torch.Tensor:
        """``n`` positions from the ``"uniform"`` (class-balanced) or ``"empirical"`` prior."""
        if prior == "uniform":
            return self.draw_balanced(n, generator=generator)
        u = torch.randint(len(self.sorted), (n,), generator=generator)
        return self.sorted[u]


class DiscreteSampler(AbstractSampler):
    """Positive = uniform valid position of the reference's class.

    Parameters
    ----------
    runs : ValidRuns
        Valid window positions.
    codes : ndarray of shape (n_samples,)
        Class codes ``0 .. n_classes - 1`` on the global timeline.
    num_negatives : int
        Negatives per batch, drawn from the prior.
    prior : {"empirical", "uniform"}
        ``"empirical"``: references uniform over time; ``"uniform"``: class first, uniformly.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from identica.data import Dataset, Offset, Recording
    >>> from identica.sampling import DiscreteSampler
    >>> codes = np.arange(100) % 3
    >>> runs = Dataset([Recording(np.zeros((100, 2), np.float32))]).valid_runs(Offset(0, 1))
    >>> batch = DiscreteSampler(runs, codes, num_negatives=4).sample(6, generator=torch.Generator())
    >>> bool((batch.positive % 3 == batch.reference % 3).all())
    True
    """

    def __init__(
        self,
        runs: ValidRuns,
        codes: np.ndarray,
        *,
        num_negatives: int,
        prior: str = "empirical",
    ) -> None:
        super().__init__(runs, num_negatives=num_negatives)
        self.classes = ClassIndex(runs, codes)
        self.prior = prior

    def draw_prior(self, n: int, *, generator: torch.Generator) -> torch.Tensor:
        return self.classes.draw_prior(n, self.prior, generator=generator)

    def positive_for(self, reference: torch.Tensor, *, generator: torch.Generator) -> torch.Tensor:
        return self.classes.draw_in_class(self.classes.codes[reference], generator=generator)


class MixedSampler(AbstractSampler):
    """Positive shares the reference's class; inside it, the ``time_delta`` rule picks it.

    The label change ``D`` comes from all segments; the nearest continuous label to
    ``y[t] + D`` is searched among valid positions of the reference's class only.

    Parameters
    ----------
    runs : ValidRuns
        Valid window positions.
    labels : ndarray of shape (n_samples, n_labels)
        Continuous labels on the global timeline.
    codes : ndarray of shape (n_samples,)
        Class codes on the global timeline.
    time_offset : int or tuple of int
        Offsets over which label changes are measured.
    num_negatives : int
        Negatives per batch, drawn from the prior.
    prior : {"uniform", "empirical"}
        Class-balanced references (default) or uniform over time.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from identica.data import Dataset, Offset, Recording
    >>> from identica.sampling import MixedSampler
    >>> y = np.linspace(0, 1, 100, dtype=np.float32)[:, None]
    >>> runs = Dataset([Recording(np.zeros((100, 2), np.float32))]).valid_runs(Offset(0, 1))
    >>> sampler = MixedSampler(runs, y, np.arange(100) % 2, 2, num_negatives=4)
    >>> batch = sampler.sample(6, generator=torch.Generator())
    >>> bool((batch.positive % 2 == batch.reference % 2).all())
    True
    """

    def __init__(
        self,
        runs: ValidRuns,
        labels: np.ndarray,
        codes: np.ndarray,
        time_offset: int | tuple[int, ...],
        *,
        num_negatives: int,
        prior: str = "uniform",
    ) -> None:
        super().__init__(runs, num_negatives=num_negatives)
        self.classes = ClassIndex(runs, codes)
        self.prior = prior
        self._labels = torch.from_numpy(np.ascontiguousarray(labels, dtype=np.float32))
        self._changes = EmpiricalChanges(runs, labels, time_offset)
        self._indexes = {}
        for c in self.classes.present.tolist():
            members = self.classes.members(c).numpy()
            self._indexes[c] = NearestLabelIndex(labels[members], members)

    def positive_for(self, reference: torch.Tensor, *, generator: torch.Generator) -> torch.Tensor:
        classes = self.classes.codes[reference]
        query = self._labels[reference] + self._changes.draw(len(reference), generator=generator)
        positive = torch.empty_like(reference)
        for c, index in self._indexes.items():
            mask = classes == c
            if bool(mask.any()):
                positive[mask] = index.query(query[mask], generator=generator)
        return positive

    def draw_prior(self, n: int, *, generator: torch.Generator) -> torch.Tensor:
        return self.classes.draw_prior(n, self.prior, generator=generator)
