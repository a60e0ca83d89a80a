# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The embed function of a training step: windows at global indices through their encoders."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from identica.data._windows import WindowGatherer

__all__ = ["InputPiece", "SessionEncoders"]

# Windows per encoder call. Larger batches run in pieces of this size: each piece's buffers stay
# under glibc's 32 MB reuse threshold (see _memory), and the graph of every piece is kept, so
# the gradient is exact and nothing is recomputed. An encoder with ``forward_at`` gets pieces of
# neighbouring windows (sorted by start), so windows that overlap still share their work.
_WINDOWS_PER_CALL = 2048


class InputPiece(NamedTuple):
    """One encoder's share of a batch, for penalties on the input gradient.

    ``windows`` is a leaf tensor that requires grad, ``embedding`` its encoder's output, and
    ``rows`` the positions of these rows in the batch (index order; on the CPU, like the
    indices).
    """

    windows: torch.Tensor
    embedding: torch.Tensor
    rows: torch.Tensor


class SessionEncoders:
    """Embeds windows at global indices, each through the encoder of its session.

    Parameters
    ----------
    encoders : sequence of nn.Module
        One encoder per session (the same module may repeat).
    gathers : sequence of callable
        One window gatherer per session, taking indices local to the session.
    session_starts : sequence of int
        First global index of every session.

    Examples
    --------
    >>> import torch
    >>> from identica.data import Offset, WindowGatherer
    >>> from identica.nn import make_encoder
    >>> from identica.training import SessionEncoders
    >>> encoder = make_encoder("mlp", 3, 2)
    >>> embed = SessionEncoders([encoder], [WindowGatherer(torch.zeros(10, 3), Offset(0, 1))],
    ...                         [0])
    >>> embed(torch.tensor([0, 4, 9])).shape
    torch.Size([3, 2])
    """

    def __init__(
        self,
        encoders: Sequence[nn.Module],
        gathers: Sequence[Callable[[torch.Tensor], torch.Tensor]],
        session_starts: Sequence[int],
    ) -> None:
        if not len(encoders) == len(gathers) == len(session_starts):
            raise ValueError(
                f"SessionEncoders needs one gather and one session start per encoder; got "
                f"{len(encoders)} encoders, {len(gathers)} gathers and {len(session_starts)} "
                "session starts."
            )
        self.encoders = list(encoders)
        self.gathers = list(gathers)
        self._starts = torch.tensor(list(session_starts), dtype=torch.int64)

    def __call__(self, index: torch.Tensor) -> torch.Tensor:
        """Embeddings of the windows at global ``index``, in index order."""
        if len(self.encoders) == 1:
            return _encode(self.encoders[0], self.gathers[0], index)
        order, pieces = self._split(index)
        parts = [_encode(self.encoders[s], self.gathers[s], local) for s, local in pieces]
        return _unsort(torch.cat(parts), order)

    def with_inputs(self, index: torch.Tensor) -> tuple[torch.Tensor, list[InputPiece]]:
        """Embeddings (index order) and, per session, its input windows as leaves with grad.

        Each session's windows go through its encoder in one call, so the input gradient of
        every output row can be taken (a double backward for penalties).
        """
        if len(self.encoders) == 1:
            windows = self.gathers[0](index).detach().requires_grad_(True)
            embedding = self.encoders[0](windows)
            rows = torch.arange(len(index))
            return embedding, [InputPiece(windows, embedding, rows)]
        order, pieces = self._split(index)
        inputs, start = [], 0
        for s, local in pieces:
            windows = self.gathers[s](local).detach().requires_grad_(True)
            embedding = self.encoders[s](windows)
            rows = order[start : start + len(local)]
            inputs.append(InputPiece(windows, embedding, rows))
            start += len(local)
        return _unsort(torch.cat([p.embedding for p in inputs]), order), inputs

    def _split(self, index: torch.Tensor) -> tuple[torch.Tensor, list[tuple[int, torch.Tensor]]]:
        """Sort ``index`` by session; return the order and each non-empty session's local part."""
        session = torch.searchsorted(self._starts, index, right=True) - 1
        order = torch.argsort(session, stable=True)
        counts = torch.bincount(session, minlength=len(self.encoders)).tolist()
        starts = self._starts.tolist()
        return order, [
            (s, part - starts[s])
            for s, part in enumerate(index[order].split(counts)) if counts[s]
        ]


def _unsort(embedding: torch.Tensor, order: torch.Tensor) -> torch.Tensor:
    inverse = torch.empty_like(order)
    inverse[order] = torch.arange(len(order))
    return embedding[inverse.to(embedding.device)]


def _encode(encoder: nn.Module, gather: Callable, index: torch.Tensor) -> torch.Tensor:
    forward_at = getattr(encoder, "forward_at", None)
    if forward_at is not None and isinstance(gather, WindowGatherer):
        # the encoder reads the recording itself (and may share work between windows)
        starts = index - gather.receptive_field.left
        if len(index) <= _WINDOWS_PER_CALL:
            return forward_at(gather.neural, starts)
        # pieces of neighbouring windows, so the pieces' unions barely overlap
        order = torch.argsort(starts)
        parts = [forward_at(gather.neural, part)
                 for part in starts[order].split(_WINDOWS_PER_CALL)]
        return _unsort(torch.cat(parts), order)
    if len(index) <= _WINDOWS_PER_CALL or isinstance(encoder, DistributedDataParallel):
        # DDP syncs gradients once per forward: one call per step
        return encoder(gather(index))
    return torch.cat([encoder(gather(part)) for part in index.split(_WINDOWS_PER_CALL)])
