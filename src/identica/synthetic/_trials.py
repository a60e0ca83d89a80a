# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""What the dynamics generators share: initial points, and laying trials out as rows."""

from __future__ import annotations

from typing import Any

import numpy as np

from identica.exceptions import ConfigurationError, DataValidationError
from identica.synthetic._dynamics import DynamicsData, LatentDynamics
from identica.synthetic._observation import ObservationMap

__all__ = ["INITIAL", "assemble", "initial_points"]

INITIAL = ("sphere", "box")
"""Named distributions of the initial points; an explicit array is the third option."""


def initial_points(
    initial: Any, n_trials: int, n_latents: int, rng: np.random.Generator, owner: str
) -> np.ndarray:
    """``(n_trials, d)`` starting states: uniform on S^{d-1}, uniform in [-1, 1]^d, or the
    rows of a given ``(k, d)`` array cycled over the trials (trial ``i`` starts at row
    ``i % k``)."""
    if isinstance(initial, str):
        if initial == "sphere":
            x = rng.normal(size=(n_trials, n_latents))
            return x / np.linalg.norm(x, axis=1, keepdims=True)
        if initial == "box":
            return rng.uniform(-1.0, 1.0, size=(n_trials, n_latents))
        raise ConfigurationError(
            f"'initial' of {owner} must be one of {list(INITIAL)} or an array of shape "
            f"(n_points, {n_latents}). Got {initial!r}."
        )
    try:
        points = np.array(initial, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ConfigurationError(
            f"'initial' of {owner} must be one of {list(INITIAL)} or an array of shape "
            f"(n_points, {n_latents}). Got {type(initial).__name__}."
        ) from error
    if points.ndim == 1:
        points = points[None]
    if (points.ndim != 2 or points.shape[1] != n_latents or len(points) == 0
            or not np.all(np.isfinite(points))):
        raise DataValidationError(
            f"'initial' of {owner} must be a finite array of shape (n_points, {n_latents}), "
            f"cycled over the trials. Got shape {points.shape}."
        )
    return points[np.arange(n_trials) % len(points)]


def assemble(
    latents: np.ndarray,
    dynamics: LatentDynamics,
    mixing: ObservationMap,
    *,
    modes: np.ndarray | None = None,
    controls: np.ndarray | None = None,
) -> DynamicsData:
    """A :class:`DynamicsData` from ``(n_trials, n_steps, ...)`` arrays, rows trial-major."""
    n_trials, n_steps, d = latents.shape
    flat = latents.reshape(n_trials * n_steps, d)
    return DynamicsData(
        observed=mixing(flat).astype(np.float32),
        latents=flat,
        trial=np.repeat(np.arange(n_trials, dtype=np.int64), n_steps),
        time=np.tile(np.arange(n_steps, dtype=np.int64), n_trials),
        trial_starts=np.arange(n_trials, dtype=np.int64) * n_steps,
        modes=None if modes is None else modes.reshape(-1).astype(np.int64),
        controls=(None if controls is None
                  else controls.reshape(n_trials * n_steps, -1).astype(np.float32)),
        dynamics=dynamics,
        mixing=mixing,
    )
