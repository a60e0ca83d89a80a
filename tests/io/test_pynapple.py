# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""pynapple objects in (from_pynapple), embeddings out (to_pynapple), through to_recording.

Tests that need pynapple skip without it (``pip install 'identica[pynapple]'``; ``make test``
installs it); the install hint and the lazy import are tested either way.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import identica
from identica import io
from identica.exceptions import ConfigurationError, DataTypeError, DataValidationError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def nap():
    return pytest.importorskip(
        "pynapple", reason="pynapple is not installed: pip install 'identica[pynapple]'"
    )


def _units(nap, keys=(3, 7, 12), n=300, stop=10.0, seed=0):
    """Spike times on a 1 ms grid shifted by 0.5 ms, so none lies on a bin edge of 50 ms."""
    rng = np.random.default_rng(seed)
    trains = {k: np.sort(rng.choice(int(stop * 1000), n, replace=False)) * 1e-3 + 5e-4
              for k in keys}
    return nap.TsGroup({k: nap.Ts(t) for k, t in trains.items()}), trains


def _position(nap, stop=10.0, rate=60.0):
    t = np.arange(0, stop, 1 / rate)
    return nap.TsdFrame(t=t, d=np.c_[np.sin(t), np.cos(t)], columns=["x", "y"])


def _naive_counts(trains, centres, bin_size):
    counts = np.zeros((len(centres), len(trains)), dtype=np.int64)
    for j, times in enumerate(trains.values()):
        for i, c in enumerate(centres):
            lo, hi = c - bin_size / 2, c + bin_size / 2
            counts[i, j] = sum(1 for s in times if lo <= s < hi)
    return counts


def test_round_trip_to_a_fitted_embedding_on_the_input_time_base(nap):
    units, _ = _units(nap)
    trials = nap.IntervalSet(start=[1.0, 4.0, 7.0], end=[3.0, 6.0, 9.5])
    session = io.from_pynapple(units, _position(nap), trials)
    rec, report = session.to_recording(bin_size=0.05, trials="trials", return_report=True)
    assert rec.neural.shape == (report.n_kept, 3) and rec.continuous.shape == (report.n_kept, 2)
    model = identica.Embedding(encoder="mlp", output_dimension=3, max_iterations=2,
                               batch_size=32, random_state=0)
    z = model.fit(rec.neural, rec.continuous, trial_starts=rec.trial_starts).transform(rec.neural)
    frame = io.to_pynapple(z, like=report)
    assert isinstance(frame, nap.TsdFrame)
    assert frame.shape == (rec.n_samples, 3) and list(frame.columns) == ["z0", "z1", "z2"]
    np.testing.assert_array_equal(frame.t, report.timestamps)
    np.testing.assert_array_equal(frame.values, z)
    assert np.all(np.diff(frame.t) > 0) and frame.t[0] >= 1.0 and frame.t[-1] <= 9.5


def test_tsgroup_counts_equal_bin_spikes_and_a_naive_loop(nap):
    units, trains = _units(nap, n=120)
    session = io.from_pynapple(units)
    assert session.neural.names == ("3", "7", "12") and session.format == "pynapple"
    rec, report = session.to_recording(bin_size=0.05, start=0.0, stop=10.0, return_report=True)
    assert report.n_kept == 200
    expected = io.bin_spikes(io.SpikeTrains.from_trains(list(trains.values())), 0.05,
                             start=0.0, stop=10.0)
    np.testing.assert_array_equal(rec.neural, expected.data)
    np.testing.assert_allclose(report.timestamps, expected.timestamps)
    np.testing.assert_array_equal(rec.neural, _naive_counts(trains, report.timestamps, 0.05))
    assert rec.neural.sum() == 3 * 120


def test_interval_set_becomes_trial_borders(nap):
    units, _ = _units(nap)
    epochs = nap.IntervalSet(start=[1.0, 4.0, 7.0], end=[3.0, 6.0, 9.0])
    session = io.from_pynapple(units, _position(nap), epochs)
    np.testing.assert_array_equal(session.intervals["trials"],
                                  [[1.0, 3.0], [4.0, 6.0], [7.0, 9.0]])
    np.testing.assert_array_equal(session.trial_starts, [1.0, 4.0, 7.0])
    rec, report = session.to_recording(bin_size=0.1, start=0.0, trials="trials",
                                       return_report=True)
    starts = rec.trial_starts
    assert len(starts) == 3 and starts[0] == 0
    first_times = report.timestamps[starts]
    np.testing.assert_allclose(first_times, [1.05, 4.05, 7.05])
    trial_of_row = np.searchsorted(starts, np.arange(rec.n_samples), side="right") - 1
    for k, (lo, hi) in enumerate(session.intervals["trials"]):
        inside = report.timestamps[trial_of_row == k]
        assert inside.min() >= lo and inside.max() <= hi


def test_named_epochs_and_time_support_are_interval_tables(nap):
    units, _ = _units(nap)
    units = units.restrict(nap.IntervalSet(start=[0.0, 6.0], end=[4.0, 10.0]))
    wake, sleep = nap.IntervalSet(0.0, 5.0), nap.IntervalSet(5.0, 10.0)
    session = io.from_pynapple(units, epochs={"wake": wake, "sleep": sleep})
    assert set(session.intervals) == {"time_support", "wake", "sleep"}
    np.testing.assert_array_equal(session.intervals["time_support"], [[0.0, 4.0], [6.0, 10.0]])
    rec, report = session.to_recording(bin_size=0.5, start=0.0, stop=10.0,
                                       trials="time_support", return_report=True)
    assert not np.any((report.timestamps > 4.0) & (report.timestamps < 6.0))
    assert len(rec.trial_starts) == 2


def test_sampled_neural_and_behaviour_keep_names_and_kinds(nap):
    t = np.arange(0, 5, 0.1)
    calcium = nap.TsdFrame(t=t, d=np.random.default_rng(0).normal(size=(len(t), 4)),
                           columns=["roi0", "roi1", "roi2", "roi3"])
    behaviour = nap.TsdFrame(t=t, d=np.c_[np.sin(t), np.mod(t, 2 * np.pi), (t > 2).astype(float)],
                             columns=["x", "heading", "zone"])
    session = io.from_pynapple(calcium, behaviour, kinds={"heading": "angle", "zone": "discrete"})
    assert session.neural.names == ("roi0", "roi1", "roi2", "roi3")
    assert session.behavior.kinds == ("continuous", "angle", "discrete")
    rec, report = session.to_recording(return_report=True)
    np.testing.assert_allclose(rec.neural, calcium.values, rtol=1e-6)  # Recording is float32
    assert rec.continuous.shape == (len(t), 2) and rec.discrete.tolist() == (t > 2).tolist()
    frame = io.to_pynapple(np.ones((len(t), 2)), like=calcium, columns=["a", "b"])
    np.testing.assert_array_equal(frame.t, t)
    assert list(frame.columns) == ["a", "b"]


def test_a_tsd_is_one_column_and_other_time_bases_work(nap):
    t = np.arange(0, 2, 0.5)
    session = io.from_pynapple(nap.Tsd(t=t, d=np.arange(4.0)), nap.Tsd(t=t, d=-np.arange(4.0)))
    assert session.neural.names == ("0",) and session.behavior.names == ("0",)
    assert io.to_pynapple(np.zeros((4, 1)), t).shape == (4, 1)
    assert io.to_pynapple(np.zeros((4, 2)), like=session.behavior).t.tolist() == t.tolist()


def test_wrong_types_are_refused(nap):
    units, _ = _units(nap)
    with pytest.raises(DataTypeError, match="neural must be a pynapple TsGroup.*numpy.ndarray"):
        io.from_pynapple(np.zeros((5, 2)))
    with pytest.raises(DataTypeError, match=r"wrap it as nap.TsGroup\(\{0: ts\}\)"):
        io.from_pynapple(nap.Ts(np.array([0.1, 0.2])))
    with pytest.raises(DataTypeError, match="behavior must be a pynapple TsdFrame or Tsd.*TsGroup"):
        io.from_pynapple(units, units)
    with pytest.raises(DataTypeError, match="epochs must be a pynapple IntervalSet.*ndarray"):
        io.from_pynapple(units, epochs=np.array([[0.0, 1.0]]))
    with pytest.raises(DataTypeError, match=r"epochs\['run'\] must be a pynapple IntervalSet"):
        io.from_pynapple(units, epochs={"run": [(0.0, 1.0)]})
    tensor = nap.TsdTensor(t=np.arange(3.0), d=np.zeros((3, 2, 2)))
    with pytest.raises(DataValidationError, match=r"neural is a TsdTensor of shape \(3, 2, 2\)"):
        io.from_pynapple(tensor)


def test_empty_inputs_are_refused(nap):
    support = nap.IntervalSet(0.0, 1.0)
    with pytest.raises(DataValidationError, match="neural is an empty TsGroup"):
        io.from_pynapple(nap.TsGroup({}, time_support=support))
    silent = nap.TsGroup({0: nap.Ts(np.array([])), 1: nap.Ts(np.array([]))}, time_support=support)
    with pytest.raises(DataValidationError, match="TsGroup of 2 units without a single spike"):
        io.from_pynapple(silent)
    with pytest.raises(DataValidationError, match="neural is an empty Tsd"):
        io.from_pynapple(nap.Tsd(t=np.array([]), d=np.array([])))
    units, _ = _units(nap)
    with pytest.raises(DataValidationError, match=r"epochs\['trials'\] is an empty IntervalSet"):
        io.from_pynapple(units, epochs=nap.IntervalSet(start=[], end=[]))


def test_kinds_are_checked(nap):
    units, _ = _units(nap)
    with pytest.raises(ConfigurationError, match="kinds names column 'z'.*columns are x, y"):
        io.from_pynapple(units, _position(nap), kinds={"z": "angle"})
    with pytest.raises(ConfigurationError, match=r"kinds\['x'\] must be one of continuous, "
                                                 "discrete, angle; got 'circular'"):
        io.from_pynapple(units, _position(nap), kinds={"x": "circular"})
    with pytest.raises(ConfigurationError, match="needs a behavior; got behavior=None"):
        io.from_pynapple(units, kinds={"x": "angle"})


def test_to_pynapple_refuses_mismatches(nap):
    units, _ = _units(nap)
    times = np.arange(5) * 0.1
    with pytest.raises(ConfigurationError, match="exactly one of timestamps.*timestamps=None"):
        io.to_pynapple(np.zeros((5, 2)))
    with pytest.raises(ConfigurationError, match="exactly one of timestamps.*like=TimeSeries"):
        io.to_pynapple(np.zeros((5, 2)), times, like=io.TimeSeries(np.zeros(5), ("a",), times))
    with pytest.raises(DataValidationError, match=r"embedding has 4 rows but the time base has "
                                                  r"shape \(5,\)"):
        io.to_pynapple(np.zeros((4, 2)), times)
    with pytest.raises(DataValidationError, match=r"must be 2-D .*got shape \(5,\)"):
        io.to_pynapple(np.zeros(5), times)
    with pytest.raises(DataValidationError, match="finite and non-decreasing"):
        io.to_pynapple(np.zeros((5, 2)), times[::-1])
    with pytest.raises(ConfigurationError, match=r"columns must name the 2 .*got 3"):
        io.to_pynapple(np.zeros((5, 2)), times, columns=["a", "b", "c"])
    with pytest.raises(DataTypeError, match="like must be the AlignmentReport.*TsGroup"):
        io.to_pynapple(np.zeros((5, 2)), like=units)
    with pytest.raises(DataValidationError, match="like is a TimeSeries without timestamps"):
        io.to_pynapple(np.zeros((5, 2)), like=io.TimeSeries(np.zeros(5), ("a",)))


def test_missing_pynapple_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynapple", None)  # import pynapple now raises ImportError
    hint = r"optional package 'pynapple'.*pip install 'identica\[pynapple\]'"
    with pytest.raises(ImportError, match=hint):
        io.from_pynapple(object())
    with pytest.raises(ImportError, match=hint):
        io.to_pynapple(np.zeros((2, 1)), np.arange(2.0))


def test_importing_identica_io_leaves_pynapple_unloaded():
    code = "import sys, identica.io; print('pynapple' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "False"


def test_readme_pynapple_example(nap, monkeypatch, tmp_path):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- pynapple example[^>]*-->\n```python\n(.*?)```", text, re.S)
    assert block, "the README lost its pynapple example"
    code = block.group(1).replace("max_iterations=2000", "max_iterations=2")
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), scope)
    rec, frame = scope["rec"], scope["frame"]
    assert isinstance(frame, nap.TsdFrame) and frame.shape == (rec.n_samples, 3)
