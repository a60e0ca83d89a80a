# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Conditionals by name: resolve ``"auto"`` from the labels given, build a conditional's sampler."""

from __future__ import annotations

from identica.data._dataset import Dataset, ValidRuns
from identica.exceptions import ConfigurationError, DataValidationError
from identica.sampling._base import AbstractSampler
from identica.sampling._multisession import MultiSessionSampler
from identica.sampling._table import CONDITIONALS, PRIORS, Conditional

__all__ = ["CONDITIONALS", "PRIORS", "Conditional", "make_sampler", "resolve_conditional"]


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
        return MultiSessionSampler(
            runs, dataset.n_sessions, conditional=name,
            continuous=dataset.continuous() if row.continuous else None,
            discrete=dataset.discrete() if row.discrete else None,
            time_offset=time_offset, delta=delta, num_negatives=num_negatives, prior=prior,
        )
    return row.factory(runs, dataset.recordings[0], time_offset=time_offset, delta=delta,
                       prior=prior or row.default_prior, num_negatives=num_negatives)
