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
        # gradients of a and n accumulate transposed, (d, rows) and (d, m): the products with
        # a wide left factor run several times faster than ``prob @ n`` with its narrow output
        grad_a = a.new_empty((a.shape[1], rows))
        grad_n = n.new_zeros((n.shape[1], n.shape[0]))
        grad_bias = torch.zeros_like(bias) if bias is not None else None
        grad_extra = torch.empty_like(extra) if extra is not None else None
        n_t = n.T.contiguous()
        for start in range(0, rows, block):
            stop = min(rows, start + block)
            logits = a[start:stop] @ n_t
            if bias is not None:
                logits += bias
            if exclude_self:
                diagonal = logits.diagonal(offset=start)
                diagonal.fill_(float("-inf"))
            if extra is not None:
                logits = torch.cat([extra[start:stop, None], logits], dim=1)
            # logsumexp = peak - log(largest probability): one softmax pass gives both
            peak = logits.amax(dim=1)
            prob = torch.softmax(logits, dim=1)
            total += (peak - prob.amax(dim=1).log()).sum()
            if extra is not None:
                grad_extra[start:stop] = prob[:, 0]
                prob = prob[:, 1:]
            torch.mm(n_t, prob.T, out=grad_a[:, start:stop])
            grad_n.addmm_(a[start:stop].T, prob)
            if grad_bias is not None:
                grad_bias += prob.sum(0)
        grad_a, grad_n = grad_a.T, grad_n.T
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
