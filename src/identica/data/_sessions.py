# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Turn the arguments of ``fit`` (one array or a list of arrays) into validated recordings."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from identica.data._recording import Recording
from identica.data._validate import as_recording
from identica.exceptions import DataValidationError

__all__ = ["as_sessions", "is_session_list"]


def is_session_list(X: object) -> bool:
    """Whether ``X`` is a list or tuple of sessions rather than one array."""
    return isinstance(X, list | tuple) and len(X) > 0 and all(
        isinstance(x, np.ndarray) or hasattr(x, "__array__") or isinstance(x, list | tuple)
        for x in X
    ) and not _is_rows(X)


def _is_rows(X: Sequence[object]) -> bool:
    # A list of numbers per row is one 2-D array written as nested lists, not sessions.
    first = X[0]
    return isinstance(first, list | tuple) and len(first) > 0 and np.isscalar(first[0])


def _per_session(value: object, name: str, n_sessions: int) -> list[object]:
    if value is None:
        return [None] * n_sessions
    if not isinstance(value, list | tuple):
        raise DataValidationError(
            f"X is a list of {n_sessions} sessions, so {name} must be a list with one entry per "
            f"session (None for a session without them); got {type(value).__name__}."
        )
    if len(value) != n_sessions:
        raise DataValidationError(
            f"X has {n_sessions} sessions but {name} has {len(value)} entries. Pass one per "
            "session."
        )
    return list(value)


def as_sessions(
    X: object, y: object = None, *, discrete: object = None, trial_starts: object = None,
    out_of_core: bool = False,
) -> list[Recording]:
    """Validate one recording or a list of sessions; return one :class:`Recording` each.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features), or list of such arrays
        One recording, or one array per session (session lengths and widths may differ).
    y, discrete, trial_starts : optional
        As for :func:`as_recording`; with a list ``X``, lists with one entry per session.
    out_of_core : bool, default=False
        As for :func:`as_recording`: arrays stored on disk stay there.

    Returns
    -------
    list of Recording

    Raises
    ------
    DataValidationError
        On any malformed session (the message names it), list lengths that disagree, or
        sessions whose labels are of different kinds or widths.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.data import as_sessions
    >>> sessions = as_sessions([np.ones((50, 3)), np.ones((40, 5))])
    >>> [s.n_neurons for s in sessions]
    [3, 5]
    """
    if not is_session_list(X):
        return [as_recording(X, y, discrete=discrete, trial_starts=trial_starts,
                             out_of_core=out_of_core)]
    n = len(X)
    ys = _per_session(y, "y", n)
    ds = _per_session(discrete, "discrete", n)
    ts = _per_session(trial_starts, "trial_starts", n)
    sessions = [
        as_recording(x, yi, discrete=di, trial_starts=ti, session=i, out_of_core=out_of_core)
        for i, (x, yi, di, ti) in enumerate(zip(X, ys, ds, ts, strict=True))
    ]
    kinds = {(s.continuous is None, s.discrete is None) for s in sessions}
    if len(kinds) > 1:
        raise DataValidationError(
            "Sessions must carry the same kinds of labels (all continuous, all discrete, both, "
            "or none); got a mix. Give every session the same label kinds."
        )
    widths = {s.continuous.shape[1] for s in sessions if s.continuous is not None}
    if len(widths) > 1:
        raise DataValidationError(
            f"Continuous labels must have the same number of columns in every session; got "
            f"{sorted(widths)}."
        )
    return sessions
