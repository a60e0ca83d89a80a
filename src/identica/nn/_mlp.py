# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""A four-layer perceptron on single time steps (receptive field 1)."""

from __future__ import annotations

import torch
from torch import nn

from identica.data._offset import Offset
from identica.nn._base import AbstractEncoder
from identica.nn._constraint import OutputConstraint, resolve_constraint

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
    output_constraint : {"sphere", "none", "box"}, default="sphere"
        Where the output lies (:class:`~identica.nn.OutputConstraint`): the unit sphere (for
        cosine similarity), anywhere, or a learnable box.
    normalize : bool, optional
        Deprecated: ``True`` is ``output_constraint="sphere"``, ``False`` is ``"none"``.

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
        output_constraint: str = "sphere", normalize: bool | None = None,
    ) -> None:
        super().__init__()
        self.receptive_field = Offset(0, 1)
        self.n_features_in = n_features_in
        self.output_dimension = output_dimension
        kind = resolve_constraint(output_constraint, normalize, "MLPEncoder")
        half = max(hidden_units // 2, 1)
        self.net = nn.Sequential(
            nn.Linear(n_features_in, hidden_units), nn.GELU(),
            nn.Linear(hidden_units, hidden_units), nn.GELU(),
            nn.Linear(hidden_units, half), nn.GELU(),
            nn.Linear(half, output_dimension),
        )
        self.constraint = OutputConstraint(kind, output_dimension)

    input_layer_name = "net.0"

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.constraint(self.net(x[:, :, 0]))
