# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""What ``DynamicsEmbedding`` does with a fitted dynamics model: modes per row and rollouts."""

from __future__ import annotations

import numpy as np
import torch

from identica.dynamics._config import OWNER
from identica.dynamics._models import AbstractDynamics
from identica.dynamics._validate import check_controls, consecutive_pairs
from identica.exceptions import DataValidationError

__all__ = ["modes_of", "rollout", "rollout_controls"]


def modes_of(dynamics: AbstractDynamics, z: np.ndarray, starts: np.ndarray,
             controls: np.ndarray | None, device: torch.device) -> np.ndarray:
    """Hard modes per row from consecutive embeddings; the last row of a trial takes the mode
    of the row before it, a trial of one row mode 0 (int64, ``(n,)``)."""
    n = len(z)
    rows = consecutive_pairs(starts, n)
    modes = np.zeros(n, dtype=np.int64)
    if dynamics.n_modes == 1 or len(rows) == 0:
        return modes
    tensor = torch.from_numpy(z).to(device)
    index = torch.from_numpy(rows).to(device)
    u = None if controls is None else torch.from_numpy(controls[rows]).to(device)
    with torch.no_grad():
        modes[rows] = dynamics.modes(tensor[index], tensor[index + 1], u).cpu().numpy()
    stops = np.concatenate([starts[1:], [n]]) - 1
    last = stops[stops > starts]  # the last row of every trial of two rows or more
    modes[last] = modes[last - 1]
    return modes


def rollout(dynamics: AbstractDynamics, z: np.ndarray, modes: np.ndarray,
            controls: np.ndarray | None, steps: int, device: torch.device) -> np.ndarray:
    """``steps`` applications of the model from every row of ``z``, each keeping its mode:
    float32 ``(n, steps, d)``."""
    out = np.empty((len(z), steps, z.shape[1]), dtype=np.float32)
    index = torch.from_numpy(modes).to(device) if dynamics.n_modes > 1 else None
    with torch.no_grad():
        x = torch.from_numpy(z).to(device)
        for s in range(steps):
            u = None if controls is None else torch.from_numpy(controls[:, s]).to(device)
            x = dynamics.step(x, index, u)
            out[:, s] = x.cpu().numpy()
    return out


def rollout_controls(controls: object, n: int, steps: int, n_controls: int) -> np.ndarray | None:
    """The inputs of every rollout step as float32 ``(n, steps, n_controls)``, or ``None``.

    An array ``(n, n_controls)`` is accepted for ``steps == 1``.
    """
    if controls is None or np.ndim(controls) != 3:
        if controls is not None and steps != 1:
            raise DataValidationError(
                f"'controls' of {OWNER}.predict must have shape (n_samples, steps, "
                f"n_controls) = ({n}, {steps}, {n_controls}) for steps > 1. Got shape "
                f"{np.shape(controls)}."
            )
        u = check_controls(controls, n, n_controls, "predict")
        return None if u is None else u[:, None, :]
    array = np.asarray(controls)
    if array.shape[:2] != (n, steps):
        raise DataValidationError(
            f"'controls' of {OWNER}.predict must have shape ({n}, {steps}, {n_controls}). Got "
            f"{array.shape}."
        )
    flat = check_controls(array.reshape(n * steps, -1), n * steps, n_controls, "predict")
    return flat.reshape(n, steps, n_controls)
