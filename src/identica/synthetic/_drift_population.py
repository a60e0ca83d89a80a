# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Populations given as firing rates, so that drift can act on the rates before spikes are drawn."""

from __future__ import annotations

import dataclasses

import numpy as np

from identica._checks import check_int, check_random_state
from identica.synthetic._linear_track import _behaviour, place_cell_rates, place_cells

__all__ = ["DriftPopulation", "place_cell_population", "reaching_population"]

_BIN = 0.025  # s


@dataclasses.dataclass(frozen=True, eq=False)
class DriftPopulation:
    """Expected spike counts of a population, its replacements, and the behaviour they encode.

    Parameters
    ----------
    rates : ndarray of shape (n_samples, n_neurons), float64
        Expected count per bin of every neuron (the Poisson mean before any drift).
    fresh_rates : ndarray of shape (n_samples, n_neurons), float64
        Expected counts of new neurons with fresh tuning, the same behaviour: the cells that
        replace recorded ones under turnover.
    behavior : ndarray of shape (n_samples, n_labels), float32
        Labels to train an embedding on.
    target : ndarray of shape (n_samples, n_targets), float32
        What a decoder reads out (position, velocity).
    bin_size : float
        Seconds per bin.
    mean_rate : float, optional
        The population's mean expected count (default: the mean of ``rates``); kept by
        slicing, so that drift scales are the same on every part of a recording.

    Examples
    --------
    >>> from identica.synthetic import place_cell_population
    >>> population = place_cell_population(1_000, 20, random_state=0)
    >>> population[:100].rates.shape, population.n_neurons
    ((100, 20), 20)
    """

    rates: np.ndarray
    fresh_rates: np.ndarray
    behavior: np.ndarray
    target: np.ndarray
    bin_size: float = _BIN
    mean_rate: float | None = None

    def __post_init__(self) -> None:
        if self.mean_rate is None:
            object.__setattr__(self, "mean_rate", float(self.rates.mean()))

    @property
    def n_samples(self) -> int:
        """Number of time bins."""
        return int(self.rates.shape[0])

    @property
    def n_neurons(self) -> int:
        """Number of recorded neurons."""
        return int(self.rates.shape[1])

    def __len__(self) -> int:
        return self.n_samples

    def __getitem__(self, rows: slice | np.ndarray) -> DriftPopulation:
        """The population over the rows ``rows`` (a slice or an index array)."""
        return DriftPopulation(self.rates[rows], self.fresh_rates[rows], self.behavior[rows],
                               self.target[rows], self.bin_size, self.mean_rate)


def place_cell_population(
    n_samples: int, n_neurons: int = 100, *, track_length: float = 1.6,
    random_state: int | np.random.Generator | None = None,
) -> DriftPopulation:
    """Place cells on a linear track (the model of :func:`linear_track`) as firing rates.

    Behaviour is ``[position, is_right, is_left]``; the decoding target is the position.

    Parameters
    ----------
    n_samples : int
        Time bins of 25 ms, at least 2.
    n_neurons : int, default=100
        Recorded neurons (as many fresh ones are drawn for turnover).
    track_length : float, default=1.6
        Metres.
    random_state : int or numpy.random.Generator, optional
        All randomness comes from it.

    Returns
    -------
    DriftPopulation

    Examples
    --------
    >>> from identica.synthetic import place_cell_population
    >>> population = place_cell_population(500, 10, random_state=0)
    >>> population.behavior.shape, population.target.shape
    ((500, 3), (500, 1))
    """
    owner = "place_cell_population"
    n_samples = check_int(n_samples, name="n_samples", owner=owner, low=2)
    n_neurons = check_int(n_neurons, name="n_neurons", owner=owner, low=1)
    rng = check_random_state(random_state, owner=owner)
    position, direction = _behaviour(rng, n_samples, _BIN, track_length)
    rates = place_cell_rates(place_cells(rng, n_neurons, track_length), position, direction) * _BIN
    fresh = place_cell_rates(place_cells(rng, n_neurons, track_length), position, direction) * _BIN
    right = (direction == 1).astype(np.float64)
    behavior = np.stack([position, right, 1.0 - right], axis=1).astype(np.float32)
    return DriftPopulation(rates, fresh, behavior, position[:, None].astype(np.float32))


def _cosine_cells(rng: np.random.Generator, velocity: np.ndarray, n_neurons: int) -> np.ndarray:
    """Expected counts of cosine-tuned cells: baseline + depth * speed * cos(angle - preferred)."""
    preferred = rng.uniform(0.0, 2.0 * np.pi, size=n_neurons)
    baseline = rng.uniform(5.0, 15.0, size=n_neurons)  # Hz
    depth = rng.uniform(10.0, 30.0, size=n_neurons)  # Hz per unit speed
    direction = np.stack([np.cos(preferred), np.sin(preferred)])
    rate = baseline + depth * (velocity @ direction)
    return np.maximum(rate, 0.5) * _BIN


def reaching_population(
    n_samples: int, n_neurons: int = 100, *,
    random_state: int | np.random.Generator | None = None,
) -> DriftPopulation:
    """Cosine-tuned motor-cortex-like cells encoding a smooth 2-D hand velocity, as rates.

    The velocity is an Ornstein-Uhlenbeck process (time constant 0.5 s, stationary standard
    deviation 0.5 per axis). Cell ``i`` fires ``max(b_i + m_i v·d_i, 0.5)`` Hz with baseline
    ``b_i ~ U(5, 15)``, depth ``m_i ~ U(10, 30)`` and a uniform preferred direction ``d_i``.
    Behaviour and target are the velocity.

    Parameters
    ----------
    n_samples : int
        Time bins of 25 ms, at least 2.
    n_neurons : int, default=100
        Recorded neurons (as many fresh ones are drawn for turnover).
    random_state : int or numpy.random.Generator, optional
        All randomness comes from it.

    Returns
    -------
    DriftPopulation

    Examples
    --------
    >>> from identica.synthetic import reaching_population
    >>> population = reaching_population(500, 10, random_state=0)
    >>> population.rates.shape, population.target.shape
    ((500, 10), (500, 2))
    """
    owner = "reaching_population"
    n_samples = check_int(n_samples, name="n_samples", owner=owner, low=2)
    n_neurons = check_int(n_neurons, name="n_neurons", owner=owner, low=1)
    rng = check_random_state(random_state, owner=owner)
    pull = _BIN / 0.5
    noise = 0.5 * np.sqrt(2.0 * pull) * rng.standard_normal((n_samples, 2))
    velocity = np.empty((n_samples, 2))
    v = 0.5 * rng.standard_normal(2)
    for t in range(n_samples):  # a scalar recursion; 2 floats per step
        v = v - pull * v + noise[t]
        velocity[t] = v
    rates = _cosine_cells(rng, velocity, n_neurons)
    fresh = _cosine_cells(rng, velocity, n_neurons)
    behavior = velocity.astype(np.float32)
    return DriftPopulation(rates, fresh, behavior, behavior.copy())
