# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""InfoNCE with a linear action applied to each reference (Equivariance by Contrast)."""

from __future__ import annotations

import torch

from identica.losses._infonce import LossParts, infonce
from identica.losses._similarity import euclidean

__all__ = ["action_infonce"]


def action_infonce(
    reference: torch.Tensor,
    positive: torch.Tensor,
    negative: torch.Tensor,
    action: torch.Tensor,
    *,
    temperature: float | torch.Tensor = 1.0,
    denominator: str = "negatives",
) -> LossParts:
    """InfoNCE whose reference is the acted embedding ``Q_i r_i``.

    The loss of Equivariance by Contrast (Schmidt, Schneider & Bethge, NeurIPS 2025): with the
    squared euclidean similarity, ``τ`` and the negatives-only denominator, row ``i`` costs
    ``‖Q_i r_i - p_i‖² / τ + logsumexp_j(-‖Q_i r_i - n_j‖² / τ)``; the loss is the mean over
    rows. ``Q_i = I`` for every row is plain euclidean InfoNCE (the invariant baseline). The
    parts are those of :func:`~identica.losses.infonce` on ``Q_i r_i``: ``alignment`` the mean
    squared distance to the positives (over ``τ``), ``uniformity`` the mean logsumexp.

    Parameters
    ----------
    reference, positive : Tensor of shape (n, d)
        ``r_i = h(y_i)`` and ``p_i = h(y'_i)``.
    negative : Tensor of shape (m, d)
        Negatives shared by all rows.
    action : Tensor of shape (n, d, d)
        The linear action ``Q_i`` of every row (gradients flow through it if it has any).
    temperature : float or Tensor, default=1.0
        τ > 0.
    denominator : {"negatives", "full"}, default="negatives"
        ``"full"`` also puts the positive into the logsumexp. The negatives-only loss of the
        reference is unbounded below for an unnormalised embedding (scaling up an embedding
        whose positives are closer than its negatives lowers it without end); ``"full"`` is
        bounded below by 0.

    Returns
    -------
    LossParts

    Examples
    --------
    >>> import torch
    >>> from identica.losses import action_infonce
    >>> g = torch.Generator().manual_seed(0)
    >>> r, n = torch.randn(4, 2, generator=g), torch.randn(16, 2, generator=g)
    >>> flip = torch.tensor([[0.0, 1.0], [1.0, 0.0]]).expand(4, 2, 2)
    >>> parts = action_infonce(r, r.flip(1), n, flip)
    >>> abs(float(parts.alignment))  # Q r equals the positive: no distance left
    0.0
    """
    acted = torch.einsum("nij,nj->ni", action, reference)
    return infonce(acted, positive, negative, similarity=euclidean, temperature=temperature,
                   denominator=denominator)
