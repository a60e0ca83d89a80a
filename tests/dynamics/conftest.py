# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tiny linear and switching linear systems with known latents, drawn in a few numpy lines."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pytest


class System(NamedTuple):
    X: np.ndarray  # (n_trials * n_steps, D) float32 observations
    latents: np.ndarray  # (n_trials * n_steps, d)
    modes: np.ndarray  # (n_trials * n_steps,) int64
    matrices: np.ndarray  # (K, d, d)
    trial_starts: np.ndarray  # (n_trials,) int64
    controls: np.ndarray | None  # (n_trials * n_steps, m): u_t acts between t and t + 1
    control_matrix: np.ndarray | None  # (d, m)


def rotation(d: int, max_degrees: float, rng: np.random.Generator) -> np.ndarray:
    """A product of Givens rotations, one per plane, angles uniform up to ``max_degrees``."""
    matrix = np.eye(d)
    for i in range(d):
        for j in range(i + 1, d):
            angle = np.deg2rad(rng.uniform(0, max_degrees)) * rng.choice([-1, 1])
            plane = np.eye(d)
            plane[[i, j], [i, j]] = np.cos(angle)
            plane[i, j], plane[j, i] = -np.sin(angle), np.sin(angle)
            matrix = matrix @ plane
    return matrix


def simulate(*, n_trials=40, n_steps=100, d=3, D=16, n_modes=1, degrees=10.0, noise=1e-3,
             switch=0.05, n_controls=0, seed=0) -> System:
    """Trials from points on the unit sphere, ``x' = A_k x (+ B u) + noise``, a Markov chain
    over modes, observed through a leaky-ReLU layer and a linear map."""
    rng = np.random.default_rng(seed)
    matrices = np.stack([rotation(d, degrees, rng) for _ in range(n_modes)])
    B = 0.1 * rng.normal(size=(d, n_controls)) if n_controls else None
    x = rng.normal(size=(n_trials, d))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    k = rng.integers(n_modes, size=n_trials)
    u = rng.normal(size=(n_trials, n_steps, n_controls)) if n_controls else None
    xs, ks = [], []
    for t in range(n_steps):
        xs.append(x)
        ks.append(k)
        x = np.einsum("nij,nj->ni", matrices[k], x) + noise * rng.normal(size=x.shape)
        if u is not None:
            x = x + u[:, t] @ B.T
        flip = rng.uniform(size=n_trials) < switch
        k = np.where(flip, (k + rng.integers(1, max(n_modes, 2), size=n_trials)) % n_modes, k)
    latents = np.stack(xs, 1).reshape(-1, d)
    hidden = latents @ rng.normal(size=(d, D))
    X = np.where(hidden > 0, hidden, 0.2 * hidden) @ (rng.normal(size=(D, D)) / np.sqrt(D))
    return System(X.astype(np.float32), latents, np.stack(ks, 1).reshape(-1), matrices,
                  np.arange(n_trials, dtype=np.int64) * n_steps,
                  None if u is None else u.reshape(-1, n_controls).astype(np.float32), B)


@pytest.fixture(scope="session")
def lds() -> System:
    return simulate(n_modes=1, degrees=10.0, noise=0.01, seed=1)


@pytest.fixture(scope="session")
def slds() -> System:
    return simulate(n_modes=3, degrees=10.0, noise=1e-4, seed=2)


@pytest.fixture(scope="session")
def controlled() -> System:
    return simulate(n_modes=1, degrees=5.0, noise=1e-3, n_controls=2, seed=3)
