# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The training loop and its callbacks.

:class:`Solver` owns the loop: sample indices, gather windows, one encoder call over the whole
batch, loss, optimiser step. It keeps the loss history on the device; only callbacks
(:class:`ProgressBar`, :class:`Checkpoint`, :class:`EarlyStopping`) read it, every few steps.
Subclass :class:`AbstractCallback` to act during training.
"""

from identica.training._callbacks import AbstractCallback as AbstractCallback
from identica.training._callbacks import Checkpoint as Checkpoint
from identica.training._callbacks import EarlyStopping as EarlyStopping
from identica.training._callbacks import ProgressBar as ProgressBar
from identica.training._callbacks import atomic_write as atomic_write
from identica.training._memory import keep_freed_memory as keep_freed_memory
from identica.training._solver import Solver as Solver

__all__ = [
    "AbstractCallback",
    "Checkpoint",
    "EarlyStopping",
    "ProgressBar",
    "Solver",
    "atomic_write",
    "keep_freed_memory",
]
