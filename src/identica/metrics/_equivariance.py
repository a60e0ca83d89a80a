# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Scores of equivariant embeddings: block R², equivariance R², homomorphism R²."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from identica._checks import check_choice, check_int
from identica.exceptions import DataValidationError
from identica.metrics._alignment import r2
from identica.metrics._identifiability import identifiability

__all__ = ["ACTION_FITS", "BlockR2", "block_r2", "equivariance_r2", "homomorphism_r2"]

# how a linear action is fitted from support pairs (numpy twin of the family's estimate)
ACTION_FITS: tuple[str, ...] = ("orthogonal", "none", "procrustes", "identity")


class BlockR2(NamedTuple):
    """Affine R² of the group block, the content block, and both (``nan`` where absent)."""

    group: float
    content: float
    full: float


def _array(value: Any, name: str, owner: str, ndim: int) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if array.ndim != ndim or not np.all(np.isfinite(array)):
        raise DataValidationError(
            f"{name!r} of {owner} must be a finite {ndim}-D array. Got shape {array.shape}"
            f"{'' if np.all(np.isfinite(array)) else ' with NaN or inf'}."
        )
    return array


def block_r2(
    z_pred: Any, group_latents: Any, content: Any = None, *, test_size: float | None = 0.5
) -> BlockR2:
    """Affine R² of the true group latents, the content, and both, from an embedding.

    Each score is :func:`identifiability` with ``indeterminacy="affine"``: by default the map
    is fitted on the first half of the rows and scored on the second (held out, the primary
    number); ``test_size=None`` fits and scores on all rows.

    Parameters
    ----------
    z_pred : array-like of shape (n_samples, n_dims)
        The embedding.
    group_latents : array-like of shape (n_samples, n)
        The true group block (``x``, or ``ρ(a) x`` for acted observations).
    content : array-like of shape (n_samples, content_dim), optional
        The true content block.
    test_size : float or None, default=0.5
        Held-out fraction (see :func:`identifiability`).

    Returns
    -------
    BlockR2
        ``content`` and ``full`` are ``nan`` without ``content``.

    Raises
    ------
    DataValidationError
        As :func:`identifiability` raises.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import block_r2
    >>> rng = np.random.default_rng(0)
    >>> x, c = rng.normal(size=(400, 3)), rng.normal(size=(400, 2))
    >>> scores = block_r2(np.c_[x, c] @ rng.normal(size=(5, 5)), x, c)
    >>> [round(s, 6) for s in scores]
    [1.0, 1.0, 1.0]
    """
    group = identifiability(group_latents, z_pred, test_size=test_size)
    if content is None:
        return BlockR2(group, float("nan"), float("nan"))
    content = np.asarray(content, dtype=np.float64)
    both = np.concatenate([np.asarray(group_latents, dtype=np.float64), content], axis=1)
    return BlockR2(group, identifiability(content, z_pred, test_size=test_size),
                   identifiability(both, z_pred, test_size=test_size))


def _fit_actions(source: np.ndarray, target: np.ndarray, fit: str,
                 group_dimension: int | None) -> np.ndarray:
    """``(B, d, d)`` matrices ``Q`` with ``target[b, r] ≈ Q[b] source[b, r]``."""
    b, _, d = source.shape
    k = d if group_dimension is None else group_dimension
    out = np.broadcast_to(np.eye(d), (b, d, d)).copy()
    if fit == "identity":
        return out
    s, t = source[..., :k], target[..., :k]
    if fit == "procrustes":
        u, _, vh = np.linalg.svd(np.swapaxes(t, 1, 2) @ s)
        q = u @ vh
    else:
        q = np.swapaxes(np.linalg.pinv(s) @ t, 1, 2)
        if fit == "orthogonal":
            u, _, vh = np.linalg.svd(q)
            q = u @ vh
    out[:, :k, :k] = q
    return out


def _check_fit(fit: str, group_dimension: Any, d: int, owner: str) -> int | None:
    check_choice(fit, ACTION_FITS, name="projection", owner=owner)
    return check_int(group_dimension, name="group_dimension", owner=owner, low=1, high=d,
                     allow_none=True)


def equivariance_r2(
    embedding: Any,
    embedding_acted: Any,
    action: Any,
    *,
    samples_per_action: int = 8,
    projection: str = "orthogonal",
    group_dimension: int | None = None,
    target: str = "acted",
) -> float:
    """R² of acted embeddings predicted by a linear action fitted on other pairs of that action.

    For every action id, its first ``samples_per_action`` pairs are the support set: ``Q`` is
    fitted from ``embedding`` to ``embedding_acted`` on them (least squares, then
    ``projection``, as in training). Every other pair of the action is held out and scored:
    R² (pooled over all held-out pairs) of ``embedding_acted`` predicted by
    ``Q @ embedding`` (``target="acted"``, the score of the EbC reference: uniform average
    over dimensions), or of the change ``embedding_acted - embedding`` predicted by
    ``(Q - I) @ embedding`` (``target="change"``, variance-weighted over dimensions, since
    dimensions that no action moves do not change at all: an embedding that ignores the
    action scores about 0 or below here, while it scores 1 on ``"acted"``).

    Parameters
    ----------
    embedding, embedding_acted : array-like of shape (n_pairs, d)
        Embeddings ``h(y)`` and ``h(y')`` of the pairs.
    action : array-like of shape (n_pairs,), int
        Action id of every pair; ids with no more than ``samples_per_action`` pairs are
        skipped.
    samples_per_action : int, default=8
        Support pairs per action.
    projection : {"orthogonal", "none", "procrustes", "identity"}, default="orthogonal"
        How ``Q`` is fitted (:data:`ACTION_FITS`).
    group_dimension : int, optional
        ``Q`` acts on the first dimensions only, the identity on the rest.
    target : {"acted", "change"}, default="acted"
        What is predicted.

    Returns
    -------
    float

    Raises
    ------
    DataValidationError
        If the arrays do not match, or no action has a held-out pair.
    ConfigurationError
        If an option is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import equivariance_r2
    >>> from identica.synthetic import random_group_elements
    >>> rng = np.random.default_rng(0)
    >>> q = random_group_elements("O", 3, 5, random_state=0)
    >>> action = np.arange(200) % 5
    >>> z = rng.normal(size=(200, 3))
    >>> round(equivariance_r2(z, np.einsum("nij,nj->ni", q[action], z), action), 6)
    1.0
    """
    owner = "equivariance_r2"
    e = _array(embedding, "embedding", owner, 2)
    e_acted = _array(embedding_acted, "embedding_acted", owner, 2)
    action = np.asarray(action)
    if e.shape != e_acted.shape or action.shape != (len(e),):
        raise DataValidationError(
            f"'embedding', 'embedding_acted' and 'action' of {owner} must describe the same "
            f"pairs. Got shapes {e.shape}, {e_acted.shape} and {action.shape}."
        )
    s = check_int(samples_per_action, name="samples_per_action", owner=owner, low=1)
    k = _check_fit(projection, group_dimension, e.shape[1], owner)
    check_choice(target, ("acted", "change"), name="target", owner=owner)
    order = np.argsort(action, kind="stable")
    ids, starts, counts = np.unique(action[order], return_index=True, return_counts=True)
    keep = counts > s
    if not keep.any():
        raise DataValidationError(
            f"{owner} needs an action with more than samples_per_action = {s} pairs (the "
            f"support set and at least one held-out pair). The largest has {counts.max()}."
        )
    support = order[starts[keep][:, None] + np.arange(s)]
    q = _fit_actions(e[support], e_acted[support], projection, k)
    slot = np.repeat(np.arange(keep.sum()), counts[keep] - s)
    held = np.concatenate([order[a + s : a + c] for a, c in zip(starts[keep], counts[keep],
                                                              strict=True)])
    predicted = np.einsum("nij,nj->ni", q[slot], e[held])
    truth = e_acted[held]
    if target == "acted":
        return r2(truth, predicted)
    # the change of an invariant dimension is exactly 0: pool the dimensions (variance-weighted)
    change, predicted = truth - e[held], predicted - e[held]
    total = ((change - change.mean(axis=0)) ** 2).sum()
    residual = ((change - predicted) ** 2).sum()
    return float(1.0 - residual / total) if total > 0 else float(residual == 0)


def homomorphism_r2(
    embedding: Any,
    embedding_k: Any,
    embedding_lk: Any,
    embedding_g: Any,
    *,
    projection: str = "orthogonal",
    group_dimension: int | None = None,
) -> float:
    """R² of ``Ĝ h(x)`` predicted by ``L̂ K̂ h(x)``: is composition kept in embedding space?

    For every draw of two elements ``K`` and ``L`` with ``G = L K``, the caller embeds
    ``S + 1`` samples ``x_s`` and their images ``K x_s``, ``L K x_s`` and ``G x_s``. Here
    ``K̂`` is fitted on ``h(x_s) → h(K x_s)``, ``L̂`` on ``h(K x_s) → h(L K x_s)`` and ``Ĝ`` on
    ``h(x_s) → h(G x_s)``, for ``s = 1 .. S``; the score is the R² (uniform over dimensions,
    pooled over draws) of ``Ĝ h(x_0)`` predicted by ``L̂ K̂ h(x_0)`` on the held-out sample 0.

    Parameters
    ----------
    embedding, embedding_k, embedding_lk, embedding_g : array-like of shape (n_draws, S + 1, d)
        ``h(x_s)``, ``h(K x_s)``, ``h(L K x_s)`` and ``h(G x_s)`` for every draw.
    projection : {"orthogonal", "none", "procrustes", "identity"}, default="orthogonal"
        How the actions are fitted (:data:`ACTION_FITS`).
    group_dimension : int, optional
        The actions act on the first dimensions only.

    Returns
    -------
    float

    Raises
    ------
    DataValidationError
        If the four arrays are not of one shape ``(n_draws, S + 1, d)`` with ``n_draws >= 2``
        and ``S >= 1``.
    ConfigurationError
        If an option is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import homomorphism_r2
    >>> from identica.synthetic import random_group_elements
    >>> rng = np.random.default_rng(0)
    >>> k, l = (random_group_elements("GL", 3, 50, random_state=s) for s in (1, 2))
    >>> x = rng.normal(size=(50, 9, 3))
    >>> kx = np.einsum("bij,bsj->bsi", k, x)
    >>> lkx = np.einsum("bij,bsj->bsi", l, kx)
    >>> round(homomorphism_r2(x, kx, lkx, lkx, projection="none"), 6)
    1.0
    """
    owner = "homomorphism_r2"
    names = ("embedding", "embedding_k", "embedding_lk", "embedding_g")
    arrays = [_array(a, n, owner, 3) for a, n in zip((embedding, embedding_k, embedding_lk,
                                                      embedding_g), names, strict=True)]
    shape = arrays[0].shape
    if any(a.shape != shape for a in arrays) or shape[0] < 2 or shape[1] < 2:
        raise DataValidationError(
            f"{', '.join(repr(n) for n in names)} of {owner} must share one shape "
            f"(n_draws >= 2, S + 1 >= 2, d). Got {[a.shape for a in arrays]}."
        )
    e, e_k, e_lk, e_g = arrays
    k = _check_fit(projection, group_dimension, shape[2], owner)
    q_k = _fit_actions(e[:, 1:], e_k[:, 1:], projection, k)
    q_l = _fit_actions(e_k[:, 1:], e_lk[:, 1:], projection, k)
    q_g = _fit_actions(e[:, 1:], e_g[:, 1:], projection, k)
    x0 = e[:, 0]
    return r2(np.einsum("bij,bj->bi", q_g, x0), np.einsum("bij,bjk,bk->bi", q_l, q_k, x0))
