# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of the linear-track place-cell generator."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.ndimage import uniform_filter1d
from sklearn.metrics import r2_score
from sklearn.neighbors import KNeighborsRegressor

from identica.data._recording import Recording
from identica.exceptions import ConfigurationError
from identica.synthetic import linear_track


@pytest.fixture(scope="module")
def rec() -> Recording:
    return linear_track(random_state=1234)


def test_shapes_and_dtypes(rec: Recording) -> None:
    assert isinstance(rec, Recording)
    assert rec.neural.shape == (10_000, 120)
    assert rec.neural.dtype == np.float32
    assert rec.continuous.shape == (10_000, 3)
    assert rec.continuous.dtype == np.float32
    assert rec.bin_size == 0.025
    assert rec.truth["position"].shape == (10_000,)
    assert rec.truth["direction"].dtype == np.int64
    assert rec.truth["preference"].dtype == np.int64
    for key in ("centres", "widths", "peaks", "baselines", "preference"):
        assert rec.truth[key].shape == (120,)


def test_counts_are_non_negative_integers(rec: Recording) -> None:
    assert rec.neural.min() >= 0
    np.testing.assert_array_equal(rec.neural, np.round(rec.neural))


def test_mean_rate_and_reversals_are_plausible(rec: Recording) -> None:
    mean_rate = rec.neural.mean() / rec.bin_size
    assert 1.5 < mean_rate < 4.0
    reversals = np.count_nonzero(np.diff(rec.truth["direction"]))
    assert 40 <= reversals <= 100


def test_tuning_parameters_in_their_ranges(rec: Recording) -> None:
    t = rec.truth
    assert np.all((t["centres"] >= 0) & (t["centres"] <= 1.6))
    assert np.all((t["widths"] >= 0.06) & (t["widths"] <= 0.20))
    assert np.all(t["peaks"] >= 2.0)
    assert np.all((t["baselines"] >= 0.1) & (t["baselines"] <= 1.0))
    assert set(np.unique(t["preference"])) <= {0, 1, 2}


def test_position_within_track(rec: Recording) -> None:
    position = rec.truth["position"]
    assert position.min() >= 0.0
    assert position.max() <= 1.6
    # Both ends are reached, and the rat pauses there.
    assert np.count_nonzero(position == 0.0) >= 5
    assert np.count_nonzero(position == 1.6) >= 5


def test_speed_is_clipped(rec: Recording) -> None:
    step = np.abs(np.diff(rec.truth["position"]))
    moving = step > 0
    assert step.max() <= 1.2 * 0.025 + 1e-12
    # Steps that do not end at a wall move at least the minimum speed.
    interior = moving & (rec.truth["position"][1:] > 0) & (rec.truth["position"][1:] < 1.6)
    assert step[interior].min() >= 0.05 * 0.025 - 1e-12


def test_label_columns_match_truth(rec: Recording) -> None:
    np.testing.assert_allclose(rec.continuous[:, 0], rec.truth["position"], rtol=1e-6)
    right = rec.truth["direction"] == 1
    np.testing.assert_array_equal(rec.continuous[:, 1], right.astype(np.float32))
    np.testing.assert_array_equal(rec.continuous[:, 2], (~right).astype(np.float32))
    assert rec.truth["direction"][0] == 1


def test_direction_follows_position_gradient(rec: Recording) -> None:
    gradient = np.diff(rec.truth["position"])
    direction = rec.truth["direction"][1:]
    moving = gradient != 0
    np.testing.assert_array_equal(direction[moving], (gradient[moving] > 0).astype(np.int64))
    # During pauses the label of the last move is held.
    paused = np.flatnonzero(~moving) + 1
    held = rec.truth["direction"]
    np.testing.assert_array_equal(held[paused], held[paused - 1])


def test_pauses_at_the_ends_last_5_to_39_bins(rec: Recording) -> None:
    still = np.concatenate([[False], np.diff(rec.truth["position"]) == 0, [False]])
    edges = np.flatnonzero(np.diff(still.astype(int)))
    starts, stops = edges[::2], edges[1::2]
    lengths = stops - starts
    full = stops < rec.n_samples - 1  # the last pause may be cut off by the end of the recording
    assert lengths.size > 0
    assert lengths[full].min() >= 5
    assert lengths.max() <= 39


def test_direction_selective_cells_fire_more_in_their_direction(rec: Recording) -> None:
    right = rec.truth["direction"] == 1
    pref = rec.truth["preference"]
    rate_right = rec.neural[right].mean(axis=0)
    rate_left = rec.neural[~right].mean(axis=0)
    assert np.mean(rate_right[pref == 0] > rate_left[pref == 0]) > 0.9
    assert np.mean(rate_left[pref == 1] > rate_right[pref == 1]) > 0.9


def test_same_seed_gives_identical_arrays() -> None:
    a = linear_track(n_samples=500, n_neurons=10, random_state=7)
    b = linear_track(n_samples=500, n_neurons=10, random_state=7)
    np.testing.assert_array_equal(a.neural, b.neural)
    np.testing.assert_array_equal(a.continuous, b.continuous)
    for key in a.truth:
        np.testing.assert_array_equal(a.truth[key], b.truth[key])


def test_different_seed_gives_different_arrays() -> None:
    a = linear_track(n_samples=500, n_neurons=10, random_state=7)
    b = linear_track(n_samples=500, n_neurons=10, random_state=8)
    assert not np.array_equal(a.truth["position"], b.truth["position"])
    assert not np.array_equal(a.truth["centres"], b.truth["centres"])


def test_generator_is_accepted_and_consumed() -> None:
    rng = np.random.default_rng(3)
    a = linear_track(n_samples=300, n_neurons=5, random_state=rng)
    b = linear_track(n_samples=300, n_neurons=5, random_state=rng)
    c = linear_track(n_samples=300, n_neurons=5, random_state=np.random.default_rng(3))
    np.testing.assert_array_equal(a.neural, c.neural)
    assert not np.array_equal(a.truth["position"], b.truth["position"])


def test_none_seed_runs() -> None:
    rec = linear_track(n_samples=100, n_neurons=3, random_state=None)
    assert rec.neural.shape == (100, 3)


def test_rate_scale_scales_counts() -> None:
    full = linear_track(n_samples=4_000, n_neurons=60, random_state=1)
    half = linear_track(n_samples=4_000, n_neurons=60, rate_scale=0.5, random_state=1)
    np.testing.assert_array_equal(full.truth["position"], half.truth["position"])
    ratio = half.neural.mean() / full.neural.mean()
    assert 0.45 < ratio < 0.55
    silent = linear_track(n_samples=100, n_neurons=4, rate_scale=0.0, random_state=1)
    assert silent.neural.sum() == 0


def test_bin_size_and_track_length_are_used() -> None:
    rec = linear_track(
        n_samples=3_000, n_neurons=5, bin_size=0.01, track_length=3.0, random_state=2
    )
    assert rec.bin_size == 0.01
    assert rec.truth["position"].max() <= 3.0
    assert np.abs(np.diff(rec.truth["position"])).max() <= 1.2 * 0.01 + 1e-12
    assert np.all(rec.truth["centres"] <= 3.0)


@pytest.mark.parametrize(("smoothing", "min_r2"), [(1, 0.8), (5, 0.9)])
def test_knn_decodes_position_from_counts(rec: Recording, smoothing: int, min_r2: float) -> None:
    # Raw counts (smoothing=1), then a 5-bin moving average that removes much Poisson noise.
    X = uniform_filter1d(rec.neural, smoothing, axis=0)
    y = rec.truth["position"]
    split = int(0.8 * len(y))
    knn = KNeighborsRegressor(n_neighbors=20).fit(X[:split], y[:split])
    assert r2_score(y[split:], knn.predict(X[split:])) > min_r2


def test_n_sessions_returns_independent_recordings() -> None:
    sessions = linear_track(n_samples=400, n_neurons=[8, 12, 5], n_sessions=3, random_state=0)
    assert isinstance(sessions, list)
    assert [s.n_neurons for s in sessions] == [8, 12, 5]
    assert all(s.n_samples == 400 for s in sessions)
    assert not np.array_equal(sessions[0].truth["position"], sessions[1].truth["position"])
    again = linear_track(n_samples=400, n_neurons=[8, 12, 5], n_sessions=3, random_state=0)
    for a, b in zip(sessions, again):
        np.testing.assert_array_equal(a.neural, b.neural)


def test_n_sessions_with_int_neurons_and_per_session_lengths() -> None:
    sessions = linear_track(n_samples=[300, 500], n_neurons=6, n_sessions=2, random_state=0)
    assert [s.neural.shape for s in sessions] == [(300, 6), (500, 6)]


def test_numpy_array_of_neuron_counts() -> None:
    sessions = linear_track(n_samples=100, n_neurons=np.array([3, 4]), n_sessions=2)
    assert [s.n_neurons for s in sessions] == [3, 4]


def test_single_session_returns_a_recording() -> None:
    rec = linear_track(n_samples=100, n_neurons=[4], n_sessions=1, random_state=0)
    assert isinstance(rec, Recording)
    assert rec.n_neurons == 4


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_samples": 1}, r"'n_samples' of linear_track must be an int in \[2, inf\]\. Got 1\."),
        ({"n_samples": 10.5}, r"'n_samples' .* Got 10\.5\."),
        ({"n_neurons": 0}, r"'n_neurons' of linear_track must be an int in \[1, inf\]\. Got 0\."),
        ({"n_neurons": True}, r"'n_neurons' .* Got True\."),
        ({"bin_size": 0.0}, r"'bin_size' of linear_track must be a finite number in \(0\.0, inf\]"),
        ({"track_length": -1.0}, r"'track_length' .* Got -1\.0\."),
        ({"rate_scale": -0.5}, r"'rate_scale' .* in \[0\.0, inf\]\. Got -0\.5\."),
        ({"rate_scale": float("nan")}, r"'rate_scale' .* Got nan\."),
        ({"n_sessions": 0}, r"'n_sessions' of linear_track must be an int in \[1, inf\]\. Got 0\."),
        ({"random_state": -1}, r"'random_state' of linear_track must be None, a non-negative int"),
        ({"random_state": "seed"}, r"'random_state' .* Got 'seed'\."),
        (
            {"n_neurons": [3, 4], "n_sessions": 3},
            r"'n_neurons' .* one int per session \(n_sessions=3\)\. Got a sequence of length 2",
        ),
        (
            {"n_neurons": [3, 0], "n_sessions": 2},
            r"'n_neurons\[1\]' of linear_track must be an int in \[1, inf\]\. Got 0\.",
        ),
        ({"n_samples": [30, 40]}, r"'n_samples' .* \(n_sessions=1\)\. Got a sequence of length 2"),
    ],
)
def test_bad_arguments_raise(kwargs: dict, match: str) -> None:
    with pytest.raises(ConfigurationError, match=match):
        linear_track(**kwargs)


def test_bad_arguments_are_value_errors() -> None:
    with pytest.raises(ValueError, match="n_neurons"):
        linear_track(n_neurons=-3)
