# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Argument checks of the multi-session sampler, and stacking of per-session labels."""

from __future__ import annotations

import difflib
import numbers

import numpy as np

from identica.data._dataset import Dataset, ValidRuns
from identica.exceptions import ConfigurationError, DataValidationError
from identica.sampling._table import CONDITIONALS as TABLE
from identica.sampling._table import PRIORS

# conditional -> (uses continuous labels, uses discrete labels), from the conditional table
USES = {row.name: (row.continuous, row.discrete) for row in TABLE.values()}
CONDITIONALS = tuple(USES)


def check_arguments(runs: ValidRuns, n_sessions: object, conditional: object,
                     continuous: object, discrete: object, delta: object,
                     num_negatives: object, prior: object) -> None:
    """Validate the constructor's arguments; raise naming the argument and the value got."""
    owner = "of MultiSessionSampler"
    if conditional not in USES:
        close = difflib.get_close_matches(str(conditional), CONDITIONALS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigurationError(f"'conditional' {owner} must be one of {list(CONDITIONALS)}. "
                                 f"Got {conditional!r}.{hint}")
    for name, value, low in (("n_sessions", n_sessions, 1), ("num_negatives", num_negatives, 0)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low:
            raise ConfigurationError(f"'{name}' {owner} must be an int >= {low}. Got {value!r}.")
    if prior is not None and prior not in PRIORS:
        raise ConfigurationError(
            f"'prior' {owner} must be None or one of {list(PRIORS)}. Got {prior!r}."
        )
    sessions = np.unique(runs.session)
    if len(sessions) and (sessions[0] < 0 or sessions[-1] >= n_sessions):
        raise ConfigurationError(
            f"'runs' {owner} hold sessions {sessions.tolist()}, outside 0 .. {n_sessions - 1} "
            f"for n_sessions={n_sessions}. Pass the dataset's n_sessions."
        )
    empty = sorted(set(range(n_sessions)) - set(sessions.tolist()))
    if empty:
        raise DataValidationError(
            f"Session {empty[0]} has no valid window position (every segment is shorter than "
            "the receptive field), so no reference can be drawn from it. Drop the session or "
            "use an encoder with a smaller receptive field."
        )
    end = int((runs.starts + runs.counts).max())  # one past the last valid position
    for name, value, used in zip(("continuous", "discrete"), (continuous, discrete),
                                 USES[conditional], strict=True):
        if used and value is None:
            raise ConfigurationError(
                f"conditional={conditional!r} {owner} needs '{name}' labels. Got None."
            )
        if not used and value is not None:
            users = [c for c, uses in USES.items() if uses[name == "discrete"]]
            raise ConfigurationError(
                f"'{name}' {owner} is not used by conditional={conditional!r}. Pass "
                f"{name}=None, or use one of {users}."
            )
    if continuous is not None:
        array = np.asarray(continuous)
        if array.ndim != 2 or len(array) < end or not np.issubdtype(array.dtype, np.number):
            hint = " Use continuous[:, None] for one label column." if array.ndim == 1 else ""
            raise DataValidationError(
                f"'continuous' {owner} must be numbers of shape (n_samples, n_labels) on the "
                f"global timeline, n_samples >= {end}. Got {array.dtype} of shape "
                f"{array.shape}.{hint}"
            )
    if discrete is not None:
        array = np.asarray(discrete)
        if (array.ndim != 1 or len(array) < end or not np.issubdtype(array.dtype, np.integer)
                or array.min() < 0):
            raise DataValidationError(
                f"'discrete' {owner} must be non-negative integer class codes of shape "
                f"(n_samples,) on the global timeline, n_samples >= {end}. Got {array.dtype} "
                f"of shape {array.shape}" + (f", min {array.min()}." if array.size else ".")
            )
    if conditional == "delta" and not (isinstance(delta, numbers.Real) and delta > 0):
        raise ConfigurationError(
            f"'delta' {owner} must be a positive number for conditional='delta' (the "
            f"standard deviation of the label noise, in label units). Got {delta!r}."
        )


def stack_labels(dataset: Dataset, name: str, conditional: str) -> np.ndarray:
    """One label array of every recording, checked per session and stacked on the timeline."""
    arrays = []
    for s, recording in enumerate(dataset.recordings):
        labels = getattr(recording, name)
        if labels is None:
            raise DataValidationError(
                f"conditional={conditional!r} needs {name} labels in every session; session "
                f"{s} has none. Give every recording {name} labels."
            )
        labels = np.asarray(labels)
        if len(labels) != recording.n_samples:
            raise DataValidationError(
                f"X has {recording.n_samples} timesteps but {name} labels have {len(labels)} "
                f"(session {s})."
            )
        if arrays and labels.shape[1:] != arrays[0].shape[1:]:
            raise DataValidationError(
                f"Every session needs the same {name} label columns: session 0 has shape "
                f"{arrays[0].shape}, session {s} has {labels.shape}."
            )
        arrays.append(labels)
    return np.concatenate(arrays)
