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

from identica.data._dataset import ValidRuns
from identica.sampling._base import AbstractSampler
from identica.sampling._behavior import DeltaSampler, TimeDeltaSampler
from identica.sampling._discrete import PRIORS, DiscreteSampler, MixedSampler
from identica.sampling._time import TimeSampler

__all__ = ["CONDITIONALS", "PRIORS", "Conditional"]


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
