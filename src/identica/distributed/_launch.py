# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Start ``identica`` commands as the processes of a ``torchrun`` job."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence

from identica._checks import check_int

__all__ = ["launch", "torchrun_command"]


def torchrun_command(args: Sequence[str], nproc: int, *, max_restarts: int = 0,
                     module: str = "identica") -> list[str]:
    """The command that runs ``python -m <module> <args>`` as ``nproc`` processes of one job.

    It is PyTorch's own launcher (``python -m torch.distributed.run``, the ``torchrun``
    script) on this machine (``--standalone``: a free port, no rendezvous server), which sets
    the ``RANK``/``WORLD_SIZE``/``LOCAL_RANK`` environment that ``Embedding(distributed=True)``
    joins, and restarts all processes up to ``max_restarts`` times when one fails. On a
    machine with K GPUs use ``nproc=K``: process ``r`` trains on ``cuda:r`` with NCCL. For
    several machines, run ``torchrun --nnodes N --rdzv-endpoint HOST:PORT ...`` with the
    same ``-m identica fit ... --distributed`` arguments on each.

    Parameters
    ----------
    args : sequence of str
        The arguments of the module (e.g. ``["fit", "data.npz", "--neural", "X", ...]``).
    nproc : int
        Processes on this machine.
    max_restarts : int, default=0
        How often torchrun restarts the job after a process failed.
    module : str, default="identica"
        The module every process runs.

    Examples
    --------
    >>> from identica.distributed import torchrun_command
    >>> command = torchrun_command(["fit", "data.npz"], 2, max_restarts=1)
    >>> command[1:]  # doctest: +NORMALIZE_WHITESPACE
    ['-m', 'torch.distributed.run', '--standalone', '--nproc-per-node', '2',
     '--max-restarts', '1', '-m', 'identica', 'fit', 'data.npz']
    """
    nproc = check_int(nproc, name="nproc", owner="torchrun_command", low=1)
    max_restarts = check_int(max_restarts, name="max_restarts", owner="torchrun_command",
                             low=0)
    return [sys.executable, "-m", "torch.distributed.run", "--standalone",
            "--nproc-per-node", str(nproc), "--max-restarts", str(max_restarts),
            "-m", module, *args]


def launch(args: Sequence[str], nproc: int, *, max_restarts: int = 0,
           timeout: float | None = None) -> int:
    """Run :func:`torchrun_command` and wait for it; return its exit code.

    Parameters
    ----------
    args : sequence of str
        Arguments of ``identica`` (e.g. a ``fit`` command line with ``--distributed``).
    nproc : int
        Processes on this machine.
    max_restarts : int, default=0
        Restarts of the whole job after a process failed (pair with ``--resume`` and
        ``--checkpoint`` so that a restart continues from the last checkpoint).
    timeout : float, optional
        Seconds to wait; the job is terminated when it runs longer.

    Returns
    -------
    int
        0 when every process succeeded.

    Examples
    --------
    >>> from identica.distributed import launch
    >>> launch(["--version"], 1)  # doctest: +SKIP
    0
    """
    command = torchrun_command(args, nproc, max_restarts=max_restarts)
    with subprocess.Popen(command) as process:
        try:
            return process.wait(timeout=timeout)
        except BaseException:  # a timeout or Ctrl-C: take the job down with us
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            raise
