# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The two kinds of stream a file holds: sampled time series and spike trains."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from identica.exceptions import DataValidationError

__all__ = ["KINDS", "SpikeTrains", "TimeSeries"]

KINDS = ("continuous", "discrete", "angle")


@dataclass(frozen=True, eq=False)
class TimeSeries:
    """Samples of named columns on one clock.

    Parameters
    ----------
    data : ndarray of shape (n_samples, n_columns)
        The values, one row per sample (may be a read-only memory map).
    names : tuple of str
        One name per column.
    timestamps : ndarray of shape (n_samples,), optional
        Sample times in seconds, increasing. ``None`` when the file gives no clock: such a
        stream can only be paired with another one of the same length.
    kinds : tuple of str, optional
        Per column ``"continuous"`` (resampled linearly), ``"discrete"`` (nearest sample) or
        ``"angle"`` (radians, resampled on the circle). Default: all continuous.
    unit : str
        Unit of the values as the file states it ("" when unknown).

    Examples
    --------
    >>> import numpy as np
    >>> from identica.io import TimeSeries
    >>> pos = TimeSeries(np.zeros((600, 2)), ("x", "y"), timestamps=np.arange(600) / 60.0)
    >>> pos.n_samples, pos.rate
    (600, 60.0)
    """

    data: np.ndarray
    names: tuple[str, ...]
    timestamps: np.ndarray | None = None
    kinds: tuple[str, ...] | None = None
    unit: str = ""

    def __post_init__(self) -> None:
        data = self.data if isinstance(self.data, np.ndarray) else np.asarray(self.data)
        if data.ndim == 1:
            data = data.reshape(-1, 1)
        if data.ndim != 2:
            raise DataValidationError(
                f"TimeSeries data must be 2-D (n_samples, n_columns); got shape {data.shape}."
            )
        object.__setattr__(self, "data", data)
        names = tuple(str(n) for n in self.names)
        if len(names) != data.shape[1]:
            raise DataValidationError(
                f"TimeSeries has {data.shape[1]} columns but {len(names)} names: {names[:8]}."
            )
        object.__setattr__(self, "names", names)
        kinds = ("continuous",) * len(names) if self.kinds is None else tuple(self.kinds)
        if len(kinds) != len(names) or any(k not in KINDS for k in kinds):
            raise DataValidationError(
                f"TimeSeries kinds must be one of {KINDS} per column ({len(names)}); got {kinds}."
            )
        object.__setattr__(self, "kinds", kinds)
        if self.timestamps is not None:
            times = np.asarray(self.timestamps, dtype=np.float64).reshape(-1)
            if len(times) != data.shape[0]:
                raise DataValidationError(
                    f"TimeSeries has {data.shape[0]} samples but {len(times)} timestamps."
                )
            if len(times) > 1 and not np.all(np.diff(times) >= 0):
                first = int(np.argmax(np.diff(times) < 0))
                raise DataValidationError(
                    f"TimeSeries timestamps must not decrease; sample {first + 1} "
                    f"({times[first + 1]}) comes before sample {first} ({times[first]})."
                )
            object.__setattr__(self, "timestamps", times)

    @property
    def n_samples(self) -> int:
        """Number of samples (rows)."""
        return int(self.data.shape[0])

    @property
    def rate(self) -> float | None:
        """Median sampling rate in Hz, or ``None`` without timestamps."""
        if self.timestamps is None or len(self.timestamps) < 2:
            return None
        step = float(np.median(np.diff(self.timestamps)))
        return round(1.0 / step, 6) if step > 0 else None

    def select(self, names: str | Sequence[str]) -> TimeSeries:
        """Return the columns ``names`` (a name, or a sequence of names) as a new TimeSeries.

        Examples
        --------
        >>> import numpy as np
        >>> from identica.io import TimeSeries
        >>> TimeSeries(np.ones((3, 2)), ("x", "y")).select("y").names
        ('y',)
        """
        wanted = [names] if isinstance(names, str) else list(names)
        unknown = [n for n in wanted if n not in self.names]
        if unknown:
            raise DataValidationError(
                f"no column {unknown[0]!r}; the columns are {', '.join(self.names)}."
            )
        idx = [self.names.index(n) for n in wanted]
        return TimeSeries(self.data[:, idx], tuple(wanted), self.timestamps,
                          tuple(self.kinds[i] for i in idx), self.unit)


@dataclass(frozen=True, eq=False)
class SpikeTrains:
    """Spike times of several units, stored flat: one time and one unit index per spike.

    Parameters
    ----------
    times : ndarray of shape (n_spikes,)
        Spike times in seconds.
    units : ndarray of shape (n_spikes,)
        Unit index of each spike, in ``[0, len(names))``.
    names : tuple of str
        One name per unit (cluster id, tetrode/cluster, ...).

    Examples
    --------
    >>> from identica.io import SpikeTrains
    >>> trains = SpikeTrains.from_trains([[0.1, 0.5], [0.2]], names=["a", "b"])
    >>> trains.n_units, trains.n_spikes
    (2, 3)
    """

    times: np.ndarray
    units: np.ndarray
    names: tuple[str, ...]

    def __post_init__(self) -> None:
        times = np.asarray(self.times, dtype=np.float64).reshape(-1)
        units = np.asarray(self.units).reshape(-1)
        names = tuple(str(n) for n in self.names)
        if len(times) != len(units):
            raise DataValidationError(
                f"SpikeTrains has {len(times)} spike times but {len(units)} unit indices."
            )
        if len(units) and (units.min() < 0 or units.max() >= len(names)):
            raise DataValidationError(
                f"SpikeTrains unit indices must lie in [0, {len(names)}) for {len(names)} names; "
                f"got {units.min()} .. {units.max()}."
            )
        if not np.isfinite(times).all():
            first = int(np.argmin(np.isfinite(times)))
            raise DataValidationError(f"SpikeTrains has a NaN or inf spike time at index {first}.")
        object.__setattr__(self, "times", times)
        object.__setattr__(self, "units", units.astype(np.int64))
        object.__setattr__(self, "names", names)

    @classmethod
    def from_trains(
        cls, trains: Sequence[object], names: Sequence[str] | None = None
    ) -> SpikeTrains:
        """Build from one array of spike times (seconds) per unit.

        Examples
        --------
        >>> from identica.io import SpikeTrains
        >>> SpikeTrains.from_trains([[0.3], [0.1, 0.2]]).names
        ('0', '1')
        """
        arrays = [np.asarray(t, dtype=np.float64).reshape(-1) for t in trains]
        names = [str(i) for i in range(len(arrays))] if names is None else list(names)
        if len(names) != len(arrays):
            raise DataValidationError(
                f"from_trains got {len(arrays)} spike trains but {len(names)} names."
            )
        times = np.concatenate(arrays) if arrays else np.zeros(0)
        units = np.repeat(np.arange(len(arrays)), [len(a) for a in arrays])
        return cls(times, units, tuple(names))

    @property
    def n_units(self) -> int:
        """Number of units."""
        return len(self.names)

    @property
    def n_spikes(self) -> int:
        """Total number of spikes."""
        return int(self.times.shape[0])

    @property
    def span(self) -> tuple[float, float] | None:
        """First and last spike time in seconds (``None`` without spikes)."""
        if not self.n_spikes:
            return None
        return float(self.times.min()), float(self.times.max())
