# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The training loop, its one extension hook, and its callbacks.

:class:`Solver` owns the loop: sample indices, hand the batch and the embed function
(:class:`SessionEncoders`) to the step's objective, back-propagate, step the optimiser. The
objective is the extension point: subclass :class:`AbstractObjective` for a new kind of step;
:class:`ContrastiveObjective` takes a loss, a negatives strategy (:class:`ReferenceNegatives`,
:class:`DrawnNegatives`, :class:`GatheredNegatives` across the processes of a ``torchrun``
job, or a subclass of :class:`AbstractNegatives`) and an optional Jacobian
penalty. The loss history stays on the device; only callbacks (:class:`ProgressBar`,
:class:`Checkpoint`, :class:`EarlyStopping`) read it. Subclass :class:`AbstractCallback` to act
during training. Ctrl-C (or a callback raising ``KeyboardInterrupt``) ends a run between two
steps with :class:`TrainingInterrupted`, which carries the steps done.
"""

from identica.training._callbacks import AbstractCallback as AbstractCallback
from identica.training._callbacks import Checkpoint as Checkpoint
from identica.training._callbacks import EarlyStopping as EarlyStopping
from identica.training._callbacks import ProgressBar as ProgressBar
from identica.training._callbacks import atomic_write as atomic_write
from identica.training._distributed import GatheredNegatives as GatheredNegatives
from identica.training._distributed import Ranks as Ranks
from identica.training._distributed import backend_for as backend_for
from identica.training._distributed import join_process_group as join_process_group
from identica.training._distributed import rank_generator as rank_generator
from identica.training._encoders import InputPiece as InputPiece
from identica.training._encoders import SessionEncoders as SessionEncoders
from identica.training._memory import freed_memory_kept as freed_memory_kept
from identica.training._memory import keep_freed_memory as keep_freed_memory
from identica.training._negatives import AbstractNegatives as AbstractNegatives
from identica.training._negatives import DrawnNegatives as DrawnNegatives
from identica.training._negatives import ReferenceNegatives as ReferenceNegatives
from identica.training._objective import AbstractObjective as AbstractObjective
from identica.training._objective import ContrastiveObjective as ContrastiveObjective
from identica.training._solver import Solver as Solver
from identica.training._solver import TrainingInterrupted as TrainingInterrupted

__all__ = [
    "AbstractCallback",
    "AbstractNegatives",
    "AbstractObjective",
    "Checkpoint",
    "ContrastiveObjective",
    "DrawnNegatives",
    "EarlyStopping",
    "GatheredNegatives",
    "InputPiece",
    "ProgressBar",
    "Ranks",
    "ReferenceNegatives",
    "SessionEncoders",
    "Solver",
    "TrainingInterrupted",
    "atomic_write",
    "backend_for",
    "freed_memory_kept",
    "join_process_group",
    "keep_freed_memory",
    "rank_generator",
]
