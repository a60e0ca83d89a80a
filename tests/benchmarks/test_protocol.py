# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The benchmarks' measurement protocol: machine state, the quiet-machine rule, spread."""

from __future__ import annotations

import doctest
import json
import os

import pytest
from benchmark_modules import load


@pytest.fixture(scope="module")
def protocol():
    return load("_protocol")


def test_doctests(protocol):
    assert doctest.testmod(protocol).failed == 0


def test_cpu_model_falls_back_to_platform(protocol, monkeypatch):
    def no_file(*args, **kwargs):
        raise OSError("no /proc here")

    monkeypatch.setattr(protocol, "open", no_file, raising=False)
    monkeypatch.setattr(protocol.platform, "processor", lambda: "arm")
    assert protocol.cpu_model() == "arm"
    monkeypatch.setattr(protocol.platform, "processor", lambda: "")
    assert protocol.cpu_model() == "unknown"


def test_machine_state_without_load_average(protocol, monkeypatch):
    def unavailable():
        raise OSError("no load average")

    monkeypatch.setattr(os, "getloadavg", unavailable)
    state = protocol.machine_state()
    assert state["load"] is None and state["cpu_count"] >= 1 and state["cpu_model"]


@pytest.mark.parametrize(
    ("load", "cores", "under_load", "quiet", "headline"),
    [
        ([0.5, 0.5, 0.5], 2, False, True, True),   # 0.25 per core
        ([0.6, 0.5, 0.5], 2, False, True, True),   # exactly the limit
        ([0.7, 0.1, 0.1], 2, False, False, False),  # the 1-minute value decides
        ([0.7, 0.1, 0.1], 2, True, False, True),
        ([2.0, 2.0, 2.0], 8, False, True, True),
        (None, 2, False, False, False),
    ],
)
def test_headline_status(protocol, load, cores, under_load, quiet, headline):
    status = protocol.headline_status(load, cores, under_load)
    assert (status["quiet"], status["headline"]) == (quiet, headline)
    assert (status["reason"] is None) == quiet and (status["caption"] is None) == quiet


def test_busy_machine_refuses_the_table(protocol, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(os, "getloadavg", lambda: (1.5, 1.0, 0.5))
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    state = protocol.machine_state()
    status = protocol.headline_status(state["load"], state["cpu_count"], under_load=False)
    (tmp_path / "bench.md").write_text("a stale table\n")
    code = protocol.write_results(tmp_path, "bench", {"x": 1}, "# table\n", status)
    assert code == protocol.EXIT_BUSY == 3
    assert json.loads((tmp_path / "bench.json").read_text()) == {"x": 1}
    assert not (tmp_path / "bench.md").exists()
    err = capsys.readouterr().err
    assert "Refusing to write the table" in err and "--under-load" in err
    assert "load average before the run is 1.5 on 2 core(s)" in err


def test_under_load_writes_a_marked_table(protocol, tmp_path):
    status = protocol.headline_status([1.5, 1.0, 0.5], 2, under_load=True)
    assert status["caption"] == "measured under load (load average 1.5 on 2 cores)"
    assert protocol.write_results(tmp_path, "bench", {}, "# table\n", status) == 0
    assert (tmp_path / "bench.md").read_text() == "# table\n"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], {"n": 0, "median": None, "min": None, "max": None, "q1": None, "q3": None}),
        ([2.0], {"n": 1, "median": 2.0, "min": 2.0, "max": 2.0, "q1": 2.0, "q3": 2.0}),
        ([5.0, 1.0, 3.0], {"n": 3, "median": 3.0, "min": 1.0, "max": 5.0, "q1": 2.0, "q3": 4.0}),
    ],
)
def test_spread(protocol, values, expected):
    assert protocol.spread(values) == expected
