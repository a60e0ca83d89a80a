# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Binning and resampling against naive references; Session.to_recording end to end."""

from __future__ import annotations

import numpy as np
import pytest

from identica.exceptions import ConfigurationError, DataValidationError
from identica.io import Session, SpikeTrains, TimeSeries, align, bin_spikes, speed


@pytest.fixture
def trains(seed) -> SpikeTrains:
    rng = np.random.default_rng(seed)
    return SpikeTrains.from_trains([np.sort(rng.uniform(0, 10, n)) for n in (50, 300, 0, 7)])


def _naive_counts(trains: SpikeTrains, edges: np.ndarray) -> np.ndarray:
    counts = np.zeros((len(edges) - 1, trains.n_units), dtype=int)
    for t, u in zip(trains.times, trains.units):
        for b in range(len(edges) - 1):
            if edges[b] <= t < edges[b + 1]:
                counts[b, u] += 1
    return counts


def test_bin_spikes_matches_a_naive_loop(trains):
    counts = bin_spikes(trains, 0.25, start=0.5, stop=9.5)
    edges = 0.5 + 0.25 * np.arange(37)
    np.testing.assert_array_equal(counts.data, _naive_counts(trains, edges))
    np.testing.assert_allclose(counts.timestamps, edges[:-1] + 0.125)


def test_bin_spikes_onto_timestamps(trains):
    centres = np.cumsum(np.random.default_rng(1).uniform(0.05, 0.3, 40))
    counts = bin_spikes(trains, timestamps=centres)
    mid = (centres[1:] + centres[:-1]) / 2
    edges = np.r_[2 * centres[0] - mid[0], mid, 2 * centres[-1] - mid[-1]]
    np.testing.assert_array_equal(counts.data, _naive_counts(trains, edges))


def test_bin_spikes_default_span_keeps_every_spike(trains):
    assert bin_spikes(trains, 0.1).data.sum() == trains.n_spikes


@pytest.mark.parametrize(("kwargs", "match"), [
    ({}, "exactly one of bin_size"),
    ({"bin_size": 0.1, "timestamps": np.arange(3.0)}, "exactly one of bin_size"),
    ({"bin_size": -1.0}, "bin_size must be a positive number of seconds; got -1.0"),
])
def test_bin_spikes_rejects_bad_arguments(trains, kwargs, match):
    with pytest.raises(ConfigurationError, match=match):
        bin_spikes(trains, **kwargs)


def test_align_linear_matches_np_interp():
    t = np.sort(np.random.default_rng(2).uniform(0, 10, 200))
    x = np.sin(t)
    target = np.linspace(t[0], t[-1], 333)
    out = align(TimeSeries(x, ("x",), timestamps=t), target, max_gap=np.inf)
    np.testing.assert_allclose(out.data[:, 0], np.interp(target, t, x))


def test_align_circular_takes_the_short_way():
    stream = TimeSeries(np.array([6.2, 0.1]), ("hd",), timestamps=[0.0, 1.0], kinds=("angle",))
    value = align(stream, np.array([0.5])).data[0, 0]
    assert value > 6.2 or value < 0.1  # through 2 pi, not through pi


def test_align_discrete_nearest_and_previous():
    stream = TimeSeries(np.array([1, 2, 3]), ("c",), timestamps=[0.0, 1.0, 2.0],
                        kinds=("discrete",))
    target = np.array([0.4, 0.6, 1.9])
    assert align(stream, target).data[:, 0].tolist() == [1, 2, 3]
    assert align(stream, target, method="previous").data[:, 0].tolist() == [1, 1, 2]


def test_align_marks_gaps_and_outside_as_nan():
    t = np.r_[np.arange(0, 1, 0.1), np.arange(3, 4, 0.1)]
    out = align(TimeSeries(t, ("x",), timestamps=t), np.array([0.5, 2.0, 3.5, 9.0]))
    assert np.isnan(out.data[:, 0]).tolist() == [False, True, False, True]


def test_align_rejects_an_unknown_method():
    with pytest.raises(ConfigurationError, match="method must be one of"):
        align(TimeSeries(np.zeros(3), ("x",), timestamps=[0, 1, 2]), np.zeros(1), method="cubic")


def test_speed_of_a_straight_line():
    t = np.arange(50) / 10
    assert np.allclose(speed(TimeSeries(np.c_[3 * t, 4 * t], ("x", "y"), timestamps=t)), 5.0)


def _session(seed: int = 0) -> Session:
    rng = np.random.default_rng(seed)
    t = np.arange(0, 20, 1 / 60)
    keep = (t < 8) | (t > 9)  # one second of lost tracking
    x = np.where(t < 10, t, 20 - t)  # run right, then stand still half way back
    x = np.where(t > 15, 5.0, x)
    trains = SpikeTrains.from_trains([np.sort(rng.uniform(0, 20, 400)) for _ in range(5)])
    return Session(neural=trains, behavior=TimeSeries(x[keep], ("x",), timestamps=t[keep]),
                   intervals={"trials": np.array([[0.0, 10.0], [10.0, 20.0]])})


def test_to_recording_drops_gaps_and_starts_a_trial_after_each():
    rec, report = _session().to_recording(0.1, return_report=True)
    assert report.dropped_invalid == 10 and len(report.gaps) == 1
    assert report.gaps[0] == pytest.approx((8.0, 9.0), abs=0.1)
    assert rec.neural.shape[0] == report.n_kept == report.n_bins - 10
    assert rec.trial_starts.tolist() == [0, 80]
    assert rec.bin_size == 0.1 and rec.continuous.dtype == np.float32


def test_to_recording_trials_and_speed_filter():
    rec, report = _session().to_recording(0.1, trials="trials", min_speed=0.5,
                                          return_report=True)
    assert report.dropped_speed > 0
    assert np.all(report.timestamps < 15.05)  # standing still after 15 s
    assert len(rec.trial_starts) == 3  # start, after the gap, second trial


def test_trial_starts_are_interval_start_times():
    assert _session().trial_starts.tolist() == [0.0, 10.0]


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({}, ConfigurationError, "spike trains need bin_size"),
    ({"bin_size": 0.1, "trials": "epochs"}, ConfigurationError, "available: trials"),
    ({"bin_size": 0.1, "min_speed": 1e9}, DataValidationError, "no row left"),
])
def test_to_recording_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        _session().to_recording(**kwargs)


def test_to_recording_without_clocks_needs_equal_lengths():
    session = Session(neural=TimeSeries(np.ones((10, 2)), ("a", "b")),
                      behavior=TimeSeries(np.ones(9), ("x",)))
    with pytest.raises(DataValidationError, match="neural data has 10 rows and behaviour 9"):
        session.to_recording()
    with pytest.raises(ConfigurationError, match="applies to spike trains only"):
        session.to_recording(0.1)
    with pytest.raises(DataValidationError, match="gave no neural stream"):
        Session().to_recording()


def test_discrete_behaviour_goes_to_discrete():
    session = Session(neural=TimeSeries(np.ones((4, 2)), ("a", "b")),
                      behavior=TimeSeries(np.c_[[0.1, 0.2, 0.3, 0.4], [1, 1, 0, 0]],
                                          ("x", "side"), kinds=("continuous", "discrete")))
    rec = session.to_recording()
    assert rec.discrete.tolist() == [1, 1, 0, 0] and rec.continuous.shape == (4, 1)
