# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Markov chains of discrete modes: the transition matrix and a sampler vectorised over trials."""

from __future__ import annotations

import numpy as np

from identica._checks import check_float, check_int, check_random_state

__all__ = ["mode_transitions"]

_OWNER = "mode_transitions"


def mode_transitions(
    n_modes: int,
    switch_probability: float,
    *,
    random_state: int | np.random.Generator | None = None,
) -> np.ndarray:
    """Draw the transition matrix of a Markov chain over modes that mostly stays put.

    Row ``k`` holds ``P(k_{t+1} = j | k_t = k)``: ``1 - switch_probability`` on the diagonal,
    and the off-diagonal mass ``switch_probability`` split over the other ``K - 1`` modes in
    proportion to independent ``U(0, 1)`` draws (one row of ``K - 1`` draws per mode, row by
    row). With one mode the chain cannot switch: ``[[1.0]]``.

    Parameters
    ----------
    n_modes : int
        Number of modes ``K``, at least 1.
    switch_probability : float
        Probability ``p`` of leaving the current mode at a step, in [0, 1].
    random_state : int, numpy.random.Generator or None, default=None
        All randomness; the same seed gives the same matrix.

    Returns
    -------
    ndarray of shape (n_modes, n_modes), float64
        A row-stochastic matrix (every row sums to 1).

    Raises
    ------
    ConfigurationError
        If ``n_modes`` is not a positive int or ``switch_probability`` is not in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> from identica.synthetic import mode_transitions
    >>> p = mode_transitions(3, 0.1, random_state=0)
    >>> np.diag(p).tolist(), bool(np.allclose(p.sum(axis=1), 1.0))
    ([0.9, 0.9, 0.9], True)
    """
    k = check_int(n_modes, name="n_modes", owner=_OWNER, low=1)
    p = check_float(switch_probability, name="switch_probability", owner=_OWNER, low=0.0,
                    low_inclusive=True, high=1.0)
    rng = check_random_state(random_state, owner=_OWNER)
    if k == 1:
        return np.ones((1, 1))
    weights = rng.uniform(0.0, 1.0, size=(k, k - 1))
    off = p * weights / weights.sum(axis=1, keepdims=True)
    matrix = np.zeros((k, k))
    rows = np.repeat(np.arange(k), k - 1)
    cols = np.array([j for i in range(k) for j in range(k) if j != i])
    matrix[rows, cols] = off.ravel()
    matrix[np.arange(k), np.arange(k)] = 1.0 - p
    return matrix


def next_modes(
    modes: np.ndarray, transition: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """One Markov step for every chain at once: ``k_{t+1} ~ transition[k_t]`` (int64)."""
    cumulative = np.cumsum(transition, axis=1)[modes]
    draws = rng.random(len(modes))[:, None]
    return np.minimum((draws >= cumulative).sum(axis=1), len(transition) - 1).astype(np.int64)
