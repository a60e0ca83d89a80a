# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Scaling out: data-parallel training under torchrun, resumable jobs, parallel sweeps.

``Embedding(distributed=True)`` trains data-parallel when started by PyTorch's launcher
(``torchrun``, or :func:`launch` / ``identica fit --nproc K``): DDP encoders, a random stream
per rank, and negatives gathered from every process with their gradients
(:class:`identica.training.GatheredNegatives`). :func:`fit_or_resume` fits, or continues the
run of an existing checkpoint, so a killed and restarted job loses only the steps since the
last checkpoint. :func:`search` fits parameter grids or random draws in joblib processes.
Nothing here is meant to be subclassed: the negatives strategy is the extension point.
"""

from identica.distributed._launch import launch as launch
from identica.distributed._launch import torchrun_command as torchrun_command
from identica.distributed._resume import fit_or_resume as fit_or_resume
from identica.distributed._search import SearchResult as SearchResult
from identica.distributed._search import search as search

__all__ = [
    "SearchResult",
    "fit_or_resume",
    "launch",
    "search",
    "torchrun_command",
]
