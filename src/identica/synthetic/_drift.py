# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Drift operators with a severity in [0, 5]: fixed per seed, nested, on rates or channels."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from identica._checks import check_choice, check_float, check_int, check_random_state
from identica.data._recording import Recording
from identica.exceptions import ConfigurationError
from identica.synthetic._drift_population import DriftPopulation

__all__ = ["OPERATORS", "DriftModel", "DriftScales", "behavior_shift", "drift_days"]

OPERATORS = ("gain", "baseline", "dropout", "turnover", "shift", "noise")
"""The drift operators, in the order they act: rates first, then recorded channels."""

MAX_SEVERITY = 5.0


@dataclasses.dataclass(frozen=True)
class DriftScales:
    """How much damage one unit of severity does (spec §3's calibration constants).

    Parameters
    ----------
    gain : float, default=0.5
        Per-neuron log-gain ``gain * severity * eps_i``.
    global_gain : float, default=0.1
        Common log-gain ``global_gain * severity * g`` (arousal), ``g`` one draw per seed.
    baseline : float, default=1.5
        Added rate ``baseline * severity * |eps_i| * mean rate``.
    fraction : float, default=0.1
        Fraction of neurons dropped or turned over per unit of severity.
    shift : float, default=0.4
        Probe displacement in channels per unit of severity.
    blur : float, default=0.3
        Width (channels) of the probe's Gaussian read-out kernel per unit of severity.
    noise : float, default=1.5
        Gaussian noise of standard deviation ``noise * severity * sqrt(mean rate)``.

    Examples
    --------
    >>> from identica.synthetic import DriftScales
    >>> DriftScales(noise=0.2).noise
    0.2
    """

    gain: float = 0.5
    global_gain: float = 0.1
    baseline: float = 1.5
    fraction: float = 0.1
    shift: float = 0.4
    blur: float = 0.3
    noise: float = 1.5


class DriftModel:
    """The drift of one seed: random directions and nested subsets fixed once, any severity.

    Rates are expected counts per bin; "mean rate" is the population's ``mean_rate``.
    Operators (severity ``l`` in [0, 5]): ``gain`` multiplies neuron ``i``'s rate by
    ``exp(a l eps_i + a_g l g)``; ``baseline`` adds ``b l |eps'_i|`` times the mean rate;
    ``dropout`` silences the first ``round(0.1 l N)`` neurons of a fixed permutation;
    ``turnover`` replaces the first ``round(0.1 l N)`` of another permutation by fresh neurons;
    ``shift`` lets channel ``i`` read the probe at ``i + c l`` (circularly) through a Gaussian
    kernel of width ``w l`` (blur first, in effect a permutation later); ``noise`` adds
    Gaussian noise of standard deviation ``s l sqrt(mean rate)`` with draws fixed per seed.
    A higher severity only adds damage: subsets grow, directions and noise draws are shared.
    Severity 0 of every operator is the clean recording.

    Parameters
    ----------
    n_neurons : int
        Neurons of the population.
    scales : DriftScales, optional
        Damage per unit of severity.
    random_state : int or numpy.random.Generator, optional
        Fixes the directions, permutations and the noise stream.

    Examples
    --------
    >>> from identica.synthetic import DriftModel, place_cell_population
    >>> population = place_cell_population(400, 20, random_state=0)
    >>> model = DriftModel(20, random_state=1)
    >>> counts = model.sample(population, {"dropout": 5.0}, random_state=2)
    >>> counts.shape, bool((counts[:, model.dropped(5.0)] == 0).all())
    ((400, 20), True)
    """

    def __init__(self, n_neurons: int, *, scales: DriftScales | None = None,
                 random_state: int | np.random.Generator | None = None) -> None:
        self.n_neurons = check_int(n_neurons, name="n_neurons", owner="DriftModel", low=1)
        self.scales = DriftScales() if scales is None else scales
        rng = check_random_state(random_state, owner="DriftModel")
        self.gain_direction = rng.standard_normal(n_neurons)
        self.global_direction = float(rng.standard_normal())
        self.baseline_direction = np.abs(rng.standard_normal(n_neurons))
        self.dropout_order = rng.permutation(n_neurons)
        self.turnover_order = rng.permutation(n_neurons)
        self.noise_seed = int(rng.integers(2**63 - 1))

    # -- fixed state at a severity ---------------------------------------------------------

    def _count(self, severity: float) -> int:
        return int(round(self.scales.fraction * severity * self.n_neurons))

    def dropped(self, severity: float) -> np.ndarray:
        """Indices of the neurons silenced at ``severity`` (nested in severity)."""
        return np.sort(self.dropout_order[: self._count(severity)])

    def turned_over(self, severity: float) -> np.ndarray:
        """Indices of the neurons replaced at ``severity`` (nested in severity)."""
        return np.sort(self.turnover_order[: self._count(severity)])

    def log_gain(self, severity: float) -> np.ndarray:
        """Log-gain of every neuron at ``severity``, shape ``(n_neurons,)``."""
        s = self.scales
        return severity * (s.gain * self.gain_direction + s.global_gain * self.global_direction)

    def shift_matrix(self, severity: float) -> np.ndarray:
        """``(n_neurons, n_channels)`` read-out: ``channels = neurons @ matrix`` (identity at 0)."""
        n = self.n_neurons
        offset = self.scales.shift * severity
        width = self.scales.blur * severity
        neuron = np.arange(n)[:, None]
        distance = (neuron - np.arange(n)[None, :] - offset + n / 2) % n - n / 2
        if width < 1e-6:
            kernel = np.maximum(0.0, 1.0 - np.abs(distance))  # linear interpolation
        else:
            kernel = np.exp(-0.5 * (distance / width) ** 2)
        return kernel / kernel.sum(axis=0, keepdims=True)

    # -- application -----------------------------------------------------------------------

    def _severities(self, severities: Mapping[str, object], n_samples: int) -> dict:
        out = {}
        for name, value in severities.items():
            check_choice(name, OPERATORS, name="operator", owner="DriftModel")
            level = np.broadcast_to(np.asarray(value, dtype=np.float64), (n_samples,))
            if not np.all((level >= 0) & (level <= MAX_SEVERITY)):
                raise ConfigurationError(
                    f"severity of operator {name!r} of DriftModel must lie in [0, 5]. Got "
                    f"values from {level.min()} to {level.max()}."
                )
            out[name] = level
        return out

    def expected(self, population: DriftPopulation,
                 severities: Mapping[str, object]) -> np.ndarray:
        """Expected channel counts under ``severities`` (noise has mean zero and is left out).

        Parameters
        ----------
        population : DriftPopulation
            The clean rates.
        severities : mapping of str to float or ndarray of shape (n_samples,)
            Severity per operator name (one of :data:`OPERATORS`), constant or per sample.

        Returns
        -------
        ndarray of shape (n_samples, n_neurons), float64
        """
        rates, _ = self._rates(population, severities)
        return rates

    def _rates(self, population: DriftPopulation, severities: Mapping[str, object]):
        if population.n_neurons != self.n_neurons:
            raise ConfigurationError(
                f"'population' of DriftModel.sample must have {self.n_neurons} neurons (the "
                f"model's). Got {population.n_neurons}."
            )
        level = self._severities(severities, population.n_samples)
        rates = population.rates.copy()
        mean = float(population.mean_rate)
        rank_drop = np.argsort(self.dropout_order)
        rank_turn = np.argsort(self.turnover_order)
        s = self.scales
        if "turnover" in level:
            k = np.rint(s.fraction * level["turnover"] * self.n_neurons)
            rates = np.where(rank_turn[None, :] < k[:, None], population.fresh_rates, rates)
        if "gain" in level:
            rates = rates * np.exp(np.outer(level["gain"], self.log_gain(1.0)))
        if "baseline" in level:
            rates = rates + s.baseline * mean * np.outer(level["baseline"],
                                                         self.baseline_direction)
        if "dropout" in level:
            k = np.rint(s.fraction * level["dropout"] * self.n_neurons)
            rates = np.where(rank_drop[None, :] < k[:, None], 0.0, rates)
        if "shift" in level:
            rates = self._shift(rates, level["shift"])
        return rates, level

    def _shift(self, values: np.ndarray, level: np.ndarray) -> np.ndarray:
        out = values.copy()
        for severity in np.unique(level):
            if severity == 0:
                continue
            rows = level == severity
            out[rows] = values[rows] @ self.shift_matrix(float(severity))
        return out

    def sample(self, population: DriftPopulation, severities: Mapping[str, object], *,
               random_state: int | np.random.Generator | None = None) -> np.ndarray:
        """Spike counts of ``population`` under ``severities``: Poisson, then probe, then noise.

        The Poisson draws come from ``random_state``; the noise draws from the model's seed
        (so that a higher noise severity scales the same noise).

        Parameters
        ----------
        population : DriftPopulation
            The clean rates.
        severities : mapping of str to float or ndarray of shape (n_samples,)
            Severity per operator name, constant or per sample; missing operators are off.
        random_state : int or numpy.random.Generator, optional
            Source of the Poisson draws.

        Returns
        -------
        ndarray of shape (n_samples, n_neurons), float32
        """
        rng = check_random_state(random_state, owner="DriftModel.sample")
        without_shift = {k: v for k, v in severities.items() if k != "shift"}
        rates, level = self._rates(population, without_shift)
        counts = rng.poisson(rates).astype(np.float64)
        if "shift" in severities:
            shift = self._severities({"shift": severities["shift"]}, population.n_samples)
            counts = self._shift(counts, shift["shift"])
        if "noise" in level:
            scale = self.scales.noise * np.sqrt(float(population.mean_rate))
            draws = np.random.default_rng(self.noise_seed).standard_normal(counts.shape)
            counts = counts + scale * level["noise"][:, None] * draws
        return counts.astype(np.float32)


def drift_days(population: DriftPopulation, model: DriftModel, operators: list[str] | str,
               n_days: int, *, max_severity: float = MAX_SEVERITY,
               random_state: int | np.random.Generator | None = None) -> list[Recording]:
    """Sessions of an across-day experiment: one fixed drift state per day, rising by day.

    The population is cut into ``n_days`` consecutive parts; day ``d`` applies every operator
    in ``operators`` at severity ``max_severity * d / (n_days - 1)`` (day 0 is clean).

    Parameters
    ----------
    population : DriftPopulation
        Rates covering all days.
    model : DriftModel
        The drift of this animal.
    operators : str or list of str
        Operator names of :data:`OPERATORS`.
    n_days : int
        At least 2.
    max_severity : float, default=5.0
        Severity of the last day, in [0, 5].
    random_state : int or numpy.random.Generator, optional
        Source of the Poisson draws.

    Returns
    -------
    list of Recording
        One per day: ``neural`` counts, ``continuous`` target, ``truth["severity"]``.

    Examples
    --------
    >>> from identica.synthetic import DriftModel, drift_days, place_cell_population
    >>> population = place_cell_population(900, 20, random_state=0)
    >>> days = drift_days(population, DriftModel(20, random_state=0), "dropout", 3)
    >>> [float(day.truth["severity"]) for day in days]
    [0.0, 2.5, 5.0]
    """
    owner = "drift_days"
    n_days = check_int(n_days, name="n_days", owner=owner, low=2)
    max_severity = check_float(max_severity, name="max_severity", owner=owner, low=0.0,
                               high=MAX_SEVERITY, low_inclusive=True)
    names = [operators] if isinstance(operators, str) else list(operators)
    rng = check_random_state(random_state, owner=owner)
    edges = np.linspace(0, population.n_samples, n_days + 1).astype(int)
    days = []
    for d in range(n_days):
        severity = max_severity * d / (n_days - 1)
        part = population[edges[d]:edges[d + 1]]
        counts = model.sample(part, dict.fromkeys(names, severity), random_state=rng)
        days.append(Recording(neural=counts, continuous=part.target.copy(),
                              bin_size=part.bin_size,
                              truth={"severity": np.asarray(severity)}))
    return days


def behavior_shift(population: DriftPopulation, severity: float, *, chunk: int = 100,
                   random_state: int | np.random.Generator | None = None) -> DriftPopulation:
    """The control operator: the same neurons, only the behaviour statistics change.

    Chunks of ``chunk`` consecutive bins are redrawn with replacement, weighted by
    ``exp(0.5 * severity * u)`` where ``u`` is the chunk's mean target projected on a random
    direction (standardised): occupancy tilts towards one side, tuning stays as it was.

    Parameters
    ----------
    population : DriftPopulation
        The clean population.
    severity : float
        In [0, 5]; 0 keeps the chunks in their order.
    chunk : int, default=100
        Bins per redrawn chunk.
    random_state : int or numpy.random.Generator, optional
        Source of the direction and the draws.

    Returns
    -------
    DriftPopulation
        As long as ``population`` (a last partial chunk is dropped).

    Examples
    --------
    >>> from identica.synthetic import behavior_shift, place_cell_population
    >>> population = place_cell_population(1_000, 10, random_state=0)
    >>> shifted = behavior_shift(population, 5.0, random_state=0)
    >>> float(shifted.target.mean()) > float(population.target.mean()) - 1
    True
    """
    owner = "behavior_shift"
    severity = check_float(severity, name="severity", owner=owner, low=0.0, high=MAX_SEVERITY,
                           low_inclusive=True)
    chunk = check_int(chunk, name="chunk", owner=owner, low=1, high=population.n_samples)
    rng = check_random_state(random_state, owner=owner)
    n_chunks = population.n_samples // chunk
    target = population.target[: n_chunks * chunk].reshape(n_chunks, chunk, -1).mean(axis=1)
    direction = rng.standard_normal(target.shape[1])
    u = target @ direction
    u = (u - u.mean()) / (u.std() + 1e-12)
    if severity == 0:
        chosen = np.arange(n_chunks)
    else:
        weight = np.exp(0.5 * severity * u)
        chosen = rng.choice(n_chunks, size=n_chunks, p=weight / weight.sum())
    rows = (chosen[:, None] * chunk + np.arange(chunk)).ravel()
    return population[rows]
