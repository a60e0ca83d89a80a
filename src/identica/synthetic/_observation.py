# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The injective observation map of the dynamics generators: invertible MLP, then a readout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from identica._checks import check_int
from identica.exceptions import DataValidationError
from identica.synthetic._mixing import MixingMLP, mixing_mlp

__all__ = ["ObservationMap", "observation_map"]

_OWNER = "ObservationMap"


@dataclass(frozen=True, eq=False)
class ObservationMap:
    """An injective map ``g: R^d -> R^D``, ``g(x) = W · mlp((x - center) / scale)``.

    The latents are first standardised per coordinate (``center`` and ``scale``; zeros and
    ones unless the generator says otherwise), then mixed by the invertible leaky-ReLU
    :class:`MixingMLP` on ``R^d``, then read out by a frozen bias-free linear map ``W``
    (``D x d``, ``D >= d``). Since ``W`` has full column rank (almost surely, when drawn),
    ``g`` is injective and :meth:`inverse` recovers the latents of noise-free observations.

    Parameters
    ----------
    mlp : MixingMLP
        The invertible mixing on ``R^d``.
    readout : array-like of shape (n_observed, d)
        ``W`` (``torch.nn.Linear(d, D).weight`` layout), full column rank.
    center, scale : array-like of shape (d,), optional
        Per-coordinate standardisation of the latents; default zeros and ones.

    Attributes
    ----------
    n_latents, n_observed : int
        ``d`` and ``D``.

    Raises
    ------
    DataValidationError
        If ``mlp`` is not a :class:`MixingMLP`, the shapes do not fit, ``readout`` does not
        have full column rank, or ``scale`` is not positive.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.synthetic import MixingMLP, ObservationMap
    >>> g = ObservationMap(MixingMLP([np.eye(2)]), readout=[[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> g(np.array([[1.0, -1.0]]))
    array([[ 1., -2.,  0.]])
    >>> g.inverse(g(np.array([[1.0, -1.0]])))
    array([[ 1., -1.]])
    """

    mlp: MixingMLP
    readout: np.ndarray
    center: np.ndarray | None = None
    scale: np.ndarray | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.mlp, MixingMLP):
            raise DataValidationError(
                f"'mlp' of {_OWNER} must be a MixingMLP. Got {type(self.mlp).__name__}."
            )
        d = self.mlp.n_latents
        readout = np.array(self.readout, dtype=np.float64)
        if (readout.ndim != 2 or readout.shape[1] != d or not np.all(np.isfinite(readout))
                or np.linalg.matrix_rank(readout) < d):
            raise DataValidationError(
                f"'readout' of {_OWNER} must be a finite (n_observed, {d}) matrix of full "
                f"column rank {d}, so that the map is injective. Got shape {readout.shape}."
            )
        center = np.zeros(d) if self.center is None else np.array(self.center, dtype=float)
        scale = np.ones(d) if self.scale is None else np.array(self.scale, dtype=float)
        if (center.shape != (d,) or scale.shape != (d,) or not np.all(np.isfinite(center))
                or not np.all(np.isfinite(scale)) or (scale <= 0).any()):
            raise DataValidationError(
                f"'center' and 'scale' of {_OWNER} must be finite arrays of shape ({d},), "
                f"'scale' positive. Got shapes {center.shape} and {scale.shape}."
            )
        for name, value in (("readout", readout), ("center", center), ("scale", scale)):
            value.flags.writeable = False
            object.__setattr__(self, name, value)

    @property
    def n_latents(self) -> int:
        return self.mlp.n_latents

    @property
    def n_observed(self) -> int:
        return int(self.readout.shape[0])

    def __call__(self, x: Any) -> np.ndarray:
        """Observations ``g(x)``, float64 of shape (n_samples, n_observed)."""
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.n_latents:
            raise DataValidationError(
                f"'x' of {_OWNER} must be 2-D with {self.n_latents} columns. Got shape "
                f"{x.shape}."
            )
        return self.mlp((x - self.center) / self.scale) @ self.readout.T

    def inverse(self, y: Any) -> np.ndarray:
        """Latents from observations: least squares through the readout, then the exact MLP
        inverse; exact for observations in the image of ``g``. Float64 (n_samples, d)."""
        y = np.asarray(y, dtype=np.float64)
        if y.ndim != 2 or y.shape[1] != self.n_observed:
            raise DataValidationError(
                f"'y' of {_OWNER}.inverse must be 2-D with {self.n_observed} columns. Got "
                f"shape {y.shape}."
            )
        h = np.linalg.lstsq(self.readout, y.T, rcond=None)[0].T
        return self.mlp.inverse(h) * self.scale + self.center


def observation_map(
    n_latents: int,
    n_observed: int,
    *,
    n_layers: int,
    pool: int,
    ratio: float,
    rng: np.random.Generator,
    owner: str,
    center: np.ndarray | None = None,
    scale: np.ndarray | None = None,
) -> ObservationMap:
    """Draw the mixing of the dynamics generators (DCL spec §2, ``NonlinearLinear``).

    The MLP is :func:`mixing_mlp`; the readout has entries ``U(-1/√d, 1/√d)``, the default
    initialisation of ``torch.nn.Linear(d, D)``'s weight, drawn with numpy.
    """
    check_int(n_observed, name="n_observed", owner=owner, low=n_latents)
    mlp = mixing_mlp(n_latents, n_layers=n_layers, pool=pool, ratio=ratio, random_state=rng)
    bound = 1.0 / np.sqrt(n_latents)
    readout = rng.uniform(-bound, bound, size=(n_observed, n_latents))
    return ObservationMap(mlp, readout, center=center, scale=scale)
