# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""One window per row of a recording, edges padded by repetition, and the embedding of each row."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from identica.data._disk import DiskArray
from identica.data._offset import Offset
from identica.data._windows import WindowGatherer

__all__ = ["RowWindows", "embed", "embed_disk"]

_BUDGET = 2**25  # floats per chunk of windows (128 MiB)
_DISK_BUDGET = 2**20  # floats per chunk of windows of a recording on disk (4 MiB)


class RowWindows:
    """The window of every row of ``neural``, the edges padded by repeating the edge rows.

    Row ``t`` reads rows ``t - left .. t + right - 1`` of ``neural`` (``field = Offset(left,
    right)``); rows before the start repeat the first row, rows past the end the last one.

    Parameters
    ----------
    neural : Tensor of shape (n_samples, n_features)
        The recording (moved to ``device``).
    field : Offset
        The encoder's receptive field.
    device : torch.device or str, optional
        Where the windows are gathered.

    Examples
    --------
    >>> import torch
    >>> from identica.data import Offset
    >>> from identica.nn import RowWindows
    >>> rows = RowWindows(torch.arange(4.0)[:, None], Offset(1, 2))
    >>> rows.windows(0, 4)[:, 0].tolist()
    [[0.0, 0.0, 1.0], [0.0, 1.0, 2.0], [1.0, 2.0, 3.0], [2.0, 3.0, 3.0]]
    """

    def __init__(
        self, neural: torch.Tensor, field: Offset, device: torch.device | str | None = None
    ) -> None:
        self.n_samples = len(neural)
        self.field = field
        padded = torch.cat([neural[:1].expand(field.left, -1), neural,
                            neural[-1:].expand(field.right - 1, -1)])
        self._gather = WindowGatherer(padded if device is None else padded.to(device), field)

    @property
    def padded(self) -> torch.Tensor:
        """The padded recording: row ``t``'s window is ``padded[t : t + len(field)]``."""
        return self._gather.neural

    def windows(self, start: int, stop: int) -> torch.Tensor:
        """Windows of rows ``start .. stop - 1``, shape ``(stop - start, n_features, window)``."""
        return self._gather(torch.arange(start, stop) + self.field.left)

    def embed(self, encoder: nn.Module, start: int, stop: int) -> torch.Tensor:
        """``encoder`` on the windows of rows ``start .. stop - 1`` (through its ``forward_at``
        when it has one: consecutive windows then share their work)."""
        forward_at = getattr(encoder, "forward_at", None)
        if forward_at is None:
            return encoder(self.windows(start, stop))
        return forward_at(self.padded, torch.arange(start, stop))


def embed(encoder: nn.Module, neural: torch.Tensor, device: torch.device | str) -> np.ndarray:
    """Embed every row of ``neural`` (eval mode, no gradients), in chunks of 128 MiB of windows.

    Parameters
    ----------
    encoder : nn.Module
        An encoder declaring ``receptive_field``.
    neural : Tensor of shape (n_samples, n_features)
        The recording.
    device : torch.device or str
        The encoder's device.

    Returns
    -------
    ndarray of shape (n_samples, output_dimension), float32

    Examples
    --------
    >>> import torch
    >>> from identica.nn import embed, make_encoder
    >>> embed(make_encoder("conv5", 3, 2), torch.zeros(7, 3), "cpu").shape
    (7, 2)
    """
    field = encoder.receptive_field
    rows = RowWindows(neural, field, device)
    n = rows.n_samples
    chunk = max(1, _BUDGET // (len(field) * neural.shape[1]))
    was_training = encoder.training
    encoder.eval()
    parts = []
    try:
        with torch.no_grad():
            for start in range(0, n, chunk):
                parts.append(rows.embed(encoder, start, min(n, start + chunk)).float().cpu())
    finally:
        encoder.train(was_training)
    return torch.cat(parts).numpy()


def embed_disk(encoder: nn.Module, disk: DiskArray, device: torch.device | str) -> np.ndarray:
    """:func:`embed` for a recording on disk: read, embed and drop one chunk of rows at a time.

    Each chunk reads its rows plus the receptive field's context on both sides (edges padded
    by repeating the first and last row, as :func:`embed` does), so the result equals
    :func:`embed` of the whole recording while memory holds one chunk of windows and the
    ``(n_samples, output_dimension)`` result.

    Examples
    --------
    >>> import numpy as np, pathlib, tempfile, torch
    >>> from identica.data import DiskArray
    >>> from identica.nn import embed, embed_disk, make_encoder
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "X.npy"
    >>> np.save(path, np.random.default_rng(0).normal(size=(50, 3)).astype(np.float32))
    >>> encoder = make_encoder("conv5", 3, 2)
    >>> a = embed_disk(encoder, DiskArray(np.load(path, mmap_mode="r")), "cpu")
    >>> bool(np.allclose(a, embed(encoder, torch.from_numpy(np.load(path)), "cpu"), atol=1e-6))
    True
    """
    field = encoder.receptive_field
    n, width = disk.shape[0], len(field)
    chunk = max(1, _DISK_BUDGET // (width * disk.shape[1]))
    was_training = encoder.training
    encoder.eval()
    out = np.empty((n, int(encoder.output_dimension)), dtype=np.float32)
    try:
        with torch.no_grad():
            for start in range(0, n, chunk):
                stop = min(n, start + chunk)
                low, high = max(0, start - field.left), min(n, stop + field.right - 1)
                block = torch.from_numpy(disk.rows(low, high))
                disk.release()
                before = field.left - (start - low)
                after = field.right - 1 - (high - stop)
                padded = torch.cat([block[:1].expand(before, -1), block,
                                    block[-1:].expand(after, -1)]).to(device)
                gather = WindowGatherer(padded, field)
                index = torch.arange(stop - start) + field.left
                forward_at = getattr(encoder, "forward_at", None)
                result = (forward_at(padded, index - field.left) if forward_at is not None
                          else encoder(gather(index)))
                out[start:stop] = result.float().cpu().numpy()
    finally:
        encoder.train(was_training)
    return out
