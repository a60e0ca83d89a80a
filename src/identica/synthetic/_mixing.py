# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The invertible leaky-ReLU mixing network of the CL-ICA benchmark, with its exact inverse."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from identica._checks import check_float, check_int, check_random_state
from identica.exceptions import DataValidationError

__all__ = ["MixingMLP", "mixing_mlp"]

_OWNER = "mixing_mlp"
_CHUNK = 4096  # candidate matrices drawn at once


@dataclass(frozen=True, eq=False)
class MixingMLP:
    """An invertible map ``g: R^n -> R^n``: bias-free linear layers with leaky ReLUs between.

    ``g(z) = W_L σ(... σ(W_2 σ(W_1 z)))`` applied to rows (``z @ W.T`` per layer), with
    ``σ(u) = u`` for ``u >= 0`` and ``slope · u`` otherwise, and no activation after the last
    layer. Every ``W`` is square and invertible, so :meth:`inverse` undoes :meth:`__call__`
    exactly (``σ⁻¹`` has slope ``1 / slope`` on the negative side). :func:`mixing_mlp` draws
    one; you can also build one from your own matrices.

    Parameters
    ----------
    weights : sequence of array-like of shape (n, n)
        The layer matrices, first layer first; stored as read-only float64 copies.
    slope : float, default=0.2
        Negative slope of the leaky ReLU, in (0, 1].
    threshold : float, optional
        The condition-number bound the layers were drawn under (set by :func:`mixing_mlp`).

    Attributes
    ----------
    n_latents : int
        ``n``.
    condition_numbers : ndarray of shape (n_layers,)
        2-norm condition number of every layer matrix.

    Raises
    ------
    DataValidationError
        If there is no layer, a matrix is not square ``(n, n)`` with the first one's ``n``,
        not finite, or singular.
    ConfigurationError
        If ``slope`` is not in (0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from identica.synthetic import MixingMLP
    >>> g = MixingMLP([[[2.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [1.0, 0.0]]], slope=0.5)
    >>> g(np.array([[1.0, -2.0]]))
    array([[-1.,  2.]])
    >>> g.inverse(g(np.array([[1.0, -2.0]])))
    array([[ 1., -2.]])
    """

    weights: tuple[np.ndarray, ...]
    slope: float = 0.2
    threshold: float | None = None

    def __post_init__(self) -> None:
        slope = check_float(self.slope, name="slope", owner="MixingMLP", low=0.0, high=1.0)
        weights = tuple(np.array(w, dtype=np.float64) for w in self.weights)
        if not weights:
            raise DataValidationError("'weights' of MixingMLP needs at least one layer. Got 0.")
        n = weights[0].shape[-1] if weights[0].ndim else 0
        for i, w in enumerate(weights):
            if w.shape != (n, n) or n == 0:
                raise DataValidationError(
                    f"'weights' of MixingMLP must be square matrices of one shape (n, n). Got "
                    f"shape {w.shape} for layer {i} (layer 0 has {weights[0].shape})."
                )
            if not np.all(np.isfinite(w)) or np.linalg.matrix_rank(w) < n:
                raise DataValidationError(
                    f"'weights' of MixingMLP must be finite and invertible. Layer {i} is not."
                )
            w.flags.writeable = False
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "slope", slope)

    @property
    def n_latents(self) -> int:
        return int(self.weights[0].shape[0])

    @property
    def condition_numbers(self) -> np.ndarray:
        return np.array([np.linalg.cond(w) for w in self.weights])

    def _check(self, z: Any, name: str) -> np.ndarray:
        z = np.asarray(z, dtype=np.float64)
        if z.ndim != 2 or z.shape[1] != self.n_latents:
            raise DataValidationError(
                f"{name!r} of MixingMLP must be 2-D with {self.n_latents} columns. Got shape "
                f"{z.shape}."
            )
        return z

    def __call__(self, z: Any) -> np.ndarray:
        """Observations ``x = g(z)`` (n_samples, n), float64, from latents (n_samples, n)."""
        h = self._check(z, "z")
        for i, w in enumerate(self.weights):
            if i:
                h = np.where(h >= 0, h, self.slope * h)
            h = h @ w.T
        return h

    def inverse(self, x: Any) -> np.ndarray:
        """Latents ``z = g⁻¹(x)``, float64 of shape (n_samples, n), by solving layer by layer."""
        h = self._check(x, "x")
        for i, w in reversed(list(enumerate(self.weights))):
            h = np.linalg.solve(w, h.T).T
            if i:
                h = np.where(h >= 0, h, h / self.slope)
        return h


def _candidates(rng: np.random.Generator, count: int, n: int) -> np.ndarray:
    """``count`` matrices, entries U[-1, 1], every column divided by its L2 norm."""
    w = rng.uniform(-1.0, 1.0, size=(count, n, n))
    return w / np.linalg.norm(w, axis=1, keepdims=True)


def mixing_mlp(
    n_latents: int,
    *,
    n_layers: int = 3,
    pool: int = 25_000,
    ratio: float = 0.0,
    slope: float = 0.2,
    random_state: int | np.random.Generator | None = None,
) -> MixingMLP:
    """Draw the well-conditioned invertible mixing MLP of the CL-ICA benchmark.

    As in Zimmermann et al. (ICML 2021): a candidate matrix has entries i.i.d. U[-1, 1], each
    column divided by its L2 norm. ``pool`` candidates are drawn and their condition numbers
    sorted; the one at position ``int(pool * ratio)`` is the threshold (``ratio=0``: the best of
    the pool). Every layer then draws candidates until one has a condition number at or below
    the threshold. Smaller ``ratio`` gives better-conditioned, slower-to-draw layers.

    Parameters
    ----------
    n_latents : int
        Dimension ``n`` of latents and observations, at least 1.
    n_layers : int, default=3
        Number of linear layers, at least 1.
    pool : int, default=25_000
        Candidates drawn to set the threshold, at least 1.
    ratio : float, default=0.0
        Quantile of the pool's condition numbers used as threshold, in [0, 1].
    slope : float, default=0.2
        Negative slope of the leaky ReLUs, in (0, 1].
    random_state : int, numpy.random.Generator or None, default=None
        All randomness; the same seed gives the same network.

    Returns
    -------
    MixingMLP
        The network; ``threshold`` bounds every ``condition_numbers`` entry.

    Raises
    ------
    ConfigurationError
        If a parameter is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.synthetic import mixing_mlp
    >>> g = mixing_mlp(5, pool=1000, random_state=0)
    >>> z = np.random.default_rng(1).uniform(size=(100, 5))
    >>> bool(np.allclose(g.inverse(g(z)), z))
    True
    >>> bool((g.condition_numbers <= g.threshold).all())
    True
    """
    n = check_int(n_latents, name="n_latents", owner=_OWNER, low=1)
    n_layers = check_int(n_layers, name="n_layers", owner=_OWNER, low=1)
    pool = check_int(pool, name="pool", owner=_OWNER, low=1)
    ratio = check_float(ratio, name="ratio", owner=_OWNER, low=0.0, low_inclusive=True,
                        high=1.0)
    slope = check_float(slope, name="slope", owner=_OWNER, low=0.0, high=1.0)
    rng = check_random_state(random_state, owner=_OWNER)
    threshold = _threshold(rng, n, pool, ratio)
    weights = []
    while len(weights) < n_layers:
        chunk = _candidates(rng, _CHUNK, n)
        good = chunk[np.linalg.cond(chunk) <= threshold]
        weights.extend(good[: n_layers - len(weights)])
    return MixingMLP(tuple(weights), slope=slope, threshold=threshold)


def _threshold(rng: np.random.Generator, n: int, pool: int, ratio: float) -> float:
    conds = np.sort(np.linalg.cond(_candidates(rng, pool, n)))
    return float(conds[min(int(pool * ratio), pool - 1)])
