# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The training loop: sample indices, gather windows, one encoder call, loss, step."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

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
    2048 windows for large batches), takes the loss and steps the optimiser. Nothing in the step copies values to the host: the losses are
    written into a preallocated tensor that only callbacks read.

    Parameters
    ----------
    encoder : nn.Module
        Maps ``(batch, n_features_in, window)`` to ``(batch, output_dimension)``.
    loss : InfoNCE
        The loss module.
    optimizer : torch.optim.Optimizer
        Over the encoder's and the loss's parameters.
    sampler : AbstractSampler
        Draws the indices.
    gather : callable
        Turns int64 indices into windows on the training device.
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
        encoder: nn.Module,
        loss: InfoNCE,
        optimizer: torch.optim.Optimizer,
        sampler: AbstractSampler,
        gather: Callable[[torch.Tensor], torch.Tensor],
        *,
        batch_size: int,
        generator: torch.Generator,
        callbacks: Sequence[AbstractCallback] = (),
        share_negatives: bool = False,
    ) -> None:
        self.encoder = encoder
        self.loss = loss
        self.optimizer = optimizer
        self.sampler = sampler
        self.gather = gather
        self.batch_size = batch_size
        self.generator = generator
        self.callbacks = list(callbacks)
        self.share_negatives = share_negatives

    def step(self) -> torch.Tensor:
        """One optimisation step; returns ``(total, alignment, uniformity)`` on the device."""
        n = self.batch_size
        batch = self.sampler.sample(n, generator=self.generator)
        index = torch.cat(batch)
        if len(index) <= _WINDOWS_PER_CALL:
            embedding = self.encoder(self.gather(index))
        else:
            embedding = torch.cat(
                [self.encoder(self.gather(part)) for part in index.split(_WINDOWS_PER_CALL)]
            )
        reference, positive = embedding[:n], embedding[n : 2 * n]
        if self.share_negatives:
            parts = self.loss(reference, positive, reference, exclude_self=True)
        else:
            parts = self.loss(reference, positive, embedding[2 * n :])
        self.optimizer.zero_grad(set_to_none=True)
        parts.total.backward()
        self.optimizer.step()
        return torch.stack(parts).detach()

    def fit(self, max_iterations: int) -> torch.Tensor:
        """Run up to ``max_iterations`` steps; return the ``(steps_done, 3)`` loss history."""
        keep_freed_memory()
        self.encoder.train()
        device = next(self.encoder.parameters()).device
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
