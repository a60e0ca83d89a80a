# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of Dataset, ValidRuns, WindowGatherer and the input checks of as_recording (spec §1)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from identica.data import Dataset, Offset, Recording, ValidRuns, WindowGatherer, as_recording
from identica.data._validate import check_neural
from identica.exceptions import DataValidationError


def _rec(n_samples: int, trial_starts: list[int] | None = None, n_neurons: int = 2) -> Recording:
    starts = None if trial_starts is None else np.asarray(trial_starts, dtype=np.int64)
    return Recording(np.zeros((n_samples, n_neurons), np.float32), trial_starts=starts)


# --------------------------------------------------------------------------------------------
# Offset.
# --------------------------------------------------------------------------------------------


def test_offset_length_and_validation() -> None:
    assert len(Offset(5, 5)) == 10 and len(Offset(0, 1)) == 1
    with pytest.raises(ValueError, match=r"left >= 0 and right >= 1.*left=0, right=0"):
        Offset(0, 0)
    with pytest.raises(ValueError, match="left=-1"):
        Offset(-1, 2)
    with pytest.raises(TypeError, match="int left and right"):
        Offset(1.5, 2)


# --------------------------------------------------------------------------------------------
# Dataset and ValidRuns.
# --------------------------------------------------------------------------------------------


def test_dataset_timeline_and_segments() -> None:
    ds = Dataset([_rec(50, [0, 20, 35]), _rec(30), _rec(40, [0, 10])])
    assert ds.n_sessions == 3 and ds.n_samples == 120
    assert ds.session_starts.tolist() == [0, 50, 80, 120]
    assert ds.segment_starts.tolist() == [0, 20, 35, 50, 80, 90]
    assert ds.segment_stops.tolist() == [20, 35, 50, 80, 90, 120]
    assert ds.segment_session.tolist() == [0, 0, 0, 1, 2, 2]


def test_valid_runs_counts_and_indices() -> None:
    ds = Dataset([_rec(50, [0, 20, 35]), _rec(30), _rec(40, [0, 10])])
    runs = ds.valid_runs(Offset(2, 3))
    # Segment [a, b) has valid t in [a + 2, b - 3]: b - a - 4 positions.
    assert runs.starts.tolist() == [2, 22, 37, 52, 82, 92]
    assert runs.counts.tolist() == [16, 11, 11, 26, 6, 26]
    assert runs.session.tolist() == [0, 0, 0, 1, 2, 2]
    assert runs.total == 96
    expected = np.concatenate([np.arange(a, a + c) for a, c in zip(runs.starts, runs.counts,
                                                                    strict=True)])
    indices = runs.indices()
    assert indices.dtype == np.int64
    assert np.array_equal(indices, expected)


def test_valid_runs_of_field_one_cover_every_row() -> None:
    ds = Dataset([_rec(7, [0, 3]), _rec(4)])
    assert np.array_equal(ds.valid_runs(Offset(0, 1)).indices(), np.arange(11))


def test_segment_exactly_as_long_as_the_field_has_one_position() -> None:
    ds = Dataset([_rec(15, [0, 5])])
    runs = ds.valid_runs(Offset(2, 3))
    assert runs.indices().tolist() == [2, 7, 8, 9, 10, 11, 12]


def test_shrink() -> None:
    runs = ValidRuns(np.array([0, 10, 30]), np.array([5, 2, 8]), np.array([0, 0, 1]))
    shrunk = runs.shrink(3)
    assert shrunk.starts.tolist() == [0, 30]
    assert shrunk.counts.tolist() == [2, 5]
    assert shrunk.session.tolist() == [0, 1]
    # Every kept t has t + 3 valid in the same run.
    valid = set(runs.indices().tolist())
    for t in shrunk.indices():
        assert t in valid and t + 3 in valid
        assert (t < 10) == (t + 3 < 10)
    assert runs.shrink(0).counts.tolist() == [5, 2, 8]
    assert runs.shrink(8).total == 0
    assert runs.shrink(8).indices().shape == (0,)


def test_short_segments_are_skipped_with_a_warning() -> None:
    ds = Dataset([_rec(60, [0, 3, 30]), _rec(20, [0, 16])])
    with pytest.warns(UserWarning, match=r"Skipping 2 segment\(s\).*receptive field of 5 rows: "
                                         r"session 0 rows \[0, 3\), session 1 rows \[16, 20\)"):
        runs = ds.valid_runs(Offset(2, 3))
    assert runs.counts.tolist() == [23, 26, 12]
    assert runs.session.tolist() == [0, 0, 1]


def test_no_warning_when_every_segment_is_long_enough() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Dataset([_rec(60, [0, 5, 30])]).valid_runs(Offset(2, 3))


def test_all_segments_short_raises() -> None:
    ds = Dataset([_rec(12, [0, 4, 8]), _rec(3)])
    with pytest.raises(ValueError, match=r"shorter than the encoder's receptive field of 5 rows "
                                         r"\(longest segment: 4 rows\)"):
        ds.valid_runs(Offset(2, 3))


def test_dataset_stacks_labels() -> None:
    a = Recording(np.zeros((3, 1), np.float32), continuous=np.ones((3, 2), np.float32),
                  discrete=np.array([0, 1, 0]))
    b = Recording(np.zeros((2, 1), np.float32), continuous=np.zeros((2, 2), np.float32),
                  discrete=np.array([1, 1]))
    ds = Dataset([a, b])
    assert ds.continuous().shape == (5, 2)
    assert ds.discrete().tolist() == [0, 1, 0, 1, 1]
    assert Dataset([a, _rec(4)]).continuous() is None
    assert Dataset([_rec(4), a]).discrete() is None


# --------------------------------------------------------------------------------------------
# WindowGatherer.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", [Offset(0, 1), Offset(2, 3), Offset(5, 5)], ids=str)
def test_window_gatherer_returns_the_right_rows(field) -> None:
    neural = torch.arange(40 * 3, dtype=torch.float32).reshape(40, 3)
    gather = WindowGatherer(neural, field)
    index = torch.tensor([field.left, 17, 40 - field.right, 17])
    windows = gather(index)
    assert windows.shape == (4, 3, len(field))
    for b, t in enumerate(index.tolist()):
        expected = neural[t - field.left : t + field.right].T  # (N, W)
        assert torch.equal(windows[b], expected)


def test_window_gatherer_neuron_time_layout() -> None:
    neural = torch.tensor([[0.0, 100.0], [1.0, 101.0], [2.0, 102.0], [3.0, 103.0]])
    windows = WindowGatherer(neural, Offset(1, 2))(torch.tensor([2]))
    assert windows.tolist() == [[[1.0, 2.0, 3.0], [101.0, 102.0, 103.0]]]


def test_window_gatherer_keeps_gradients_and_dtype() -> None:
    neural = torch.randn(10, 2, dtype=torch.float64, requires_grad=True)
    windows = WindowGatherer(neural, Offset(1, 1))(torch.tensor([3, 3]))
    assert windows.dtype == torch.float64
    windows.sum().backward()
    assert neural.grad[:, 0].tolist() == [0, 0, 2, 2, 0, 0, 0, 0, 0, 0]  # rows [2, 4), twice


# --------------------------------------------------------------------------------------------
# as_recording / check_neural: errors.
# --------------------------------------------------------------------------------------------


def _x(n: int = 10, f: int = 3) -> np.ndarray:
    return np.random.default_rng(0).normal(size=(n, f))


def test_nan_in_x_names_the_first_index() -> None:
    X = _x()
    X[7, 2] = np.nan
    X[4, 1] = np.nan
    with pytest.raises(DataValidationError, match=r"X contains NaN.*\(NaN\) at index \(4, 1\)"):
        as_recording(X)


def test_inf_in_x() -> None:
    X = _x()
    X[2, 0] = -np.inf
    with pytest.raises(DataValidationError,
                       match=r"X contains NaN or inf.*\(inf\) at index \(2, 0\)"):
        check_neural(X)


@pytest.mark.parametrize("where", ["X", "y"])
def test_float64_overflowing_float32_is_inf(where) -> None:
    X, y = _x(), np.zeros((10, 2))
    (X if where == "X" else y)[5, 1] = 1e300
    with pytest.raises(DataValidationError, match=rf"{where} contains.*\(inf\) at index \(5, 1\)"):
        as_recording(X, y)


def test_nan_in_continuous_y_names_the_array_and_index() -> None:
    y = np.zeros(10)
    y[6] = np.nan
    with pytest.raises(DataValidationError, match=r"y contains NaN.*\(NaN\) at index 6\b"):
        as_recording(_x(), y)


def test_session_is_named_in_errors() -> None:
    X = _x()
    X[1, 1] = np.nan
    with pytest.raises(DataValidationError, match=r"\(session 3\)"):
        as_recording(X, session=3)


@pytest.mark.parametrize(
    ("X", "match"),
    [
        (np.zeros(10), r"2-D array.*got 1-D with shape \(10,\).*reshape\(-1, 1\)"),
        (np.zeros((4, 3, 2)), r"2-D array.*got 3-D with shape \(4, 3, 2\)"),
        (np.array([["a", "b"], ["c", "d"]]), r"X must hold numbers.*dtype <U1"),
        (np.array([[1, "a"], [2, 3]], dtype=object), r"X must hold numbers"),
        ([[1.0, 2.0], [3.0]], r"X must (be a numeric array|hold numbers)"),
        (np.zeros((2, 2), dtype=complex), r"real-valued"),
        (np.zeros((0, 3)), r"(?s)(?=.*sample)(?=.*\(0, 3\))"),
        (np.zeros((5, 0)), r"(?s)(?=.*feature)(?=.*\(5, 0\))"),
    ],
    ids=["1d", "3d", "strings", "object", "ragged", "complex", "no-rows", "no-columns"],
)
def test_bad_x(X, match) -> None:
    with pytest.raises(DataValidationError, match=match):
        as_recording(X)


@pytest.mark.parametrize(
    ("y", "discrete", "match"),
    [
        (np.zeros(9), None, r"X has 10 time steps but y has 9"),
        (np.zeros((11, 2)), None, r"X has 10 time steps but y has 11"),
        (np.zeros((10, 2), dtype=int), None,
         r"y is 2-D with integer dtype int64.*Pass float y.*one integer column"),
        (np.zeros((10, 1), dtype=np.uint8), None, r"y is 2-D with integer dtype uint8"),
        (np.zeros((10, 2, 2)), None, r"y must have shape .*got shape \(10, 2, 2\)"),
        (np.float64(3.0), None, r"y must have shape .*got shape \(\)"),
        (np.array([["x"]] * 10), None, r"y must hold numbers"),  # 1-D text is encoded
        (np.zeros(10), np.linspace(0, 1, 10), r"discrete must hold integer labels.*float64"),
        (np.zeros(10), np.zeros((10, 2), dtype=int), r"discrete must be 1-D.*\(10, 2\)"),
        (np.zeros(10), np.zeros(8, dtype=int), r"X has 10 time steps but discrete has 8"),
        (np.arange(10), np.arange(10), r"Got discrete labels twice"),
        (np.arange(10) % 2 == 0, np.arange(10), r"Got discrete labels twice"),
    ],
    ids=["y-short", "y-long", "y-int-2d", "y-uint8-2d", "y-3d", "y-0d", "y-strings",
         "float-discrete", "discrete-2d", "discrete-short", "discrete-twice",
         "bool-and-discrete"],
)
def test_bad_labels(y, discrete, match) -> None:
    with pytest.raises(DataValidationError, match=match):
        as_recording(_x(), y, discrete=discrete)


def test_sparse_x_is_rejected() -> None:
    from scipy import sparse

    with pytest.raises(DataValidationError, match="sparse"):
        as_recording(sparse.csr_matrix(np.eye(4)))


def test_errors_are_value_errors() -> None:
    with pytest.raises(ValueError):
        as_recording(np.zeros(3))


# --------------------------------------------------------------------------------------------
# as_recording: label typing.
# --------------------------------------------------------------------------------------------


def test_neural_becomes_contiguous_float32() -> None:
    X = np.asfortranarray(np.arange(12, dtype=np.int64).reshape(4, 3))
    rec = as_recording(X)
    assert rec.neural.dtype == np.float32 and rec.neural.flags.c_contiguous
    assert np.array_equal(rec.neural, X)
    assert rec.continuous is None and rec.discrete is None


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_float_y_is_continuous(dtype) -> None:
    y = np.linspace(0, 1, 10).astype(dtype)
    rec = as_recording(_x(), y)
    assert rec.discrete is None
    assert rec.continuous.shape == (10, 1) and rec.continuous.dtype == np.float32
    np.testing.assert_allclose(rec.continuous[:, 0], y, rtol=1e-3)
    rec2 = as_recording(_x(), np.stack([y, -y], axis=1))
    assert rec2.continuous.shape == (10, 2)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint64])
def test_integer_y_is_discrete_and_recoded(dtype) -> None:
    y = np.array([5, 9, 5, 120, 9, 5, 120, 120, 9, 5]).astype(dtype)
    rec = as_recording(_x(), y)
    assert rec.continuous is None
    assert rec.discrete.dtype == np.int64
    assert rec.discrete.tolist() == [0, 1, 0, 2, 1, 0, 2, 2, 1, 0]


def test_negative_and_sparse_codes_are_recoded_in_sorted_order() -> None:
    y = np.array([-5, 3, -5, 1000, 3, -1, -5, 3, 1000, -1])
    rec = as_recording(_x(), y)
    assert rec.discrete.tolist() == [0, 2, 0, 3, 2, 1, 0, 2, 3, 1]


def test_bool_y_is_discrete() -> None:
    y = np.arange(10) % 3 == 0
    rec = as_recording(_x(), y)
    assert rec.continuous is None
    assert rec.discrete.tolist() == [1, 0, 0, 1, 0, 0, 1, 0, 0, 1]


def test_python_list_of_ints_is_discrete() -> None:
    rec = as_recording(_x(4), [2, 2, 7, 7])
    assert rec.discrete.tolist() == [0, 0, 1, 1]


def test_float_y_with_discrete_is_mixed() -> None:
    y = np.linspace(0, 1, 10)
    rec = as_recording(_x(), y, discrete=np.array([3, -2] * 5, dtype=np.int16))
    assert rec.continuous.shape == (10, 1)
    assert rec.discrete.dtype == np.int64
    assert rec.discrete.tolist() == [1, 0] * 5
