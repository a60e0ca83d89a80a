# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Callbacks run by the solver every few steps: progress, checkpoints, early stopping."""

from __future__ import annotations

import abc
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from tqdm.auto import tqdm

from identica._runtime import ThreadChoice

if TYPE_CHECKING:
    from identica.training._solver import Solver

__all__ = ["AbstractCallback", "Checkpoint", "EarlyStopping", "FollowLoad", "ProgressBar",
           "atomic_write"]


class AbstractCallback(abc.ABC):
    """Runs every ``every`` steps, after the optimiser step; the only place that reads losses.

    Implement :meth:`__call__`; return ``True`` to stop training (the run then ends as if it
    had reached its last step). Raising ``KeyboardInterrupt`` stops it too, as Ctrl-C does:
    :meth:`Solver.fit <identica.training.Solver.fit>` raises :class:`TrainingInterrupted`
    with the steps done, and ``Embedding.fit`` keeps them. Pass instances to
    ``Embedding.fit(..., callbacks=[...])`` or to :class:`~identica.training.Solver`.

    Attributes
    ----------
    every : int
        Call interval in steps; a callback is also called after the last step of a run.

    Examples
    --------
    >>> from identica.training import AbstractCallback
    >>> class PrintLoss(AbstractCallback):
    ...     every = 100
    ...     def __call__(self, solver, iteration, history):
    ...         print(iteration, float(history[iteration - 1, 0]))
    ...         return False
    """

    every: int = 1

    @abc.abstractmethod
    def __call__(self, solver: Solver, iteration: int, history: torch.Tensor) -> bool:
        """React to step ``iteration`` of this run.

        Parameters
        ----------
        solver : Solver
            The running solver; ``solver.steps_done`` counts the steps of earlier runs too
            (``n_iter_`` of the estimator).
        iteration : int
            Steps done in this run, 1-based (``1 .. max_iterations``).
        history : Tensor of shape (max_iterations, 3)
            On the training device; rows ``[:iteration]`` hold (total loss, alignment,
            uniformity) of this run's steps, the rest is not written yet.

        Returns
        -------
        bool
            ``True`` stops training after this step.
        """

    def close(self) -> None:  # noqa: B027 - an optional hook; most callbacks hold nothing
        """Release resources when training ends (also after an error or an interrupt)."""


class ProgressBar(AbstractCallback):
    """A tqdm bar showing the mean loss of the last ``every`` steps.

    Parameters
    ----------
    total : int
        Steps of the run.
    every : int, default=25
        Steps between updates; the loss shown is the mean of the last ``every`` steps.
    disable : bool, default=False
        Show nothing.
    desc : str, default="identica"
        Text before the bar; ``Embedding`` adds the device and threads of the run, e.g.
        ``"identica on cpu, 1 thread (auto)"``.

    Examples
    --------
    >>> from identica.training import ProgressBar
    >>> bar = ProgressBar(total=100, every=10, disable=True, desc="identica on cpu, 1 thread")
    >>> bar.close()
    """

    def __init__(self, total: int, *, every: int = 25, disable: bool = False,
                 desc: str = "identica") -> None:
        self.every = every
        self._bar = tqdm(total=total, desc=desc, unit="step", disable=disable, leave=False)
        self._shown = 0

    def __call__(self, solver: Solver, iteration: int, history: torch.Tensor) -> bool:
        recent = history[max(0, iteration - self.every) : iteration, 0]
        self._bar.set_postfix(loss=f"{float(recent.mean()):.4f}", refresh=False)
        self._bar.update(iteration - self._shown)
        self._shown = iteration
        return False

    def set_description(self, desc: str) -> None:
        """Change the text before the bar, and show it at once.

        Examples
        --------
        >>> from identica.training import ProgressBar
        >>> bar = ProgressBar(total=10, disable=True)
        >>> bar.set_description("identica on cpu, 1 thread (auto)")
        >>> bar.close()
        """
        self._bar.set_description_str(desc)

    def close(self) -> None:
        self._bar.close()


class FollowLoad(AbstractCallback):
    """Keeps an automatic CPU thread count fitted to the load while training runs.

    Every ``period`` seconds (checked after each step) it re-reads the cores other processes
    hold (:meth:`ThreadChoice.recheck <identica._runtime.ThreadChoice.recheck>`) and sets
    torch's thread count to the new choice: a process that starts mid-run takes a thread away
    (a thread that waits for a core stalls every step of the others), and one that ends gives
    it back. ``bar`` shows each change. Used by ``Embedding`` where the count follows the load.
    """

    every = 1
    period = 2.0

    def __init__(self, choice: ThreadChoice, *, bar: ProgressBar | None = None) -> None:
        self.choice, self.bar = choice, bar
        self._last = time.monotonic()

    def __call__(self, solver: Solver, iteration: int, history: torch.Tensor) -> bool:
        now = time.monotonic()
        if now - self._last < self.period:
            return False
        self._last = now
        choice = self.choice.recheck()
        if choice.count != self.choice.count and choice.count is not None:
            torch.set_num_threads(choice.count)
            if self.bar is not None:
                self.bar.set_description(f"identica on {choice.describe()}")
        self.choice = choice
        return False


def _umask() -> int:
    """The process's file-creation mask (read from /proc where possible: no change to it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_folder(path: str | os.PathLike[str]) -> Path:
    """``path`` as a Path whose folder exists; else a FileNotFoundError naming the folder."""
    path = Path(path)
    parent = path.parent
    if not parent.is_dir():
        what = "is not a folder" if parent.exists() else "does not exist"
        raise FileNotFoundError(f"cannot write {os.fspath(path)!r}: folder {os.fspath(parent)!r} "
                                f"{what}. Create it first.")
    return path


def atomic_write(path: str | os.PathLike[str], write: Callable[[str], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it onto ``path``.

    A reader never sees a half-written file, even if the process dies mid-write. The file gets
    the permissions of a newly created file (``0o666`` less the umask, usually ``0o644``), not
    the ``0o600`` of a temporary file. A missing folder is reported by name.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from identica.training import atomic_write
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> atomic_write(target, lambda tmp: pathlib.Path(tmp).write_text("hi"))
    >>> target.read_text()
    'hi'
    """
    path = check_folder(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Checkpoint(AbstractCallback):
    """Write a checkpoint every ``every`` steps with ``save(path)``, atomically.

    Parameters
    ----------
    path : str or PathLike
        Checkpoint file, overwritten each time.
    save : callable
        Writes the model to the path it is given.
    every : int
        Interval in steps.

    Examples
    --------
    >>> from identica.training import Checkpoint
    >>> Checkpoint("ckpt.safetensors", save=print, every=500).every
    500
    """

    def __init__(
        self, path: str | os.PathLike[str], *, save: Callable[[str], None], every: int = 1000
    ) -> None:
        self.path = path
        self.save = save
        self.every = every

    def __call__(self, solver: Solver, iteration: int, history: torch.Tensor) -> bool:
        atomic_write(self.path, self.save)
        return False


class EarlyStopping(AbstractCallback):
    """Stop when a monitored value has not improved by ``min_delta`` for ``patience`` checks.

    Parameters
    ----------
    monitor : callable
        Returns the value to minimise, e.g. the loss on held-out data.
    every : int
        Steps between checks.
    patience : int
        Checks without improvement before stopping.
    min_delta : float
        Smallest decrease that counts as an improvement.

    Examples
    --------
    >>> from identica.training import EarlyStopping
    >>> stop = EarlyStopping(lambda: 1.0, every=10, patience=2)
    >>> [stop(None, i, None) for i in (10, 20, 30)]
    [False, False, True]
    """

    def __init__(
        self,
        monitor: Callable[[], float],
        *,
        every: int = 100,
        patience: int = 5,
        min_delta: float = 0.0,
    ) -> None:
        self.monitor = monitor
        self.every = every
        self.patience = patience
        self.min_delta = min_delta
        self.best = float("inf")
        self._bad = 0

    def __call__(self, solver: Solver | None, iteration: int, history: torch.Tensor | None) -> bool:
        value = float(self.monitor())
        if value < self.best - self.min_delta:
            self.best, self._bad = value, 0
        else:
            self._bad += 1
        return self._bad >= self.patience
