# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The report's built-in perturbations: noise at fixed SNRs, channel gain changes and dropout."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from identica._checks import check_float, seed_sequence
from identica.exceptions import ConfigurationError

__all__ = ["channel_perturbations", "noise_perturbations"]

Perturbation = Callable[[np.ndarray], np.ndarray]
_KINDS = ("gaussian", "poisson")


def _seed(random_state: object, owner: str) -> int:
    return int(seed_sequence(random_state, owner=owner).generate_state(1)[0])


def noise_perturbations(
    snrs: Sequence[float] = (10.0, 3.0, 1.0),
    *,
    kinds: Sequence[str] = ("gaussian", "poisson"),
    random_state: object = 0,
) -> dict[str, Perturbation]:
    """Additive zero-mean noise at fixed signal-to-noise ratios, one callable per kind and SNR.

    The SNR is a power ratio per channel: the noise variance of channel ``c`` is
    ``var(X[:, c]) / snr``. Gaussian noise is normal; Poisson noise is ``P - λ`` with
    ``P ~ Poisson(λ)``, ``λ = var / snr`` (count-like, skewed). Every call draws from a fresh
    generator seeded from ``random_state``, so a perturbation gives the same output twice.

    Parameters
    ----------
    snrs : sequence of float, default=(10.0, 3.0, 1.0)
        Signal-to-noise power ratios, > 0.
    kinds : sequence of {"gaussian", "poisson"}, default=("gaussian", "poisson")
    random_state : int, Generator, RandomState or None, default=0

    Returns
    -------
    dict of str to callable(ndarray) -> ndarray
        Names like ``"gaussian snr=10"``.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.report import noise_perturbations
    >>> X = np.random.default_rng(0).normal(size=(20000, 2))
    >>> noisy = noise_perturbations([4.0], kinds=["gaussian"])["gaussian snr=4"](X)
    >>> round(float((noisy - X).var()), 2)
    0.25
    """
    owner = "noise_perturbations"
    out: dict[str, Perturbation] = {}
    for k, kind in enumerate(kinds):
        if kind not in _KINDS:
            raise ConfigurationError(f"'kinds' of {owner} must hold {list(_KINDS)}. Got {kind!r}.")
        for i, snr in enumerate(snrs):
            snr = check_float(snr, name="snrs", owner=owner, low=0.0)
            seed = _seed(random_state, owner) + 1000 * k + i
            out[f"{kind} snr={snr:g}"] = _noise(kind, snr, seed)
    return out


def _noise(kind: str, snr: float, seed: int) -> Perturbation:
    def perturb(X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        rng = np.random.default_rng(seed)
        variance = X.var(axis=0) / snr
        if kind == "gaussian":
            noise = rng.normal(size=X.shape) * np.sqrt(variance)
        else:
            noise = rng.poisson(np.broadcast_to(variance, X.shape)) - variance
        return (X + noise).astype(np.float32)

    perturb.__name__ = f"{kind}_snr_{snr:g}"
    return perturb


def channel_perturbations(
    gain_sds: Sequence[float] = (0.1, 0.3),
    dropouts: Sequence[float] = (0.1, 0.3),
    *,
    random_state: object = 0,
) -> dict[str, Perturbation]:
    """Simple recording drift: per-channel gain changes and channel dropout.

    A gain perturbation multiplies every channel by ``exp(sd * N(0, 1))``; a dropout
    perturbation sets a random fraction of the channels to 0. These are the report's stand-ins
    for drift operators; pass richer ones as ``drift=`` to
    :func:`~identica.report.quality_report`.

    Parameters
    ----------
    gain_sds : sequence of float, default=(0.1, 0.3)
        Log-gain standard deviations, > 0.
    dropouts : sequence of float, default=(0.1, 0.3)
        Fractions of channels dropped, in (0, 1).
    random_state : int, Generator, RandomState or None, default=0

    Returns
    -------
    dict of str to callable(ndarray) -> ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from identica.report import channel_perturbations
    >>> X = np.ones((5, 10))
    >>> dropped = channel_perturbations([], [0.3])["dropout 0.3"](X)
    >>> int((dropped.sum(axis=0) == 0).sum())
    3
    """
    owner = "channel_perturbations"
    base = _seed(random_state, owner)
    out: dict[str, Perturbation] = {}
    for i, sd in enumerate(gain_sds):
        sd = check_float(sd, name="gain_sds", owner=owner, low=0.0)
        out[f"gain sd={sd:g}"] = _gain(sd, base + i)
    for i, fraction in enumerate(dropouts):
        fraction = check_float(fraction, name="dropouts", owner=owner, low=0.0, high=1.0)
        out[f"dropout {fraction:g}"] = _dropout(fraction, base + 100 + i)
    return out


def _gain(sd: float, seed: int) -> Perturbation:
    def perturb(X: np.ndarray) -> np.ndarray:
        X = np.asarray(X)
        gains = np.exp(sd * np.random.default_rng(seed).normal(size=X.shape[1]))
        return (X * gains).astype(np.float32)

    perturb.__name__ = f"gain_sd_{sd:g}"
    return perturb


def _dropout(fraction: float, seed: int) -> Perturbation:
    def perturb(X: np.ndarray) -> np.ndarray:
        X = np.array(X, dtype=np.float32)
        n = int(round(fraction * X.shape[1]))
        X[:, np.random.default_rng(seed).choice(X.shape[1], size=n, replace=False)] = 0.0
        return X

    perturb.__name__ = f"dropout_{fraction:g}"
    return perturb
