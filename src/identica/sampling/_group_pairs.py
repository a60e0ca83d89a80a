# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Batches of stored observation pairs grouped by a shared (unlabeled) action."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from identica._checks import check_choice, check_int
from identica.data._dataset import ValidRuns
from identica.exceptions import DataValidationError
from identica.sampling._base import AbstractSampler, BatchIndex, PairContext

__all__ = ["NEGATIVES", "GroupPairSampler"]

NEGATIVES = ("observed", "acted", "both")

_OWNER = "GroupPairSampler"
# actions with at most this many pairs per drawn pair are drawn without replacement
_DISTINCT_UP_TO = 64


class GroupPairSampler(AbstractSampler):
    """Draws groups of pairs that share an action, and negatives independent of them.

    The ``n_pairs`` stored pairs ``(y_i, y'_i)`` lie on one global timeline: index ``i`` is
    ``y_i`` and ``n_pairs + i`` is ``y'_i``. :meth:`sample` with ``n`` draws ``n`` anchor
    actions uniformly over the distinct action ids, then ``samples_per_action + 1`` distinct
    pairs of each anchor action (uniformly; without replacement while the largest action
    has at most 64 pairs per drawn pair, else independently, repeats then being rare);
    ``reference`` holds their ``y`` and ``positive`` their ``y'``, group after group
    (``n * (samples_per_action + 1)`` rows). ``num_negatives`` negatives are ``y`` of pairs
    drawn uniformly over all pairs, independently of the anchors. ``context.group`` gives
    each row's group (``0 .. n-1``): within a group, row 0 is the target and the others are
    the support set.

    Parameters
    ----------
    action : array-like of shape (n_pairs,), int
        The action id of every pair; every id needs at least ``samples_per_action + 1`` pairs.
    samples_per_action : int, default=8
        Support pairs per group (``S``), at least 1.
    num_negatives : int, default=512
        Negatives per batch, at least 1.
    negatives : {"observed", "acted", "both"}, default="observed"
        Whether the negatives are ``y`` of the drawn pairs, their ``y'``, or ``y`` for the
        first half and ``y'`` for the second.

    Raises
    ------
    DataValidationError
        If ``action`` is not 1-D integers, or an action has too few pairs.
    ConfigurationError
        If ``samples_per_action`` or ``num_negatives`` is out of range.

    Examples
    --------
    >>> import torch
    >>> from identica.sampling import GroupPairSampler
    >>> sampler = GroupPairSampler([0, 0, 0, 1, 1, 1], samples_per_action=2, num_negatives=4)
    >>> batch = sampler.sample(2, generator=torch.Generator().manual_seed(0))
    >>> batch.reference.shape, batch.negative.shape, batch.context.group.tolist()
    (torch.Size([6]), torch.Size([4]), [0, 0, 0, 1, 1, 1])
    >>> bool((batch.positive == batch.reference + 6).all())
    True
    """

    def __init__(self, action: Any, *, samples_per_action: int = 8,
                 num_negatives: int = 512, negatives: str = "observed") -> None:
        self.negatives = check_choice(negatives, NEGATIVES, name="negatives", owner=_OWNER)
        self.samples_per_action = check_int(samples_per_action, name="samples_per_action",
                                            owner=_OWNER, low=1)
        num_negatives = check_int(num_negatives, name="num_negatives", owner=_OWNER, low=1)
        action = np.asarray(action)
        if action.ndim != 1 or len(action) == 0 or not np.issubdtype(action.dtype, np.integer):
            raise DataValidationError(
                f"'action' of {_OWNER} must be a non-empty 1-D array of integer action ids. "
                f"Got dtype {action.dtype}, shape {action.shape}."
            )
        ids, counts = np.unique(action, return_counts=True)
        need = self.samples_per_action + 1
        if counts.min() < need:
            worst = int(ids[np.argmin(counts)])
            raise DataValidationError(
                f"every action of {_OWNER} needs at least samples_per_action + 1 = {need} "
                f"pairs (one target and {self.samples_per_action} support pairs). Action "
                f"{worst} has {int(counts.min())}. Lower samples_per_action or pass more pairs."
            )
        n_pairs = len(action)
        super().__init__(ValidRuns(np.array([0]), np.array([n_pairs]), np.array([0])),
                         num_negatives=num_negatives)
        self.n_pairs = n_pairs
        self.action_ids = torch.from_numpy(ids.astype(np.int64))
        order = np.argsort(action, kind="stable")
        self._order = torch.from_numpy(order.astype(np.int64))
        self._counts = torch.from_numpy(counts.astype(np.int64))
        self._starts = torch.from_numpy((np.cumsum(counts) - counts).astype(np.int64))
        self._width = int(counts.max())

    def positive_for(self, reference: torch.Tensor, *, generator: torch.Generator) -> torch.Tensor:
        """The acted observation ``y'_i`` of each pair ``i``."""
        return reference + self.n_pairs

    def sample(self, n: int, *, generator: torch.Generator) -> BatchIndex:
        """Draw ``n`` groups of ``samples_per_action + 1`` pairs and the negatives.

        Parameters
        ----------
        n : int
            Number of anchor actions (groups).
        generator : torch.Generator
            Source of every random draw.

        Returns
        -------
        BatchIndex
            ``context.group`` is the group of every reference row.
        """
        need = self.samples_per_action + 1
        anchor = torch.randint(len(self._counts), (n,), generator=generator)
        counts = self._counts[anchor]
        if self._width <= _DISTINCT_UP_TO * need:
            # distinct pairs within each action: the smallest random keys among its pairs
            keys = torch.rand((n, self._width), generator=generator)
            keys = keys.masked_fill(torch.arange(self._width) >= counts[:, None], 2.0)
            slot = torch.topk(keys, need, dim=1, largest=False).indices
        else:
            # large actions: independent uniform draws (a repeat has chance below
            # need² / (2 * count) per group), at O(need) cost instead of O(count)
            u = torch.rand((n, need), generator=generator, dtype=torch.float64)
            slot = (u * counts[:, None]).long()
        reference = self._order[self._starts[anchor][:, None] + slot].reshape(-1)
        negative = self.draw_prior(self.num_negatives, generator=generator)
        if self.negatives == "acted":
            negative = negative + self.n_pairs
        elif self.negatives == "both":  # the second half from the acted observations
            negative[self.num_negatives // 2 :] += self.n_pairs
        group = torch.arange(n).repeat_interleave(need)
        return BatchIndex(reference, self.positive_for(reference, generator=generator),
                          negative, context=PairContext(group=group))
