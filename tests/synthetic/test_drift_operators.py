# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Drift operators: nested in severity, fixed per seed, exact at severity 0; populations; days."""

from __future__ import annotations

import numpy as np
import pytest

from identica.exceptions import ConfigurationError
from identica.synthetic import (
    OPERATORS,
    DriftModel,
    DriftScales,
    behavior_shift,
    drift_days,
    place_cell_population,
    reaching_population,
)


@pytest.fixture(scope="module")
def population():
    return place_cell_population(600, 40, random_state=3)


@pytest.fixture(scope="module")
def model():
    return DriftModel(40, random_state=5)


@pytest.mark.parametrize("subset", ["dropped", "turned_over"])
def test_subsets_are_nested_and_sized(model, subset):
    levels = np.arange(0, 5.01, 0.25)
    sets = [set(getattr(model, subset)(lv).tolist()) for lv in levels]
    for small, large in zip(sets, sets[1:]):
        assert small <= large
    assert [len(s) for s in sets] == [int(round(0.1 * lv * 40)) for lv in levels]


def test_gain_and_baseline_grow_along_fixed_directions(model, population):
    np.testing.assert_allclose(model.log_gain(3.0), 3.0 * model.log_gain(1.0))
    clean = population.rates
    for lv in (1.0, 2.5):
        gained = model.expected(population, {"gain": lv})
        np.testing.assert_allclose(gained, clean * np.exp(model.log_gain(lv)))
    low = model.expected(population, {"baseline": 1.0})
    high = model.expected(population, {"baseline": 2.0})
    np.testing.assert_allclose(high - clean, 2 * (low - clean))
    assert np.all(high >= low)


def test_severity_zero_is_clean(model, population):
    zero = dict.fromkeys(OPERATORS, 0.0)
    np.testing.assert_array_equal(model.expected(population, zero), population.rates)
    np.testing.assert_array_equal(model.sample(population, zero, random_state=1),
                                  model.sample(population, {}, random_state=1))


def test_dropout_silences_and_turnover_replaces(model, population):
    counts = model.sample(population, {"dropout": 4.0}, random_state=0)
    dropped = model.dropped(4.0)
    assert np.all(counts[:, dropped] == 0)
    rates = model.expected(population, {"turnover": 3.0})
    turned = model.turned_over(3.0)
    kept = np.setdiff1d(np.arange(40), turned)
    np.testing.assert_array_equal(rates[:, turned], population.fresh_rates[:, turned])
    np.testing.assert_array_equal(rates[:, kept], population.rates[:, kept])


def test_noise_scales_the_same_draws(model, population):
    base = model.sample(population, {"noise": 0.0}, random_state=2)
    low = model.sample(population, {"noise": 1.0}, random_state=2)
    high = model.sample(population, {"noise": 3.0}, random_state=2)
    np.testing.assert_allclose(high - base, 3 * (low - base), rtol=1e-4, atol=1e-4)


def test_shift_is_identity_at_zero_and_a_permutation_at_whole_channels():
    model = DriftModel(10, scales=DriftScales(shift=1.0, blur=1e-9), random_state=0)
    np.testing.assert_array_equal(model.shift_matrix(0.0), np.eye(10))
    shifted = model.shift_matrix(2.0)  # two whole channels, a vanishing blur
    # channel i reads neuron i + 2
    np.testing.assert_allclose(shifted, np.roll(np.eye(10), -2, axis=1), atol=1e-12)
    blurred = DriftModel(10, random_state=0).shift_matrix(3.0)
    np.testing.assert_allclose(blurred.sum(axis=0), 1.0)
    assert (blurred > 1e-3).sum() > 10


def test_per_sample_severities_match_constant_ones(model, population):
    level = np.where(np.arange(600) < 300, 1.0, 3.0)
    for name in ("gain", "dropout", "turnover", "shift", "baseline"):
        mixed = model.expected(population, {name: level})
        np.testing.assert_allclose(mixed[:300], model.expected(population[:300], {name: 1.0}))
        np.testing.assert_allclose(mixed[300:], model.expected(population[300:], {name: 3.0}))


def test_seeded(population):
    a = DriftModel(40, random_state=1).sample(population, {"gain": 2, "noise": 2},
                                              random_state=7)
    b = DriftModel(40, random_state=1).sample(population, {"gain": 2, "noise": 2},
                                              random_state=7)
    c = DriftModel(40, random_state=2).sample(population, {"gain": 2, "noise": 2},
                                              random_state=7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    again = place_cell_population(600, 40, random_state=3)
    np.testing.assert_array_equal(again.rates, population.rates)


def test_bad_input_is_named(model, population):
    with pytest.raises(ConfigurationError, match="'operator' of DriftModel.*Got 'blur'"):
        model.sample(population, {"blur": 1.0})
    with pytest.raises(ConfigurationError, match=r"severity of operator 'gain'.*\[0, 5\]"):
        model.expected(population, {"gain": 6.0})
    with pytest.raises(ConfigurationError, match="must have 7 neurons"):
        DriftModel(7, random_state=0).expected(population, {"gain": 1.0})


def test_reaching_rates_are_cosine_tuned():
    population = reaching_population(2000, 30, random_state=0)
    v = population.target.astype(np.float64)
    # rates are an affine function of velocity wherever the floor is not reached
    design = np.column_stack([np.ones(len(v)), v])
    active = (population.rates > 0.5 * 0.025 + 1e-9).all(axis=1)
    coef, *_ = np.linalg.lstsq(design[active], population.rates[active], rcond=None)
    np.testing.assert_allclose(design[active] @ coef, population.rates[active], atol=1e-6)
    assert abs(np.corrcoef(v[1:, 0], v[:-1, 0])[0, 1]) > 0.9  # smooth behaviour


def test_days_rise_and_behavior_shift_control(model, population):
    days = drift_days(population, model, ["dropout", "gain"], 4, random_state=0)
    assert [float(d.truth["severity"]) for d in days] == pytest.approx([0, 5 / 3, 10 / 3, 5])
    assert sum(d.n_samples for d in days) == 600
    silent = [int((d.neural.sum(axis=0) == 0).sum()) for d in days]
    assert silent[-1] >= 20 and silent == sorted(silent)
    same = behavior_shift(population, 0.0, chunk=50, random_state=0)
    np.testing.assert_array_equal(same.rates, population.rates)
    shifted = behavior_shift(population, 5.0, chunk=50, random_state=0)
    assert shifted.n_samples == 600
    assert not np.array_equal(np.sort(shifted.target[:, 0]), np.sort(population.target[:, 0]))
