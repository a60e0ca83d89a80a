# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The data side of a fit: sessions checked, the conditional resolved once, objectives expanded."""

from __future__ import annotations

import dataclasses
from typing import Any

from identica.data._dataset import Dataset
from identica.data._offset import Offset
from identica.data._recording import Recording
from identica.data._sessions import as_sessions, is_session_list
from identica.data._validate import as_recording
from identica.estimator._config import EmbeddingConfig
from identica.estimator._objective import Objective, labels_of
from identica.exceptions import ConfigurationError, DataValidationError
from identica.sampling._conditionals import CONDITIONALS, resolve_conditional

__all__ = ["Plan", "Term", "has_labels", "plan_fit"]

MULTI_OBJECTIVE = "multi-objective"


@dataclasses.dataclass(frozen=True)
class Term:
    """One objective of a multi-objective fit, with its resolved conditional and labels."""

    dims: tuple[int, ...]
    objective: Objective
    conditional: str
    recording: Recording


@dataclasses.dataclass(frozen=True)
class Plan:
    """What the assembly needs to know about the data of one fit.

    Attributes
    ----------
    sessions : tuple of Recording
        The checked recordings.
    conditional : str
        The resolved conditional, or ``"multi-objective"``.
    terms : tuple of Term, optional
        The expanded objectives (``None`` for one contrastive objective).
    shared_encoder : bool
        One encoder for all sessions (single session, no labels, or objectives).
    """

    sessions: tuple[Recording, ...]
    conditional: str
    terms: tuple[Term, ...] | None
    shared_encoder: bool

    @property
    def dataset(self) -> Dataset:
        return Dataset(list(self.sessions))

    def check_lengths(self, field: Offset) -> None:
        """Every session must hold a pair and one receptive field."""
        multi = len(self.sessions) > 1
        for s, recording in enumerate(self.sessions):
            if recording.n_samples < max(2, len(field)):
                where = f" (session {s})" if multi else ""
                raise DataValidationError(
                    f"X has {recording.n_samples} sample(s) (time steps){where}; training "
                    f"needs at least {max(2, len(field))}: 2 for a pair, and the encoder's "
                    f"receptive field of {len(field)}. Use a longer recording or a smaller "
                    "encoder (e.g. encoder='mlp')."
                )


def has_labels(recording: Recording) -> dict[str, bool]:
    return {"continuous": recording.continuous is not None,
            "discrete": recording.discrete is not None}


def _shared_encoder(conditional: str, sessions: list[Recording], encoder: object) -> bool:
    """One network for all sessions: needed without labels (nothing else aligns sessions)."""
    if len(sessions) == 1:
        return True
    widths = sorted({s.n_neurons for s in sessions})
    if conditional == "time":
        if len(widths) > 1:
            raise DataValidationError(
                "Multi-session training without labels uses one shared encoder, since nothing "
                "else aligns the sessions; that needs the same number of neurons in every "
                f"session. Got {widths}. Pass behaviour labels (y) to align sessions of "
                "different widths."
            )
        return True
    if not isinstance(encoder, str) and len(widths) > 1:
        raise DataValidationError(
            "A custom encoder module is copied for every session, so all sessions need the "
            f"same number of neurons; got {widths}. Use a registry name (e.g. 'conv10') to get "
            "one encoder per session width."
        )
    return False


def plan_fit(
    config: EmbeddingConfig, X: Any, y: Any = None, *, discrete: Any = None,
    trial_starts: Any = None, conditional: str | None = None,
) -> Plan:
    """Check the data of a fit and resolve what to train on it.

    Data checks (NaN/inf, dtype, shapes) come first, then the checks of parameters against
    the data. ``conditional`` overrides the config's (a fitted model's resolved conditional).

    Examples
    --------
    >>> import identica
    >>> from identica.estimator import EmbeddingConfig, plan_fit
    >>> data = identica.synthetic.linear_track(n_samples=300, n_neurons=10)
    >>> config = EmbeddingConfig.from_params(identica.Embedding().get_params())
    >>> plan_fit(config, data.neural, data.continuous).conditional
    'time_delta'
    """
    multi = is_session_list(X)
    if config.objectives is not None:
        if multi:
            raise ConfigurationError(
                "Multi-objective and hybrid training take one recording; got a list of "
                f"{len(X)} sessions. Fit the sessions without objectives, or one at a time."
            )
        base = as_recording(X, trial_starts=trial_starts, out_of_core=True)
        terms = []
        for objective in config.objectives:
            labels, codes = labels_of(objective, y, discrete)
            recording = as_recording(base.neural, labels, discrete=codes, out_of_core=True,
                                     trial_starts=trial_starts)
            every = tuple(range(config.output_dimension))
            dims = every if objective.dims is None else tuple(objective.dims)
            name = resolve_conditional(objective.conditional, **has_labels(recording))
            delta = objective.delta if objective.delta is not None else config.delta
            _check_delta(name, delta, f"Objective {len(terms)}")
            terms.append(Term(dims, objective, name, recording))
        return Plan((terms[0].recording,), MULTI_OBJECTIVE, tuple(terms), True)
    sessions = as_sessions(X, y, discrete=discrete, trial_starts=trial_starts,
                           out_of_core=True)
    name = resolve_conditional(conditional or config.conditional, **has_labels(sessions[0]))
    _check_delta(name, config.delta, "Embedding")
    return Plan(tuple(sessions), name, None, _shared_encoder(name, sessions, config.encoder))


def _check_delta(conditional: str, delta: float | None, owner: str) -> None:
    if CONDITIONALS[conditional].needs_delta and delta is None:
        raise ConfigurationError(
            f"'delta' of {owner} must be a positive number for conditional={conditional!r} "
            "(the standard deviation of the label noise, in label units). Got None."
        )
