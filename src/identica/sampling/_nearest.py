# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Nearest-label search, built once: O(log n) per query, ties broken uniformly at random."""

from __future__ import annotations

import numpy as np
import torch
from scipy.spatial import cKDTree

__all__ = ["NearestLabelIndex"]

_TREE_NEIGHBOURS = 8


class NearestLabelIndex:
    """Find, for query labels, a position whose label is nearest (Euclidean).

    One label column uses a sorted array and binary search; among positions whose label is
    nearest (a contiguous run in sorted order, also when two values are equally near), one is
    chosen uniformly. Several columns use a k-d tree over the distinct labels; the query takes
    the 8 nearest distinct labels and picks uniformly among the positions of those tied with
    the minimum.

    Parameters
    ----------
    labels : ndarray of shape (n, n_labels)
        Labels of the candidate positions.
    positions : ndarray of shape (n,)
        Global index of each candidate.

    Examples
    --------
    >>> import numpy as np, torch
    >>> from identica.sampling import NearestLabelIndex
    >>> index = NearestLabelIndex(np.array([[0.0], [1.0], [2.0]]), np.array([10, 11, 12]))
    >>> index.query(torch.tensor([[1.2], [5.0]]), generator=torch.Generator().manual_seed(0))
    tensor([11, 12])
    """

    def __init__(self, labels: np.ndarray, positions: np.ndarray) -> None:
        labels = np.asarray(labels, dtype=np.float32)
        if labels.ndim != 2 or len(labels) != len(positions) or len(labels) == 0:
            raise ValueError(
                f"labels must be (n, k) with n = len(positions) > 0; got {labels.shape} and "
                f"{len(positions)} positions."
            )
        self.n_labels = labels.shape[1]
        if self.n_labels == 1:
            order = np.argsort(labels[:, 0], kind="stable")
            self._values = torch.from_numpy(np.ascontiguousarray(labels[order, 0]))
            self._positions = torch.from_numpy(np.asarray(positions, dtype=np.int64)[order])
        else:
            # The tree holds each distinct label once (recordings repeat labels, e.g. during
            # pauses, and duplicates slow the tree down); positions sharing a label are one run.
            unique, group = np.unique(labels, axis=0, return_inverse=True)
            group = group.reshape(-1)
            order = np.argsort(group, kind="stable")
            counts = np.bincount(group, minlength=len(unique))
            self._tree = cKDTree(unique)
            self._k = min(_TREE_NEIGHBOURS, len(unique))
            self._positions = torch.from_numpy(np.asarray(positions, dtype=np.int64)[order])
            self._counts = torch.from_numpy(counts.astype(np.int64))
            self._starts = torch.cumsum(self._counts, 0) - self._counts

    def __len__(self) -> int:
        return len(self._positions)

    def query(self, query: torch.Tensor, *, generator: torch.Generator) -> torch.Tensor:
        """Return one global position per query row (int64 tensor of shape (n_queries,))."""
        if self.n_labels == 1:
            return self._query_sorted(query[:, 0].contiguous(), generator)
        return self._query_tree(query, generator)

    def _query_sorted(self, q: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        values = self._values
        last = len(values) - 1
        right = torch.searchsorted(values, q).clamp_(max=last)
        left = (right - 1).clamp_(min=0)
        d_left = (q - values[left]).abs()
        d_right = (values[right] - q).abs()
        # Positions holding the nearest value form one run in sorted order; when the two
        # neighbouring values are equally near, their runs are adjacent and form one run too.
        lo_left = torch.searchsorted(values, values[left], right=False)
        hi_right = torch.searchsorted(values, values[right], right=True)
        lo = torch.where(d_right < d_left, torch.searchsorted(values, values[right]), lo_left)
        hi = torch.where(
            d_left < d_right, torch.searchsorted(values, values[left], right=True), hi_right
        )
        u = torch.rand(q.shape, generator=generator, dtype=torch.float64)
        pick = torch.minimum(lo + ((hi - lo) * u).long(), hi - 1)
        return self._positions[pick]

    def _neighbours(self, points: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        dist, idx = self._tree.query(points, k=k)
        return (np.asarray(dist, dtype=np.float64).reshape(len(points), k),
                np.asarray(idx, dtype=np.int64).reshape(len(points), k))

    def _query_tree(self, query: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        points = query.numpy()
        # Two neighbours tell whether the nearest label is tied (rare for continuous labels,
        # and twice as fast to find as eight); only tied queries look further.
        width = min(2, self._k)
        dist, idx = self._neighbours(points, width)
        tied = np.flatnonzero(dist[:, 1] <= dist[:, 0]) if width > 1 else np.arange(0)
        u = torch.rand(len(query), generator=generator, dtype=torch.float64)
        if not len(tied):  # the common case: one nearest label per query
            chosen = torch.from_numpy(idx[:, 0])
            within = (u * self._counts[chosen]).long()
            return self._positions[self._starts[chosen] + within]
        if width < self._k:
            more_dist, more_idx = self._neighbours(points[tied], self._k)
            dist = np.pad(dist, ((0, 0), (0, self._k - width)), constant_values=np.inf)
            idx = np.pad(idx, ((0, 0), (0, self._k - width)))
            dist[tied], idx[tied] = more_dist, more_idx
        dist, idx = torch.from_numpy(dist), torch.from_numpy(idx)
        # Uniform over positions: each distinct label tied with the minimum counts with the
        # number of positions holding it.
        weight = (dist <= dist[:, :1]) * self._counts[idx]
        total = weight.sum(1)
        target = (u * total).long()
        cumulative = torch.cumsum(weight, 1)
        column = torch.searchsorted(cumulative, target[:, None], right=True)
        chosen = idx.gather(1, column)[:, 0]
        within = target - (cumulative.gather(1, column)[:, 0] - weight.gather(1, column)[:, 0])
        return self._positions[self._starts[chosen] + within]
