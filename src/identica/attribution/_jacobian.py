# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The batched window Jacobian of an encoder, shared by the gradient-based methods."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["window_jacobian"]


def window_jacobian(encoder: nn.Module, windows: torch.Tensor) -> torch.Tensor:
    """``∂f_c / ∂x[d, w]`` for every window: ``(batch, C, D, W)``, by ``C`` backward passes.

    Rows of a batch are independent, so the gradient of ``Σ_b f_c(x_b)`` holds row ``c`` of
    every sample's Jacobian.
    """
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
