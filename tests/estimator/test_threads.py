# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The thread count of fit, transform, goodness of fit and attribution: the automatic choice
(``num_threads=None``) or the given one, shown in the progress bar, torch's setting restored."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import identica
from identica import _runtime
from identica.attribution import attribute
from identica.training import AbstractCallback

SMALL = dict(output_dimension=4, hidden_units=16, batch_size=64, max_iterations=4,
             device="cpu", random_state=0)


class _Threads(AbstractCallback):
    """Records the thread count the training loop runs with."""

    every = 1

    def __init__(self) -> None:
        self.seen: set[int] = set()

    def __call__(self, solver, iteration, history) -> bool:
        self.seen.add(torch.get_num_threads())
        return False


@pytest.fixture
def two_free_cores(monkeypatch):
    """A machine with two idle cores on which every run counts as large work."""
    monkeypatch.setattr(_runtime, "usable_cores", lambda: 2)
    monkeypatch.setattr(_runtime, "busy_cores", lambda: 0.0)
    monkeypatch.setattr(_runtime, "WORK_PER_THREAD", 1.0)


def _fit(track, **params) -> tuple[identica.Embedding, set[int]]:
    threads = _Threads()
    model = identica.Embedding(**{**SMALL, **params})
    model.fit(track.neural, track.continuous, callbacks=[threads])
    return model, threads.seen


def test_the_default_model_trains_on_one_thread(track):
    torch.set_num_threads(2)  # as on an idle 2-core machine; the fixture restores it
    _, seen = _fit(track)
    assert seen == {1}
    assert torch.get_num_threads() == 2


def test_large_work_on_free_cores_takes_them(track, two_free_cores):
    _, seen = _fit(track)
    assert seen == {2}
    assert torch.get_num_threads() == 1  # restored


def test_large_work_with_a_busy_core_takes_one_thread(track, two_free_cores, monkeypatch):
    monkeypatch.setattr(_runtime, "busy_cores", lambda: 1.0)
    _, seen = _fit(track)
    assert seen == {1}


@pytest.mark.parametrize("setting", [1, 2])
def test_an_explicit_count_is_obeyed(track, setting, two_free_cores, monkeypatch):
    monkeypatch.setattr(_runtime, "busy_cores", lambda: 5.0)
    _, seen = _fit(track, num_threads=setting)
    assert seen == {setting}


def test_seeded_automatic_fits_are_bit_identical(track, two_free_cores):
    a, _ = _fit(track)
    b, _ = _fit(track)
    assert np.array_equal(a.transform(track.neural), b.transform(track.neural))
    assert np.array_equal(a.loss_history_, b.loss_history_)


@pytest.mark.parametrize(("params", "words"), [
    ({}, "identica on cpu, 1 thread (auto)"),
    ({"num_threads": 2}, "identica on cpu, 2 threads"),
])
def test_the_progress_bar_says_where_it_runs(track, params, words, capsys):
    _fit(track, verbose=True, **params)
    assert words in capsys.readouterr().err


def test_the_progress_bar_shows_the_automatic_choice(track, two_free_cores, capsys):
    _fit(track, verbose=True)
    assert "identica on cpu, 2 threads (auto)" in capsys.readouterr().err


def _count_scopes(monkeypatch) -> list[int | None]:
    counts: list[int | None] = []
    scope = _runtime.num_threads

    def recording(n):
        counts.append(n)
        return scope(n)

    monkeypatch.setattr(_runtime, "num_threads", recording)
    return counts


def test_transform_goodness_of_fit_and_attribution_choose_too(track, two_free_cores,
                                                              monkeypatch):
    model, _ = _fit(track)
    import identica.estimator._evaluate as evaluate
    import identica.estimator._transform as transform

    counts = _count_scopes(monkeypatch)
    monkeypatch.setattr(transform, "thread_scope", _runtime.num_threads)
    monkeypatch.setattr(evaluate, "num_threads", _runtime.num_threads)
    model.transform(track.neural)
    identica.metrics.goodness_of_fit(model, track.neural, track.continuous, n_batches=1)
    attribute(model, track.neural[:50], method="jacobian")
    assert counts == [2, 2, 2]
    model.set_params(num_threads=1).transform(track.neural)
    assert counts == [2, 2, 2, 1]


def test_a_long_run_follows_the_load(track, two_free_cores, monkeypatch, capsys):
    """A process that starts mid-run takes a thread away; when it ends the thread comes back."""
    from identica.training import _callbacks

    loads = iter([1.0, 1.0, 0.0] + [0.0] * 100)  # read at the start, then after each step
    monkeypatch.setattr(_runtime, "busy_cores", lambda: next(loads))
    monkeypatch.setattr(_callbacks.FollowLoad, "period", 0.0)  # check after every step
    threads = _Threads()
    model = identica.Embedding(**{**SMALL, "verbose": True})
    model.fit(track.neural, track.continuous, callbacks=[threads])
    assert threads.seen == {1, 2}
    err = capsys.readouterr().err
    assert "identica on cpu, 1 thread (auto)" in err and "identica on cpu, 2 threads (auto)" in err
    assert torch.get_num_threads() == 1  # restored



def test_one_and_two_threads_give_the_same_bits(track):
    """What lets a load-dependent count keep seeded fits bit-identical on this torch build."""
    params = {**SMALL, "batch_size": 256, "hidden_units": 32}
    one, _ = _fit(track, num_threads=1, **params)
    two, _ = _fit(track, num_threads=2, **params)
    assert np.array_equal(one.loss_history_, two.loss_history_)
    assert np.array_equal(one.transform(track.neural), two.transform(track.neural))


@pytest.mark.gpu
def test_a_cuda_fit_keeps_torchs_thread_setting(track, capsys, monkeypatch):
    monkeypatch.setattr(_runtime, "busy_cores", lambda: pytest.fail("read the load on a GPU"))
    torch.set_num_threads(2)
    _, seen = _fit(track, device="cuda", verbose=True)
    assert seen == {2} and torch.get_num_threads() == 2
    assert "identica on cuda:" in capsys.readouterr().err
