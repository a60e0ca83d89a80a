# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of Solver, its callbacks and atomic_write (spec §5)."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

from identica.data import Dataset, Recording, WindowGatherer
from identica.losses import InfoNCE
from identica.nn import make_encoder, reset_parameters
from identica.sampling import BatchIndex, TimeSampler
from identica.training import (
    AbstractCallback,
    Checkpoint,
    ContrastiveObjective,
    EarlyStopping,
    ProgressBar,
    Solver,
    TrainingInterrupted,
    atomic_write,
)

BATCH = 32


@pytest.fixture(scope="module")
def neural() -> np.ndarray:
    """A slowly rotating 2-D latent seen through 8 noisy channels: easy for time contrast."""
    rng = np.random.default_rng(0)
    phase = np.cumsum(rng.uniform(0.02, 0.08, size=400))
    latent = np.stack([np.cos(phase), np.sin(phase)], axis=1)
    mixing = rng.normal(size=(2, 8))
    return (latent @ mixing + 0.05 * rng.normal(size=(400, 8))).astype(np.float32)


def make_solver(neural: np.ndarray, *, seed: int = 0, sampler_seed: int = 1, callbacks=(),
                encoder_name: str = "mlp", lr: float = 1e-2,
                learn_temperature: bool = False) -> Solver:
    encoder = make_encoder(encoder_name, neural.shape[1], 3, hidden_units=16)
    reset_parameters(encoder, generator=torch.Generator().manual_seed(seed))
    loss = InfoNCE(temperature=0.5, learn_temperature=learn_temperature)
    runs = Dataset([Recording(neural)]).valid_runs(encoder.receptive_field)
    optimizer = torch.optim.Adam([*encoder.parameters(), *loss.parameters()], lr=lr)
    return Solver(
        encoder, loss, optimizer,
        TimeSampler(runs, 1, num_negatives=BATCH),
        WindowGatherer(torch.from_numpy(neural), encoder.receptive_field),
        batch_size=BATCH,
        generator=torch.Generator().manual_seed(sampler_seed),
        callbacks=callbacks,
    )


class Recorder(AbstractCallback):
    """Records the iterations it is called at; stops at ``stop_at``."""

    def __init__(self, every: int, stop_at: int | None = None) -> None:
        self.every = every
        self.stop_at = stop_at
        self.calls: list[int] = []
        self.rows_seen: list[torch.Tensor] = []
        self.closed = 0

    def __call__(self, solver, iteration, history) -> bool:
        self.calls.append(iteration)
        self.rows_seen.append(history[:iteration].clone())
        return iteration == self.stop_at

    def close(self) -> None:
        self.closed += 1


# --------------------------------------------------------------------------------------------
# Solver.fit.
# --------------------------------------------------------------------------------------------


def test_fit_returns_the_loss_history(neural) -> None:
    history = make_solver(neural).fit(7)
    assert history.shape == (7, 3)
    assert history.dtype == torch.float32
    assert not history.requires_grad
    assert bool(torch.isfinite(history).all())
    torch.testing.assert_close(history[:, 0], history[:, 1] + history[:, 2])
    # The first losses sit near chance, log(num_negatives), not at some placeholder.
    assert abs(float(history[0, 0]) - np.log(BATCH)) < 1.0


def test_loss_decreases_on_an_easy_problem(neural) -> None:
    history = make_solver(neural).fit(120)[:, 0].numpy()
    assert history[-20:].mean() < history[:20].mean() - 0.3


@pytest.mark.parametrize("encoder_name", ["mlp", "conv5"])
def test_one_encoder_call_per_step_on_all_windows(neural, encoder_name) -> None:
    solver = make_solver(neural, encoder_name=encoder_name)
    shapes = []
    solver.encoder.register_forward_hook(lambda m, args, out: shapes.append(tuple(args[0].shape)))
    forward_at = getattr(solver.encoder, "forward_at", None)
    if forward_at is not None:  # the encoder reads the recording itself
        def recorded(recording, starts):
            shapes.append((len(starts), recording.shape[1], "at"))
            return forward_at(recording, starts)
        solver.encoder.forward_at = recorded
    solver.fit(3)
    window = len(solver.encoder.receptive_field) if forward_at is None else "at"
    assert shapes == [(2 * BATCH + BATCH, 8, window)] * 3


def test_step_splits_the_batch_in_order(neural) -> None:
    """Rows [0, n) are references, [n, 2n) positives, the rest negatives."""
    solver = make_solver(neural)
    fixed = BatchIndex(torch.arange(0, 4), torch.arange(1, 5), torch.arange(100, 110))

    class FixedSampler:
        def sample(self, n, *, generator):
            return fixed

    solver.sampler = FixedSampler()
    solver.batch_size = 4
    seen = {}

    class Recording(InfoNCE):
        def forward(self, ref, pos, neg, **kwargs):
            seen["shapes"] = (ref.shape[0], pos.shape[0], neg.shape[0])
            seen["ref"] = ref.detach().clone()
            return super().forward(ref, pos, neg, **kwargs)

    solver.objective = ContrastiveObjective(Recording())
    with torch.no_grad():
        expected = solver.encoder(solver.gather(fixed.reference))
    solver.step()
    assert seen["shapes"] == (4, 4, 10)
    torch.testing.assert_close(seen["ref"], expected)


def test_same_seeds_give_identical_training(neural) -> None:
    a = make_solver(neural, encoder_name="conv5")
    b = make_solver(neural, encoder_name="conv5")
    c = make_solver(neural, encoder_name="conv5", sampler_seed=2)
    ha, hb, hc = a.fit(10), b.fit(10), c.fit(10)
    assert torch.equal(ha, hb)
    for pa, pb in zip(a.encoder.parameters(), b.encoder.parameters(), strict=True):
        assert torch.equal(pa, pb)
    assert not torch.equal(ha, hc)


def test_learned_temperature_is_trained(neural) -> None:
    solver = make_solver(neural, learn_temperature=True)
    before = float(solver.objective.loss.temperature.detach())
    solver.fit(10)
    assert float(solver.objective.loss.temperature.detach()) != before


# --------------------------------------------------------------------------------------------
# Callbacks.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("every", "max_iterations", "expected"),
                         [(3, 10, [3, 6, 9, 10]), (5, 10, [5, 10]), (1, 3, [1, 2, 3]),
                          (20, 4, [4])])
def test_callbacks_run_every_few_steps_and_at_the_end(neural, every, max_iterations,
                                                      expected) -> None:
    recorder = Recorder(every)
    history = make_solver(neural, callbacks=[recorder]).fit(max_iterations)
    assert recorder.calls == expected
    assert recorder.closed == 1
    for iteration, rows in zip(recorder.calls, recorder.rows_seen, strict=True):
        # Every row up to the current step is already written when the callback runs.
        assert torch.equal(rows, history[:iteration])


def test_callback_returning_true_stops_training(neural) -> None:
    stopper = Recorder(every=2, stop_at=4)
    other = Recorder(every=1)
    history = make_solver(neural, callbacks=[stopper, other]).fit(50)
    assert history.shape == (4, 3)
    assert stopper.calls == [2, 4]
    assert other.calls == [1, 2, 3, 4]  # every callback still runs on the stopping step
    assert stopper.closed == other.closed == 1


def test_callbacks_are_closed_when_a_step_fails(neural) -> None:
    recorder = Recorder(every=1)
    solver = make_solver(neural, callbacks=[recorder])

    class Failing:
        calls = 0

        def sample(self, n, *, generator):
            Failing.calls += 1
            if Failing.calls == 3:
                raise RuntimeError("boom")
            return inner.sample(n, generator=generator)

    inner = solver.sampler
    solver.sampler = Failing()
    with pytest.raises(RuntimeError, match="boom"):
        solver.fit(10)
    assert recorder.calls == [1, 2]
    assert recorder.closed == 1


def test_early_stopping_stops_after_patience_checks(neural) -> None:
    values = iter([1.0] * 100)
    stop = EarlyStopping(lambda: next(values), every=2, patience=3)
    history = make_solver(neural, callbacks=[stop]).fit(40)
    # Check at 2 improves on inf; 4, 6, 8 do not: the third miss stops at 8.
    assert history.shape == (8, 3)
    assert stop.best == 1.0


def test_early_stopping_keeps_going_while_improving(neural) -> None:
    values = iter(np.linspace(1.0, 0.0, 100).tolist())
    stop = EarlyStopping(lambda: next(values), every=2, patience=1)
    assert make_solver(neural, callbacks=[stop]).fit(12).shape == (12, 3)


def test_early_stopping_min_delta() -> None:
    values = iter([1.0, 0.99, 0.98, 0.5, 0.49, 0.48])
    stop = EarlyStopping(lambda: next(values), every=1, patience=2, min_delta=0.05)
    results = [stop(None, i, None) for i in range(1, 6)]
    # 0.99 and 0.98 are within min_delta of 1.0: stop at the second miss.
    assert results == [False, False, True, False, False]
    assert stop.best == 0.5


def test_early_stopping_resets_after_improvement() -> None:
    values = iter([3.0, 3.0, 2.0, 2.5, 2.5])
    stop = EarlyStopping(lambda: next(values), every=1, patience=2)
    assert [stop(None, i, None) for i in range(1, 6)] == [False, False, False, False, True]


def test_progress_bar_never_stops(neural) -> None:
    bar = ProgressBar(total=6, every=2, disable=True)
    history = make_solver(neural, callbacks=[bar]).fit(6)
    assert history.shape == (6, 3)


# --------------------------------------------------------------------------------------------
# Checkpoint and atomic_write.
# --------------------------------------------------------------------------------------------


def test_checkpoint_writes_atomically(neural, tmp_path) -> None:
    target = tmp_path / "model.ckpt"
    writes: list[str] = []

    def save(path: str) -> None:
        tmp = Path(path)
        assert tmp != target and tmp.parent == target.parent  # same folder: rename is atomic
        # While the new file is written, readers still see the previous complete one.
        previous = target.read_text() if target.exists() else None
        assert previous == (f"checkpoint {len(writes)}" if writes else None)
        tmp.write_text("partial")
        tmp.write_text(f"checkpoint {len(writes) + 1}")
        writes.append(path)

    checkpoint = Checkpoint(target, save=save, every=4)
    make_solver(neural, callbacks=[checkpoint]).fit(10)
    assert len(writes) == 3  # steps 4, 8 and the last one, 10
    assert target.read_text() == "checkpoint 3"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.ckpt"]
    assert len(set(writes)) == 3  # a fresh temporary name each time


def test_atomic_write_replaces_the_target(tmp_path) -> None:
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")
    atomic_write(target, lambda tmp: Path(tmp).write_bytes(b"new"))
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["out.bin"]
    atomic_write(str(tmp_path / "second.txt"), lambda tmp: Path(tmp).write_text("x"))
    assert (tmp_path / "second.txt").read_text() == "x"


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()],
                         ids=["OSError", "KeyboardInterrupt"])
@pytest.mark.parametrize("exists", [True, False])
def test_atomic_write_failure_leaves_target_and_no_temp_file(tmp_path, error, exists) -> None:
    target = tmp_path / "out.bin"
    if exists:
        target.write_bytes(b"old")

    def write(tmp: str) -> None:
        Path(tmp).write_bytes(b"half")
        raise error

    with pytest.raises(type(error)):
        atomic_write(target, write)
    if exists:
        assert target.read_bytes() == b"old"
        assert os.listdir(tmp_path) == ["out.bin"]
    else:
        assert os.listdir(tmp_path) == []


def test_atomic_write_when_writer_removes_its_temp_file(tmp_path) -> None:
    """A writer that deletes the temp file and fails still leaves a clean folder."""
    target = tmp_path / "out.bin"

    def write(tmp: str) -> None:
        os.remove(tmp)
        raise ValueError("nothing written")

    with pytest.raises(ValueError, match="nothing written"):
        atomic_write(target, write)
    assert os.listdir(tmp_path) == []


def test_atomic_write_honours_the_umask(tmp_path) -> None:
    """mkstemp creates 0600 files; the written file gets what a new file would get."""
    before = os.umask(0o022)
    try:
        atomic_write(tmp_path / "shared.bin", lambda tmp: Path(tmp).write_bytes(b"x"))
        os.umask(0o007)
        atomic_write(tmp_path / "group.bin", lambda tmp: Path(tmp).write_bytes(b"x"))
    finally:
        os.umask(before)
    assert os.stat(tmp_path / "shared.bin").st_mode & 0o777 == 0o644
    assert os.stat(tmp_path / "group.bin").st_mode & 0o777 == 0o660


def test_atomic_write_names_a_missing_folder(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match=f"folder '{tmp_path}/gone' does not exist"):
        atomic_write(tmp_path / "gone" / "out.bin", lambda tmp: None)
    (tmp_path / "file").write_text("")
    with pytest.raises(FileNotFoundError, match=f"folder '{tmp_path}/file' is not a folder"):
        atomic_write(tmp_path / "file" / "out.bin", lambda tmp: None)


# --------------------------------------------------------------------------------------------
# Interrupts: Ctrl-C ends a run between steps, with the steps done.
# --------------------------------------------------------------------------------------------


class InterruptAt(Recorder):
    def __call__(self, solver, iteration, history) -> bool:
        super().__call__(solver, iteration, history)
        if iteration == self.stop_at:
            raise KeyboardInterrupt
        return False


def test_a_callback_interrupt_carries_the_steps_done(neural) -> None:
    recorder = InterruptAt(every=1, stop_at=4)
    solver = make_solver(neural, callbacks=[recorder])
    with pytest.raises(TrainingInterrupted) as raised:
        solver.fit(10)
    assert raised.value.steps == 4 and solver.steps_done == 4
    assert isinstance(raised.value, KeyboardInterrupt)
    assert isinstance(raised.value.__cause__, KeyboardInterrupt)
    torch.testing.assert_close(raised.value.history, make_solver(neural).fit(4), rtol=0, atol=0)
    assert recorder.closed == 1 and raised.value.result is None


def _signal_during_step(monkeypatch, at: int, times: int) -> None:
    original = Solver.step

    def step(solver):
        if solver.steps_done == at:
            for _ in range(times):
                signal.raise_signal(signal.SIGINT)
        return original(solver)

    monkeypatch.setattr(Solver, "step", step)


def test_ctrl_c_finishes_the_running_step(neural, monkeypatch) -> None:
    expected = make_solver(neural).fit(3)
    _signal_during_step(monkeypatch, at=2, times=1)
    solver = make_solver(neural)
    with pytest.raises(TrainingInterrupted) as raised:
        solver.fit(10)
    assert raised.value.steps == 3 and solver.steps_done == 3
    torch.testing.assert_close(raised.value.history, expected, rtol=0, atol=0)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_second_ctrl_c_interrupts_at_once(neural, monkeypatch) -> None:
    _signal_during_step(monkeypatch, at=2, times=2)
    solver = make_solver(neural)
    with pytest.raises(TrainingInterrupted) as raised:
        solver.fit(10)
    assert raised.value.steps == 2 and solver.steps_done == 2  # the third step never ran
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_handler_of_the_users_is_left_alone(neural, monkeypatch) -> None:
    calls = []

    def mine(signum, frame):
        calls.append(signum)

    _signal_during_step(monkeypatch, at=1, times=1)
    before = signal.signal(signal.SIGINT, mine)
    try:
        assert make_solver(neural).fit(4).shape == (4, 3)
        assert signal.getsignal(signal.SIGINT) is mine
    finally:
        signal.signal(signal.SIGINT, before)
    assert calls == [signal.SIGINT]


def test_fit_outside_the_main_thread_leaves_signals_alone(neural) -> None:
    results = []
    thread = threading.Thread(target=lambda: results.append(make_solver(neural).fit(3)))
    thread.start()
    thread.join()
    assert results[0].shape == (3, 3)
