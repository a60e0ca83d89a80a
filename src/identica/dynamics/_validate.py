# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Checks of the data of ``DynamicsEmbedding``: trial starts and control inputs."""

from __future__ import annotations

import numpy as np

from identica.data._validate import _as_numeric, _check_finite, check_neural
from identica.dynamics._config import OWNER
from identica.exceptions import DataValidationError

__all__ = ["check_controls", "check_features", "check_trial_starts", "consecutive_pairs"]


def _shown(values: np.ndarray) -> str:
    listed = values.reshape(-1)[:6].tolist()
    return f"{listed}{' ...' if values.size > 6 else ''}"


def check_features(X: object, n_features: int, method: str) -> np.ndarray:
    """``X`` as float32 ``(n_samples, n_features)`` with the fitted number of features."""
    neural = check_neural(X)
    if neural.shape[1] != n_features:
        raise DataValidationError(
            f"X has {neural.shape[1]} features, but {OWNER} is expecting {n_features} features "
            f"as input (the channels seen in fit); got it in {OWNER}.{method}."
        )
    return neural


def check_trial_starts(value: object, n_samples: int, method: str) -> np.ndarray:
    """The first row of every trial as int64, starting at 0 (added when missing).

    Raises
    ------
    DataValidationError
        Not a 1-D array of integers, not strictly increasing, or outside ``[0, n_samples)``.
    """
    owner = f"'trial_starts' of {OWNER}.{method}"
    if value is None:
        return np.zeros(1, dtype=np.int64)
    starts = _as_numeric(value, "trial_starts", None)
    if starts.ndim != 1 or len(starts) == 0 or not np.issubdtype(starts.dtype, np.integer):
        raise DataValidationError(
            f"{owner} must be a non-empty 1-D array of integer row indices (the first row of "
            f"every trial). Got dtype {starts.dtype}, shape {starts.shape}: {_shown(starts)}."
        )
    starts = starts.astype(np.int64)
    if starts.min() < 0 or starts.max() >= n_samples:
        raise DataValidationError(
            f"{owner} must lie in [0, {n_samples}) for X of {n_samples} rows. Got "
            f"{_shown(starts)} (min {int(starts.min())}, max {int(starts.max())})."
        )
    if np.any(np.diff(starts) <= 0):
        at = int(np.argmax(np.diff(starts) <= 0))
        raise DataValidationError(
            f"{owner} must increase strictly (sorted, no repeats). Got {_shown(starts)}: "
            f"entry {at + 1} ({int(starts[at + 1])}) follows {int(starts[at])}."
        )
    if starts[0] != 0:  # the rows before the first start are a trial of their own
        starts = np.concatenate([[0], starts])
    return starts


def check_controls(value: object, n_samples: int, n_controls: int | None,
                   method: str) -> np.ndarray | None:
    """Control inputs as float32 ``(n_samples, m)`` (a 1-D array is one input), or ``None``.

    ``n_controls`` is the fitted number of inputs (``None`` in fit: any).
    """
    owner = f"'controls' of {OWNER}.{method}"
    if value is None:
        if n_controls:
            raise DataValidationError(
                f"{owner} is required: the model was fitted with {n_controls} control "
                f"input(s). Pass an array of shape ({n_samples}, {n_controls})."
            )
        return None
    controls = _as_numeric(value, "controls", None)
    if controls.ndim == 1:
        controls = controls[:, None]
    if controls.ndim != 2 or controls.shape[0] != n_samples:
        raise DataValidationError(
            f"{owner} must have shape (n_samples, n_controls) with n_samples = {n_samples} "
            f"(the rows of X; u_t acts between rows t and t + 1). Got shape {controls.shape}."
        )
    if n_controls is not None and controls.shape[1] != n_controls:
        raise DataValidationError(
            f"{owner} must have {n_controls} column(s), as in fit. Got {controls.shape[1]}."
        )
    if controls.shape[1] == 0:
        raise DataValidationError(f"{owner} has no column. Pass None for no control inputs.")
    controls = controls.astype(np.float64)
    _check_finite(controls, "controls", None)
    return np.ascontiguousarray(controls, dtype=np.float32)


def consecutive_pairs(starts: np.ndarray, n_samples: int) -> np.ndarray:
    """Every row ``t`` whose successor ``t + 1`` lies in the same trial (int64)."""
    has_next = np.ones(n_samples, dtype=bool)
    has_next[-1] = False
    has_next[starts[1:] - 1] = False
    return np.flatnonzero(has_next).astype(np.int64)
