# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Turn window positions into windows of neural data by index arithmetic on one tensor."""

from __future__ import annotations

import torch

from identica.data._offset import Offset

__all__ = ["WindowGatherer"]


class WindowGatherer:
    """Gather the windows ``[t - left, t + right)`` of one contiguous (n_samples, n_neurons) tensor.

    The result has the encoder layout ``(batch, n_neurons, window)``. It is a transposed view of
    a contiguous ``(batch, window, n_neurons)`` block, so encoders that work channels-last get
    their input without a copy.

    Parameters
    ----------
    neural : Tensor of shape (n_samples, n_neurons)
        The recording, already on the training device.
    receptive_field : Offset
        The encoder's receptive field.

    Examples
    --------
    >>> import torch
    >>> from identica.data import Offset, WindowGatherer
    >>> gather = WindowGatherer(torch.arange(20.0).reshape(10, 2), Offset(1, 2))
    >>> gather(torch.tensor([1, 5])).shape
    torch.Size([2, 2, 3])
    """

    def __init__(self, neural: torch.Tensor, receptive_field: Offset) -> None:
        self.neural = neural.contiguous()
        self.receptive_field = receptive_field
        n_samples, n_features = self.neural.shape
        width = len(receptive_field)
        # Window starting at row s is one contiguous run of width * n_features values: view the
        # recording as overlapping rows of that length, so gathering copies whole windows.
        self._windows = self.neural.as_strided(
            (max(n_samples - width + 1, 0), width * n_features), (n_features, 1)
        )

    def __call__(self, index: torch.Tensor) -> torch.Tensor:
        """The windows at ``index`` (int64, any device): ``(len(index), n_neurons, window)``."""
        start = index.to(self.neural.device, non_blocking=True) - self.receptive_field.left
        block = self._windows.index_select(0, start)
        return block.view(len(index), len(self.receptive_field), -1).transpose(1, 2)
