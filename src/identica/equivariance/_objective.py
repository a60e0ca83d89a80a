# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The training step of Equivariance by Contrast: estimate each group's action, then contrast."""

from __future__ import annotations

import torch

from identica._checks import check_choice, check_float, check_int
from identica.equivariance._estimate import PROJECTIONS, estimate_action
from identica.losses._action_infonce import action_infonce
from identica.losses._infonce import DENOMINATORS, LossParts
from identica.sampling._base import BatchIndex
from identica.training._encoders import SessionEncoders
from identica.training._objective import AbstractObjective

__all__ = ["EquivariantObjective"]

_OWNER = "EquivariantObjective"


class EquivariantObjective(AbstractObjective):
    """One EbC step on a batch of groups of pairs that share an action.

    The batch comes from :class:`~identica.sampling.GroupPairSampler`: ``B`` groups of ``S + 1``
    pairs (``context.group`` gives each row's group) and shared negatives. Every window is
    embedded in one encoder call. Per group, pairs ``1..S`` are the support set: their
    embeddings give the action ``Q`` (:func:`estimate_action`), and pair 0 is the target:
    :func:`~identica.losses.action_infonce` contrasts ``Q h(y_0)`` with ``h(y'_0)`` against the
    negatives. ``projection="identity"`` (``Q = I``) is the invariant baseline.

    Parameters
    ----------
    projection : {"orthogonal", "none", "procrustes", "identity"}, default="orthogonal"
        How ``Q`` is estimated (see :func:`estimate_action`).
    group_dimension : int, optional
        ``Q`` acts on the first dimensions only, the identity on the rest.
    with_grad : bool, default=False
        Back-propagate through the solve for ``Q`` as well.
    temperature : float, default=1.0
        τ of the loss.
    denominator : {"negatives", "full"}, default="negatives"
        Whether the positive also enters the logsumexp (see
        :func:`~identica.losses.action_infonce`).

    Examples
    --------
    >>> import torch
    >>> from identica.data import Offset, WindowGatherer
    >>> from identica.equivariance import EquivariantObjective
    >>> from identica.nn import make_encoder
    >>> from identica.sampling import GroupPairSampler
    >>> from identica.training import SessionEncoders
    >>> encoder = make_encoder("mlp", 5, 3, output_constraint="none")
    >>> pairs = torch.randn(2 * 40, 5)  # 40 pairs: y then y'
    >>> embed = SessionEncoders([encoder], [WindowGatherer(pairs, Offset(0, 1))], [0])
    >>> sampler = GroupPairSampler(torch.arange(40) % 4, samples_per_action=4, num_negatives=8)
    >>> batch = sampler.sample(3, generator=torch.Generator().manual_seed(0))
    >>> parts = EquivariantObjective()(batch, embed, step=0, generator=torch.Generator())
    >>> parts.total.shape
    torch.Size([])
    """

    def __init__(self, *, projection: str = "orthogonal", group_dimension: int | None = None,
                 with_grad: bool = False, temperature: float = 1.0,
                 denominator: str = "negatives") -> None:
        self.projection = check_choice(projection, PROJECTIONS, name="projection", owner=_OWNER)
        self.group_dimension = check_int(group_dimension, name="group_dimension", owner=_OWNER,
                                         low=1, allow_none=True)
        self.with_grad = bool(with_grad)
        self.temperature = check_float(temperature, name="temperature", owner=_OWNER, low=0.0)
        self.denominator = check_choice(denominator, DENOMINATORS, name="denominator",
                                        owner=_OWNER)

    def __call__(
        self, batch: BatchIndex, embed: SessionEncoders, *, step: int,
        generator: torch.Generator,
    ) -> LossParts:
        n = len(batch.reference)
        n_groups = int(batch.context.group[-1]) + 1  # groups are laid out 0..B-1, equal sizes
        embedding = embed(batch.windows)
        d = embedding.shape[1]
        reference = embedding[:n].reshape(n_groups, -1, d)
        positive = embedding[n : 2 * n].reshape(n_groups, -1, d)
        action = estimate_action(reference[:, 1:], positive[:, 1:], projection=self.projection,
                                 group_dimension=self.group_dimension,
                                 with_grad=self.with_grad)
        return action_infonce(reference[:, 0], positive[:, 0], embedding[2 * n :], action,
                              temperature=self.temperature, denominator=self.denominator)
