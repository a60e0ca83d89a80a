# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Interrupted, checkpointed and resumed training: an interrupted fit keeps the steps done and
equals a shorter fit bit for bit; a checkpoint is a model file that resumes the run exactly."""

from __future__ import annotations

import shutil
import signal

import numpy as np
import pytest
import torch

import identica
from identica.exceptions import ConfigurationError, NotFittedError
from identica.training import AbstractCallback, Solver, TrainingInterrupted

PARAMS = dict(encoder="conv5", output_dimension=3, hidden_units=8, batch_size=32,
              max_iterations=10, learn_temperature=True, temperature=0.5, device="cpu",
              random_state=0)


class InterruptAt(AbstractCallback):
    """Raises KeyboardInterrupt after step ``at`` of a run, as Ctrl-C would."""

    def __init__(self, at: int) -> None:
        self.at = at

    def __call__(self, solver, iteration, history) -> bool:
        if iteration == self.at:
            raise KeyboardInterrupt
        return False


class Stash(AbstractCallback):
    """Copies the checkpoint file as it is after step ``at`` (the checkpoint runs after it)."""

    def __init__(self, source, target, at: int) -> None:
        self.source, self.target, self.at = source, target, at

    def __call__(self, solver, iteration, history) -> bool:
        if iteration == self.at:
            shutil.copy(self.source, self.target)
        return False


def _fit(data, **changes):
    return identica.Embedding(**{**PARAMS, **changes}).fit(data.neural, data.continuous)


def _same(a, b, data) -> None:
    """Bit-identical models: embedding, loss history, optimiser state and sampling stream."""
    np.testing.assert_array_equal(a.transform(data.neural), b.transform(data.neural))
    np.testing.assert_array_equal(a.loss_history_, b.loss_history_)
    state_a, state_b = a.optimizer_.state_dict()["state"], b.optimizer_.state_dict()["state"]
    for key in state_a:
        for name in state_a[key]:
            assert torch.equal(state_a[key][name], state_b[key][name])
    assert torch.equal(a._state.generator_state, b._state.generator_state)


@pytest.fixture(scope="module")
def data():
    return identica.synthetic.linear_track(n_samples=600, n_neurons=20, random_state=3)


@pytest.fixture(scope="module")
def straight(data):
    return _fit(data)


def test_an_interrupted_fit_keeps_its_steps_and_equals_a_shorter_fit(data, straight):
    model = identica.Embedding(**PARAMS)
    with pytest.warns(UserWarning, match=r"Embedding.fit was interrupted after 4 of 10 steps\. "
                                         r"The estimator keeps those steps \(n_iter_ = 4\).*"
                                         r"Continue with partial_fit"):
        with pytest.raises(KeyboardInterrupt) as raised:
            model.fit(data.neural, data.continuous, callbacks=[InterruptAt(4)])
    assert isinstance(raised.value, TrainingInterrupted) and raised.value.steps == 4
    assert model.n_iter_ == 4 and model.conditional_ == "time_delta"
    _same(model, _fit(data, max_iterations=4), data)
    # The run goes on from there as if never interrupted.
    model.set_params(max_iterations=6).partial_fit(data.neural, data.continuous)
    _same(model, straight, data)


def test_an_interrupted_partial_fit_says_where_n_iter_stands(data):
    model = _fit(data, max_iterations=3)
    with pytest.warns(UserWarning, match=r"partial_fit was interrupted after 2 of 3 steps.*"
                                         r"n_iter_ is now 5"):
        with pytest.raises(KeyboardInterrupt):
            model.partial_fit(data.neural, data.continuous, callbacks=[InterruptAt(2)])
    assert model.n_iter_ == 5
    _same(model, _fit(data, max_iterations=5), data)


def test_an_interrupted_refit_replaces_the_old_fit(data):
    model = _fit(data, max_iterations=7)
    with pytest.warns(UserWarning), pytest.raises(KeyboardInterrupt):
        model.fit(data.neural, data.continuous, callbacks=[InterruptAt(2)])
    _same(model, _fit(data, max_iterations=2), data)


def test_an_interrupt_before_the_first_step_leaves_the_estimator_as_it_was(data, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    fresh, fitted = identica.Embedding(**PARAMS), _fit(data, max_iterations=2)
    before = fitted.transform(data.neural)
    monkeypatch.setattr(identica.estimator._fit, "assemble", interrupted)
    for model in (fresh, fitted):
        with pytest.raises(KeyboardInterrupt):
            model.partial_fit(data.neural, data.continuous)
    with pytest.raises(NotFittedError):
        fresh.transform(data.neural)
    np.testing.assert_array_equal(fitted.transform(data.neural), before)
    assert fitted.n_iter_ == 2


def test_ctrl_c_ends_training_after_the_running_step(data, monkeypatch):
    """A real SIGINT arriving mid-step: the step completes, then training stops."""
    original = Solver.step

    def step(solver):
        if solver.steps_done == 2:  # during the third step
            signal.raise_signal(signal.SIGINT)
        return original(solver)

    monkeypatch.setattr(Solver, "step", step)
    model = identica.Embedding(**PARAMS)
    with pytest.warns(UserWarning, match="after 3 of 10 steps"):
        with pytest.raises(KeyboardInterrupt):
            model.fit(data.neural, data.continuous)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    monkeypatch.setattr(Solver, "step", original)
    _same(model, _fit(data, max_iterations=3), data)


def test_checkpoints_do_not_change_the_run(data, straight, tmp_path):
    model = _fit(data, checkpoint=tmp_path / "c.safetensors", checkpoint_every=4)
    _same(model, straight, data)
    _same(identica.load(tmp_path / "c.safetensors"), straight, data)  # the last step's state


def test_resuming_from_a_checkpoint_is_bit_identical(data, straight, tmp_path):
    checkpoint, copy = tmp_path / "c.safetensors", tmp_path / "at8.safetensors"
    identica.Embedding(**PARAMS, checkpoint=checkpoint, checkpoint_every=4).fit(
        data.neural, data.continuous, callbacks=[Stash(checkpoint, copy, at=9)])
    resumed = identica.load(copy)
    assert resumed.n_iter_ == 8 and resumed.checkpoint == str(checkpoint)
    resumed.set_params(max_iterations=2, checkpoint=None)
    resumed.partial_fit(data.neural, data.continuous)
    _same(resumed, straight, data)


def test_an_interrupt_writes_the_checkpoint_of_the_steps_done(data, straight, tmp_path):
    checkpoint = tmp_path / "c.safetensors"
    model = identica.Embedding(**PARAMS, checkpoint=checkpoint, checkpoint_every=4)
    with pytest.warns(UserWarning, match=r"the checkpoint '.*c.safetensors' holds them"):
        with pytest.raises(KeyboardInterrupt):
            model.fit(data.neural, data.continuous, callbacks=[InterruptAt(6)])
    resumed = identica.load(checkpoint)
    assert resumed.n_iter_ == 6
    resumed.set_params(max_iterations=4).partial_fit(data.neural, data.continuous)
    _same(resumed, straight, data)
    assert identica.load(checkpoint).n_iter_ == 10  # the resumed run keeps checkpointing


def test_a_callback_stop_ends_the_run_and_writes_the_checkpoint(data, tmp_path):
    class StopAt(AbstractCallback):
        def __call__(self, solver, iteration, history):
            assert history.shape == (10, 3) and solver.steps_done == iteration
            return iteration == 5

    model = _fit(data, checkpoint=tmp_path / "c.safetensors", checkpoint_every=4)
    model.fit(data.neural, data.continuous, callbacks=[StopAt()])
    assert model.n_iter_ == 5
    assert identica.load(tmp_path / "c.safetensors").n_iter_ == 5


@pytest.mark.parametrize("bad", [[object()], [lambda *a: False], "callback"])
def test_callbacks_must_be_abstract_callbacks(data, bad):
    with pytest.raises(ConfigurationError, match="'callbacks' of Embedding.fit must be a list "
                                                 "of identica.training.AbstractCallback"):
        identica.Embedding(**PARAMS).fit(data.neural, callbacks=bad)


def test_a_callback_interval_must_be_positive(data):
    stop = InterruptAt(3)
    stop.every = 0
    with pytest.raises(ConfigurationError, match="'every' of InterruptAt"):
        identica.Embedding(**PARAMS).partial_fit(data.neural, callbacks=[stop])


def test_checkpoint_parameters(data, tmp_path):
    params = identica.Embedding().get_params()
    assert params["checkpoint"] is None and params["checkpoint_every"] == 500
    with pytest.raises(ConfigurationError, match="'checkpoint' of Embedding must be None or a "
                                                 "file path"):
        identica.Embedding(**PARAMS, checkpoint=3).fit(data.neural)
    with pytest.raises(ConfigurationError, match="'checkpoint_every' of Embedding"):
        identica.Embedding(**PARAMS, checkpoint_every=0).fit(data.neural)
    missing = tmp_path / "missing" / "c.safetensors"
    model = identica.Embedding(**PARAMS, checkpoint=missing)
    with pytest.raises(FileNotFoundError, match="folder .*missing' does not exist"):
        model.fit(data.neural)
    assert not model.__sklearn_is_fitted__()  # refused before any training
    with pytest.warns(UserWarning, match="does not end in .safetensors"):
        identica.Embedding(**{**PARAMS, "max_iterations": 2},
                           checkpoint=str(tmp_path / "c.ckpt")).fit(data.neural)
    assert identica.load(tmp_path / "c.ckpt").n_iter_ == 2


def test_a_failed_checkpoint_write_warns_and_training_goes_on(data, straight, tmp_path):
    folder = tmp_path / "scratch"
    folder.mkdir()

    class RemoveFolder(AbstractCallback):
        def __call__(self, solver, iteration, history):
            if iteration == 5:
                shutil.rmtree(folder)
            return False

    model = identica.Embedding(**PARAMS, checkpoint=folder / "c.safetensors", checkpoint_every=4)
    with pytest.warns(UserWarning, match=r"could not write the checkpoint '.*c.safetensors' at "
                                         r"step (8|10) \(cannot write .*folder .*scratch' does not "
                                         r"exist.*training goes on"):
        model.fit(data.neural, data.continuous, callbacks=[RemoveFolder()])
    _same(model, straight, data)
