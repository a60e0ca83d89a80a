# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Residual 1-D convolution encoders over a window of time steps."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from identica.data._offset import Offset
from identica.data._windows import WindowGatherer
from identica.nn._base import AbstractEncoder
from identica.nn._constraint import OutputConstraint, resolve_constraint
from identica.nn._fused import conv_stack
from identica.nn._union import WindowUnion, conv_stack_union

__all__ = ["ConvEncoder"]


def _conv_channels_last(h: torch.Tensor, conv: nn.Conv1d) -> torch.Tensor:
    """``conv`` applied to ``h`` of shape ``(batch, length, channels)``, as one matrix product.

    The ``k`` shifted views of ``h`` are laid side by side (im2col) and multiplied by the
    flattened kernel. On CPU this beats ``nn.Conv1d`` for the short windows and few channels
    used here, and it needs no transposes.
    """
    k = conv.kernel_size[0]
    batch, length, channels = h.shape
    weight = conv.weight.permute(0, 2, 1).reshape(conv.out_channels, k * channels)
    if length == k:
        return F.linear(h.reshape(batch, 1, k * channels), weight, conv.bias)
    columns = torch.cat([h[:, j : length - k + 1 + j] for j in range(k)], dim=-1)
    return F.linear(columns, weight, conv.bias)


class ConvEncoder(AbstractEncoder):
    """Conv1d(N, H, 2) → GELU → ``n_blocks`` residual blocks → Conv1d(H, d, ``last_kernel``).

    A residual block is Conv1d(H, H, 3) → GELU, added to its input cropped by one step on each
    side. The receptive field is ``2 + 2 * n_blocks + last_kernel - 1`` rows. Parameters live in
    ``nn.Conv1d`` modules; the forward pass runs channels-last as matrix products.

    Parameters
    ----------
    n_features_in : int
        Input channels N.
    output_dimension : int
        Embedding dimension d.
    hidden_units : int
        Channels H of the hidden layers.
    n_blocks : int
        Number of residual blocks.
    last_kernel : int
        Kernel size of the output convolution.
    output_constraint : {"sphere", "none", "box"}, default="sphere"
        Where the output lies (:class:`~identica.nn.OutputConstraint`): the unit sphere (for
        cosine similarity), anywhere, or a learnable box.
    normalize : bool, optional
        Deprecated: ``True`` is ``output_constraint="sphere"``, ``False`` is ``"none"``.

    Attributes
    ----------
    fused : bool
        Use the fused autograd function (fast; no double backward). ``False`` runs the same
        arithmetic through plain autograd, which supports higher-order gradients.

    Examples
    --------
    >>> import torch
    >>> from identica.nn import ConvEncoder
    >>> enc = ConvEncoder(120, 8, hidden_units=32, n_blocks=3, last_kernel=3)
    >>> len(enc.receptive_field), sum(p.numel() for p in enc.parameters())
    (10, 17800)
    >>> enc(torch.zeros(4, 120, 10)).shape
    torch.Size([4, 8])
    """

    def __init__(
        self,
        n_features_in: int,
        output_dimension: int,
        *,
        hidden_units: int = 32,
        n_blocks: int = 3,
        last_kernel: int = 3,
        output_constraint: str = "sphere",
        normalize: bool | None = None,
    ) -> None:
        super().__init__()
        field = 2 + 2 * n_blocks + last_kernel - 1
        self.receptive_field = Offset(field // 2, field - field // 2)
        self.n_features_in = n_features_in
        self.output_dimension = output_dimension
        kind = resolve_constraint(output_constraint, normalize, "ConvEncoder")
        self.first = nn.Conv1d(n_features_in, hidden_units, 2)
        self.blocks = nn.ModuleList(
            nn.Conv1d(hidden_units, hidden_units, 3) for _ in range(n_blocks)
        )
        self.last = nn.Conv1d(hidden_units, output_dimension, last_kernel)
        self.constraint = OutputConstraint(kind, output_dimension)
        self.fused = True

    input_layer_name = "first"

    @property
    def supports_double_backward(self) -> bool:
        """False while the fused forward (hand-written backward) is on."""
        return not self.fused

    def set_double_backward(self, enabled: bool) -> None:
        """Plain autograd (``fused = False``) when enabled, the fused forward otherwise."""
        self.fused = not enabled

    def _params(self) -> list[torch.Tensor]:
        return [p for conv in (self.first, *self.blocks, self.last)
                for p in (conv.weight, conv.bias)]

    def forward_at(self, neural: torch.Tensor, starts: torch.Tensor) -> torch.Tensor:
        """Embed the windows of ``neural`` that start at rows ``starts``.

        With the fused forward, every layer is computed once per distinct row of the union
        of the windows: overlapping windows (the rule for batches drawn from recordings of up
        to ~10⁵ rows) share their work.

        Parameters
        ----------
        neural : Tensor of shape (n_samples, n_features_in)
            The recording, on the encoder's device.
        starts : Tensor of shape (batch,), int64, on the CPU
            First row of every window (``0 <= start <= n_samples - window``).

        Returns
        -------
        Tensor of shape (batch, output_dimension)

        Examples
        --------
        >>> import torch
        >>> from identica.nn import ConvEncoder
        >>> enc = ConvEncoder(3, 2, hidden_units=4, n_blocks=1, last_kernel=3)
        >>> x = torch.randn(20, 3)
        >>> a = enc.forward_at(x, torch.tensor([0, 2, 10]))
        >>> b = enc(torch.stack([x[0:6], x[2:8], x[10:16]]).transpose(1, 2))
        >>> torch.allclose(a, b, atol=1e-6)
        True
        """
        window = len(self.receptive_field)
        if self.fused:
            union = WindowUnion.for_stack(starts, window, self.first.kernel_size[0],
                                          len(self.blocks))
            if union.shares_rows:
                return self.constraint(
                    conv_stack_union(neural, union, len(self.blocks), self._params()))
        gather = WindowGatherer(neural, self.receptive_field)
        return self(gather(starts + self.receptive_field.left))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[2] != len(self.receptive_field):
            raise ValueError(
                f"ConvEncoder expects windows of {len(self.receptive_field)} time steps; got "
                f"input of shape {tuple(x.shape)}."
            )
        if self.fused:
            out = conv_stack(x.transpose(1, 2), len(self.blocks), self._params())
        else:
            h = F.gelu(_conv_channels_last(x.transpose(1, 2), self.first))
            for conv in self.blocks:
                h = h[:, 1:-1] + F.gelu(_conv_channels_last(h, conv))
            out = _conv_channels_last(h, self.last)[:, 0]
        return self.constraint(out)
