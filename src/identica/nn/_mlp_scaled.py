# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""A perceptron whose widths follow the output dimension (the DCL benchmark encoder)."""

from __future__ import annotations

import torch
from torch import nn

from identica.data._offset import Offset
from identica.nn._base import AbstractEncoder
from identica.nn._constraint import OutputConstraint

__all__ = ["ScaledMLPEncoder"]


def _scaled_layers(n_features_in: int, output_dimension: int) -> list[nn.Module]:
    """``Linear(N, 30d) → GELU → Linear(30d, 30d) → GELU → Linear(30d, 10d) → GELU →
    Linear(10d, d)`` as a list of modules (the stack of the scaled and clipped perceptrons)."""
    wide, narrow = 30 * output_dimension, 10 * output_dimension
    return [nn.Linear(n_features_in, wide), nn.GELU(),
            nn.Linear(wide, wide), nn.GELU(),
            nn.Linear(wide, narrow), nn.GELU(),
            nn.Linear(narrow, output_dimension)]


class ScaledMLPEncoder(AbstractEncoder):
    """Linear(N, 30d) → GELU → Linear(30d, 30d) → GELU → Linear(30d, 10d) → GELU → Linear(10d, d),
    on single time steps.

    The widths follow the output dimension d (registry name ``"mlp-scaled"``; ``hidden_units``
    does not apply to it). It is the encoder of dynamics contrastive learning (González Laiz et
    al., ICLR 2025), whose output is not normalised; :class:`ClippedMLPEncoder` is the same
    stack with a clipped output.

    Parameters
    ----------
    n_features_in : int
        Input channels N.
    output_dimension : int
        Embedding dimension d.
    output_constraint : {"none", "sphere", "box"}, default="none"
        Where the output lies (:class:`~identica.nn.OutputConstraint`).

    Examples
    --------
    >>> import torch
    >>> from identica.nn import ScaledMLPEncoder
    >>> enc = ScaledMLPEncoder(50, 6)
    >>> sum(p.numel() for p in enc.parameters()), enc(torch.zeros(2, 50, 1)).shape
    (52986, torch.Size([2, 6]))
    """

    def __init__(self, n_features_in: int, output_dimension: int, *,
                 output_constraint: str = "none") -> None:
        super().__init__()
        self.receptive_field = Offset(0, 1)
        self.n_features_in = n_features_in
        self.output_dimension = output_dimension
        self.net = nn.Sequential(*_scaled_layers(n_features_in, output_dimension))
        self.constraint = OutputConstraint(output_constraint, output_dimension)

    input_layer_name = "net.0"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.constraint(self.net(x[:, :, 0]))
