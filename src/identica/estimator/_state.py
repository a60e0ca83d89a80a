# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""What a fit leaves behind: one value that ``Embedding`` assigns and reads its attributes from."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import torch

from identica.data._offset import Offset
from identica.estimator._assembly import Network

__all__ = ["FittedState"]


@dataclasses.dataclass(frozen=True)
class FittedState:
    """The fitted state of an :class:`~identica.Embedding` (returned by each training run).

    Attributes
    ----------
    network : Network
        Encoders, loss and optimiser.
    spec : dict
        The build spec of the network (stored in model files as it is).
    n_features_per_session : list of int
        Input channels of every session.
    generator_state : Tensor
        State of the sampling generator after the last step (the stream continues from it).
    history : ndarray of shape (n_iter, 3)
        Loss, alignment and uniformity of every step.
    conditional : str
        The conditional trained (``"multi-objective"`` with objectives).
    objective_conditionals : list of str, optional
        The conditional of every objective.
    device : torch.device
        Where the network lives.
    adapted_conditional : str, optional
        The conditional of the last :meth:`~identica.Embedding.adapt`.
    """

    network: Network
    spec: dict[str, Any]
    n_features_per_session: list[int]
    generator_state: torch.Tensor
    history: np.ndarray
    conditional: str
    objective_conditionals: list[str] | None
    device: torch.device
    adapted_conditional: str | None = None

    @property
    def receptive_field(self) -> Offset:
        return self.network.receptive_field

    def replace(self, **changes: Any) -> FittedState:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)
