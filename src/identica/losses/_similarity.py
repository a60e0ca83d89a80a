# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Similarity measures between embeddings, pairwise (a matrix) and paired (row by row)."""

from __future__ import annotations

import abc

import torch

__all__ = [
    "AbstractSimilarity",
    "CosineSimilarity",
    "DotSimilarity",
    "EuclideanSimilarity",
    "LpSimilarity",
    "SIMILARITIES",
    "cosine",
    "dot",
    "euclidean",
    "l1",
]

_NORM_FLOOR = 1e-8


class AbstractSimilarity(abc.ABC):
    """A similarity ``sim(a, b)``; larger means more alike.

    Subclasses implement :meth:`pairwise` (every row of ``a`` against every row of ``b``) and
    :meth:`paired` (row ``i`` of ``a`` against row ``i`` of ``b``).
    """

    name: str

    @abc.abstractmethod
    def pairwise(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """``(n, m)`` similarities between rows of ``a`` (n, d) and ``b`` (m, d)."""

    @abc.abstractmethod
    def paired(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """``(n,)`` similarities between matching rows of ``a`` and ``b``."""

    def __repr__(self) -> str:
        return self.name


class CosineSimilarity(AbstractSimilarity):
    """``<a, b> / (|a| |b|)``, norms floored at 1e-8.

    Examples
    --------
    >>> import torch
    >>> from identica.losses import cosine
    >>> cosine.paired(torch.tensor([[2.0, 0.0]]), torch.tensor([[1.0, 1.0]]))
    tensor([0.7071])
    """

    name = "cosine"

    @staticmethod
    def _unit(x: torch.Tensor) -> torch.Tensor:
        return x / x.norm(dim=1, keepdim=True).clamp(min=_NORM_FLOOR)

    def pairwise(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return self._unit(a) @ self._unit(b).T

    def paired(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return (self._unit(a) * self._unit(b)).sum(dim=1)


class DotSimilarity(AbstractSimilarity):
    """``<a, b>``.

    Examples
    --------
    >>> import torch
    >>> from identica.losses import dot
    >>> dot.pairwise(torch.tensor([[1.0, 2.0]]), torch.tensor([[3.0, 4.0]]))
    tensor([[11.]])
    """

    name = "dot"

    def pairwise(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return a @ b.T

    def paired(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return (a * b).sum(dim=1)


class EuclideanSimilarity(AbstractSimilarity):
    """``-|a - b|²``, computed as ``-(|a|² + |b|² - 2<a, b>)`` with the distance clamped at 0.

    Examples
    --------
    >>> import torch
    >>> from identica.losses import euclidean
    >>> euclidean.paired(torch.tensor([[0.0, 0.0]]), torch.tensor([[3.0, 4.0]]))
    tensor([-25.])
    """

    name = "euclidean"

    def pairwise(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        sq = (a * a).sum(1, keepdim=True) + (b * b).sum(1)[None, :] - 2.0 * (a @ b.T)
        return -sq.clamp(min=0.0)

    def paired(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return -((a - b) ** 2).sum(dim=1)


class LpSimilarity(AbstractSimilarity):
    """``-sum_k |a_k - b_k|^p``: minus the p-th power of the L^p distance.

    The similarity matched to a conditional with density ∝ ``exp(-|z̃ - z|_p^p / scale^p)``
    (Zimmermann et al., ICML 2021): ``p = 1`` to a Laplace conditional (registered as
    ``"l1"``), ``p = 2`` to a normal one (equal to :data:`euclidean`, which is faster). The
    gradient at ``a = b`` is 0 (for ``p = 1`` the subgradient 0 is taken).

    Parameters
    ----------
    p : float
        Exponent, at least 1 (below 1 the gradient at ``a = b`` is infinite).

    Raises
    ------
    ValueError
        If ``p`` is not a finite number >= 1.

    Examples
    --------
    >>> import torch
    >>> from identica.losses import LpSimilarity
    >>> LpSimilarity(1).paired(torch.tensor([[0.0, 0.0]]), torch.tensor([[3.0, -4.0]]))
    tensor([-7.])
    >>> LpSimilarity(3).pairwise(torch.tensor([[0.0], [1.0]]), torch.tensor([[2.0]]))
    tensor([[-8.],
            [-1.]])
    """

    def __init__(self, p: float) -> None:
        if isinstance(p, bool) or not isinstance(p, int | float) or not 1.0 <= p < float("inf"):
            raise ValueError(f"'p' of LpSimilarity must be a finite number >= 1. Got {p!r}.")
        self.p = float(p)
        self.name = "l1" if self.p == 1.0 else f"lp({self.p:g})"

    def _power(self, diff: torch.Tensor) -> torch.Tensor:
        return diff.abs() if self.p == 1.0 else diff.abs().pow(self.p)

    def pairwise(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        if self.p == 1.0:
            return -torch.cdist(a, b, p=1.0)
        return -self._power(a[:, None, :] - b[None, :, :]).sum(dim=2)

    def paired(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        return -self._power(a - b).sum(dim=1)


cosine = CosineSimilarity()
dot = DotSimilarity()
euclidean = EuclideanSimilarity()
l1 = LpSimilarity(1)
SIMILARITIES: dict[str, AbstractSimilarity] = {s.name: s for s in (cosine, dot, euclidean, l1)}
