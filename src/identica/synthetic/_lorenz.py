# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The Lorenz system, integrated by explicit Euler steps with state noise, seen through a mixing."""

from __future__ import annotations

from typing import Any

import numpy as np

from identica._checks import check_float, check_int, seed_sequence
from identica.exceptions import ConfigurationError
from identica.synthetic._dynamics import DynamicsData, LatentDynamics
from identica.synthetic._observation import ObservationMap, observation_map
from identica.synthetic._trials import assemble, initial_points

__all__ = ["LORENZ_INITIAL", "lorenz"]

LORENZ_INITIAL = ((0.0, 1.0, 0.0), (1.0, 0.0, 0.0), (2.0, 2.0, 2.0), (0.0, 0.0, 1.0),
                  (3.0, 3.0, 3.0))
"""The default initial points of :func:`lorenz` (those of the DCL paper), cycled over trials."""


def lorenz(
    n_trials: int = 5,
    n_steps: int = 20_000,
    n_observed: int = 50,
    *,
    dt: float = 0.01,
    noise: float = 0.001,
    n_mixing_layers: int = 4,
    initial: Any = None,
    mixing_pool: int = 10_000,
    mixing_ratio: float = 1e-3,
    random_state: int | np.random.Generator | None = None,
) -> DynamicsData:
    """Draw noisy trajectories of the Lorenz system observed through an injective mixing.

    ``x_{t+1} = x_t + dt · F(x_t) + ε_t`` with ``F(x) = (s (x₂ - x₁), x₁ (r - x₃) - x₂,
    x₁ x₂ - b x₃)``, ``s = 10``, ``r = 28``, ``b = 8/3`` (explicit Euler, as
    :meth:`LatentDynamics.step`), ``ε_t ~ N(0, noise² I)`` (not scaled by ``dt``), ``d = 3``.
    The default trials start from the five points of :data:`LORENZ_INITIAL`, cycled.

    The Lorenz attractor lies far from the origin (``x₃`` around 25, coordinates spanning
    tens of units), where a bias-free leaky-ReLU MLP would be nearly linear. So the
    observation map first standardises the latents with the per-coordinate mean and standard
    deviation of the generated trajectories (stored in ``mixing.center`` and
    ``mixing.scale``), then mixes them as :func:`lds` does. ``latents`` holds the raw states:
    ``observed = mixing(latents)``, and ``dynamics.step`` applies to ``latents``.

    Parameters
    ----------
    n_trials : int, default=5
        Number of trials, at least 1.
    n_steps : int, default=20_000
        Steps per trial, at least 1 (the default gives 100,000 samples, 200 time units each).
    n_observed : int, default=50
        Observed dimension ``D >= 3``.
    dt : float, default=0.01
        Euler step, > 0 (0.0005 with ``noise=0.1`` is the DCL paper's "small Δt" setting).
    noise : float, default=0.001
        Standard deviation of the state noise per coordinate and step, >= 0.
    n_mixing_layers : int, default=4
        Layers of the mixing MLP, at least 1.
    initial : None, {"sphere", "box"} or array-like of shape (n_points, 3), default=None
        Initial points: None for :data:`LORENZ_INITIAL`, else as in :func:`lds`.
    mixing_pool, mixing_ratio : int, float, default=10_000, 1e-3
        Condition-number pool and quantile of the mixing layers (:func:`mixing_mlp`).
    random_state : int, numpy.random.Generator or None, default=None
        All randomness (independent streams for the initial points, noise and mixing).

    Returns
    -------
    DynamicsData
        ``dynamics.kind == "lorenz"``; ``modes`` and ``controls`` None.

    Raises
    ------
    ConfigurationError
        If a parameter is out of range, or the integration leaves the finite numbers (``dt``
        too large for explicit Euler).
    DataValidationError
        If ``initial`` is an array of the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.synthetic import lorenz
    >>> data = lorenz(n_steps=1000, n_observed=10, mixing_pool=100, random_state=0)
    >>> data.observed.shape, data.latents[:2].round(2).tolist()
    ((5000, 10), [[0.0, 1.0, 0.0], [0.1, 0.99, -0.0]])
    >>> bool(np.allclose(data.mixing.inverse(data.mixing(data.latents)), data.latents))
    True
    """
    owner = "lorenz"
    n_trials = check_int(n_trials, name="n_trials", owner=owner, low=1)
    n_steps = check_int(n_steps, name="n_steps", owner=owner, low=1)
    dt = check_float(dt, name="dt", owner=owner, low=0.0)
    noise = check_float(noise, name="noise", owner=owner, low=0.0, low_inclusive=True)
    n_layers = check_int(n_mixing_layers, name="n_mixing_layers", owner=owner, low=1)
    check_int(n_observed, name="n_observed", owner=owner, low=3)
    streams = [np.random.default_rng(s) for s in seed_sequence(random_state, owner=owner)
               .spawn(3)]
    rng_initial, rng_noise, rng_mixing = streams
    dynamics = LatentDynamics("lorenz", dt=dt, noise=noise)
    x = np.empty((n_trials, n_steps, 3))
    x[:, 0] = initial_points(LORENZ_INITIAL if initial is None else initial, n_trials, 3,
                             rng_initial, owner)
    eps = noise * rng_noise.normal(size=(n_trials, max(n_steps - 1, 0), 3))
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(n_steps - 1):
            x[:, t + 1] = dynamics.step(x[:, t]) + eps[:, t]
    if not np.all(np.isfinite(x)):
        raise ConfigurationError(
            f"'dt' of {owner} is too large for explicit Euler: the trajectories diverged. Got "
            f"dt={dt}; use dt <= 0.01."
        )
    flat = x.reshape(-1, 3)
    std = flat.std(axis=0)
    mlp = observation_map(3, n_observed, n_layers=n_layers, pool=mixing_pool,
                          ratio=mixing_ratio, rng=rng_mixing, owner=owner)
    mixing = ObservationMap(mlp.mlp, mlp.readout, center=flat.mean(axis=0),
                            scale=np.where(std > 0, std, 1.0))
    return assemble(x, dynamics, mixing)
