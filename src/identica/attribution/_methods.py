# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Per-sample attribution maps of one batch of windows, batched over samples.

Every function takes an encoder in eval mode and windows ``(batch, D, W)`` and returns maps
``(batch, C, D)`` (or ``(batch, C, D, W)`` before the lag reduction). Rows of a batch are
independent, so the gradient of ``Σ_b f_c(x_b)`` holds row ``c`` of every sample's Jacobian:
``C`` backward passes cover the whole batch.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

__all__ = ["BASE_METHODS", "LAGS", "batch_maps"]

BASE_METHODS: tuple[str, ...] = (
    "jacobian",
    "feature-ablation",
    "integrated-gradients",
    "gradient-x-input",
)
LAGS: tuple[str, ...] = ("mean", "convabs")


def window_jacobian(encoder: nn.Module, windows: torch.Tensor) -> torch.Tensor:
    """``∂f_c / ∂x[d, w]`` for every window: ``(batch, C, D, W)``, by ``C`` backward passes."""
    leaf = windows.detach().clone().requires_grad_(True)
    out = encoder(leaf)
    n_out = out.shape[1]
    if not out.requires_grad:  # the output does not depend on the input at all
        return leaf.new_zeros((len(leaf), n_out, *leaf.shape[1:]))
    rows = [
        torch.autograd.grad(
            out[:, c].sum(), leaf, retain_graph=c < n_out - 1, allow_unused=True,
            materialize_grads=True,
        )[0]
        for c in range(n_out)
    ]
    return torch.stack(rows, dim=1)


def reduce_lags(maps: torch.Tensor, lags: str) -> torch.Tensor:
    """``(batch, C, D, W)`` → ``(batch, C, D)``: mean over lags, or mean of ``|·|`` (convabs)."""
    return maps.abs().mean(-1) if lags == "convabs" else maps.mean(-1)


def integrated_gradients(
    encoder: nn.Module, windows: torch.Tensor, baseline: torch.Tensor, n_steps: int
) -> torch.Tensor:
    """``(x - b) ⊙ ∫₀¹ ∇f(b + α(x - b)) dα`` by ``n_steps``-point Gauss–Legendre: (B, C, D, W)."""
    nodes, weights = np.polynomial.legendre.leggauss(n_steps)
    delta = windows - baseline
    total = torch.zeros((), dtype=windows.dtype, device=windows.device)
    for node, weight in zip((nodes + 1) / 2, weights / 2):
        total = total + float(weight) * window_jacobian(encoder, baseline + float(node) * delta)
    return total * delta.unsqueeze(1)


def feature_ablation(
    encoder: nn.Module, windows: torch.Tensor, baseline: torch.Tensor
) -> torch.Tensor:
    """``f(x) - f(x with neuron d set to baseline[d] in every lag)`` per neuron: (B, C, D)."""
    with torch.no_grad():
        reference = encoder(windows)
        ablated = windows.clone()
        columns = []
        for d in range(windows.shape[1]):
            ablated[:, d, :] = baseline[0, d, 0]
            columns.append(reference - encoder(ablated))
            ablated[:, d, :] = windows[:, d, :]
    return torch.stack(columns, dim=-1)


def batch_maps(
    encoder: nn.Module,
    windows: torch.Tensor,
    method: str,
    *,
    lags: str,
    baseline: torch.Tensor,
    n_steps: int,
) -> torch.Tensor:
    """Per-sample maps ``(batch, C, D)`` of ``method`` (one of :data:`BASE_METHODS`)."""
    if method == "feature-ablation":
        return feature_ablation(encoder, windows, baseline)
    if method == "integrated-gradients":
        maps = integrated_gradients(encoder, windows, baseline, n_steps)
    elif method == "gradient-x-input":
        maps = window_jacobian(encoder, windows) * windows.unsqueeze(1)
    else:
        maps = window_jacobian(encoder, windows)
    return reduce_lags(maps, lags)
