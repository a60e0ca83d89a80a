# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Test-time tuning of the read-in on a sliding buffer: time-contrastive InfoNCE, L2-SP anchor."""

from __future__ import annotations

import abc
import copy
from typing import Any

import numpy as np
import torch
from torch import nn

from identica._checks import check_choice, check_float, check_int
from identica.adaptation._base import AbstractAdapter
from identica.adaptation._source import SourceModel
from identica.losses._infonce import infonce
from identica.nn._adapt import input_layer

__all__ = ["ContrastiveReadIn"]

READ_INS = ("affine", "input")


class _ReadInTuner(AbstractAdapter):
    """Shared machinery: a copy of the encoder, a trainable read-in, Adam, a sliding buffer.

    Subclasses implement :meth:`objective` (a scalar loss of a batch drawn from the buffer).
    Read-in ``"affine"``: a per-channel scale and shift after the source standardisation
    (starting at 1 and 0); ``"input"``: the encoder's input layer. Everything else is frozen.
    ``anchor`` adds the L2-SP penalty ``anchor * ||θ - θ_source||²``. ``reset`` restores the
    read-in, the optimiser, the buffer and the random stream.

    Parameters
    ----------
    source : SourceModel
    read_in : {"affine", "input"}, default="affine"
    buffer_size : int, default=4000
        Most recent stream rows kept for training.
    steps : int, default=5
        Adam steps per window.
    batch_size : int, default=256
    learning_rate : float, default=1e-3
    anchor : float, default=0.0
        Weight of the L2-SP penalty.
    random_state : int, default=0
        Seeds the batches (restored by ``reset``).
    """

    def __init__(self, source: SourceModel, *, read_in: str = "affine",
                 buffer_size: int = 4000, steps: int = 5, batch_size: int = 256,
                 learning_rate: float = 1e-3, anchor: float = 0.0,
                 random_state: int = 0) -> None:
        super().__init__(source)
        owner = type(self).__name__
        self.read_in = check_choice(read_in, READ_INS, name="read_in", owner=owner)
        self.buffer_size = check_int(buffer_size, name="buffer_size", owner=owner, low=2)
        self.steps = check_int(steps, name="steps", owner=owner, low=0)
        self.batch_size = check_int(batch_size, name="batch_size", owner=owner, low=2)
        self.learning_rate = check_float(learning_rate, name="learning_rate", owner=owner,
                                         low=0.0)
        self.anchor = check_float(anchor, name="anchor", owner=owner, low=0.0,
                                  low_inclusive=True)
        self.random_state = check_int(random_state, name="random_state", owner=owner, low=0)
        self.encoder = copy.deepcopy(source.encoder).to(source.device)
        if hasattr(self.encoder, "set_double_backward"):
            self.encoder.set_double_backward(True)  # plain autograd: gradients reach the input
        for p in self.encoder.parameters():
            p.requires_grad_(False)
        n = source.n_features_in
        self.scale = nn.Parameter(torch.ones(n, device=source.device))
        self.shift = nn.Parameter(torch.zeros(n, device=source.device))
        if self.read_in == "affine":
            self.trainable = [self.scale, self.shift]
        else:
            layer = input_layer(self.encoder)
            self.trainable = [p for p in layer.parameters()]
            for p in self.trainable:
                p.requires_grad_(True)
        self.initial = [p.detach().clone() for p in self.trainable]
        self._restore()

    def _restore(self) -> None:
        with torch.no_grad():
            for p, p0 in zip(self.trainable, self.initial):
                p.copy_(p0)
        self.optimizer = torch.optim.Adam(self.trainable, lr=self.learning_rate)
        self.buffer = np.zeros((0, self.source.n_features_in), dtype=np.float32)
        self.generator = torch.Generator().manual_seed(self.random_state)

    def reset(self) -> None:
        """Read-in, optimiser state, buffer and random stream back to their source values."""
        self._restore()
        self.n_resets += 1

    def _read(self, standardized: torch.Tensor) -> torch.Tensor:
        return standardized * self.scale + self.shift

    @abc.abstractmethod
    def objective(self, neural: torch.Tensor) -> torch.Tensor:
        """Loss of one batch drawn from the standardised, read-in buffer ``neural``."""

    def update(self, window: Any) -> None:
        """Append ``window`` to the buffer, then take ``steps`` Adam steps on it."""
        self._append(window)
        self._train(self.steps)

    def _append(self, window: Any) -> None:
        x = self.source.check_window(window, f"{type(self).__name__}.update")
        self.buffer = np.concatenate([self.buffer, self.source.standardization(x)])[
            -self.buffer_size:]

    def _train(self, steps: int) -> None:
        data = torch.from_numpy(self.buffer).to(self.source.device)
        self.encoder.train()
        for _ in range(steps):
            loss = self.objective(self._read(data))
            if self.anchor > 0:
                loss = loss + self.anchor * sum(((p - p0) ** 2).sum()
                                                for p, p0 in zip(self.trainable, self.initial))
            self.optimizer.zero_grad()
            loss.backward()
            self.optimizer.step()
        self.encoder.eval()

    def transform(self, window: Any) -> np.ndarray:
        """Source standardisation, the adapted read-in, the encoder."""
        x = self.source.check_window(window, f"{type(self).__name__}.transform")
        with torch.no_grad():
            read = self._read(torch.from_numpy(self.source.standardization(x)).to(
                self.source.device)).cpu().numpy()
        return self.source.embed_standardized(read, self.encoder)

    def _starts(self, count: int, high: int) -> torch.Tensor:
        return torch.randint(0, max(high, 1), (count,), generator=self.generator)

    def _embed_at(self, neural: torch.Tensor, starts: torch.Tensor) -> torch.Tensor:
        return self.encoder.forward_at(neural, starts)


class ContrastiveReadIn(_ReadInTuner):
    """Continue the time-contrastive InfoNCE (no labels) on the buffer, training the read-in.

    Positives are ``time_offset`` rows after their reference; negatives are uniform draws from
    the buffer; similarity and temperature are the source model's. The hypothesis under test
    (spec §5.3): drift is slow, so the time objective may learn the drift and collapse.

    Parameters
    ----------
    source : SourceModel
    time_offset : int, default=10
    **options
        Of the shared read-in tuner (``read_in``, ``buffer_size``, ``steps``, ``batch_size``,
        ``learning_rate``, ``anchor``, ``random_state``).

    Examples
    --------
    >>> from identica.adaptation import ContrastiveReadIn
    >>> ContrastiveReadIn.objective.__doc__.split(".")[0]
    'Time-contrastive InfoNCE of a batch of the buffer'
    """

    def __init__(self, source: SourceModel, *, time_offset: int = 10, **options: Any) -> None:
        super().__init__(source, **options)
        self.time_offset = check_int(time_offset, name="time_offset",
                                     owner="ContrastiveReadIn", low=1)
        loss = source.embedding.loss_
        self.similarity = loss.similarity
        self.temperature = float(loss.temperature.detach())

    def objective(self, neural: torch.Tensor) -> torch.Tensor:
        """Time-contrastive InfoNCE of a batch of the buffer."""
        window = len(self.encoder.receptive_field)
        high = len(neural) - window - self.time_offset + 1
        reference = self._starts(self.batch_size, high)
        negative = self._starts(self.batch_size, len(neural) - window + 1)
        offset = self.time_offset if high > 0 else 0  # a buffer shorter than one pair
        starts = torch.cat([reference, reference + offset, negative])
        z = self._embed_at(neural, starts)
        b = self.batch_size
        return infonce(z[:b], z[b:2 * b], z[2 * b:], similarity=self.similarity,
                       temperature=self.temperature).total
