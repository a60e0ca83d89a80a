# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The thread rule: its choices for given work, cores and load; explicit counts; GPU untouched."""

from __future__ import annotations

import os

import pytest
import torch

from identica import _runtime
from identica._runtime import (
    WORK_PER_THREAD,
    ThreadChoice,
    auto_threads,
    busy_cores,
    choose_threads,
    encoder_work,
    num_threads,
    usable_cores,
)
from identica.nn import make_encoder

W = WORK_PER_THREAD


@pytest.mark.parametrize(("device_type", "work", "cores", "busy", "expected"), [
    ("cpu", 0.0, 2, 0.0, 1),           # set-up code
    ("cpu", 0.6 * W, 2, 0.0, 1),       # the default model: one thread even on an idle machine
    ("cpu", 1.99 * W, 16, 0.0, 1),
    ("cpu", 2 * W, 2, 0.0, 2),         # large steps on an idle machine
    ("cpu", 2 * W, 2, 0.4, 2),         # a little noise is no busy core
    ("cpu", 2 * W, 2, 0.6, 1),
    ("cpu", 2 * W, 2, 1.0, 1),         # one other busy process on two cores
    ("cpu", 100 * W, 2, 0.0, 2),       # never more than the cores
    ("cpu", 3.5 * W, 16, 0.0, 3),      # one thread per WORK_PER_THREAD
    ("cpu", 100 * W, 8, 3.0, 5),       # the free cores
    ("cpu", 100 * W, 2, 7.0, 1),       # an overloaded machine: still one thread
    ("cpu", 100 * W, 1, 0.0, 1),
    ("cuda", 100 * W, 2, 0.0, None),   # GPUs: torch's own setting
    ("mps", 0.0, 2, 0.0, None),
])
def test_auto_threads(device_type, work, cores, busy, expected):
    assert auto_threads(device_type, work, cores=cores, busy=busy) == expected


def _unused() -> float:
    raise AssertionError("the work was estimated although it is not needed")


@pytest.mark.parametrize("device", ["cpu", "cuda", "cuda:1", "mps"])
@pytest.mark.parametrize("setting", [1, 2, 5])
def test_an_explicit_count_is_obeyed(device, setting, monkeypatch):
    monkeypatch.setattr(_runtime, "busy_cores", _unused)
    choice = choose_threads(setting, torch.device(device), _unused)
    assert choice == ThreadChoice(setting, False, torch.device(device).type)


@pytest.mark.parametrize("device", ["cuda", "cuda:0", "mps"])
def test_gpus_keep_torchs_setting(device, monkeypatch):
    monkeypatch.setattr(_runtime, "busy_cores", _unused)
    choice = choose_threads(None, torch.device(device), _unused)
    assert choice.count is None and choice.auto
    before = torch.get_num_threads()
    with num_threads(choice.count):
        assert torch.get_num_threads() == before


def test_small_work_takes_one_thread_without_reading_the_load(monkeypatch):
    monkeypatch.setattr(_runtime, "usable_cores", lambda: 16)
    monkeypatch.setattr(_runtime, "busy_cores", _unused)
    assert choose_threads(None, torch.device("cpu"), lambda: 1.5 * W).count == 1
    assert choose_threads(None, torch.device("cpu")).count == 1


@pytest.mark.parametrize(("cores", "busy", "expected"), [(2, 0.0, 2), (2, 1.0, 1), (8, 2.2, 6)])
def test_large_work_takes_the_free_cores(cores, busy, expected, monkeypatch):
    monkeypatch.setattr(_runtime, "usable_cores", lambda: cores)
    monkeypatch.setattr(_runtime, "busy_cores", lambda: busy)
    choice = choose_threads(None, torch.device("cpu"), lambda: 50 * W)
    assert choice == ThreadChoice(expected, True, "cpu", 50 * W, cores)
    assert choice.follows_load


def test_a_choice_rechecks_the_load(monkeypatch):
    monkeypatch.setattr(_runtime, "busy_cores", lambda: 1.0)
    choice = ThreadChoice(2, True, "cpu", 10 * W, 2)
    assert choice.recheck() == choice._replace(count=1)
    monkeypatch.setattr(_runtime, "busy_cores", lambda: 0.0)
    assert choice.recheck().recheck() == choice


@pytest.mark.parametrize("choice", [
    ThreadChoice(1, True, "cpu", 1.5 * W, 16),   # too little work for two threads
    ThreadChoice(1, True, "cpu", 10 * W, 1),     # one core
    ThreadChoice(2, False, "cpu", 10 * W, 2),    # explicit
    ThreadChoice(None, True, "cuda", 10 * W, 2),
])
def test_other_choices_do_not_follow_the_load(choice, monkeypatch):
    monkeypatch.setattr(_runtime, "busy_cores", _unused)
    assert not choice.follows_load and choice.recheck() is choice


@pytest.mark.parametrize(("choice", "words"), [
    (ThreadChoice(1, True, "cpu"), "cpu, 1 thread (auto)"),
    (ThreadChoice(2, True, "cpu"), "cpu, 2 threads (auto)"),
    (ThreadChoice(4, False, "cpu"), "cpu, 4 threads"),
    (ThreadChoice(None, True, "cuda"), "cuda"),
    (ThreadChoice(3, False, "cuda"), "cuda, 3 threads"),
])
def test_describe(choice, words):
    assert choice.describe() == words


def test_usable_cores_follow_torchs_setting():
    assert usable_cores() == 1  # tests run with torch.set_num_threads(1)
    before = torch.get_num_threads()
    torch.set_num_threads(64)
    try:
        assert 1 <= usable_cores() <= 64
    finally:
        torch.set_num_threads(before)


def test_busy_cores_count_other_processes_only(monkeypatch):
    readings = iter([3, 5, 2])
    monkeypatch.setattr(_runtime, "_machine_running", lambda: next(readings))
    monkeypatch.setattr(_runtime, "_own_running", lambda: 2)
    if os.path.exists("/proc/loadavg"):
        assert busy_cores(readings=3, interval=0.0) == pytest.approx((1 + 3 + 0) / 3)


def test_busy_cores_reads_this_machine():
    assert busy_cores(readings=2, interval=0.0) >= 0.0
    if os.path.exists("/proc/loadavg"):
        assert _runtime._own_running() >= 1  # the thread reading
        assert _runtime._machine_running() >= 1


@pytest.mark.parametrize(("name", "window"), [("mlp", 1), ("conv10", 10), ("conv5", 5)])
def test_encoder_work_is_parameters_times_window_steps(name, window):
    encoder = make_encoder(name, 20, 4)
    parameters = sum(p.numel() for p in encoder.parameters())
    assert encoder_work(encoder, 100) == parameters * window * 100


def test_num_threads_restores_the_setting():
    before = torch.get_num_threads()
    with num_threads(2):
        assert torch.get_num_threads() == 2
    assert torch.get_num_threads() == before
