# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""A four-layer perceptron on single time steps (receptive field 1)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from identica.data._offset import Offset
from identica.nn._base import AbstractEncoder

__all__ = ["MLPEncoder"]


class MLPEncoder(AbstractEncoder):
    """Linear(N, H) → GELU → Linear(H, H) → GELU → Linear(H, H/2) → GELU → Linear(H/2, d).

    Parameters
    ----------
    n_features_in : int
        Input channels N.
    output_dimension : int
        Embedding dimension d.
    hidden_units : int
        Width H.
    normalize : bool
        L2-normalise the output (for cosine similarity).

    Examples
    --------
    >>> import torch
    >>> from identica.nn import MLPEncoder
    >>> enc = MLPEncoder(120, 8, hidden_units=32)
    >>> sum(p.numel() for p in enc.parameters()), enc(torch.zeros(4, 120, 1)).shape
    (5592, torch.Size([4, 8]))
    """

    def __init__(
        self, n_features_in: int, output_dimension: int, *, hidden_units: int = 32,
        normalize: bool = True,
    ) -> None:
        super().__init__()
        self.receptive_field = Offset(0, 1)
        self.n_features_in = n_features_in
        self.output_dimension = output_dimension
        self.normalize = normalize
        half = max(hidden_units // 2, 1)
        self.net = nn.Sequential(
            nn.Linear(n_features_in, hidden_units), nn.GELU(),
            nn.Linear(hidden_units, hidden_units), nn.GELU(),
            nn.Linear(hidden_units, half), nn.GELU(),
            nn.Linear(half, output_dimension),
        )

    input_layer_name = "net.0"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.net(x[:, :, 0])
        return F.normalize(out, dim=1) if self.normalize else out
