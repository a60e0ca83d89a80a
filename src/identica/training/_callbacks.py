# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Callbacks run by the solver every few steps: progress, checkpoints, early stopping."""

from __future__ import annotations

import abc
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import torch
from tqdm.auto import tqdm

if TYPE_CHECKING:
    from identica.training._solver import Solver

__all__ = ["AbstractCallback", "Checkpoint", "EarlyStopping", "ProgressBar", "atomic_write"]


class AbstractCallback(abc.ABC):
    """Runs every ``every`` steps, after the optimiser step; the only place that reads losses.

    Implement :meth:`__call__`; return ``True`` to stop training.

    Attributes
    ----------
    every : int
        Call interval in steps.
    """

    every: int = 1

    @abc.abstractmethod
    def __call__(self, solver: Solver, iteration: int, history: torch.Tensor) -> bool:
        """React to step ``iteration`` (1-based); ``history`` holds rows (total, align, unif)."""

    def close(self) -> None:  # noqa: B027 - an optional hook; most callbacks hold nothing
        """Release resources when training ends."""


class ProgressBar(AbstractCallback):
    """A tqdm bar showing the mean loss of the last ``every`` steps.

    Examples
    --------
    >>> from identica.training import ProgressBar
    >>> bar = ProgressBar(total=100, every=10, disable=True)
    >>> bar.close()
    """

    def __init__(self, total: int, *, every: int = 25, disable: bool = False) -> None:
        self.every = every
        self._bar = tqdm(total=total, desc="identica", unit="step", disable=disable, leave=False)
        self._shown = 0

    def __call__(self, solver: Solver, iteration: int, history: torch.Tensor) -> bool:
        recent = history[max(0, iteration - self.every) : iteration, 0]
        self._bar.set_postfix(loss=f"{float(recent.mean()):.4f}", refresh=False)
        self._bar.update(iteration - self._shown)
        self._shown = iteration
        return False

    def close(self) -> None:
        self._bar.close()


def atomic_write(path: str | os.PathLike[str], write: Callable[[str], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it onto ``path``.

    A reader never sees a half-written file, even if the process dies mid-write.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from identica.training import atomic_write
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> atomic_write(target, lambda tmp: pathlib.Path(tmp).write_text("hi"))
    >>> target.read_text()
    'hi'
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
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
