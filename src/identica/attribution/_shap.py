# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Gradient SHAP (expected gradients): random draws seeded per block of time steps, and the map.

Draw ``k`` of time step ``t`` takes its interpolation point ``α``, its shuffled baseline and its
input noise from a CPU ``torch.Generator`` seeded by ``(seed, t // BLOCK, k)``. The draws of a
time step therefore depend on ``random_state``, ``t`` and ``k`` only, never on how the
recording is cut into batches or how many draws share an encoder call.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch
from torch import nn

from identica import _runtime
from identica.attribution._jacobian import window_jacobian

__all__ = ["BLOCK", "ShapDraws", "ShapSampler", "gradient_shap"]

BLOCK = 256  # time steps per seeded block of random draws


class ShapDraws(NamedTuple):
    """Draws ``k0 .. k1 - 1`` of a batch of ``B`` time steps (``K = k1 - k0``)."""

    alpha: torch.Tensor  # (B, K): interpolation points in [0, 1)
    baseline: torch.Tensor  # (B, K, D, W), or (1, 1, D, 1) for a fixed baseline
    noise: torch.Tensor | None  # (B, K, D, W) input noise, None for sd 0


class ShapSampler:
    """Random draws of gradient SHAP for every time step of one recording.

    ``pool`` (the recording, any shape) gives shuffled baselines: every entry of a baseline
    window is an independent draw from the pooled entries of the recording. Otherwise
    ``baseline`` (broadcastable to ``(B, K, D, W)``) is the fixed baseline of every draw.
    ``per_call`` bounds the windows (time steps × draws) of one encoder call.
    """

    def __init__(
        self,
        *,
        n_draws: int,
        noise: float,
        window: tuple[int, int],
        seed: int,
        per_call: int,
        baseline: torch.Tensor | None = None,
        pool: torch.Tensor | None = None,
    ) -> None:
        assert (baseline is None) != (pool is None)
        self.n_draws = n_draws
        self.noise = noise
        self.window = window
        self.seed = seed
        self.per_call = per_call
        self.baseline = baseline
        self.pool = None if pool is None else pool.reshape(-1)

    def _block(self, block: int, draw: int) -> tuple[torch.Tensor, ...]:
        """CPU float64 / int64 draws of one block of ``BLOCK`` time steps and one draw."""
        sequence = np.random.SeedSequence(self.seed, spawn_key=(block, draw))
        generator = _runtime.torch_generator(sequence)
        shape = (BLOCK, *self.window)
        alpha = torch.rand(BLOCK, dtype=torch.float64, generator=generator)
        index = (torch.empty(0, dtype=torch.int64) if self.pool is None else
                 torch.randint(len(self.pool), shape, generator=generator))
        noise = (torch.empty(0, dtype=torch.float64) if self.noise == 0 else
                 torch.randn(shape, dtype=torch.float64, generator=generator) * self.noise)
        return alpha, index, noise

    def draws(self, start: int, stop: int, k0: int, k1: int, like: torch.Tensor) -> ShapDraws:
        """Draws ``k0 .. k1 - 1`` of time steps ``start .. stop - 1``, in ``like``'s dtype."""
        first, last = start // BLOCK, (stop - 1) // BLOCK
        offset = start - first * BLOCK
        per_draw = []
        for k in range(k0, k1):
            blocks = [self._block(j, k) for j in range(first, last + 1)]
            per_draw.append([torch.cat(parts)[offset : offset + stop - start]
                             for parts in zip(*blocks)])
        alpha, index, noise = (torch.stack(parts, dim=1) for parts in zip(*per_draw))
        if self.pool is None:
            assert self.baseline is not None
            baseline = self.baseline.view(1, 1, *self.baseline.shape[-2:])
        else:
            baseline = self.pool[index.to(like.device)]
        return ShapDraws(
            alpha.to(dtype=like.dtype, device=like.device),
            baseline,
            None if self.noise == 0 else noise.to(dtype=like.dtype, device=like.device),
        )


def gradient_shap(
    encoder: nn.Module,
    windows: torch.Tensor,
    sampler: ShapSampler,
    start: int,
) -> torch.Tensor:
    """``mean_k (x + ε_k - b_k) ⊙ ∇f(b_k + α_k (x + ε_k - b_k))``: (B, C, D, W).

    ``windows`` are the windows of time steps ``start .. start + B - 1``. Draws share an
    encoder call up to ``sampler.per_call`` windows; the sum over draws runs in draw order
    whatever the chunking.
    """
    n, n_draws = len(windows), sampler.n_draws
    chunk = max(1, sampler.per_call // n)
    total: torch.Tensor | None = None
    for k0 in range(0, n_draws, chunk):
        k1 = min(n_draws, k0 + chunk)
        draws = sampler.draws(start, start + n, k0, k1, windows)
        inputs = windows.unsqueeze(1)
        if draws.noise is not None:
            inputs = inputs + draws.noise
        delta = (inputs - draws.baseline).expand(n, k1 - k0, *windows.shape[1:])
        points = draws.baseline + draws.alpha[:, :, None, None] * delta
        grads = window_jacobian(encoder, points.reshape(-1, *windows.shape[1:]))
        terms = grads.view(n, k1 - k0, *grads.shape[1:]) * delta.unsqueeze(2)
        for k in range(k1 - k0):
            total = terms[:, k] if total is None else total + terms[:, k]
    assert total is not None  # n_draws >= 1
    return total / n_draws
