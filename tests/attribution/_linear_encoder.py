# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""A linear window encoder with a known Jacobian, shared by the attribution tests."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from identica.data import Offset


class LinearWindowEncoder(nn.Module):
    """f(window) = Σ_w W_w x[:, :, w] + bias, in float64: its window Jacobian is W_w."""

    def __init__(self, weight: np.ndarray, bias: float = 0.0, left: int = 0) -> None:
        super().__init__()
        n_out, n_in, width = weight.shape
        self.receptive_field = Offset(left, width - left)
        self.n_features_in = n_in
        self.output_dimension = n_out
        self.weight = nn.Parameter(torch.from_numpy(weight))
        self.bias = nn.Parameter(torch.full((n_out,), bias, dtype=torch.float64))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.einsum("cdw,bdw->bc", self.weight, x) + self.bias
