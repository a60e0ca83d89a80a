# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Latent positive pairs on a box or a sphere: uniform marginal, chosen conditional."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from identica._checks import check_choice, check_float, check_int, check_random_state
from identica.exceptions import ConfigurationError

__all__ = ["CONDITIONALS", "SPACES", "PairConfig", "latent_pairs"]

SPACES = ("box", "sphere")
CONDITIONALS = ("normal", "laplace", "generalized-normal", "vmf")
_OWNER = "PairConfig"


@dataclass(frozen=True)
class PairConfig:
    """How latent positive pairs ``(z, z̃)`` are drawn (Zimmermann et al., ICML 2021, §4).

    ``z`` is uniform on the space. ``z̃`` is drawn around ``z``: on the box, every coordinate
    from the conditional centred on ``z``'s, redrawing the coordinates that fall outside until
    all lie inside; on the sphere, from the conditional in R^n around ``z`` and projected back
    to the sphere, or (``"vmf"``) from the von Mises–Fisher distribution with mean ``z``.

    Parameters
    ----------
    n_latents : int, default=5
        Dimension ``n`` (the sphere is S^{n-1} in R^n), at least 1 (2 for the sphere).
    space : {"box", "sphere"}, default="box"
        ``[low, high]^n`` or the unit sphere.
    conditional : {"normal", "laplace", "generalized-normal", "vmf"}, default="normal"
        Per-coordinate density of ``z̃ - z`` ∝ ``exp(-|u / scale|^beta)`` with ``beta`` 2
        (normal, standard deviation ``scale``), 1 (Laplace, scale ``scale``) or ``beta``
        (generalised normal, scale ``scale``); or the von Mises–Fisher density
        ∝ ``exp(concentration · <z, z̃>)`` (sphere only).
    scale : float, default=0.05
        Spread of the normal, Laplace and generalised normal conditionals, > 0.
    concentration : float, default=1.0
        κ of the von Mises–Fisher conditional, > 0.
    beta : float, default=1.5
        Shape of the generalised normal conditional, > 0.
    bounds : tuple of float, default=(0.0, 1.0)
        ``(low, high)`` of the box, ``low < high``.

    Raises
    ------
    ConfigurationError
        If a value is out of range, or ``"vmf"`` is asked for on the box.

    Examples
    --------
    >>> from identica.synthetic import PairConfig
    >>> PairConfig(space="sphere", conditional="vmf", concentration=10.0).n_latents
    5
    """

    n_latents: int = 5
    space: str = "box"
    conditional: str = "normal"
    scale: float = 0.05
    concentration: float = 1.0
    beta: float = 1.5
    bounds: tuple[float, float] = (0.0, 1.0)

    def __post_init__(self) -> None:
        space = check_choice(self.space, SPACES, name="space", owner=_OWNER)
        check_choice(self.conditional, CONDITIONALS, name="conditional", owner=_OWNER)
        check_int(self.n_latents, name="n_latents", owner=_OWNER,
                  low=2 if space == "sphere" else 1)
        for name in ("scale", "concentration", "beta"):
            check_float(getattr(self, name), name=name, owner=_OWNER, low=0.0)
        if self.conditional == "vmf" and space != "sphere":
            raise ConfigurationError(
                f"conditional='vmf' of {_OWNER} needs space='sphere'. Got space={space!r}; use "
                "'normal', 'laplace' or 'generalized-normal' on the box."
            )
        bounds = tuple(self.bounds) if isinstance(self.bounds, list | tuple) else ()
        if len(bounds) != 2:
            raise ConfigurationError(
                f"'bounds' of {_OWNER} must be a pair (low, high). Got {self.bounds!r}."
            )
        low = check_float(bounds[0], name="bounds[0]", owner=_OWNER)
        high = check_float(bounds[1], name="bounds[1]", owner=_OWNER, low=low)
        object.__setattr__(self, "bounds", (low, high))


def latent_pairs(
    config: PairConfig, n_pairs: int, *, random_state: int | np.random.Generator | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``n_pairs`` latent positive pairs ``(z, z̃)`` as described by ``config``.

    Parameters
    ----------
    config : PairConfig
        Space, conditional and spread.
    n_pairs : int
        Number of pairs, at least 1.
    random_state : int, numpy.random.Generator or None, default=None
        All randomness comes from it.

    Returns
    -------
    z, z_positive : ndarray of shape (n_pairs, n_latents), float64
        ``z`` uniform on the space, ``z_positive`` drawn from the conditional around it.
        Negatives for contrastive learning are other draws of ``z``.

    Raises
    ------
    ConfigurationError
        If ``config`` is not a :class:`PairConfig` or ``n_pairs`` is not a positive int.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.synthetic import PairConfig, latent_pairs
    >>> z, z_pos = latent_pairs(PairConfig(space="sphere"), 1000, random_state=0)
    >>> bool(np.allclose(np.linalg.norm(z_pos, axis=1), 1.0))
    True
    >>> z, z_pos = latent_pairs(PairConfig(conditional="laplace"), 1000, random_state=0)
    >>> bool(((z_pos >= 0) & (z_pos <= 1)).all())
    True
    """
    if not isinstance(config, PairConfig):
        raise ConfigurationError(
            f"'config' of latent_pairs must be a PairConfig. Got {type(config).__name__}."
        )
    n_pairs = check_int(n_pairs, name="n_pairs", owner="latent_pairs", low=1)
    rng = check_random_state(random_state, owner="latent_pairs")
    n = config.n_latents
    if config.space == "box":
        low, high = config.bounds
        z = rng.uniform(low, high, size=(n_pairs, n))
        z_pos = z + _noise(config, rng, z.shape)
        outside = (z_pos < low) | (z_pos > high)
        while outside.any():  # vectorised rejection: redraw the coordinates outside the box
            z_pos[outside] = z[outside] + _noise(config, rng, (int(outside.sum()),))
            outside = (z_pos < low) | (z_pos > high)
        return z, z_pos
    z = _unit(rng.normal(size=(n_pairs, n)))
    if config.conditional == "vmf":
        return z, _vmf(z, config.concentration, rng)
    return z, _unit(z + _noise(config, rng, z.shape))


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _noise(config: PairConfig, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Draws of ``z̃ - z`` for the per-coordinate conditionals."""
    if config.conditional == "normal":
        return rng.normal(0.0, config.scale, size=shape)
    if config.conditional == "laplace":
        return rng.laplace(0.0, config.scale, size=shape)
    # generalised normal: |u / scale|^beta ~ Gamma(1 / beta), random sign.
    magnitude = rng.gamma(1.0 / config.beta, size=shape) ** (1.0 / config.beta)
    return config.scale * magnitude * rng.choice((-1.0, 1.0), size=shape)


def _vmf(mean: np.ndarray, kappa: float, rng: np.random.Generator) -> np.ndarray:
    """Von Mises–Fisher draws around the unit rows of ``mean`` (Wood, 1994).

    The cosine ``w`` to the mean is drawn by Wood's rejection sampler, the tangent direction
    uniformly, and the sample rotated from the pole ``e_1`` onto the mean by a Householder
    reflection.
    """
    count, d = mean.shape
    m = d - 1
    b = m / (2.0 * kappa + np.sqrt(4.0 * kappa**2 + m**2))  # stable form of Wood's b
    x0 = (1.0 - b) / (1.0 + b)
    c = kappa * x0 + m * np.log(1.0 - x0**2)
    w = np.empty(count)
    todo = np.arange(count)
    while len(todo):
        beta = rng.beta(m / 2.0, m / 2.0, size=len(todo))
        cand = (1.0 - (1.0 + b) * beta) / (1.0 - (1.0 - b) * beta)
        accept = kappa * cand + m * np.log(1.0 - x0 * cand) - c >= np.log(rng.uniform(
            size=len(todo)))
        w[todo[accept]] = cand[accept]
        todo = todo[~accept]
    tangent = _unit(rng.normal(size=(count, m)))
    pole = np.hstack([w[:, None], np.sqrt(np.clip(1.0 - w**2, 0.0, None))[:, None] * tangent])
    u = mean.copy()
    u[:, 0] -= 1.0  # reflection axis e_1 - mean (sign irrelevant)
    norm2 = (u * u).sum(axis=1, keepdims=True)
    flip = norm2[:, 0] > 1e-24
    proj = np.where(flip[:, None], (pole * u).sum(axis=1, keepdims=True) / np.where(
        flip[:, None], norm2, 1.0), 0.0)
    return pole - 2.0 * proj * u
