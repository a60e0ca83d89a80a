# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The xCEBRA benchmark encoder: a wide perceptron with a clipped, unnormalised output."""

from __future__ import annotations

import torch
from torch import nn

from identica.data._offset import Offset
from identica.nn._base import AbstractEncoder
from identica.nn._mlp_scaled import _scaled_layers

__all__ = ["ClippedMLPEncoder"]


class ClippedMLPEncoder(AbstractEncoder):
    """Linear(N, 30d) → GELU → Linear(30d, 30d) → GELU → Linear(30d, 10d) → GELU → Linear(10d, d)
    → Hardtanh(-clip, clip), on single time steps; no normalisation.

    The widths follow the output dimension d, as in the xCEBRA attribution benchmark (registry
    name ``"mlp-clip"``; ``hidden_units`` does not apply to it).

    Parameters
    ----------
    n_features_in : int
        Input channels N.
    output_dimension : int
        Embedding dimension d.
    clip : float
        Output bound.

    Examples
    --------
    >>> import torch
    >>> from identica.nn import ClippedMLPEncoder
    >>> enc = ClippedMLPEncoder(50, 6)
    >>> sum(p.numel() for p in enc.parameters()), enc(torch.zeros(2, 50, 1)).shape
    (52986, torch.Size([2, 6]))
    """

    def __init__(self, n_features_in: int, output_dimension: int, *, clip: float = 5.0) -> None:
        super().__init__()
        self.receptive_field = Offset(0, 1)
        self.n_features_in = n_features_in
        self.output_dimension = output_dimension
        self.net = nn.Sequential(*_scaled_layers(n_features_in, output_dimension),
                                 nn.Hardtanh(-clip, clip))

    input_layer_name = "net.0"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x[:, :, 0])
