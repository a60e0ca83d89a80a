# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Input-statistics adaptation: re-standardise channels with a source prior and a std floor."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from identica._checks import check_float
from identica.adaptation._base import AbstractAdapter
from identica.adaptation._source import SourceModel

__all__ = ["InputStatistics"]


class InputStatistics(AbstractAdapter):
    """Blend window statistics with the source ones, as normalisation adaptation does.

    For a window of ``n`` rows with channel means ``m_b`` and variances ``v_b`` and a source
    pseudo sample size ``N``: ``λ = N / (N + n)``, ``mean = λ m_s + (1 - λ) m_b``,
    ``var = λ v_s + (1 - λ) v_b``. ``prior=0`` re-standardises every window fully,
    ``prior=inf`` is no adaptation. With ``momentum`` the window statistics are an
    exponential moving average over windows (``m_b <- momentum m_b' + (1 - momentum) m_b``).
    Std floor: a channel whose window sd falls below ``floor`` times its source sd is masked
    (its standardised value is 0) and every sd is kept at or above the floor, so silenced
    channels are not amplified. Masking applies only when ``λ < 1``.

    Parameters
    ----------
    source : SourceModel
    prior : float, default=1000.0
        Pseudo sample size ``N`` >= 0 of the source statistics (``math.inf`` allowed).
    floor : float, default=0.1
        Relative std floor >= 0.
    momentum : float, optional
        In [0, 1).

    Examples
    --------
    >>> from identica.adaptation import InputStatistics
    >>> InputStatistics.__init__.__defaults__
    (1000.0, 0.1, None)
    """

    def __init__(self, source: SourceModel, prior: float = 1000.0, floor: float = 0.1,
                 momentum: float | None = None) -> None:
        super().__init__(source)
        owner = "InputStatistics"
        self.prior = math.inf if prior == math.inf else check_float(
            prior, name="prior", owner=owner, low=0.0, low_inclusive=True)
        self.floor = check_float(floor, name="floor", owner=owner, low=0.0, low_inclusive=True)
        self.momentum = check_float(momentum, name="momentum", owner=owner, low=0.0,
                                    high=1.0 - 1e-12, low_inclusive=True, allow_none=True)
        self._set_source()

    def _set_source(self) -> None:
        self._set_source_stats()
        self._running: tuple[np.ndarray, np.ndarray] | None = None

    def _set_source_stats(self) -> None:
        s = self.source.standardization
        self.mean_ = s.mean.copy()
        self.std_ = s.std.copy()
        self.mask_ = np.zeros(len(s.mean), dtype=bool)

    def reset(self) -> None:
        """Back to the source statistics; the moving average is forgotten."""
        self._set_source()
        self.n_resets += 1

    def update(self, window: Any) -> None:
        """Blend the statistics of ``window`` with the source (and earlier windows)."""
        x = np.asarray(self.source.check_window(window, "InputStatistics.update"),
                       dtype=np.float64)
        mean_b, var_b = x.mean(axis=0), x.var(axis=0)
        if self.momentum is not None and self._running is not None:
            m, v = self._running
            mean_b = self.momentum * m + (1 - self.momentum) * mean_b
            var_b = self.momentum * v + (1 - self.momentum) * var_b
        self._running = (mean_b, var_b)
        s = self.source.standardization
        lam = 1.0 if self.prior == math.inf else self.prior / (self.prior + len(x))
        if lam == 1.0:  # the source exactly, without rounding
            self._set_source_stats()
            return
        self.mean_ = lam * s.mean + (1 - lam) * mean_b
        var = lam * s.std ** 2 + (1 - lam) * var_b
        floor = self.floor * s.std
        self.mask_ = np.sqrt(var_b) < floor
        self.std_ = np.maximum(np.sqrt(var), floor)

    def transform(self, window: Any) -> np.ndarray:
        """Standardise with the adapted statistics (masked channels at 0), then embed."""
        x = np.asarray(self.source.check_window(window, "InputStatistics.transform"),
                       dtype=np.float64)
        standardized = (x - self.mean_) / self.std_
        standardized[:, self.mask_] = 0.0
        return self.source.embed_standardized(standardized.astype(np.float32))
