# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The training loop: sample indices, gather windows, one encoder call, loss, step."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from identica.losses._jacobian import JacobianRegularizer
from identica.losses._module import InfoNCE
from identica.sampling._base import AbstractSampler
from identica.training._callbacks import AbstractCallback
from identica.training._memory import keep_freed_memory

__all__ = ["Solver"]

# Windows per encoder call. Larger batches run in pieces of this size: each piece's buffers stay
# under glibc's 32 MB reuse threshold (see _memory), and the graph of every piece is kept, so
# the gradient is exact and nothing is recomputed.
_WINDOWS_PER_CALL = 2048


class Solver:
    """Trains an encoder with a contrastive loss on batches drawn by a sampler.

    One step draws a :class:`~identica.sampling.BatchIndex`, gathers the reference, positive
    and negative windows in one block, runs the encoder once over all of them (in pieces of
    2048 windows for large batches), takes the loss and steps the optimiser. Nothing in the
    step copies values to the host: the losses are written into a preallocated tensor that
    only callbacks read.

    With several sessions, ``encoder`` and ``gather`` are sequences (one per session) and
    ``session_starts`` gives each session's first global index; each window goes through the
    encoder of its session, and the embeddings come back in index order.

    Parameters
    ----------
    encoder : nn.Module or sequence of nn.Module
        Maps ``(batch, n_features_in, window)`` to ``(batch, output_dimension)``.
    loss : InfoNCE
        The loss module.
    optimizer : torch.optim.Optimizer
        Over the encoder's and the loss's parameters.
    sampler : AbstractSampler
        Draws the indices.
    gather : callable or sequence of callable
        Turns int64 indices (local to the session) into windows on the training device.
    batch_size : int
        Positive pairs per step.
    generator : torch.Generator
        Source of every sampling draw.
    callbacks : sequence of AbstractCallback
        Run every ``callback.every`` steps.
    share_negatives : bool
        Use the other references of the batch as negatives (each row's own reference is left
        out) instead of the sampler's negatives: one third fewer windows per step. The sampler
        should then draw no negatives.
    session_starts : sequence of int, optional
        First global index of every session (with sequences of encoders and gathers).
    regularizer : JacobianRegularizer, optional
        Adds its weighted Jacobian penalty of the reference embeddings (single session; the
        encoder must support double backward).
    start_step : int
        Steps trained before (for the regularizer's schedule).

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
        loss: InfoNCE,
        optimizer: torch.optim.Optimizer,
        sampler: AbstractSampler,
        gather: Callable[[torch.Tensor], torch.Tensor] | Sequence[Callable],
        *,
        batch_size: int,
        generator: torch.Generator,
        callbacks: Sequence[AbstractCallback] = (),
        share_negatives: bool = False,
        session_starts: Sequence[int] | None = None,
        regularizer: JacobianRegularizer | None = None,
        start_step: int = 0,
    ) -> None:
        self.encoder = encoder
        self.gather = gather
        self.encoders = [encoder] if isinstance(encoder, nn.Module) else list(encoder)
        self.gathers = [gather] if callable(gather) else list(gather)
        if len(self.encoders) != len(self.gathers):
            raise ValueError(
                f"Solver needs one gather per encoder; got {len(self.encoders)} encoders and "
                f"{len(self.gathers)} gathers."
            )
        starts = [0] if session_starts is None else list(session_starts)
        if len(starts) != len(self.encoders):
            raise ValueError(
                f"Solver needs one session start per encoder; got {len(starts)} for "
                f"{len(self.encoders)} encoders."
            )
        self._starts = torch.tensor(starts, dtype=torch.int64)
        self.loss = loss
        self.optimizer = optimizer
        self.sampler = sampler
        self.batch_size = batch_size
        self.generator = generator
        self.callbacks = list(callbacks)
        self.share_negatives = share_negatives
        self.regularizer = regularizer
        self.steps_done = start_step

    def step(self) -> torch.Tensor:
        """One optimisation step; returns ``(total, alignment, uniformity)`` on the device."""
        batch = self.sampler.sample(self.batch_size, generator=self.generator)
        # batch_size references (per session); one or several (per objective) positives each
        n, m = len(batch.reference), len(batch.positive)
        weight = None if self.regularizer is None else self.regularizer.weight(self.steps_done)
        if weight is None:
            embedding = self.embed(torch.cat(batch))
        else:
            windows = self.gathers[0](torch.cat(batch)).detach().requires_grad_(True)
            embedding = self.encoders[0](windows)
        reference, positive = embedding[:n], embedding[n : n + m]
        if self.share_negatives:
            parts = self.loss(reference, positive, reference, exclude_self=True)
        else:
            parts = self.loss(reference, positive, embedding[n + m :])
        objective = parts.total
        if weight is not None:
            penalty = self.regularizer.penalty(windows, reference, generator=self.generator)
            objective = objective + weight * penalty
        self.steps_done += 1
        self.optimizer.zero_grad(set_to_none=True)
        objective.backward()
        self.optimizer.step()
        return torch.stack(parts).detach()

    def embed(self, index: torch.Tensor) -> torch.Tensor:
        """Embeddings of the windows at global ``index``, each through its session's encoder."""
        if len(self.encoders) == 1:
            return _encode(self.encoders[0], self.gathers[0], index)
        session = torch.searchsorted(self._starts, index, right=True) - 1
        order = torch.argsort(session, stable=True)
        counts = torch.bincount(session, minlength=len(self.encoders)).tolist()
        parts = [
            _encode(encoder, gather, part - start)
            for encoder, gather, part, start, count in zip(
                self.encoders, self.gathers, index[order].split(counts), self._starts.tolist(),
                counts, strict=True,
            )
            if count
        ]
        inverse = torch.empty_like(order)
        inverse[order] = torch.arange(len(order))
        return torch.cat(parts)[inverse.to(parts[0].device)]

    def fit(self, max_iterations: int) -> torch.Tensor:
        """Run up to ``max_iterations`` steps; return the ``(steps_done, 3)`` loss history."""
        keep_freed_memory()
        for encoder in self.encoders:
            encoder.train()
        device = next(self.encoders[0].parameters()).device
        history = torch.empty((max_iterations, 3), device=device)
        done = 0
        try:
            for i in range(max_iterations):
                history[i] = self.step()
                done = i + 1
                stop = False
                for callback in self.callbacks:
                    if done % callback.every == 0 or done == max_iterations:
                        stop = bool(callback(self, done, history)) or stop
                if stop:
                    break
        finally:
            for callback in self.callbacks:
                callback.close()
        return history[:done]


def _encode(encoder: nn.Module, gather: Callable, index: torch.Tensor) -> torch.Tensor:
    if len(index) <= _WINDOWS_PER_CALL:
        return encoder(gather(index))
    return torch.cat([encoder(gather(part)) for part in index.split(_WINDOWS_PER_CALL)])
