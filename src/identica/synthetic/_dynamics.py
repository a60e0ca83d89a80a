# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The true latent dynamics of a generated data set, and the data set itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from identica._checks import check_choice, check_float
from identica.exceptions import ConfigurationError, DataValidationError

__all__ = ["KINDS", "DynamicsData", "LatentDynamics"]

KINDS = ("lds", "slds", "lorenz")
"""The kinds of :class:`LatentDynamics`."""

LORENZ = (10.0, 28.0, 8.0 / 3.0)
"""``(s, r, b)`` of the Lorenz system."""

_OWNER = "LatentDynamics"


def _frozen(value: Any, name: str, ndim: int) -> np.ndarray:
    array = np.array(value, dtype=np.float64)
    if array.ndim != ndim or 0 in array.shape or not np.all(np.isfinite(array)):
        raise DataValidationError(
            f"{name!r} of {_OWNER} must be a finite {ndim}-D array with no empty axis. Got "
            f"shape {array.shape}."
        )
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False)
class LatentDynamics:
    """The true, noise-free dynamics ``x_{t+1} = f(x_t)`` of a generated data set.

    ``"lds"``: ``f(x) = A x (+ B u)``, one matrix. ``"slds"``: ``f(x) = A_k x`` with the mode
    ``k`` of the sample, modes following a Markov chain (``transition``). ``"lorenz"``: one
    explicit Euler step ``f(x) = x + dt · F(x)`` of the Lorenz system, ``F(x) = (s (x₂ - x₁),
    x₁ (r - x₃) - x₂, x₁ x₂ - b x₃)`` with ``s = 10``, ``r = 28``, ``b = 8/3``. The generators
    (:func:`lds`, :func:`slds`, :func:`lorenz`) add ``N(0, noise²)`` per coordinate and step.
    Arrays are stored as read-only float64 copies.

    Parameters
    ----------
    kind : {"lds", "slds", "lorenz"}
        The family of ``f``.
    matrices : array-like of shape (n_modes, d, d), optional
        ``A_1 … A_K`` (``K = 1`` for ``"lds"``); None for ``"lorenz"``.
    control_matrix : array-like of shape (d, n_controls), optional
        ``B`` of a controlled LDS (``x_{t+1} = A x_t + B u_t``); None without inputs.
    transition : array-like of shape (n_modes, n_modes), optional
        The mode transition matrix of ``"slds"`` (row-stochastic); None otherwise.
    dt : float, optional
        The Euler step of ``"lorenz"``, > 0; None otherwise.
    noise : float, default=0.0
        Standard deviation of the state noise the data were drawn with, >= 0.

    Attributes
    ----------
    n_modes : int
        ``K`` (1 for ``"lds"`` and ``"lorenz"``).
    n_latents : int
        ``d`` (3 for ``"lorenz"``).

    Raises
    ------
    ConfigurationError
        If ``kind`` is unknown, a field that ``kind`` needs is missing or one it does not use
        is set, or ``dt`` / ``noise`` is out of range.
    DataValidationError
        If an array has the wrong shape or is not finite.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.synthetic import LatentDynamics
    >>> f = LatentDynamics("lds", matrices=[[[0.0, -1.0], [1.0, 0.0]]])
    >>> f.step(np.array([[1.0, 0.0]]))
    array([[0., 1.]])
    >>> LatentDynamics("lorenz", dt=0.01).step(np.array([[1.0, 1.0, 1.0]])).round(4)
    array([[1.    , 1.26  , 0.9833]])
    """

    kind: str
    matrices: np.ndarray | None = None
    control_matrix: np.ndarray | None = None
    transition: np.ndarray | None = None
    dt: float | None = None
    noise: float = 0.0

    def __post_init__(self) -> None:
        kind = check_choice(self.kind, KINDS, name="kind", owner=_OWNER)
        noise = check_float(self.noise, name="noise", owner=_OWNER, low=0.0, low_inclusive=True)
        needs = {"lds": ("matrices",), "slds": ("matrices", "transition"),
                 "lorenz": ("dt",)}[kind]
        allowed = needs + (("control_matrix",) if kind == "lds" else ())
        for name in ("matrices", "control_matrix", "transition", "dt"):
            value = getattr(self, name)
            if name in needs and value is None:
                raise ConfigurationError(f"{name!r} of {_OWNER} is needed for kind={kind!r}.")
            if name not in allowed and value is not None:
                raise ConfigurationError(
                    f"{name!r} of {_OWNER} must be None for kind={kind!r}. Got a value."
                )
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "noise", noise)
        if kind == "lorenz":
            object.__setattr__(self, "dt", check_float(self.dt, name="dt", owner=_OWNER,
                                                       low=0.0))
            return
        matrices = _frozen(self.matrices, "matrices", 3)
        k, d, d2 = matrices.shape
        if d != d2 or (kind == "lds" and k != 1):
            raise DataValidationError(
                f"'matrices' of {_OWNER} must have shape (n_modes, d, d)"
                f"{' with n_modes = 1 for kind=lds' if kind == 'lds' else ''}. Got "
                f"{matrices.shape}."
            )
        object.__setattr__(self, "matrices", matrices)
        if self.control_matrix is not None:
            control = _frozen(self.control_matrix, "control_matrix", 2)
            if control.shape[0] != d:
                raise DataValidationError(
                    f"'control_matrix' of {_OWNER} must have shape (d, n_controls) with d = {d}. "
                    f"Got {control.shape}."
                )
            object.__setattr__(self, "control_matrix", control)
        if self.transition is not None:
            transition = _frozen(self.transition, "transition", 2)
            if (transition.shape != (k, k) or (transition < 0).any()
                    or not np.allclose(transition.sum(axis=1), 1.0)):
                raise DataValidationError(
                    f"'transition' of {_OWNER} must be a ({k}, {k}) row-stochastic matrix "
                    f"(non-negative, rows summing to 1). Got shape {transition.shape}."
                )
            object.__setattr__(self, "transition", transition)

    @property
    def n_modes(self) -> int:
        return 1 if self.matrices is None else int(self.matrices.shape[0])

    @property
    def n_latents(self) -> int:
        return 3 if self.matrices is None else int(self.matrices.shape[1])

    def _states(self, x: Any, name: str) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.n_latents:
            raise DataValidationError(
                f"{name!r} of {_OWNER} must be 2-D (n_samples, {self.n_latents}). Got shape "
                f"{x.shape}."
            )
        return x

    def _modes(self, modes: Any, n: int) -> np.ndarray:
        if modes is None:
            if self.kind == "slds":
                raise DataValidationError(
                    f"'modes' of {_OWNER}.step is needed for kind='slds': one int in "
                    f"[0, {self.n_modes}) per sample (e.g. data.modes or best_modes(x, x_next))."
                )
            return np.zeros(n, dtype=np.int64)
        modes = np.asarray(modes)
        if (modes.shape != (n,) or not np.issubdtype(modes.dtype, np.integer)
                or (n and (modes.min() < 0 or modes.max() >= self.n_modes))):
            raise DataValidationError(
                f"'modes' of {_OWNER}.step must be {n} ints in [0, {self.n_modes}) (one per "
                f"row of x). Got shape {modes.shape}, dtype {modes.dtype}."
            )
        return modes

    def _drive(self, controls: Any, n: int) -> np.ndarray | None:
        """``B u`` per row, (n, d); None without a control matrix."""
        if self.control_matrix is None:
            if controls is not None:
                raise DataValidationError(
                    f"'controls' of {_OWNER}.step must be None: these dynamics have no "
                    "control_matrix."
                )
            return None
        m = self.control_matrix.shape[1]
        u = None if controls is None else np.asarray(controls, dtype=np.float64)
        if u is None or u.shape != (n, m) or not np.all(np.isfinite(u)):
            got = "None" if u is None else f"shape {u.shape}"
            raise DataValidationError(
                f"'controls' of {_OWNER}.step must be a finite ({n}, {m}) array (one input per "
                f"row of x), since these dynamics have a control_matrix. Got {got}."
            )
        return u @ self.control_matrix.T

    def step(self, x: Any, modes: Any = None, controls: Any = None) -> np.ndarray:
        """The noise-free next state ``f(x)`` of every row.

        Parameters
        ----------
        x : array-like of shape (n_samples, d)
            Current states.
        modes : array-like of int of shape (n_samples,), optional
            The mode of every row, in ``[0, n_modes)``; needed for ``"slds"``; None means 0.
        controls : array-like of shape (n_samples, n_controls), optional
            The inputs ``u``; needed exactly when there is a ``control_matrix``.

        Returns
        -------
        ndarray of shape (n_samples, d), float64
            ``A_{modes} x (+ B u)``, or one Euler step of the Lorenz system.

        Raises
        ------
        DataValidationError
            If an argument has the wrong shape or values, or is missing.

        Examples
        --------
        >>> import numpy as np
        >>> from identica.synthetic import LatentDynamics
        >>> f = LatentDynamics("slds", matrices=[np.eye(2), -np.eye(2)],
        ...                    transition=[[0.9, 0.1], [0.1, 0.9]])
        >>> f.step(np.ones((2, 2)), modes=np.array([0, 1]))
        array([[ 1.,  1.],
               [-1., -1.]])
        """
        x = self._states(x, "x")
        modes = self._modes(modes, len(x))
        drive = self._drive(controls, len(x))
        if self.kind == "lorenz":
            s, r, b = LORENZ
            x1, x2, x3 = x[:, 0], x[:, 1], x[:, 2]
            flow = np.stack([s * (x2 - x1), x1 * (r - x3) - x2, x1 * x2 - b * x3], axis=1)
            return x + self.dt * flow
        if self.n_modes == 1:
            out = x @ self.matrices[0].T
        else:
            out = np.einsum("nij,nj->ni", self.matrices[modes], x)
        return out if drive is None else out + drive

    def best_modes(self, x: Any, x_next: Any, controls: Any = None) -> np.ndarray:
        """The mode whose step best explains every transition: ``argmin_k ‖x_next - A_k x‖``.

        For ``"slds"`` data drawn with little noise these are the true modes (up to samples
        where two modes predict nearly the same point). ``"lds"`` and ``"lorenz"`` have one
        mode: all zeros.

        Parameters
        ----------
        x, x_next : array-like of shape (n_samples, d)
            States and the states one step later.
        controls : array-like of shape (n_samples, n_controls), optional
            The inputs, as for :meth:`step`.

        Returns
        -------
        ndarray of shape (n_samples,), int64
            The best mode per row (the lowest index on a tie).

        Raises
        ------
        DataValidationError
            If the arrays have the wrong shapes.

        Examples
        --------
        >>> import numpy as np
        >>> from identica.synthetic import LatentDynamics
        >>> f = LatentDynamics("slds", matrices=[np.eye(2), -np.eye(2)],
        ...                    transition=[[0.9, 0.1], [0.1, 0.9]])
        >>> f.best_modes(np.ones((2, 2)), np.array([[-1.0, -0.9], [1.0, 1.1]])).tolist()
        [1, 0]
        """
        x = self._states(x, "x")
        x_next = self._states(x_next, "x_next")
        if x.shape != x_next.shape:
            raise DataValidationError(
                f"'x' and 'x_next' of {_OWNER}.best_modes must have the same shape. Got "
                f"{x.shape} and {x_next.shape}."
            )
        drive = self._drive(controls, len(x))
        if self.n_modes == 1:
            return np.zeros(len(x), dtype=np.int64)
        predictions = np.einsum("kij,nj->kni", self.matrices, x)
        if drive is not None:
            predictions = predictions + drive
        errors = ((x_next[None] - predictions) ** 2).sum(axis=2)
        return errors.argmin(axis=0).astype(np.int64)


@dataclass(frozen=True, eq=False)
class DynamicsData:
    """A generated dynamical data set: observations, the latents behind them, and the truth.

    Rows are trial-major: trial 0 steps ``0 … T-1``, then trial 1, and so on; rows ``t`` and
    ``t + 1`` of the same trial are one step of the dynamics apart. :func:`lds`, :func:`slds`
    and :func:`lorenz` return one.

    Parameters
    ----------
    observed : ndarray of shape (n_trials * n_steps, n_observed), float32
        ``mixing(latents)``.
    latents : ndarray of shape (n_trials * n_steps, d), float64
        The latent states.
    trial : ndarray of shape (n_trials * n_steps,), int64
        The trial of every row.
    time : ndarray of shape (n_trials * n_steps,), int64
        The step of every row within its trial.
    trial_starts : ndarray of shape (n_trials,), int64
        The row of every trial's first step (``0, T, 2T, …``).
    modes : ndarray of shape (n_trials * n_steps,), int64, or None
        ``"slds"``: the mode ``k_t`` that takes row ``t`` to row ``t + 1``.
    controls : ndarray of shape (n_trials * n_steps, n_controls), float32, or None
        The input ``u_t`` applied between row ``t`` and row ``t + 1`` of the same trial.
        The last row of a trial holds an input that is never applied.
    dynamics : LatentDynamics
        The true dynamics.
    mixing : ObservationMap
        The observation map, callable on latents.

    Attributes
    ----------
    n_trials, n_steps : int
        Number of trials and of steps per trial.

    Examples
    --------
    >>> from identica.synthetic import lds
    >>> data = lds(n_trials=3, n_steps=4, n_latents=2, n_observed=5, mixing_pool=100,
    ...            random_state=0)
    >>> data.observed.shape, data.trial.tolist(), data.time.tolist()[:5]
    ((12, 5), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], [0, 1, 2, 3, 0])
    """

    observed: np.ndarray
    latents: np.ndarray
    trial: np.ndarray
    time: np.ndarray
    trial_starts: np.ndarray
    modes: np.ndarray | None
    controls: np.ndarray | None
    dynamics: LatentDynamics
    mixing: Any

    @property
    def n_trials(self) -> int:
        return len(self.trial_starts)

    @property
    def n_steps(self) -> int:
        return len(self.trial) // max(len(self.trial_starts), 1)
