# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Resets (RDumb): every K samples, or when a label-free monitor says the model collapsed."""

from __future__ import annotations

from typing import Any

import numpy as np

from identica._checks import check_choice, check_float, check_int
from identica.adaptation._base import AbstractAdapter
from identica.metrics import disagreement, participation_ratio

__all__ = ["MonitorReset", "PeriodicReset"]


class PeriodicReset(AbstractAdapter):
    """Wrap an adapter and reset it to the source every ``every`` stream samples (RDumb).

    The count is of samples, not optimiser steps: the window that would pass the ``every``-th
    sample since the last reset first resets, then updates.

    Parameters
    ----------
    adapter : AbstractAdapter
    every : int
        Samples between resets, at least 1.

    Examples
    --------
    >>> from identica.adaptation import PeriodicReset
    >>> PeriodicReset.update.__doc__.split(".")[0]
    'Reset when this window would pass the period, then update'
    """

    def __init__(self, adapter: AbstractAdapter, every: int) -> None:
        super().__init__(adapter.source)
        self.adapter = adapter
        self.every = check_int(every, name="every", owner="PeriodicReset", low=1)
        self.seen = 0

    def reset(self) -> None:
        """Reset the wrapped adapter and the sample count."""
        self.adapter.reset()
        self.seen = 0
        self.n_resets += 1

    def update(self, window: Any) -> None:
        """Reset when this window would pass the period, then update."""
        n = len(window)
        if self.seen > 0 and self.seen + n > self.every:
            self.reset()
        self.adapter.update(window)
        self.seen += n

    def transform(self, window: Any) -> np.ndarray:
        """The wrapped adapter's embedding."""
        return self.adapter.transform(window)


MONITORS = ("rank", "disagreement")


class MonitorReset(AbstractAdapter):
    """Wrap an adapter and reset it when a label-free monitor crosses a threshold.

    After each update the adapted embedding of the window is checked: ``"rank"`` resets when
    its effective rank falls below ``threshold`` times that of the non-adapted embedding of
    the same window (dimensional collapse); ``"disagreement"`` resets when the frozen
    decoder's predictions from the adapted and the non-adapted embedding disagree by more
    than ``threshold`` (:func:`identica.metrics.disagreement`).

    Parameters
    ----------
    adapter : AbstractAdapter
    monitor : {"rank", "disagreement"}, default="rank"
    threshold : float, default=0.5

    Examples
    --------
    >>> from identica.adaptation import MonitorReset
    >>> MonitorReset.__init__.__defaults__
    ('rank', 0.5)
    """

    def __init__(self, adapter: AbstractAdapter, monitor: str = "rank",
                 threshold: float = 0.5) -> None:
        super().__init__(adapter.source)
        self.adapter = adapter
        self.monitor = check_choice(monitor, MONITORS, name="monitor", owner="MonitorReset")
        self.threshold = check_float(threshold, name="threshold", owner="MonitorReset",
                                     low=0.0)
        self.last_value: float | None = None

    def reset(self) -> None:
        """Reset the wrapped adapter."""
        self.adapter.reset()
        self.n_resets += 1

    def _value(self, window: Any) -> float:
        adapted = self.adapter.transform(window)
        frozen = self.source.transform(window)
        if self.monitor == "rank":
            return participation_ratio(adapted) / max(participation_ratio(frozen), 1e-12)
        decoder = self.source.decoder
        return disagreement(decoder.predict(adapted), decoder.predict(frozen))

    def update(self, window: Any) -> None:
        """Update, then reset if the monitor crossed the threshold."""
        self.adapter.update(window)
        self.last_value = self._value(window)
        crossed = (self.last_value < self.threshold if self.monitor == "rank"
                   else self.last_value > self.threshold)
        if crossed:
            self.reset()

    def transform(self, window: Any) -> np.ndarray:
        """The wrapped adapter's embedding."""
        return self.adapter.transform(window)
