# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Data-parallel training with torch.distributed: ranks, backends, rank streams, gathered negatives.

Every process (rank) of a ``torchrun`` job trains a copy of the encoders wrapped in
``DistributedDataParallel``: it draws its own batch from its own random stream, embeds it, and
uses the embeddings of *every* rank as negatives through a differentiable all-gather. The mean of
the ranks' losses is then exactly the loss of one process on the concatenated batch, and DDP's
gradient average is its gradient.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
from collections.abc import Sequence

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from identica._runtime import torch_generator
from identica.exceptions import ConfigurationError
from identica.training._negatives import AbstractNegatives

__all__ = ["GatheredNegatives", "Ranks", "backend_for", "join_process_group", "rank_generator"]


@dataclasses.dataclass(frozen=True)
class Ranks:
    """Where this process stands in a data-parallel job.

    Attributes
    ----------
    rank : int
        This process's rank, ``0 .. world_size - 1``.
    world_size : int
        Number of processes; 1 is an ordinary single-process fit.
    local_rank : int
        Rank on this machine (picks the GPU).

    Examples
    --------
    >>> from identica.training import Ranks
    >>> Ranks(0, 1, 0).distributed, Ranks(1, 2, 1).is_main
    (False, False)
    """

    rank: int
    world_size: int
    local_rank: int

    @property
    def distributed(self) -> bool:
        """Whether more than one process trains."""
        return self.world_size > 1

    @property
    def is_main(self) -> bool:
        """Rank 0: the one that writes files."""
        return self.rank == 0


def backend_for(device: torch.device | str) -> str:
    """The torch.distributed backend for a training device: ``"nccl"`` on CUDA, else ``"gloo"``.

    Examples
    --------
    >>> from identica.training import backend_for
    >>> backend_for("cpu"), backend_for("cuda:1")
    ('gloo', 'nccl')
    """
    return "nccl" if torch.device(device).type == "cuda" else "gloo"


def _env_int(name: str) -> int | None:
    value = os.environ.get(name)
    return None if value is None else int(value)


def join_process_group(device: torch.device, *, owner: str = "Embedding") -> tuple[Ranks,
                                                                                   torch.device]:
    """Join the job this process was started in, and the device its rank trains on.

    An initialised process group is used as it is; otherwise the environment ``torchrun`` sets
    (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR``, ``MASTER_PORT``) starts one with
    :func:`backend_for` the device. Without either, this is a job of one process. On CUDA, rank
    ``r`` of a machine trains on ``cuda:LOCAL_RANK``.

    Raises
    ------
    ConfigurationError
        When torch was built without torch.distributed, or the backend is unavailable.

    Examples
    --------
    >>> import torch
    >>> from identica.training import join_process_group
    >>> join_process_group(torch.device("cpu"))
    (Ranks(rank=0, world_size=1, local_rank=0), device(type='cpu'))
    """
    if not dist.is_available():
        if (_env_int("WORLD_SIZE") or 1) > 1:
            raise ConfigurationError(
                f"'distributed' of {owner} needs torch.distributed, which this torch build "
                "lacks. Install a torch with distributed support, or train in one process."
            )
        return Ranks(0, 1, 0), device
    if dist.is_initialized():
        ranks = Ranks(dist.get_rank(), dist.get_world_size(),
                      _env_int("LOCAL_RANK") or dist.get_rank())
    else:
        world = _env_int("WORLD_SIZE") or 1
        if world == 1:
            return Ranks(0, 1, 0), device
        backend = backend_for(device)
        available = dist.is_nccl_available() if backend == "nccl" else dist.is_gloo_available()
        if not available:
            raise ConfigurationError(
                f"'distributed' of {owner} trains on {device} with the {backend!r} backend, "
                "which this torch build lacks."
            )
        rank, local = _env_int("RANK") or 0, _env_int("LOCAL_RANK") or 0
        if device.type == "cuda":
            torch.cuda.set_device(local)
        store = _attempt_store(rank, world)
        if store is None:
            dist.init_process_group(backend, rank=rank, world_size=world)
        else:
            dist.init_process_group(backend, store=store, rank=rank, world_size=world)
        ranks = Ranks(rank, world, local)
    if device.type == "cuda":
        device = torch.device("cuda", ranks.local_rank % max(torch.cuda.device_count(), 1))
    return ranks, device


def _attempt_store(rank: int, world: int) -> dist.Store | None:
    """The job's store with keys of this torchrun attempt only (``None`` outside torchrun).

    A job that torchrun restarts after a failure keeps its store; without a prefix per
    attempt, a new process could read the address a killed one published, and the process
    group would never connect.
    """
    attempt = os.environ.get("TORCHELASTIC_RESTART_COUNT")
    host, port = os.environ.get("MASTER_ADDR"), os.environ.get("MASTER_PORT")
    if attempt is None or not host or not port:
        return None
    agent = os.environ.get("TORCHELASTIC_USE_AGENT_STORE") == "True"
    base = dist.TCPStore(host, int(port), world, is_master=rank == 0 and not agent,
                         timeout=datetime.timedelta(minutes=10))
    return dist.PrefixStore(f"identica/attempt_{attempt}", base)


def rank_generator(generator: torch.Generator, ranks: Ranks) -> torch.Generator:
    """The sampling stream of this rank, derived from the run's stream ``generator``.

    Rank 0 keeps ``generator`` itself (so a job of one process samples exactly as an ordinary
    fit); rank ``r > 0`` gets a generator seeded from ``(a draw of a copy of it, r)``:
    independent streams that depend only on the run's stream and the rank.

    Examples
    --------
    >>> import torch
    >>> from identica.training import Ranks, rank_generator
    >>> g = torch.Generator().manual_seed(0)
    >>> rank_generator(g, Ranks(0, 2, 0)) is g
    True
    >>> a = rank_generator(g, Ranks(1, 2, 1)).initial_seed()
    >>> a == rank_generator(g, Ranks(1, 2, 1)).initial_seed() != g.initial_seed()
    True
    """
    if ranks.rank == 0:
        return generator
    copy = torch.Generator()
    copy.set_state(generator.get_state())
    draw = int(torch.randint(2**62, (1,), generator=copy))
    return torch_generator(np.random.SeedSequence([draw, ranks.rank]))


def wrap_encoders(encoders: Sequence[nn.Module], device: torch.device) -> list[nn.Module]:
    """Each distinct encoder in ``DistributedDataParallel`` (repeats map to the same wrapper).

    DDP broadcasts rank 0's weights when it wraps, so every rank starts from the same model,
    and averages the gradients over ranks in the backward pass.
    """
    wrapped: dict[int, nn.Module] = {}
    ids = [device.index] if device.type == "cuda" else None
    for encoder in encoders:
        if id(encoder) not in wrapped:
            wrapped[id(encoder)] = nn.parallel.DistributedDataParallel(
                encoder, device_ids=ids)
    return [wrapped[id(encoder)] for encoder in encoders]


def average(tensor: torch.Tensor) -> torch.Tensor:
    """The mean of ``tensor`` over the ranks (a copy; every rank gets it)."""
    total = tensor.detach().clone()
    dist.all_reduce(total)
    return total / dist.get_world_size()


class GatheredNegatives(AbstractNegatives):
    """Negatives gathered from every process of a data-parallel job, gradients included.

    Wraps another strategy (by default :class:`ReferenceNegatives`): each rank selects its
    negatives with it, and they are all-gathered by a differentiable all-gather: the gradient
    of every rank's loss flows back to the rank that embedded the window. This rank's own
    negatives come first, so a reference's own row stays on the diagonal when the inner
    strategy leaves it out. With ``K`` ranks of ``n`` references, each
    reference sees ``K * n - 1`` negatives; the mean of the ranks' losses equals the loss of
    one process on the concatenated batch. Outside a job of several processes it is the inner
    strategy.

    Parameters
    ----------
    inner : AbstractNegatives, optional
        Each rank's own negatives; default :class:`ReferenceNegatives`.

    Examples
    --------
    >>> import torch
    >>> from identica.training import DrawnNegatives, GatheredNegatives
    >>> GatheredNegatives(DrawnNegatives(64)).num_drawn(512)
    64
    >>> z = torch.randn(4, 2)
    >>> negatives, exclude_self = GatheredNegatives().select(z, z[:0])  # one process
    >>> negatives.shape, exclude_self
    (torch.Size([4, 2]), True)
    """

    def __init__(self, inner: AbstractNegatives | None = None) -> None:
        from identica.training._negatives import ReferenceNegatives

        self.inner = ReferenceNegatives() if inner is None else inner

    def num_drawn(self, batch_size: int) -> int:
        return self.inner.num_drawn(batch_size)

    def select(self, reference: torch.Tensor, drawn: torch.Tensor) -> tuple[torch.Tensor, bool]:
        negative, exclude_self = self.inner.select(reference, drawn)
        if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
            return negative, exclude_self
        parts = _AllGather.apply(negative)
        rank = dist.get_rank()
        return torch.cat([parts[rank], *parts[:rank], *parts[rank + 1:]]), exclude_self


class _AllGather(torch.autograd.Function):
    """All-gather with a gradient: each rank's slice gets the sum of every rank's gradient.

    Forward: ``(n, d)`` on each rank -> ``(world_size, n, d)``, the same on every rank.
    Backward: the gradients of all ranks are summed (one all-reduce) and each rank keeps the
    slice of the tensor it contributed.
    """

    @staticmethod
    def forward(ctx: torch.autograd.function.FunctionCtx,  # type: ignore[override]
                tensor: torch.Tensor) -> torch.Tensor:
        tensor = tensor.contiguous()
        out = [torch.empty_like(tensor) for _ in range(dist.get_world_size())]
        dist.all_gather(out, tensor)
        return torch.stack(out)

    @staticmethod
    def backward(ctx: torch.autograd.function.FunctionCtx,  # type: ignore[override]
                 grad: torch.Tensor) -> torch.Tensor:
        total = grad.contiguous().clone()
        dist.all_reduce(total)
        return total[dist.get_rank()]
