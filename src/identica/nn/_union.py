# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The residual conv stack over the union of its windows' rows, with a hand-written backward.

A valid convolution is translation-equivariant: a hidden unit at absolute row ``a`` of the
recording has the same value in every window that contains its receptive field. Windows drawn
from a recording of 10⁴ rows at a batch of 512 overlap a lot (the 1,024 windows of 10 rows of
one step cover ~5,800 distinct rows, not 10,240), and at a batch of 4,096 they cover the whole
recording several times over. This function computes every layer once per distinct row of the
union of the windows instead of once per window row, then reads each window's output at its
start. For windows that do not overlap (long recordings, or ``windows`` passed in directly) the
work is that of the per-window computation.

Index arithmetic. Sort the window starts ``s``. A layer whose output spans ``λ`` rows of each
window needs the keys ``K = ∪ [s_i, s_i + λ)``; window ``i`` adds ``c_i = min(λ, s_i - s_{i-1})``
new keys (its last ``c_i`` rows), and the position of ``s_i`` in the sorted ``K`` is
``P_i = Σ_{j<i} c_j - (λ - c_i)``; the rows of one window are consecutive in ``K``, so row
``s_i + t`` sits at ``P_i + t``. Every gather and scatter of the stack follows from ``P`` and
``c`` of each layer: no sort of rows, no hash, no search.

Arithmetic per layer, channels-last, one matrix product each:

- first layer (many input channels, kernel k0): every distinct input row times all k0 kernel
  taps at once, ``T = x @ [W_0; ...; W_k0-1]^T``, then the shifted tap outputs added;
- residual blocks (kernel 3, output cropped by one row each side, added to the input) and the
  output layer: the k rows each key reads are gathered side by side (im2col by index), then one
  matrix product.

Gradients are exact (tested against ``nn.Conv1d`` and autograd). No double backward: the plain
autograd path of :class:`~identica.nn.ConvEncoder` (``fused = False``) has it.
"""

from __future__ import annotations

import numpy as np
import torch

from identica.nn._fused import _flat, _gelu, _gelu_backward, _native_kernels, _unflat

__all__ = ["WindowUnion", "conv_stack_union"]

# Below this fraction of distinct rows the union pays for its gathers (measured: at 0.55, as
# for batch 512 on 8,000 rows, the step's stack takes 0.72x the per-window time; with no
# overlap 1.13x); above it the per-window computation is faster.
_SHARED = 0.85


class WindowUnion:
    """Where the rows of windows of several lengths, all starting at ``starts``, sit in their union.

    Level ``l`` holds the sorted distinct rows of ``∪_i [starts_i, starts_i + lengths[l])``.
    Index arithmetic runs on the host (NumPy); the methods return int64 tensors on the CPU.

    Parameters
    ----------
    starts : Tensor of shape (M,), int64
        First row of every window.
    lengths : sequence of int
        Window lengths (rows), one per level, in decreasing order.

    Examples
    --------
    >>> import torch
    >>> from identica.nn._union import WindowUnion
    >>> union = WindowUnion(torch.tensor([5, 0, 2]), [3])
    >>> union.rows(0).tolist()  # the union of [5, 8), [0, 3), [2, 5)
    [0, 1, 2, 3, 4, 5, 6, 7]
    >>> union.window_positions(0).tolist()  # where each window's first row is, input order
    [5, 0, 2]
    """

    def __init__(self, starts: torch.Tensor, lengths: list[int]) -> None:
        values = starts.detach().cpu().numpy().astype(np.int64, copy=False)
        self.lengths = list(lengths)
        self.order = np.argsort(values, kind="stable")
        self.starts = values[self.order]
        gap = np.empty_like(self.starts)
        if len(gap):
            gap[0] = max(lengths)
            np.subtract(self.starts[1:], self.starts[:-1], out=gap[1:])
        # per level: keys each window adds (its last ``new`` rows) and the position of the
        # window's first row, ``first = Σ_{j<i} new_j - (length - new_i)``
        self.new = [np.minimum(gap, length) for length in lengths]
        ends = [np.cumsum(new) for new in self.new]
        self.sizes = [int(e[-1]) if len(e) else 0 for e in ends]
        self.first = [e - length for e, length in zip(ends, lengths)]

    @classmethod
    def for_stack(cls, starts: torch.Tensor, window: int, first_kernel: int,
                  n_blocks: int) -> WindowUnion:
        """The levels of a conv stack: its input, the first layer's output, every block's."""
        first = window - first_kernel + 1
        return cls(starts, [window, *(first - 2 * i for i in range(n_blocks + 1))])

    @property
    def shares_rows(self) -> bool:
        """Whether the windows overlap enough for the union to save work."""
        return self.sizes[0] <= _SHARED * len(self.starts) * self.lengths[0]

    def capacities(self, n_samples: int) -> list[int]:
        """The most keys each level can hold for these windows on ``n_samples`` rows."""
        return [min(len(self.starts) * length, n_samples) for length in self.lengths]

    def _spread(self, level: int, per_window: np.ndarray) -> np.ndarray:
        """``arange(size) + per_window[window adding the key]`` for every key of ``level``."""
        return np.arange(self.sizes[level]) + np.repeat(per_window, self.new[level])

    def rows(self, level: int) -> torch.Tensor:
        """The sorted distinct rows (keys) of ``level``."""
        return torch.from_numpy(self._spread(level, self.starts - self.first[level]))

    def reads(self, level: int, source: int) -> np.ndarray:
        """For every key of ``level``, the position of the same row in ``source``.

        The rows after it sit at the next positions as long as they lie in the window.
        """
        return self._spread(level, self.first[source] - self.first[level])

    def window_positions(self, level: int) -> torch.Tensor:
        """Position of every window's first row in ``level``, windows in input order."""
        out = np.empty_like(self.first[level])
        out[self.order] = self.first[level]
        return torch.from_numpy(out)


def _transposed(reads: np.ndarray, taps: int, size: int, *, per_tap: bool) -> torch.Tensor:
    """The gather that undoes a gather, so that no gradient needs a scatter.

    Key ``p`` reads the source positions ``reads[p] + j`` for ``j < taps`` (``reads`` strictly
    increasing). Returns ``index`` of shape ``(taps, size)``: where key ``p`` reads position
    ``q`` with tap ``j``, ``index[j, q]`` is the row holding the gradient of that read, ``p`` in
    a ``(n_keys + 1, ...)`` gradient or ``p * taps + j`` in a ``(n_keys + 1, taps, ...)`` one
    (``per_tap``); where no key reads ``q`` with tap ``j``, it is the last (zero) row's. The
    gradient of the source is then the sum over ``j`` of the gathered rows.
    """
    n_keys = len(reads)
    # key p reads position q with tap j iff reads[p] = q - j: row j is row 0 shifted by j
    reader = np.full(size, n_keys, dtype=np.int64)
    reader[reads] = np.arange(n_keys)
    if per_tap:
        reader *= taps
    owner = np.empty((taps, size), dtype=np.int64)
    for j in range(taps):
        owner[j, :j] = n_keys * taps + j if per_tap else n_keys
        np.add(reader[: size - j], j if per_tap else 0, out=owner[j, j:])
    return torch.from_numpy(owner)


def _rows(h: torch.Tensor, k: int) -> torch.Tensor:
    """``h`` (n, channels) as its ``n - k + 1`` runs of ``k`` consecutive rows, without a copy."""
    return h.as_strided((len(h) - k + 1, k * h.shape[1]), (h.shape[1], 1))


# Buffers whose size changes from step to step (the union's) are carved from blocks of a fixed
# size, the most rows the level can have: the allocator then hands out the same blocks every
# step instead of fresh pages (page faults cost ~15 % of the step until the heap settles).


def _buffer(rows: int, width: int, capacity: int, like: torch.Tensor, *,
            zero_row: bool = False) -> torch.Tensor:
    """An uninitialised ``(rows, width)`` tensor (``(rows + 1, width)`` with a zero last row),
    the start of a block of ``capacity (+ 1)`` rows."""
    n = rows + zero_row
    out = like.new_empty((capacity + zero_row) * width)[: n * width].view(n, width)
    if zero_row:
        out[rows].zero_()
    return out


class _ConvStackUnion(torch.autograd.Function):
    @staticmethod
    @_native_kernels
    def forward(ctx, neural, union, n_blocks, *params):  # type: ignore[override]
        w0, b0, wl, bl = params[0], params[1], params[-2], params[-1]
        hidden, n_in, k0 = w0.shape
        kl = wl.shape[2]
        device = neural.device
        # first layer: all k0 taps of every distinct input row, then the shifted sums
        sizes = union.sizes
        cap = union.capacities(len(neural))
        x = _buffer(sizes[0], n_in, cap[0], neural)
        torch.index_select(neural, 0, union.rows(0).to(device), out=x)
        taps = _buffer(sizes[0], k0 * hidden, cap[0], x)
        torch.mm(x, w0.permute(2, 0, 1).reshape(k0 * hidden, n_in).T, out=taps)
        reads = union.reads(1, 0)
        # tap j of the row at position reads + j: row (reads + j) * k0 + j of ``taps``
        index = torch.from_numpy(reads * k0)[None] + torch.arange(k0)[:, None] * (k0 + 1)
        picked = _buffer(k0 * sizes[1], hidden, k0 * cap[1], x)
        torch.index_select(taps.view(-1, hidden), 0, index.view(-1).to(device), out=picked)
        picked = picked.view(k0, -1, hidden)
        z0 = _buffer(sizes[1], hidden, cap[1], x)
        torch.add(picked[0], b0, out=z0)
        for j in range(1, k0):
            z0 += picked[j]
        h = _gelu(z0, out=_buffer(sizes[1], hidden, cap[1], x))
        saved = [x, _transposed(reads, k0, sizes[0], per_tap=False).to(device), z0]
        for i in range(n_blocks):
            w, b = params[2 + 2 * i], params[3 + 2 * i]
            reads = union.reads(i + 2, i + 1)
            cols = _buffer(len(reads), 3 * hidden, cap[i + 2], x)
            torch.index_select(_rows(h, 3), 0, torch.from_numpy(reads).to(device), out=cols)
            z = torch.addmm(b, cols, _flat(w).T, out=_buffer(len(reads), hidden, cap[i + 2], x))
            h = _gelu(z, out=_buffer(len(reads), hidden, cap[i + 2], x))
            h += cols[:, hidden : 2 * hidden]
            back = _transposed(reads, 3, sizes[i + 1], per_tap=True)
            saved += [back.to(device), cols, z]
        last = union.window_positions(n_blocks + 1).to(device)
        cols = _rows(h, kl).index_select(0, last)
        out = torch.addmm(bl, cols, _flat(wl).T)
        saved += [last, cols]
        ctx.save_for_backward(*saved, *params)
        ctx.sizes, ctx.capacities = sizes, cap
        ctx.n_blocks = n_blocks
        return out

    @staticmethod
    @_native_kernels
    def backward(ctx, grad_out):  # type: ignore[override]
        n_blocks, sizes, cap = ctx.n_blocks, ctx.sizes, ctx.capacities
        tensors = ctx.saved_tensors
        x, first_back, z0 = tensors[:3]
        blocks = [tensors[3 + 3 * i : 6 + 3 * i] for i in range(n_blocks)]
        last, cols_last = tensors[3 + 3 * n_blocks : 5 + 3 * n_blocks]
        params = tensors[5 + 3 * n_blocks :]
        w0, wl = params[0], params[-2]
        grads: list[torch.Tensor | None] = [None] * len(params)
        hidden = wl.shape[1]

        grad_out = grad_out.contiguous()
        grads[-2] = _unflat(grad_out.T @ cols_last, wl.shape)
        grads[-1] = grad_out.sum(0)
        # windows may repeat, so the last layer's reads are scattered back, not gathered
        dcols = (grad_out @ _flat(wl)).view(len(last), -1, hidden)
        dh = _buffer(sizes[-1], hidden, cap[-1], x).zero_()
        for j in range(dcols.shape[1]):
            dh.index_add_(0, last + j, dcols[:, j])

        for i in reversed(range(n_blocks)):
            back, cols, z = blocks[i]
            w = params[2 + 2 * i]
            dz = _gelu_backward(dh, z, grad_input=_buffer(len(z), hidden, cap[i + 2], x))
            grads[2 + 2 * i] = _unflat(dz.T @ cols, w.shape)
            grads[3 + 2 * i] = dz.sum(0)
            dcols = _buffer(len(dz), 3 * hidden, cap[i + 2], x, zero_row=True)
            torch.mm(dz, _flat(w), out=dcols[:-1])
            dcols[:-1, hidden : 2 * hidden] += dh  # the residual path reads the middle row
            gathered = _buffer(3 * sizes[i + 1], hidden, 3 * cap[i + 1], x)
            torch.index_select(dcols.view(-1, hidden), 0, back.view(-1), out=gathered)
            gathered = gathered.view(3, -1, hidden)
            dh = torch.add(gathered[0], gathered[1],
                           out=_buffer(sizes[i + 1], hidden, cap[i + 1], x))
            dh += gathered[2]

        hidden, n_in, k0 = w0.shape
        dz0 = _buffer(len(z0), hidden, cap[1], x, zero_row=True)
        _gelu_backward(dh, z0, grad_input=dz0[:-1])
        dtaps = _buffer(k0 * sizes[0], hidden, k0 * cap[0], x)
        torch.index_select(dz0, 0, first_back.view(-1), out=dtaps)
        dtaps = dtaps.view(k0, -1, hidden)
        grad_w0 = w0.new_empty((k0, hidden, n_in))
        for j in range(k0):
            torch.mm(dtaps[j].T, x, out=grad_w0[j])
        grads[0] = grad_w0.permute(1, 2, 0)
        grads[1] = dz0[:-1].sum(0)
        return (None, None, None, *grads)


def conv_stack_union(neural: torch.Tensor, union: WindowUnion | torch.Tensor, n_blocks: int,
                     params: list[torch.Tensor]) -> torch.Tensor:
    """``first → n_blocks residual blocks → last`` on the windows of ``neural`` at ``starts``.

    Parameters
    ----------
    neural : Tensor of shape (n_samples, n_features)
        The recording, channels last (rows are time steps); no gradient flows into it.
    union : WindowUnion or Tensor of shape (M,), int64, on the CPU
        The windows (:meth:`WindowUnion.for_stack`) or their first rows; a window spans the
        stack's receptive field.
    n_blocks : int
        Residual blocks (kernel 3).
    params : list of Tensor
        ``[w_first, b_first, w_1, b_1, ..., w_last, b_last]`` in ``nn.Conv1d`` layout.

    Returns
    -------
    Tensor of shape (M, out_channels)

    Examples
    --------
    >>> import torch
    >>> from torch import nn
    >>> from identica.nn._union import conv_stack_union
    >>> convs = [nn.Conv1d(4, 8, 2), nn.Conv1d(8, 8, 3), nn.Conv1d(8, 3, 3)]
    >>> params = [p for c in convs for p in (c.weight, c.bias)]
    >>> conv_stack_union(torch.randn(50, 4), torch.tensor([0, 3, 40]), 1, params).shape
    torch.Size([3, 3])
    """
    if not isinstance(union, WindowUnion):
        window = params[0].shape[2] + 2 * n_blocks + params[-2].shape[2] - 1
        union = WindowUnion.for_stack(union, window, params[0].shape[2], n_blocks)
    return _ConvStackUnion.apply(neural.contiguous(), union, n_blocks, *params)
