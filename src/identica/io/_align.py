# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Put streams on one time base: spike counts in bins, behaviour resampled at bin times."""

from __future__ import annotations

import numpy as np

from identica.exceptions import ConfigurationError, DataValidationError
from identica.io._streams import SpikeTrains, TimeSeries

__all__ = ["METHODS", "align", "bin_spikes", "invalid_spans", "speed"]

METHODS = ("auto", "linear", "nearest", "previous", "circular")
_TWO_PI = 2.0 * np.pi


def _edges_from_centres(centres: np.ndarray) -> np.ndarray:
    if len(centres) < 2:
        raise DataValidationError(
            f"timestamps to bin onto need at least 2 increasing values; got {len(centres)}."
        )
    mid = 0.5 * (centres[1:] + centres[:-1])
    return np.concatenate([[centres[0] - (mid[0] - centres[0])], mid,
                           [centres[-1] + (centres[-1] - mid[-1])]])


def bin_spikes(
    spikes: SpikeTrains,
    bin_size: float | None = None,
    *,
    timestamps: np.ndarray | None = None,
    start: float | None = None,
    stop: float | None = None,
) -> TimeSeries:
    """Count spikes per unit in time bins.

    Bins are half-open ``[left, right)``. Give either ``bin_size`` (bins from ``start``, by
    default the first spike, up to ``stop``, by default the last spike) or ``timestamps``,
    another stream's sample times: each becomes the centre of one bin whose edges lie half way
    to its neighbours.

    Parameters
    ----------
    spikes : SpikeTrains
        Spike times in seconds and the unit of each spike.
    bin_size : float, optional
        Bin width in seconds.
    timestamps : ndarray of shape (n_bins,), optional
        Bin centres in seconds, increasing (instead of ``bin_size``).
    start, stop : float, optional
        Time span to bin with ``bin_size``, in seconds.

    Returns
    -------
    TimeSeries
        Counts of shape ``(n_bins, n_units)`` (int32), timestamps at the bin centres.

    Raises
    ------
    ConfigurationError
        If neither or both of ``bin_size`` and ``timestamps`` are given, or ``bin_size <= 0``.

    Examples
    --------
    >>> from identica.io import SpikeTrains, bin_spikes
    >>> trains = SpikeTrains.from_trains([[0.01, 0.02, 0.13], [0.05]], names=["a", "b"])
    >>> counts = bin_spikes(trains, 0.1, start=0.0, stop=0.2)
    >>> counts.data.tolist(), counts.timestamps.tolist()
    ([[2, 1], [1, 0]], [0.05, 0.15000000000000002])
    """
    if (bin_size is None) == (timestamps is None):
        raise ConfigurationError(
            "bin_spikes needs exactly one of bin_size (seconds) and timestamps (bin centres); "
            f"got bin_size={bin_size!r} and timestamps="
            f"{'None' if timestamps is None else 'an array'}."
        )
    if timestamps is not None:
        edges = _edges_from_centres(np.asarray(timestamps, dtype=np.float64).reshape(-1))
    else:
        if not (isinstance(bin_size, int | float) and np.isfinite(bin_size) and bin_size > 0):
            raise ConfigurationError(f"bin_size must be a positive number of seconds; got "
                                     f"{bin_size!r}.")
        span = spikes.span or (0.0, 0.0)
        first = span[0] if start is None else float(start)
        last = span[1] if stop is None else float(stop)
        n_bins = int(np.floor((last - first) / bin_size + 1e-9)) + (1 if stop is None else 0)
        if n_bins < 1:
            raise DataValidationError(
                f"no complete bin of {bin_size} s fits between start={first} and stop={last}."
            )
        edges = first + bin_size * np.arange(n_bins + 1)
    n_bins, n_units = len(edges) - 1, spikes.n_units
    index = np.searchsorted(edges, spikes.times, side="right") - 1
    inside = (index >= 0) & (index < n_bins)
    flat = index[inside] * n_units + spikes.units[inside]
    counts = np.bincount(flat, minlength=n_bins * n_units).reshape(n_bins, n_units)
    centres = 0.5 * (edges[1:] + edges[:-1])
    return TimeSeries(counts.astype(np.int32), spikes.names, centres)


def align(
    stream: TimeSeries,
    timestamps: np.ndarray,
    *,
    method: str = "auto",
    max_gap: float | None = None,
) -> TimeSeries:
    """Resample ``stream`` at ``timestamps``; NaN where the stream has no valid value.

    With ``method="auto"`` each column follows its kind: continuous columns are interpolated
    linearly, angle columns (radians) on the circle (through cosine and sine) and discrete
    columns take the nearest sample. A target time gets NaN when it lies outside the stream's
    span (by more than half a sample), inside a gap between two samples longer than
    ``max_gap``, or next to a NaN sample.

    Parameters
    ----------
    stream : TimeSeries
        The stream to resample; it must have timestamps.
    timestamps : ndarray of shape (n_targets,)
        Target times in seconds, increasing.
    method : {"auto", "linear", "nearest", "previous", "circular"}, default="auto"
        One rule for all columns, or ``"auto"`` for each column's kind.
    max_gap : float, optional
        Longest interval between two samples that is bridged, in seconds. Default: ten times
        the median sampling interval. ``np.inf`` bridges every gap.

    Returns
    -------
    TimeSeries
        Float64 values of shape ``(n_targets, n_columns)`` at ``timestamps``.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.io import TimeSeries, align
    >>> pos = TimeSeries(np.array([0.0, 1.0, 2.0, 3.0]), ("x",), timestamps=[0, 1, 2, 3])
    >>> align(pos, np.array([0.5, 2.25, 9.0])).data[:, 0].tolist()
    [0.5, 2.25, nan]
    """
    if method not in METHODS:
        raise ConfigurationError(f"method must be one of {METHODS}; got {method!r}.")
    if stream.timestamps is None:
        raise DataValidationError(
            "the stream to align has no timestamps; give it a clock (timestamps= or rate=) first."
        )
    t = stream.timestamps
    target = np.asarray(timestamps, dtype=np.float64).reshape(-1)
    n = len(t)
    if n == 0:
        raise DataValidationError("the stream to align has no samples.")
    data = np.asarray(stream.data, dtype=np.float64)
    if n == 1:
        out = np.full((len(target), data.shape[1]), np.nan)
        return TimeSeries(out, stream.names, target, stream.kinds, stream.unit)
    steps = np.diff(t)
    step = float(np.median(steps))
    gap = 10.0 * step if max_gap is None else float(max_gap)
    right = np.clip(np.searchsorted(t, target, side="left"), 1, n - 1)
    left = right - 1
    width = t[right] - t[left]
    with np.errstate(invalid="ignore", divide="ignore"):
        weight = np.clip(np.where(width > 0, (target - t[left]) / width, 1.0), 0.0, 1.0)
    kinds = stream.kinds if method == "auto" else (method,) * data.shape[1]
    out = np.empty((len(target), data.shape[1]))
    w = weight[:, None]
    x0, x1 = data[left], data[right]
    lin = np.where(w == 0, x0, np.where(w == 1, x1, x0 + (x1 - x0) * w))
    for col, kind in enumerate(kinds):
        if kind in ("continuous", "linear"):
            out[:, col] = lin[:, col]
        elif kind in ("angle", "circular"):
            c = np.cos(x0[:, col]) * (1 - weight) + np.cos(x1[:, col]) * weight
            s = np.sin(x0[:, col]) * (1 - weight) + np.sin(x1[:, col]) * weight
            out[:, col] = np.mod(np.arctan2(s, c), _TWO_PI)
        elif kind in ("discrete", "nearest"):
            out[:, col] = np.where(weight < 0.5, x0[:, col], x1[:, col])
        else:  # previous
            idx = np.clip(np.searchsorted(t, target, side="right") - 1, 0, n - 1)
            out[:, col] = data[idx, col]
    tolerance = 0.5 * step
    bad = (target < t[0] - tolerance) | (target > t[-1] + tolerance) | (width > gap)
    out[bad] = np.nan
    return TimeSeries(out, stream.names, target, stream.kinds, stream.unit)


def speed(stream: TimeSeries, columns: tuple[str, ...] | None = None) -> np.ndarray:
    """Speed (units per second) of the point given by ``columns``, by central differences.

    Parameters
    ----------
    stream : TimeSeries
        Positions with timestamps.
    columns : tuple of str, optional
        Coordinate columns. Default: the columns named x, y, z if any, else every continuous one.

    Returns
    -------
    ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from identica.io import TimeSeries, speed
    >>> t = np.arange(5) / 10.0
    >>> speed(TimeSeries(np.c_[3 * t, 4 * t], ("x", "y"), timestamps=t)).round(6).tolist()
    [5.0, 5.0, 5.0, 5.0, 5.0]
    """
    if stream.timestamps is None or stream.n_samples < 2:
        raise DataValidationError("speed needs a stream with timestamps and 2 or more samples.")
    if columns is None:
        xyz = tuple(n for n in stream.names if n.lower() in ("x", "y", "z"))
        columns = xyz or tuple(n for n, k in zip(stream.names, stream.kinds) if k == "continuous")
    if not columns:
        raise DataValidationError(
            f"no position columns to compute a speed from; columns are {stream.names}. Pass "
            "speed_columns=."
        )
    pos = np.asarray(stream.select(columns).data, dtype=np.float64)
    velocity = np.gradient(pos, stream.timestamps, axis=0)
    return np.sqrt(np.sum(velocity**2, axis=1))


def invalid_spans(timestamps: np.ndarray, bad: np.ndarray) -> list[tuple[float, float]]:
    """First and last time of every run of consecutive ``bad`` samples."""
    if not bad.any():
        return []
    padded = np.concatenate([[False], bad, [False]]).astype(np.int8)
    change = np.diff(padded)
    starts, stops = np.flatnonzero(change == 1), np.flatnonzero(change == -1) - 1
    return [(float(timestamps[a]), float(timestamps[b])) for a, b in zip(starts, stops)]
