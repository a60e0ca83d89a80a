# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Linear and switching linear dynamical systems (LDS, SLDS) seen through a nonlinear mixing."""

from __future__ import annotations

from typing import Any

import numpy as np

from identica._checks import check_float, check_int, seed_sequence
from identica.synthetic._dynamics import DynamicsData, LatentDynamics
from identica.synthetic._modes import mode_transitions, next_modes
from identica.synthetic._observation import observation_map
from identica.synthetic._rotation import random_rotation
from identica.synthetic._trials import assemble, initial_points

__all__ = ["lds", "slds"]


def _sizes(owner: str, n_trials: Any, n_steps: Any, n_latents: Any, noise: Any,
           n_mixing_layers: Any) -> tuple[int, int, int, float, int]:
    return (check_int(n_trials, name="n_trials", owner=owner, low=1),
            check_int(n_steps, name="n_steps", owner=owner, low=1),
            check_int(n_latents, name="n_latents", owner=owner, low=1),
            check_float(noise, name="noise", owner=owner, low=0.0, low_inclusive=True),
            check_int(n_mixing_layers, name="n_mixing_layers", owner=owner, low=1))


def lds(
    n_trials: int = 100,
    n_steps: int = 1000,
    n_latents: int = 6,
    n_observed: int = 50,
    *,
    max_angle: float = 5.0,
    min_angle: float = 0.0,
    noise: float = 0.01,
    n_mixing_layers: int = 4,
    n_controls: int = 0,
    control_scale: float = 0.03,
    initial: Any = "sphere",
    mixing_pool: int = 10_000,
    mixing_ratio: float = 1e-3,
    random_state: int | np.random.Generator | None = None,
) -> DynamicsData:
    """Draw trials of a linear dynamical system observed through an injective mixing.

    ``x_{t+1} = A x_t + B u_t + ε_t`` with ``A`` a :func:`random_rotation` (``max_angle=0``:
    ``A = I``, the identity dynamics), ``ε_t ~ N(0, noise² I)``, and observations
    ``y_t = g(x_t)`` (:class:`ObservationMap`: the invertible leaky-ReLU MLP of
    :func:`mixing_mlp` with ``n_mixing_layers`` layers, then a bias-free linear readout to
    ``n_observed`` dimensions with ``torch.nn.Linear``'s default initialisation). Every trial
    starts from its own initial point. With ``n_controls > 0`` the system has inputs: ``B``
    is ``(d, n_controls)`` with columns drawn uniformly on the unit sphere, and the inputs
    are white, ``u_t ~ N(0, control_scale² I)`` (rounded to float32, as stored). Since ``A``
    is a rotation the state neither grows nor decays by itself; noise and inputs make it
    diffuse: ``E‖x_T‖² = ‖x_0‖² + T (n_controls · control_scale² + d · noise²)``. With the
    defaults and two inputs, ``√E‖x_T‖²`` at ``T = 1000`` is about 1.8; each input moves the
    state by three times the noise's per-coordinate scale per step.

    Randomness comes from independent streams spawned from ``random_state``, one each for
    the dynamics (``A``, ``B``), the initial points, the noise, the inputs and the mixing:
    changing ``noise`` or ``n_controls`` keeps ``A`` and the mixing. The same arguments give
    bit-identical output.

    Parameters
    ----------
    n_trials, n_steps : int, default=100, 1000
        Number of trials and of steps per trial, at least 1.
    n_latents : int, default=6
        Latent dimension ``d``, at least 1.
    n_observed : int, default=50
        Observed dimension ``D >= d``.
    max_angle, min_angle : float, default=5.0, 0.0
        Range of the Givens angles of ``A``, in degrees (:func:`random_rotation`).
    noise : float, default=0.01
        Standard deviation of the state noise per coordinate and step, >= 0.
    n_mixing_layers : int, default=4
        Layers of the mixing MLP, at least 1.
    n_controls : int, default=0
        Number of inputs ``m``; 0 gives an autonomous system.
    control_scale : float, default=0.03
        Standard deviation of every input, > 0.
    initial : {"sphere", "box"} or array-like of shape (n_points, n_latents), default="sphere"
        Initial points: uniform on the unit sphere S^{d-1}, uniform in [-1, 1]^d, or given
        points cycled over the trials.
    mixing_pool, mixing_ratio : int, float, default=10_000, 1e-3
        Condition-number pool and quantile of the mixing layers (:func:`mixing_mlp`); a small
        pool draws faster, worse-conditioned layers.
    random_state : int, numpy.random.Generator or None, default=None
        All randomness.

    Returns
    -------
    DynamicsData
        ``dynamics.kind == "lds"``; ``controls`` set when ``n_controls > 0``; ``modes`` None.

    Raises
    ------
    ConfigurationError
        If a parameter is out of range.
    DataValidationError
        If ``initial`` is an array of the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.synthetic import lds
    >>> data = lds(n_trials=10, n_steps=50, n_latents=3, n_observed=8, noise=1e-3,
    ...            n_controls=2, mixing_pool=100, random_state=0)
    >>> data.observed.shape, data.controls.shape
    ((500, 8), (500, 2))
    >>> x, u = data.latents, data.controls
    >>> step = data.dynamics.step(x[:-1], controls=u[:-1])
    >>> same_trial = data.trial[1:] == data.trial[:-1]
    >>> round(float((x[1:] - step)[same_trial].std()), 3)
    0.001
    """
    owner = "lds"
    n_trials, n_steps, d, noise, n_layers = _sizes(owner, n_trials, n_steps, n_latents, noise,
                                                   n_mixing_layers)
    m = check_int(n_controls, name="n_controls", owner=owner, low=0)
    scale = check_float(control_scale, name="control_scale", owner=owner, low=0.0)
    streams = [np.random.default_rng(s) for s in seed_sequence(random_state, owner=owner)
               .spawn(5)]
    rng_dynamics, rng_initial, rng_noise, rng_controls, rng_mixing = streams
    a = random_rotation(d, min_angle=min_angle, max_angle=max_angle, random_state=rng_dynamics)
    b = None
    if m:
        b = rng_dynamics.normal(size=(d, m))
        b /= np.linalg.norm(b, axis=0, keepdims=True)
    dynamics = LatentDynamics("lds", matrices=a[None], control_matrix=b, noise=noise)
    mixing = observation_map(d, n_observed, n_layers=n_layers, pool=mixing_pool,
                             ratio=mixing_ratio, rng=rng_mixing, owner=owner)
    x = np.empty((n_trials, n_steps, d))
    x[:, 0] = initial_points(initial, n_trials, d, rng_initial, owner)
    eps = noise * rng_noise.normal(size=(n_trials, max(n_steps - 1, 0), d))
    u = drive = None
    if m:
        u = rng_controls.normal(scale=scale, size=(n_trials, n_steps, m))
        u = u.astype(np.float32).astype(np.float64)
        drive = u @ dynamics.control_matrix.T
    a = dynamics.matrices[0]
    for t in range(n_steps - 1):
        nxt = x[:, t] @ a.T
        if drive is not None:
            nxt = nxt + drive[:, t]
        x[:, t + 1] = nxt + eps[:, t]
    return assemble(x, dynamics, mixing, controls=u)


def slds(
    n_trials: int = 100,
    n_steps: int = 1000,
    n_latents: int = 6,
    n_observed: int = 50,
    *,
    n_modes: int = 5,
    switch_probability: float = 0.1,
    max_angle: float = 10.0,
    min_angle: float = 0.0,
    noise: float = 1e-4,
    n_mixing_layers: int = 4,
    initial: Any = "sphere",
    mixing_pool: int = 10_000,
    mixing_ratio: float = 1e-3,
    random_state: int | np.random.Generator | None = None,
) -> DynamicsData:
    """Draw trials of a switching linear dynamical system observed through an injective mixing.

    ``K = n_modes`` rotations ``A_1 … A_K`` (:func:`random_rotation`) and a mode chain with
    stay probability ``1 - switch_probability`` (:func:`mode_transitions`). In every trial
    the first mode is uniform over the ``K``; then ``x_{t+1} = A_{k_t} x_t + ε_t`` with
    ``ε_t ~ N(0, noise² I)``, and ``k_{t+1}`` is drawn from row ``k_t`` of the transition
    matrix (the mode path does not depend on the states). Observations and randomness are as
    in :func:`lds` (independent streams for the dynamics, initial points, noise, modes and
    mixing).

    Parameters
    ----------
    n_trials, n_steps : int, default=100, 1000
        Number of trials and of steps per trial, at least 1.
    n_latents : int, default=6
        Latent dimension ``d``, at least 1.
    n_observed : int, default=50
        Observed dimension ``D >= d``.
    n_modes : int, default=5
        Number of modes ``K``, at least 1.
    switch_probability : float, default=0.1
        Probability of leaving the current mode at a step, in [0, 1].
    max_angle, min_angle : float, default=10.0, 0.0
        Range of the Givens angles of every ``A_k``, in degrees.
    noise : float, default=1e-4
        Standard deviation of the state noise per coordinate and step, >= 0.
    n_mixing_layers : int, default=4
        Layers of the mixing MLP, at least 1.
    initial : {"sphere", "box"} or array-like of shape (n_points, n_latents), default="sphere"
        Initial points, as in :func:`lds`.
    mixing_pool, mixing_ratio : int, float, default=10_000, 1e-3
        Condition-number pool and quantile of the mixing layers (:func:`mixing_mlp`).
    random_state : int, numpy.random.Generator or None, default=None
        All randomness.

    Returns
    -------
    DynamicsData
        ``dynamics.kind == "slds"``; ``modes[t]`` is the mode that takes row ``t`` to row
        ``t + 1`` (the last row of a trial holds a mode that is never applied).

    Raises
    ------
    ConfigurationError
        If a parameter is out of range.
    DataValidationError
        If ``initial`` is an array of the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.synthetic import slds
    >>> data = slds(n_trials=10, n_steps=100, n_latents=3, n_observed=8, n_modes=3,
    ...             mixing_pool=100, random_state=0)
    >>> data.dynamics.matrices.shape, sorted(set(data.modes.tolist()))
    ((3, 3, 3), [0, 1, 2])
    >>> x, k, same = data.latents, data.modes, data.trial[1:] == data.trial[:-1]
    >>> best = data.dynamics.best_modes(x[:-1], x[1:])
    >>> bool((best[same] == k[:-1][same]).all())
    True
    """
    owner = "slds"
    n_trials, n_steps, d, noise, n_layers = _sizes(owner, n_trials, n_steps, n_latents, noise,
                                                   n_mixing_layers)
    k = check_int(n_modes, name="n_modes", owner=owner, low=1)
    streams = [np.random.default_rng(s) for s in seed_sequence(random_state, owner=owner)
               .spawn(5)]
    rng_dynamics, rng_initial, rng_noise, rng_modes, rng_mixing = streams
    matrices = np.stack([
        random_rotation(d, min_angle=min_angle, max_angle=max_angle, random_state=rng_dynamics)
        for _ in range(k)
    ])
    transition = mode_transitions(k, switch_probability, random_state=rng_dynamics)
    dynamics = LatentDynamics("slds", matrices=matrices, transition=transition, noise=noise)
    mixing = observation_map(d, n_observed, n_layers=n_layers, pool=mixing_pool,
                             ratio=mixing_ratio, rng=rng_mixing, owner=owner)
    modes = np.empty((n_trials, n_steps), dtype=np.int64)
    modes[:, 0] = rng_modes.integers(0, k, size=n_trials)
    for t in range(n_steps - 1):
        modes[:, t + 1] = next_modes(modes[:, t], transition, rng_modes)
    x = np.empty((n_trials, n_steps, d))
    x[:, 0] = initial_points(initial, n_trials, d, rng_initial, owner)
    eps = noise * rng_noise.normal(size=(n_trials, max(n_steps - 1, 0), d))
    matrices = dynamics.matrices
    for t in range(n_steps - 1):
        x[:, t + 1] = np.einsum("nij,nj->ni", matrices[modes[:, t]], x[:, t]) + eps[:, t]
    return assemble(x, dynamics, mixing, modes=modes)
