# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The InfoNCE denominator, computed in row blocks with its gradient, never as one matrix.

``mean_i logsumexp_j (a_i · n_j + b_j)`` needs the ``(n, m)`` logits only one block of rows at a
time: each block's softmax gives its share of the gradients with respect to ``a``, ``n`` and
``b`` right away, so the block stays in cache and memory is O(block · m) instead of O(n · m).
At 4096 × 4096 this is several times faster on a CPU than materialising the logits for
autograd. The function returns the mean; its backward scales the stored gradients.
"""

from __future__ import annotations

import torch

__all__ = ["mean_logsumexp"]

_BLOCK_ELEMENTS = 1 << 18  # logits per block (1 MiB in float32)


class _MeanLogSumExp(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, n, bias, extra, exclude_self):  # type: ignore[override]
        rows = a.shape[0]
        block = max(1, _BLOCK_ELEMENTS // max(n.shape[0], 1))
        total = a.new_zeros(())
        grad_a = torch.empty_like(a)
        grad_n = torch.zeros_like(n)
        grad_bias = torch.zeros_like(bias) if bias is not None else None
        grad_extra = torch.empty_like(extra) if extra is not None else None
        for start in range(0, rows, block):
            stop = min(rows, start + block)
            logits = a[start:stop] @ n.T
            if bias is not None:
                logits += bias
            if exclude_self:
                diagonal = logits.diagonal(offset=start)
                diagonal.fill_(float("-inf"))
            if extra is not None:
                logits = torch.cat([extra[start:stop, None], logits], dim=1)
            # one exponential pass gives both the logsumexp and the softmax
            peak = logits.amax(dim=1, keepdim=True)
            prob = torch.exp_(logits.sub_(peak))
            norm = prob.sum(dim=1, keepdim=True)
            total += (peak + norm.log()).sum()
            prob.div_(norm)
            if extra is not None:
                grad_extra[start:stop] = prob[:, 0]
                prob = prob[:, 1:]
            grad_a[start:stop] = prob @ n
            grad_n.addmm_(prob.T, a[start:stop])
            if grad_bias is not None:
                grad_bias += prob.sum(0)
        ctx.save_for_backward(grad_a, grad_n, grad_bias, grad_extra)
        ctx.rows = rows
        return total / rows

    @staticmethod
    def backward(ctx, grad_out):  # type: ignore[override]
        grad_a, grad_n, grad_bias, grad_extra = ctx.saved_tensors
        scale = grad_out / ctx.rows
        return (
            grad_a * scale,
            grad_n * scale,
            None if grad_bias is None else grad_bias * scale,
            None if grad_extra is None else grad_extra * scale,
            None,
        )


def mean_logsumexp(
    a: torch.Tensor,
    n: torch.Tensor,
    *,
    bias: torch.Tensor | None = None,
    extra: torch.Tensor | None = None,
    exclude_self: bool = False,
) -> torch.Tensor:
    """``mean_i logsumexp_j (a_i · n_j + bias_j)``, in row blocks, with exact gradients.

    Parameters
    ----------
    a : Tensor of shape (rows, d)
    n : Tensor of shape (m, d)
    bias : Tensor of shape (m,), optional
        Added to every row's logits.
    extra : Tensor of shape (rows,), optional
        One more logit per row, joined to the row's logits (InfoNCE's full denominator).
    exclude_self : bool
        Leave out logit ``(i, i)`` (when ``n`` is ``a``'s own rows).

    Returns
    -------
    Tensor
        A scalar. Double backward is not supported.

    Examples
    --------
    >>> import torch
    >>> from identica.losses import mean_logsumexp
    >>> a, n = torch.randn(5, 3), torch.randn(7, 3)
    >>> torch.allclose(mean_logsumexp(a, n), torch.logsumexp(a @ n.T, dim=1).mean())
    True
    """
    return _MeanLogSumExp.apply(a, n, bias, extra, exclude_self)
