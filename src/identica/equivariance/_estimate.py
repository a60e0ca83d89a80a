# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The linear action that best maps support embeddings onto their acted embeddings."""

from __future__ import annotations

import torch

from identica._checks import check_choice, check_int

__all__ = ["PROJECTIONS", "estimate_action"]

PROJECTIONS: tuple[str, ...] = ("orthogonal", "none", "procrustes", "identity")


def _nearest_orthogonal(q: torch.Tensor) -> torch.Tensor:
    u, _, vh = torch.linalg.svd(q)
    return u @ vh


def _solve(source: torch.Tensor, target: torch.Tensor, projection: str) -> torch.Tensor:
    if projection == "procrustes":
        return _nearest_orthogonal(target.transpose(1, 2) @ source)
    # source @ Q^T ≈ target, every group at once
    q = torch.linalg.lstsq(source, target).solution.transpose(1, 2)
    return _nearest_orthogonal(q) if projection == "orthogonal" else q


def estimate_action(
    source: torch.Tensor,
    target: torch.Tensor,
    *,
    projection: str = "orthogonal",
    group_dimension: int | None = None,
    with_grad: bool = False,
) -> torch.Tensor:
    """Estimate, for each of ``B`` support sets, the matrix ``Q`` with ``target_r ≈ Q source_r``.

    ``Q = argmin_Q Σ_r ‖target_r - Q source_r‖²`` by batched least squares
    (``torch.linalg.lstsq``, all groups in one call), then, by ``projection``:

    - ``"orthogonal"``: the nearest orthogonal matrix ``U Vᵀ`` of ``Q = U Σ Vᵀ`` (default);
    - ``"none"``: ``Q`` as it is (for general linear actions);
    - ``"procrustes"``: the orthogonal ``Q`` that minimises the sum directly (orthogonal
      Procrustes: ``U Vᵀ`` of ``Σ_r target_r source_rᵀ``);
    - ``"identity"``: ``Q = I`` for every group (invariance: the baseline).

    With ``group_dimension = k``, ``Q`` is solved on the first ``k`` dimensions only and is the
    identity on the others (the content dimensions, which no action moves).

    Parameters
    ----------
    source, target : Tensor of shape (B, S, d)
        Embeddings ``h(y_r)`` and ``h(y'_r)`` of the ``S`` support pairs of ``B`` groups.
        Least squares needs ``S >= d`` (or ``S >= k``) for a unique solution.
    projection : {"orthogonal", "none", "procrustes", "identity"}, default="orthogonal"
        See above (:data:`PROJECTIONS`).
    group_dimension : int, optional
        ``k`` in ``[1, d]``; default: ``Q`` acts on all ``d`` dimensions.
    with_grad : bool, default=False
        Keep the graph through the solve, so that gradients flow through ``Q`` too; by
        default ``Q`` is a constant of the loss.

    Returns
    -------
    Tensor of shape (B, d, d)

    Raises
    ------
    ConfigurationError
        For an unknown ``projection`` or ``group_dimension`` out of range.

    Examples
    --------
    >>> import torch
    >>> from identica.equivariance import estimate_action
    >>> g = torch.Generator().manual_seed(0)
    >>> q_true = torch.linalg.qr(torch.randn(2, 3, 3, generator=g)).Q
    >>> e = torch.randn(2, 8, 3, generator=g)
    >>> q = estimate_action(e, e @ q_true.transpose(1, 2))
    >>> torch.allclose(q, q_true, atol=1e-5)
    True
    """
    projection = check_choice(projection, PROJECTIONS, name="projection",
                              owner="estimate_action")
    d = source.shape[-1]
    k = check_int(group_dimension, name="group_dimension", owner="estimate_action", low=1,
                  high=d, allow_none=True)
    k = d if k is None else k
    eye = torch.eye(d, dtype=source.dtype, device=source.device).expand(len(source), d, d)
    if projection == "identity":
        return eye.clone()
    with torch.set_grad_enabled(with_grad and torch.is_grad_enabled()):
        src, tgt = (source, target) if with_grad else (source.detach(), target.detach())
        # float64 solve: LAPACK's rounding may differ from call to call (its kernels depend
        # on buffer layout); in double precision those differences vanish when Q is rounded
        # back, which keeps seeded CPU fits bit-identical
        q = _solve(src[..., :k].double(), tgt[..., :k].double(), projection).to(source.dtype)
        if k == d:
            return q
        out = eye.clone()
        out[:, :k, :k] = q
        return out
