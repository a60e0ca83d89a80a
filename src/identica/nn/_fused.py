# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The residual conv stack as one autograd function with a hand-written backward pass.

Autograd over the channels-last formulation spends more time on bookkeeping (zero-filled
slice gradients, concatenation copies) than on the matrix products. This function does the
same arithmetic with one buffer per layer:

- first layer (many input channels, kernel k0): multiply every input row by all k0 kernel
  taps at once, ``P = x @ [W_0; ...; W_k0-1]^T``, then add the shifted tap outputs. No
  im2col copy of the wide input is made.
- residual blocks and the output layer (few channels): im2col, i.e. the k shifted views side
  by side, then one matrix product.

Gradients are exact (tested against ``nn.Conv1d`` and autograd). The function does not support
double backward; set ``ConvEncoder.fused = False`` for that.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

import torch
import torch.nn.functional as F

__all__ = ["conv_stack"]

_F = TypeVar("_F", bound=Callable)

# Elements per GELU call when torch runs several threads: below ATen's grain size (32,768), so
# each call runs on one thread, and a multiple of every vector width. ATen's vectorised GELU
# computes the last ``n % width`` elements of a call with a scalar formula that can differ in
# the last bit; split into such pieces, the elements on that path are the same as in one call
# on one thread, so a fit gives the same bits whatever the thread count.
_SERIAL_ELEMENTS = 1 << 14


def _native_kernels(function: _F) -> _F:
    """Run ``function`` with oneDNN off, so that GELU and its gradient use ATen's own kernels.

    On CPU, float32 GELU goes through oneDNN, which builds a kernel for every new shape: the
    union of a step's windows has a new size every step, so each of the stack's eight GELU
    calls paid the build, about as long as the GELU itself, and oneDNN's GELU backward is
    slower than ATen's at these sizes even once built. The stacks run no other oneDNN
    operator (their products are BLAS calls), so nothing else changes. The switch is
    process-wide for the duration of the call and restored after it.
    """

    @functools.wraps(function)
    def run(*args, **kwargs):
        enabled = torch._C._get_mkldnn_enabled()
        torch._C._set_mkldnn_enabled(False)
        try:
            return function(*args, **kwargs)
        finally:
            torch._C._set_mkldnn_enabled(enabled)

    return run  # type: ignore[return-value]


def _pieces(*tensors: torch.Tensor) -> list[tuple[torch.Tensor, ...]]:
    """Contiguous tensors of one size as aligned pieces that each run on one thread."""
    n = tensors[0].numel()
    if tensors[0].device.type != "cpu" or n <= _SERIAL_ELEMENTS or torch.get_num_threads() == 1:
        return [tensors]
    flat = [t.view(-1) for t in tensors]
    return [tuple(t[i : i + _SERIAL_ELEMENTS] for t in flat)
            for i in range(0, n, _SERIAL_ELEMENTS)]


def _gelu(z: torch.Tensor, *, out: torch.Tensor) -> torch.Tensor:
    """GELU of contiguous ``z`` into ``out``, the same bits on any number of threads."""
    for z_i, out_i in _pieces(z, out):
        torch.ops.aten.gelu.out(z_i, out=out_i)
    return out


def _gelu_backward(grad: torch.Tensor, z: torch.Tensor, *,
                   grad_input: torch.Tensor) -> torch.Tensor:
    """GELU's gradient of contiguous tensors into ``grad_input``, the same bits on any threads."""
    for g_i, z_i, out_i in _pieces(grad, z, grad_input):
        torch.ops.aten.gelu_backward.grad_input(g_i, z_i, grad_input=out_i)
    return grad_input


def _flat(weight: torch.Tensor) -> torch.Tensor:
    """Conv1d weight (out, in, k) → (out, k * in) with column ``j * in + c`` = tap j, channel c."""
    out, inp, k = weight.shape
    return weight.permute(0, 2, 1).reshape(out, k * inp)


def _unflat(grad: torch.Tensor, shape: torch.Size) -> torch.Tensor:
    out, inp, k = shape
    return grad.view(out, k, inp).permute(0, 2, 1)


def _im2col(h: torch.Tensor, k: int) -> torch.Tensor:
    batch, length, channels = h.shape
    lo = length - k + 1
    if lo == 1:
        return h.reshape(batch, 1, k * channels)
    cols = torch.empty((batch, lo, k * channels), dtype=h.dtype, device=h.device)
    for j in range(k):
        cols[:, :, j * channels : (j + 1) * channels] = h[:, j : j + lo]
    return cols


class _ConvStack(torch.autograd.Function):
    @staticmethod
    @_native_kernels
    def forward(ctx, x, n_blocks, *params):  # type: ignore[override]
        w0, b0 = params[0], params[1]
        blocks = [(params[2 + 2 * i], params[3 + 2 * i]) for i in range(n_blocks)]
        wl, bl = params[-2], params[-1]
        batch, length, n_in = x.shape
        hidden, _, k0 = w0.shape
        lo = length - k0 + 1
        taps = (x.reshape(-1, n_in) @ w0.permute(2, 0, 1).reshape(k0 * hidden, n_in).T).view(
            batch, length, k0 * hidden
        )
        z0 = taps[:, 0:lo, 0:hidden] + b0
        for j in range(1, k0):
            z0 += taps[:, j : j + lo, j * hidden : (j + 1) * hidden]
        h = _gelu(z0, out=torch.empty_like(z0))
        saved = [x, z0]
        for w, b in blocks:
            cols = _im2col(h, w.shape[2])
            z = torch.addmm(b, cols.view(-1, cols.shape[2]), _flat(w).T).view(
                batch, cols.shape[1], -1
            )
            h = h[:, 1:-1] + _gelu(z, out=torch.empty_like(z))
            saved += [cols, z]
        cols = _im2col(h, wl.shape[2])
        out = torch.addmm(bl, cols.view(batch, -1), _flat(wl).T)
        saved.append(cols)
        ctx.save_for_backward(*saved, *params)
        ctx.n_blocks = n_blocks
        return out

    @staticmethod
    @_native_kernels
    def backward(ctx, grad_out):  # type: ignore[override]
        n_blocks = ctx.n_blocks
        tensors = ctx.saved_tensors
        x, z0 = tensors[0], tensors[1]
        block_saved = [(tensors[2 + 2 * i], tensors[3 + 2 * i]) for i in range(n_blocks)]
        cols_last = tensors[2 + 2 * n_blocks]
        params = tensors[3 + 2 * n_blocks :]
        w0 = params[0]
        blocks = [params[2 + 2 * i] for i in range(n_blocks)]
        wl = params[-2]
        grads: list[torch.Tensor | None] = [None] * len(params)
        batch = grad_out.shape[0]

        grad_out = grad_out.contiguous()
        grads[-2] = _unflat(grad_out.T @ cols_last.view(batch, -1), wl.shape)
        grads[-1] = grad_out.sum(0)
        hidden = wl.shape[1]
        dh = (grad_out @ _flat(wl)).view(batch, wl.shape[2], hidden)

        for i in reversed(range(n_blocks)):
            cols, z = block_saved[i]
            w = blocks[i]
            k = w.shape[2]
            lo = z.shape[1]
            dz = _gelu_backward(dh.contiguous(), z, grad_input=torch.empty_like(z))
            dz2 = dz.reshape(-1, dz.shape[2])
            grads[2 + 2 * i] = _unflat(dz2.T @ cols.view(-1, cols.shape[2]), w.shape)
            grads[3 + 2 * i] = dz2.sum(0)
            dcols = (dz2 @ _flat(w)).view(batch, lo, k * hidden)
            # residual path (dh cropped by one step each side) plus the transposed convolution
            dh_prev = F.pad(dh, (0, 0, 1, 1))
            for j in range(k):
                dh_prev[:, j : j + lo] += dcols[:, :, j * hidden : (j + 1) * hidden]
            dh = dh_prev

        hidden, n_in, k0 = w0.shape
        length = x.shape[1]
        lo = length - k0 + 1
        dz0 = _gelu_backward(dh.contiguous(), z0, grad_input=torch.empty_like(z0))
        dtaps = torch.zeros((batch, length, k0 * hidden), dtype=dz0.dtype, device=dz0.device)
        for j in range(k0):
            dtaps[:, j : j + lo, j * hidden : (j + 1) * hidden] = dz0
        dtaps2 = dtaps.view(-1, k0 * hidden)
        w0_taps = w0.permute(2, 0, 1).reshape(k0 * hidden, n_in)
        grads[0] = (dtaps2.T @ x.reshape(-1, n_in)).view(k0, hidden, n_in).permute(1, 2, 0)
        grads[1] = dz0.sum((0, 1))
        grad_x = None
        if ctx.needs_input_grad[0]:
            grad_x = (dtaps2 @ w0_taps).view(x.shape)
        return (grad_x, None, *grads)


def conv_stack(x: torch.Tensor, n_blocks: int, params: list[torch.Tensor]) -> torch.Tensor:
    """Run ``first → n_blocks residual blocks → last`` on windows ``x`` (batch, window, channels).

    ``params`` is ``[w_first, b_first, w_1, b_1, ..., w_last, b_last]`` in ``nn.Conv1d`` layout.
    Returns ``(batch, out_channels)``; the window must equal the receptive field.
    """
    return _ConvStack.apply(x.contiguous(), n_blocks, *params)
