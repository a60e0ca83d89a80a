# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Multi-session conditionals: references per session, positives dealt across sessions.

Each of the S sessions has its own encoder, so every batch holds ``n`` references and
``num_negatives`` negatives from each session, session-blocked. With labels, the S·n positive
queries are shuffled and dealt ``n`` to each session; the positive is searched inside the
assigned session, so most pairs cross sessions and align the sessions' embeddings.
"""

from __future__ import annotations

import numpy as np
import torch

from identica.data._dataset import Dataset, ValidRuns
from identica.data._offset import Offset
from identica.exceptions import ConfigurationError
from identica.sampling._base import AbstractSampler, BatchIndex
from identica.sampling._behavior import EmpiricalChanges
from identica.sampling._discrete import ClassIndex
from identica.sampling._multisession_args import USES, check_arguments, stack_labels
from identica.sampling._nearest import NearestLabelIndex
from identica.sampling._offsets import OffsetPairs

__all__ = ["MultiSessionSampler"]



class MultiSessionSampler(AbstractSampler):
    """Session-blocked references and negatives; label positives dealt across sessions.

    References: ``n`` per session, session 0 first. Negatives: ``num_negatives`` per session
    from the same per-session prior. Positives, in reference order:

    - ``"time"``: ``t + d`` inside the reference's own segment (``d`` from ``time_offset``;
      references uniform over positions that have such a partner, as in ``TimeSampler``).
    - ``"time_delta"`` / ``"delta"``: query ``y[t] + D``, with ``D`` an empirical label change
      pooled over all sessions (never spanning a border) or Gaussian noise of scale ``delta``.
      The S·n queries are permuted at random and dealt ``n`` per session; the positive is the
      valid position of the assigned session with the nearest label.
    - ``"discrete"``: same dealing; the positive is a uniform valid position of the reference's
      class in the assigned session. A query whose class has no valid position there is
      re-dealt to a session, drawn uniformly, that has the class.
    - ``"mixed"``: as ``"discrete"``, then the nearest continuous label (``time_delta`` query)
      among the valid positions of that class in the assigned session.

    Without re-dealing, each session receives exactly ``n`` positives. Class codes must mean the
    same class in every session. With ``"time"``, nothing aligns separately encoded sessions.

    Parameters
    ----------
    runs : ValidRuns
        Valid window positions of all sessions on the global timeline.
    n_sessions : int
        Number of sessions; every session needs at least one valid position.
    conditional : {"time", "time_delta", "delta", "discrete", "mixed"}
        How positives are drawn.
    continuous : ndarray of shape (n_samples, n_labels), optional
        Continuous labels on the global timeline; required by (and only by) ``"time_delta"``,
        ``"delta"`` and ``"mixed"``.
    discrete : ndarray of shape (n_samples,), optional
        Non-negative integer class codes on the global timeline, shared across sessions;
        required by (and only by) ``"discrete"`` and ``"mixed"``.
    time_offset : int or tuple of int, default=1
        Offsets for ``"time"`` positives and ``"time_delta"``/``"mixed"`` label changes;
        not used by ``"delta"`` and ``"discrete"``.
    delta : float, optional
        Standard deviation of the label noise; required by ``"delta"``, not used otherwise.
    num_negatives : int
        Negatives per session and batch (0 draws none).
    prior : {"empirical", "uniform"}, optional
        Per-session prior of ``"discrete"`` (default ``"empirical"``) and ``"mixed"`` (default
        ``"uniform"``, class-balanced). Other conditionals use the uniform prior over valid
        positions and ignore it.

    Raises
    ------
    ConfigurationError
        Unknown conditional or prior, bad counts, missing or unused labels, no ``delta``, or a
        ``time_offset`` longer than every segment of a session.
    DataValidationError
        Labels of the wrong shape or type, or a session without valid positions.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from identica.data import Dataset, Offset, Recording
    >>> from identica.sampling import MultiSessionSampler
    >>> ds = Dataset([Recording(np.zeros((t, 2), np.float32)) for t in (100, 80)])
    >>> y = np.concatenate([np.linspace(0, 1, 100), np.linspace(0, 1, 80)])[:, None]
    >>> sampler = MultiSessionSampler(ds.valid_runs(Offset(0, 1)), 2, conditional="time_delta",
    ...                               continuous=y, time_offset=2, num_negatives=3)
    >>> batch = sampler.sample(4, generator=torch.Generator().manual_seed(0))
    >>> sampler.session_of(batch.reference).tolist(), sampler.session_of(batch.negative).tolist()
    ([0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 1, 1])
    >>> torch.bincount(sampler.session_of(batch.positive)).tolist()
    [4, 4]
    """

    def __init__(
        self,
        runs: ValidRuns,
        n_sessions: int,
        *,
        conditional: str,
        continuous: np.ndarray | None = None,
        discrete: np.ndarray | None = None,
        time_offset: int | tuple[int, ...] = 1,
        delta: float | None = None,
        num_negatives: int,
        prior: str | None = None,
    ) -> None:
        check_arguments(runs, n_sessions, conditional, continuous, discrete, delta,
                         num_negatives, prior)
        super().__init__(runs, num_negatives=num_negatives)
        self.n_sessions = int(n_sessions)
        self.conditional = conditional
        self.time_offset = time_offset
        self.delta = delta
        uses_continuous, uses_discrete = USES[conditional]
        default_prior = "uniform" if conditional == "mixed" else "empirical"
        self.prior = (prior or default_prior) if uses_discrete else None
        self._session_runs = [
            ValidRuns(runs.starts[keep], runs.counts[keep], runs.session[keep])
            for keep in (runs.session == s for s in range(self.n_sessions))
        ]
        # First valid position of sessions 1 .. S-1, for session_of.
        firsts = [int(r.starts.min()) for r in self._session_runs[1:]]
        self._firsts = torch.tensor(firsts, dtype=torch.int64)
        self._pairs: list[OffsetPairs] = []
        self._classes: list[ClassIndex] = []
        self._nearest: dict[tuple[int, int], NearestLabelIndex] = {}  # (session, class)
        if conditional == "time":
            for s, session_runs in enumerate(self._session_runs):
                try:
                    self._pairs.append(OffsetPairs(session_runs, time_offset))
                except ConfigurationError as error:
                    raise ConfigurationError(f"Session {s}: {error}") from error
            self._partners = OffsetPairs(runs, time_offset)  # time partners for any reference
        if uses_continuous:
            labels = np.ascontiguousarray(continuous, dtype=np.float32)
            self._labels = torch.from_numpy(labels)
            if conditional != "delta":
                self._changes = EmpiricalChanges(runs, labels, time_offset)
        if uses_discrete:
            codes = np.asarray(discrete, dtype=np.int64)
            self._classes = [ClassIndex(r, codes) for r in self._session_runs]
            self._codes = self._classes[0].codes
            has = self._has_class = torch.stack([c.counts for c in self._classes]) > 0
            # For each class, the sessions having it: class-sorted, with start and count.
            self._sessions_with = torch.nonzero(has.T)[:, 1]
            self._with_counts = has.sum(0)
            self._with_starts = torch.cumsum(self._with_counts, 0) - self._with_counts
        if conditional == "mixed":
            for s, classes in enumerate(self._classes):
                for c in classes.present.tolist():
                    members = classes.members(c).numpy()
                    self._nearest[s, c] = NearestLabelIndex(labels[members], members)
        elif uses_continuous:
            for s, session_runs in enumerate(self._session_runs):
                valid = session_runs.indices()
                self._nearest[s, 0] = NearestLabelIndex(labels[valid], valid)

    @classmethod
    def from_dataset(
        cls,
        dataset: Dataset,
        receptive_field: Offset,
        *,
        conditional: str,
        time_offset: int | tuple[int, ...] = 1,
        delta: float | None = None,
        num_negatives: int,
        prior: str | None = None,
    ) -> MultiSessionSampler:
        """Build the sampler from a dataset's recordings, taking the labels the conditional uses.

        Parameters
        ----------
        dataset : Dataset
            The sessions; each must carry the labels ``conditional`` needs.
        receptive_field : Offset
            The encoders' receptive field (shared by all sessions).
        conditional, time_offset, delta, num_negatives, prior
            As for :class:`MultiSessionSampler`.

        Raises
        ------
        DataValidationError
            If a session lacks the labels, or they differ from its neural data in length or
            from session 0 in columns.

        Examples
        --------
        >>> import numpy as np, torch
        >>> from identica.data import Dataset, Offset, Recording
        >>> from identica.sampling import MultiSessionSampler
        >>> ds = Dataset([Recording(np.zeros((t, 2), np.float32), discrete=np.arange(t) % 2)
        ...               for t in (50, 70)])
        >>> sampler = MultiSessionSampler.from_dataset(ds, Offset(0, 1), conditional="discrete",
        ...                                            num_negatives=2)
        >>> batch = sampler.sample(5, generator=torch.Generator().manual_seed(1))
        >>> bool(((batch.positive - batch.reference) % 2 == 0).all())
        True
        """
        uses_continuous, uses_discrete = USES.get(conditional, (False, False))
        return cls(
            dataset.valid_runs(receptive_field),
            dataset.n_sessions,
            conditional=conditional,
            continuous=(
                stack_labels(dataset, "continuous", conditional) if uses_continuous else None
            ),
            discrete=stack_labels(dataset, "discrete", conditional) if uses_discrete else None,
            time_offset=time_offset,
            delta=delta,
            num_negatives=num_negatives,
            prior=prior,
        )

    def session_of(self, index: torch.Tensor) -> torch.Tensor:
        """Session number (int64) of global indices of valid positions, e.g. of a batch.

        Parameters
        ----------
        index : Tensor of shape (n,)
            Global indices of valid window positions.

        Examples
        --------
        >>> import numpy as np, torch
        >>> from identica.data import Dataset, Offset, Recording
        >>> from identica.sampling import MultiSessionSampler
        >>> ds = Dataset([Recording(np.zeros((t, 2), np.float32)) for t in (10, 10)])
        >>> sampler = MultiSessionSampler(ds.valid_runs(Offset(0, 1)), 2, conditional="time",
        ...                               num_negatives=1)
        >>> sampler.session_of(torch.tensor([0, 9, 10, 19])).tolist()
        [0, 0, 1, 1]
        """
        return torch.searchsorted(self._firsts, index, right=True)

    def draw_prior(self, n: int, *, generator: torch.Generator) -> torch.Tensor:
        """Draw ``n`` positions per session from its prior, session-blocked (``n_sessions * n``)."""
        if self._classes:
            return torch.cat([c.draw_prior(n, self.prior, generator=generator)
                              for c in self._classes])
        return torch.cat([r.draw(n, generator=generator) for r in self._session_runs])

    def sample(self, n: int, *, generator: torch.Generator) -> BatchIndex:
        """Draw ``n`` pairs and ``num_negatives`` negatives per session, session-blocked.

        Returns ``reference`` and ``positive`` of shape ``(n_sessions * n,)`` and ``negative``
        of shape ``(n_sessions * num_negatives,)``; see :meth:`AbstractSampler.sample`.
        """
        if self.conditional == "time":
            drawn = [pairs.draw(n, generator=generator) for pairs in self._pairs]
            reference = torch.cat([u for u, _ in drawn])
            positive = reference + torch.cat([d for _, d in drawn])
        else:
            reference = self.draw_prior(n, generator=generator)
            positive = self._dealt_positives(reference, n, generator)
        negative = self.draw_prior(self.num_negatives, generator=generator)
        return BatchIndex(reference, positive, negative)

    def positive_for(self, reference: torch.Tensor, *, generator: torch.Generator) -> torch.Tensor:
        """Positives for session-blocked references (the same number from every session).

        Label conditionals deal them across sessions as :meth:`sample` does; ``time`` takes
        ``t + d`` inside the reference's run (``t - d`` where that runs past its end, else the
        run's far end).
        """
        if len(reference) % self.n_sessions:
            raise ValueError(
                f"positive_for of MultiSessionSampler needs the same number of references "
                f"from each of the {self.n_sessions} sessions; got {len(reference)}."
            )
        if self.conditional == "time":
            return self._partners.partner(reference, generator=generator)
        return self._dealt_positives(reference, len(reference) // self.n_sessions, generator)

    def _dealt_positives(
        self, reference: torch.Tensor, n: int, generator: torch.Generator
    ) -> torch.Tensor:
        total = len(reference)
        if self.conditional == "delta":
            noise = torch.randn((total, self._labels.shape[1]), generator=generator)
            query = self._labels[reference] + self.delta * noise
        elif self.conditional != "discrete":
            query = self._labels[reference] + self._changes.draw(total, generator=generator)
        # Permute the queries and deal them n per session: query perm[j] goes to session j // n.
        perm = torch.randperm(total, generator=generator)
        assigned = torch.empty(total, dtype=torch.int64)
        assigned[perm] = torch.arange(total) // max(n, 1)
        positive = torch.empty_like(reference)
        if not self._classes:  # one nearest-label index per session, keyed (session, 0)
            classes = torch.zeros_like(reference)
        else:  # a query whose class is absent in its session goes to a session that has it
            classes = self._codes[reference]
            absent = ~self._has_class[assigned, classes]
            c = classes[absent]
            u = torch.rand(c.shape, generator=generator, dtype=torch.float64)
            pick = self._with_starts[c] + (u * self._with_counts[c]).long()
            assigned[absent] = self._sessions_with[pick]
        if self.conditional == "discrete":
            for s, index in enumerate(self._classes):
                mask = assigned == s
                positive[mask] = index.draw_in_class(classes[mask], generator=generator)
            return positive
        for (s, c), nearest in self._nearest.items():
            mask = (assigned == s) & (classes == c)
            if bool(mask.any()):
                positive[mask] = nearest.query(query[mask], generator=generator)
        return positive
