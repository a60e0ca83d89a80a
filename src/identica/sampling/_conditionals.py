# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The conditional table: each name, the labels it needs, its default prior, its sampler.

One table answers every question the estimator, the multi-session sampler and the checks ask
about a conditional, so the vocabulary is spelled once. A new conditional is one more row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from identica.data._dataset import Dataset, ValidRuns
from identica.exceptions import ConfigurationError, DataValidationError
from identica.sampling._base import AbstractSampler
from identica.sampling._behavior import DeltaSampler, TimeDeltaSampler
from identica.sampling._discrete import PRIORS, DiscreteSampler, MixedSampler
from identica.sampling._time import TimeSampler

__all__ = ["CONDITIONALS", "PRIORS", "Conditional", "make_sampler", "resolve_conditional"]


@dataclasses.dataclass(frozen=True)
class Conditional:
    """One row of the conditional table.

    Parameters
    ----------
    name : str
        The name users pass (``conditional="time_delta"``).
    continuous, discrete : bool
        Whether the conditional reads continuous or discrete labels.
    default_prior : str, optional
        Reference distribution when ``prior=None`` (discrete conditionals only).
    needs_delta : bool
        Whether ``delta`` (the label noise scale) must be given.
    factory : callable
        ``factory(runs, recording, time_offset=, delta=, prior=, num_negatives=)`` builds the
        single-session sampler.
    """

    name: str
    continuous: bool
    discrete: bool
    default_prior: str | None
    needs_delta: bool
    factory: Callable[..., AbstractSampler]

    @property
    def labels_needed(self) -> str:
        """The labels this conditional needs, in words (for error messages)."""
        if self.continuous and self.discrete:
            return "continuous y and discrete="
        if self.continuous:
            return "continuous (float) y"
        if self.discrete:
            return "discrete (integer) labels, as y or discrete="
        return "no labels"


def _time(runs: ValidRuns, recording: Any, **o: Any) -> AbstractSampler:
    return TimeSampler(runs, o["time_offset"], num_negatives=o["num_negatives"])


def _time_delta(runs: ValidRuns, recording: Any, **o: Any) -> AbstractSampler:
    return TimeDeltaSampler(runs, recording.continuous, o["time_offset"],
                            num_negatives=o["num_negatives"])


def _delta(runs: ValidRuns, recording: Any, **o: Any) -> AbstractSampler:
    return DeltaSampler(runs, recording.continuous, o["delta"], num_negatives=o["num_negatives"])


def _discrete(runs: ValidRuns, recording: Any, **o: Any) -> AbstractSampler:
    return DiscreteSampler(runs, recording.discrete, num_negatives=o["num_negatives"],
                           prior=o["prior"])


def _mixed(runs: ValidRuns, recording: Any, **o: Any) -> AbstractSampler:
    return MixedSampler(runs, recording.continuous, recording.discrete, o["time_offset"],
                        num_negatives=o["num_negatives"], prior=o["prior"])


CONDITIONALS: Mapping[str, Conditional] = MappingProxyType({
    row.name: row for row in (
        Conditional("time", False, False, None, False, _time),
        Conditional("time_delta", True, False, None, False, _time_delta),
        Conditional("delta", True, False, None, True, _delta),
        Conditional("discrete", False, True, "empirical", False, _discrete),
        Conditional("mixed", True, True, "uniform", False, _mixed),
    )
})


def resolve_conditional(name: str, *, continuous: bool, discrete: bool) -> str:
    """The conditional to use: ``"auto"`` picks it from the labels given; others are checked.

    Parameters
    ----------
    name : str
        ``"auto"`` or a key of :data:`CONDITIONALS`.
    continuous, discrete : bool
        Whether continuous and discrete labels were given.

    Raises
    ------
    DataValidationError
        The conditional needs labels that were not given.

    Examples
    --------
    >>> from identica.sampling import resolve_conditional
    >>> resolve_conditional("auto", continuous=True, discrete=True)
    'mixed'
    """
    if name == "auto":
        matches = [row.name for row in CONDITIONALS.values()
                   if (row.continuous, row.discrete) == (continuous, discrete)]
        return matches[0]
    row = CONDITIONALS[name]
    if (row.continuous and not continuous) or (row.discrete and not discrete):
        raise DataValidationError(
            f"conditional={name!r} needs {row.labels_needed}. Pass those labels to fit, or use "
            "conditional='auto' to choose from the labels given."
        )
    return name


def make_sampler(
    name: str,
    dataset: Dataset,
    runs: ValidRuns,
    *,
    time_offset: int | tuple[int, ...],
    delta: float | None,
    prior: str | None,
    num_negatives: int,
) -> AbstractSampler:
    """The sampler of a resolved conditional over a dataset's valid positions.

    One session gets the conditional's own sampler; several get a
    :class:`~identica.sampling.MultiSessionSampler` that deals positives across sessions.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.data import Dataset, Offset, Recording
    >>> from identica.sampling import make_sampler
    >>> dataset = Dataset([Recording(np.zeros((50, 2), np.float32))])
    >>> sampler = make_sampler("time", dataset, dataset.valid_runs(Offset(0, 1)),
    ...                        time_offset=1, delta=None, prior=None, num_negatives=4)
    >>> type(sampler).__name__
    'TimeSampler'
    """
    row = CONDITIONALS[name]
    if row.needs_delta and delta is None:
        raise ConfigurationError(
            f"'delta' must be a positive number for conditional={name!r} (the standard "
            "deviation of the label noise, in label units). Got None."
        )
    if dataset.n_sessions > 1:
        from identica.sampling._multisession import MultiSessionSampler

        return MultiSessionSampler(
            runs, dataset.n_sessions, conditional=name,
            continuous=dataset.continuous() if row.continuous else None,
            discrete=dataset.discrete() if row.discrete else None,
            time_offset=time_offset, delta=delta, num_negatives=num_negatives, prior=prior,
        )
    return row.factory(runs, dataset.recordings[0], time_offset=time_offset, delta=delta,
                       prior=prior or row.default_prior, num_negatives=num_negatives)
