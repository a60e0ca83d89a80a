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

from identica.attribution._jacobian import window_jacobian
from identica.attribution._shap import ShapSampler, gradient_shap

__all__ = ["BASE_METHODS", "LAGS", "batch_maps"]

BASE_METHODS: tuple[str, ...] = (
    "jacobian",
    "feature-ablation",
    "integrated-gradients",
    "gradient-x-input",
    "gradient-shap",
)
LAGS: tuple[str, ...] = ("mean", "convabs")


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
    baseline: torch.Tensor | None,
    n_steps: int,
    shap: ShapSampler | None = None,
    start: int = 0,
) -> torch.Tensor:
    """Per-sample maps ``(batch, C, D)`` of ``method`` (one of :data:`BASE_METHODS`).

    ``baseline`` (``(1, D, 1)``) serves feature ablation and integrated gradients; ``shap``
    holds the random draws of gradient SHAP, whose windows are those of time steps
    ``start .. start + batch - 1``.
    """
    if method == "feature-ablation":
        assert baseline is not None
        return feature_ablation(encoder, windows, baseline)
    if method == "integrated-gradients":
        assert baseline is not None
        maps = integrated_gradients(encoder, windows, baseline, n_steps)
    elif method == "gradient-shap":
        assert shap is not None
        maps = gradient_shap(encoder, windows, shap, start)
    elif method == "gradient-x-input":
        maps = window_jacobian(encoder, windows) * windows.unsqueeze(1)
    else:
        maps = window_jacobian(encoder, windows)
    return reduce_lags(maps, lags)
