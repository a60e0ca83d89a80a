# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The CCC-style stream: calibration grid, walk, constant difficulty, pure function of its seed."""

from __future__ import annotations

import numpy as np
import pytest

from identica.exceptions import ConfigurationError
from identica.synthetic import (
    OPERATORS,
    DriftCalibration,
    calibrate_drift,
    drift_stream,
    walk,
)

HARM = {"gain": 0.0, "baseline": 0.06, "dropout": 0.1, "turnover": 0.12, "shift": 0.18,
        "noise": 0.08}


def _score(a, la, b, lb):
    """A smooth reference: each operator costs HARM per unit of severity, with a curve."""
    return 0.95 - HARM[a] * la ** 1.2 - HARM[b] * lb ** 1.2


@pytest.fixture(scope="module")
def calibration():
    return calibrate_drift(_score)


def test_calibration_calls_each_state_once():
    calls = []
    calibrate_drift(lambda a, la, b, lb: calls.append((a, la, b, lb)) or 0.0)
    assert len(calls) == 1 + 6 * 5 + 15 * 25


def test_matrix_is_bilinear_between_grid_points(calibration):
    grid = calibration.grid("shift", "noise")
    matrix = calibration.matrix("shift", "noise")
    np.testing.assert_allclose(matrix[::4, ::4], grid)
    np.testing.assert_allclose(matrix[2, 2], grid[:2, :2].mean())
    np.testing.assert_allclose(calibration.matrix("noise", "shift"), matrix.T)
    back = DriftCalibration.from_dict(calibration.to_dict())
    np.testing.assert_array_equal(back.matrix("shift", "noise"), matrix)


def _naive_walk(matrix, start, target):
    i, j, path = start, 0, [(start, 0)]
    values = [matrix[start, 0]]
    while i > 0:
        down, right = (i - 1, j), (i, j + 1)
        def miss(c):
            return abs((sum(values) + matrix[c]) / (len(values) + 1) - target)
        c = down if j == 20 or miss(down) <= miss(right) else right
        path.append(c)
        values.append(matrix[c])
        i, j = c
    return path


def test_walk_matches_a_naive_greedy_walk():
    matrix = np.random.default_rng(0).uniform(-1, 1, (21, 21))
    for start in (1, 7, 20):
        for target in (-0.5, 0.0, 0.4):
            path = walk(matrix, start, target)
            assert path == _naive_walk(matrix, start, target)
            steps = np.diff(np.array(path), axis=0)
            assert all(tuple(s) in {(-1, 0), (0, 1)} for s in steps)


@pytest.mark.parametrize("target", [0.7, 0.5, 0.2])
def test_stream_is_at_the_target_difficulty(calibration, target):
    stream = drift_stream(calibration, difficulty=target, speed=50, n_samples=60_000, seed=1)
    assert abs(stream.expected.mean() - target) < 0.03  # the stated tolerance
    assert stream.dropped == ("gain",)
    assert len(stream) == 60_000 and stream.walk.max() >= 2


MILD = {"gain": 0.0, "baseline": 0.01, "dropout": 0.012, "turnover": 0.12, "shift": 0.18,
        "noise": 0.08}


def _mild_score(a, la, b, lb):
    """Baseline and dropout together never bring the reference below 0.79."""
    return 0.95 - MILD[a] * la ** 1.2 - MILD[b] * lb ** 1.2


@pytest.mark.parametrize("target", [0.5, 0.2])
def test_pairs_that_cannot_reach_the_target_are_not_walked(target):
    calibration = calibrate_drift(_mild_score)
    assert calibration.matrix("baseline", "dropout").min() > 0.75
    for seed in range(12):
        stream = drift_stream(calibration, difficulty=target, speed=50, n_samples=60_000,
                              seed=seed)
        pairs = {frozenset((stream.operators[a], stream.operators[b]))
                 for a, b in zip(stream.operator_a, stream.operator_b)}
        assert frozenset(("baseline", "dropout")) not in pairs
        assert abs(stream.expected.mean() - target) < 0.03


def test_stream_changes_continuously(calibration):
    stream = drift_stream(calibration, difficulty=0.5, speed=10, n_samples=30_000, seed=2)
    levels = np.stack(list(stream.severities().values()))
    assert np.abs(np.diff(levels, axis=1)).max() <= 0.25 + 1e-12
    assert ((levels > 0).sum(axis=0) <= 2).all()


def test_stream_is_a_pure_function_of_its_seed(calibration):
    a = drift_stream(calibration, difficulty=0.5, speed=100, n_samples=20_000, seed=4)
    b = drift_stream(calibration, difficulty=0.5, speed=100, n_samples=20_000, seed=4)
    c = drift_stream(calibration, difficulty=0.5, speed=100, n_samples=20_000, seed=5)
    for field in ("operator_a", "operator_b", "severity_a", "severity_b", "walk"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not all(np.array_equal(getattr(a, f), getattr(c, f))
                   for f in ("operator_a", "operator_b", "severity_a"))
    assert set(np.unique(np.diff(np.flatnonzero(np.diff(a.severity_a) != 0)) % 100)) <= {0}


def test_bad_calibrations_are_named():
    with pytest.raises(ConfigurationError, match="at least two of"):
        calibrate_drift(_score, ["gain", "wobble"])
    flat = calibrate_drift(lambda a, la, b, lb: 0.9, ["gain", "noise"])
    with pytest.raises(ConfigurationError, match="only \\[\\] do"):
        drift_stream(flat, difficulty=0.5, speed=10, n_samples=100)
    assert set(calibrate_drift(_score).operators) == set(OPERATORS)
