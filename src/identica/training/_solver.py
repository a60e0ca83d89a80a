# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The training loop: sample indices, hand them to the step's objective, step the optimiser."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator, Sequence

import torch
from torch import nn

from identica.losses._base import AbstractContrastiveLoss
from identica.sampling._base import AbstractSampler
from identica.training._callbacks import AbstractCallback
from identica.training._encoders import SessionEncoders
from identica.training._memory import freed_memory_kept
from identica.training._objective import AbstractObjective, ContrastiveObjective

__all__ = ["Solver", "TrainingInterrupted"]


class TrainingInterrupted(KeyboardInterrupt):
    """The ``KeyboardInterrupt`` that stopped :meth:`Solver.fit`, with the steps done before it.

    Raised for Ctrl-C and for a ``KeyboardInterrupt`` raised by a callback. Being a
    ``KeyboardInterrupt``, it propagates like one; a caller that wants the partial run catches
    it, keeps ``history`` (the parameters, optimiser and generator already hold those steps),
    and re-raises.

    Attributes
    ----------
    history : Tensor of shape (steps, 3)
        The loss rows of the completed steps of this run.
    steps : int
        Steps completed in this run.
    result : object
        Filled in by the layer that turns the steps into a result (``Embedding`` puts its
        fitted state here); ``None`` from the solver.
    """

    def __init__(self, history: torch.Tensor, steps: int) -> None:
        super().__init__(f"training interrupted after {steps} step(s)")
        self.history = history
        self.steps = steps
        self.result: object = None


@contextlib.contextmanager
def _finish_step_on_sigint() -> Iterator[Callable[[], bool]]:
    """Let Ctrl-C end training between steps, never inside one.

    In the main thread, while Python's default SIGINT handler is installed, the first Ctrl-C
    only sets a flag that the loop checks after each step; the handler is then restored, so a
    second Ctrl-C interrupts at once (the interrupted step may then be partly applied).
    Elsewhere (other threads, a handler of the user's) SIGINT is left alone.
    """
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield lambda: False
        return
    received: list[int] = []

    def defer(signum: int, frame: object) -> None:
        received.append(signum)
        signal.signal(signal.SIGINT, signal.default_int_handler)

    signal.signal(signal.SIGINT, defer)
    try:
        yield lambda: bool(received)
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


class Solver:
    """Trains encoders on batches drawn by a sampler, towards the step's objective.

    One step draws a :class:`~identica.sampling.BatchIndex`, passes it with the embed function
    (:class:`SessionEncoders`: windows at global indices through their session's encoder) to
    the objective, back-propagates its ``total`` and steps the optimiser. The objective is the
    one extension point: :class:`ContrastiveObjective` (a contrastive loss on one encoder call
    over references, positives and negatives, with a negatives strategy and an optional
    Jacobian penalty) is the default for a loss. Nothing in the step copies values to the
    host: the losses are written into a preallocated tensor that only callbacks read. The
    allocator keeps freed blocks while :meth:`fit` runs (see
    :func:`~identica.training.freed_memory_kept`).

    With several sessions, ``encoder`` and ``gather`` are sequences (one per session) and
    ``session_starts`` gives each session's first global index.

    Parameters
    ----------
    encoder : nn.Module or sequence of nn.Module
        Maps ``(batch, n_features_in, window)`` to ``(batch, output_dimension)``.
    objective : AbstractObjective or AbstractContrastiveLoss
        What a step optimises; a loss is wrapped as ``ContrastiveObjective(loss)`` (the
        sampler's drawn negatives).
    optimizer : torch.optim.Optimizer
        Over the encoders' and the objective's parameters.
    sampler : AbstractSampler
        Draws the indices.
    gather : callable or sequence of callable
        Turns int64 indices (local to the session) into windows on the training device.
    batch_size : int
        Positive pairs per step (per session for a multi-session sampler).
    generator : torch.Generator
        Source of every sampling draw.
    callbacks : sequence of AbstractCallback
        Run every ``callback.every`` steps.
    session_starts : sequence of int, optional
        First global index of every session (with sequences of encoders and gathers).
    start_step : int
        Steps trained before (for schedules).

    Examples
    --------
    >>> import numpy as np, torch
    >>> from identica.data import Dataset, Recording, WindowGatherer
    >>> from identica.losses import InfoNCE
    >>> from identica.nn import make_encoder
    >>> from identica.sampling import TimeSampler
    >>> from identica.training import Solver
    >>> X = np.random.default_rng(0).normal(size=(300, 6)).astype(np.float32)
    >>> encoder = make_encoder("conv5", 6, 3)
    >>> runs = Dataset([Recording(X)]).valid_runs(encoder.receptive_field)
    >>> loss = InfoNCE()
    >>> solver = Solver(encoder, loss, torch.optim.Adam(encoder.parameters()),
    ...                 TimeSampler(runs, 1, num_negatives=32),
    ...                 WindowGatherer(torch.from_numpy(X), encoder.receptive_field),
    ...                 batch_size=32, generator=torch.Generator().manual_seed(0))
    >>> solver.fit(5).shape
    torch.Size([5, 3])
    """

    def __init__(
        self,
        encoder: nn.Module | Sequence[nn.Module],
        objective: AbstractObjective | AbstractContrastiveLoss,
        optimizer: torch.optim.Optimizer,
        sampler: AbstractSampler,
        gather: Callable[[torch.Tensor], torch.Tensor] | Sequence[Callable],
        *,
        batch_size: int,
        generator: torch.Generator,
        callbacks: Sequence[AbstractCallback] = (),
        session_starts: Sequence[int] | None = None,
        start_step: int = 0,
    ) -> None:
        self.encoder = encoder
        self.gather = gather
        encoders = [encoder] if isinstance(encoder, nn.Module) else list(encoder)
        gathers = [gather] if callable(gather) else list(gather)
        starts = [0] if session_starts is None else list(session_starts)
        self.embed = SessionEncoders(encoders, gathers, starts)
        if not isinstance(objective, AbstractObjective):
            objective = ContrastiveObjective(objective)
        self.objective = objective
        self.optimizer = optimizer
        self.sampler = sampler
        self.batch_size = batch_size
        self.generator = generator
        self.callbacks = list(callbacks)
        self.steps_done = start_step

    def step(self) -> torch.Tensor:
        """One optimisation step; returns ``(total, alignment, uniformity)`` on the device."""
        batch = self.sampler.sample(self.batch_size, generator=self.generator)
        parts = self.objective(batch, self.embed, step=self.steps_done, generator=self.generator)
        self.steps_done += 1
        self.optimizer.zero_grad(set_to_none=True)
        parts.total.backward()
        self.optimizer.step()
        return torch.stack(parts).detach()

    def fit(self, max_iterations: int) -> torch.Tensor:
        """Run up to ``max_iterations`` steps; return the ``(steps_done, 3)`` loss history.

        Ctrl-C ends the run after the step in progress (a second Ctrl-C at once) and raises
        :class:`TrainingInterrupted` with the history of the completed steps, as does a
        ``KeyboardInterrupt`` raised by a callback. Callbacks are closed in every case.
        """
        for encoder in self.embed.encoders:
            encoder.train()
        device = next(self.embed.encoders[0].parameters()).device
        history = torch.empty((max_iterations, 3), device=device)
        done = 0
        with freed_memory_kept(), _finish_step_on_sigint() as interrupted:
            try:
                for i in range(max_iterations):
                    history[i] = self.step()
                    done = i + 1
                    stop = False
                    for callback in self.callbacks:
                        if done % callback.every == 0 or done == max_iterations:
                            stop = bool(callback(self, done, history)) or stop
                    if interrupted():
                        raise TrainingInterrupted(history[:done], done)
                    if stop:
                        break
            except TrainingInterrupted:
                raise
            except KeyboardInterrupt as error:
                raise TrainingInterrupted(history[:done], done) from error
            finally:
                for callback in self.callbacks:
                    callback.close()
        return history[:done]
