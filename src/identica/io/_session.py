# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""What a reader returns: a :class:`Session`, and the one step that makes it a Recording."""

from __future__ import annotations

import dataclasses
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from identica.data import Recording, as_recording
from identica.exceptions import ConfigurationError, DataValidationError, DataWarning
from identica.io._align import align, bin_spikes, invalid_spans, speed
from identica.io._streams import SpikeTrains, TimeSeries

__all__ = ["AlignmentReport", "Session", "StreamInfo", "describe_stream"]


@dataclass(frozen=True)
class StreamInfo:
    """What one stream in a file is, without its data (the lines of :func:`inspect`).

    Parameters
    ----------
    name : str
        The name to ask for (``read(path, neural=name)``).
    kind : str
        ``"spikes"``, ``"timeseries"``, ``"array"`` or ``"intervals"``.
    shape : tuple of int
        Samples x columns (spikes: spikes x units; intervals: n x 2).
    rate : float, optional
        Sampling rate in Hz when known.
    start, stop : float, optional
        Time span in seconds when known.
    unit : str
        Unit the file states.

    Examples
    --------
    >>> from identica.io import StreamInfo
    >>> print(StreamInfo("Position", "timeseries", (600, 2), 60.0, 0.0, 9.98, "m"))
    Position  timeseries  600 x 2  60 Hz  0.000-9.980 s  [m]
    """

    name: str
    kind: str
    shape: tuple[int, ...]
    rate: float | None = None
    start: float | None = None
    stop: float | None = None
    unit: str = ""

    def __str__(self) -> str:
        parts = [self.name, self.kind, " x ".join(str(s) for s in self.shape)]
        if self.rate:
            parts.append(f"{self.rate:.6g} Hz")
        if self.start is not None and self.stop is not None:
            parts.append(f"{self.start:.3f}-{self.stop:.3f} s")
        if self.unit:
            parts.append(f"[{self.unit}]")
        return "  ".join(parts)


def describe_stream(name: str, stream: TimeSeries | SpikeTrains | np.ndarray) -> StreamInfo:
    """The :class:`StreamInfo` of a loaded stream."""
    if isinstance(stream, SpikeTrains):
        span = stream.span or (None, None)
        return StreamInfo(name, "spikes", (stream.n_spikes, stream.n_units), None, *span)
    if isinstance(stream, TimeSeries):
        t = stream.timestamps
        span = (float(t[0]), float(t[-1])) if t is not None and len(t) else (None, None)
        return StreamInfo(name, "timeseries", tuple(stream.data.shape), stream.rate, *span,
                          stream.unit)
    return StreamInfo(name, "array", tuple(np.shape(stream)))


@dataclass(frozen=True, eq=False)
class AlignmentReport:
    """What :meth:`Session.to_recording` kept and dropped.

    Parameters
    ----------
    timestamps : ndarray of shape (n_kept,)
        Time (s) of every kept row of the Recording (bin centres), or row numbers without clock.
    n_bins : int
        Rows before dropping.
    dropped_invalid : int
        Rows dropped because the behaviour had no value there (outside its span, in a gap,
        NaN).
    dropped_speed : int
        Rows dropped by the speed filter.
    dropped_outside_trials : int
        Rows outside every trial interval.
    gaps : list of (float, float)
        First and last time of each run of rows without behaviour.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.io import AlignmentReport
    >>> AlignmentReport(np.arange(3.0), 5, 2, 0, 0, [(3.0, 4.0)]).n_kept
    3
    """

    timestamps: np.ndarray
    n_bins: int
    dropped_invalid: int
    dropped_speed: int
    dropped_outside_trials: int
    gaps: list[tuple[float, float]]

    @property
    def n_kept(self) -> int:
        """Rows in the Recording."""
        return int(len(self.timestamps))


_LIKELIHOOD = re.compile(r"(^|[^a-z0-9])likelihood$", re.IGNORECASE)


def _warn_likelihoods(names: list[str]) -> None:
    """Warn when behaviour columns about to become labels are pose-tracking likelihoods."""
    found = [name for name in names if _LIKELIHOOD.search(str(name))]
    if found:
        warnings.warn(
            f"behaviour columns {found} look like DeepLabCut likelihoods (the tracker's "
            "confidence per frame), not behaviour: as labels they would organise the embedding "
            "by tracking quality. Read the pose with coords=('x', 'y') (the default) and "
            "likelihood_threshold=0.9 to reject unreliable frames instead, or leave these "
            "columns out of behavior=.",
            DataWarning, stacklevel=3,
        )


def _span(stream: TimeSeries | None) -> tuple[float, float] | None:
    if stream is None or stream.timestamps is None or not len(stream.timestamps):
        return None
    return float(stream.timestamps[0]), float(stream.timestamps[-1])


@dataclass(frozen=True, eq=False)
class Session:
    """One recording session as read from a file, each stream on its own clock.

    Parameters
    ----------
    neural : TimeSeries or SpikeTrains, optional
        The neural stream that was asked for (or the obvious one of the format).
    behavior : TimeSeries, optional
        Behaviour columns with names, on their own timestamps.
    intervals : dict of str to ndarray of shape (n, 2)
        Named start/stop times in seconds (epochs, trials, ...).
    streams : tuple of StreamInfo
        Every stream the file holds, loaded or not.
    metadata : dict
        Format-specific facts (sampling rate, file version, rejected samples, ...).
    source : str
        The path that was read.
    format : str
        The reader that read it (``"npz"``, ``"nwb"``, ``"dlc"``, ...).

    Examples
    --------
    >>> import numpy as np
    >>> from identica.io import Session, SpikeTrains, TimeSeries
    >>> t = np.arange(0, 10, 1 / 60)
    >>> session = Session(
    ...     neural=SpikeTrains.from_trains([np.sort(np.random.default_rng(0).uniform(0, 10, 300))]),
    ...     behavior=TimeSeries(np.c_[np.sin(t)], ("x",), timestamps=t),
    ... )
    >>> rec = session.to_recording(bin_size=0.1)
    >>> rec.neural.shape, rec.continuous.shape, rec.bin_size
    ((99, 1), (99, 1), 0.1)
    """

    neural: TimeSeries | SpikeTrains | None = None
    behavior: TimeSeries | None = None
    intervals: Mapping[str, np.ndarray] = field(default_factory=dict)
    streams: tuple[StreamInfo, ...] = ()
    metadata: Mapping[str, object] = field(default_factory=dict)
    source: str = ""
    format: str = ""

    @property
    def trial_starts(self) -> np.ndarray | None:
        """Start times (s) of the ``"trials"`` intervals, or ``None`` when there are none."""
        trials = self.intervals.get("trials")
        return None if trials is None else np.asarray(trials)[:, 0]

    def summary(self) -> str:
        """A few lines naming every stream and interval table (what :func:`inspect` prints)."""
        head = f"{self.source or '<session>'} ({self.format or 'arrays'})"
        lines = [head] + [f"  {info}" for info in self.streams]
        for name, table in self.intervals.items():
            table = np.asarray(table)
            span = f"  {table[:, 0].min():.3f}-{table[:, 1].max():.3f} s" if len(table) else ""
            lines.append(f"  {name}  intervals  {len(table)} x 2{span}")
        return "\n".join(lines)

    def _trial_table(self, trials: object) -> np.ndarray | None:
        if trials is None:
            return None
        if isinstance(trials, str):
            if trials not in self.intervals:
                raise ConfigurationError(
                    f"trials={trials!r} names no interval table of {self.source or 'the session'}"
                    f"; available: {', '.join(self.intervals) or 'none'}."
                )
            table = np.asarray(self.intervals[trials], dtype=np.float64)
        else:
            table = np.asarray(trials, dtype=np.float64)
        if table.ndim != 2 or table.shape[1] != 2:
            raise DataValidationError(
                f"trials must be an (n, 2) table of start/stop times; got shape {table.shape}."
            )
        return table[np.argsort(table[:, 0])]

    def to_recording(
        self,
        bin_size: float | None = None,
        *,
        start: float | None = None,
        stop: float | None = None,
        trials: str | np.ndarray | None = None,
        max_gap: float | None = None,
        min_speed: float | None = None,
        speed_columns: tuple[str, ...] | None = None,
        return_report: bool = False,
    ) -> Recording | tuple[Recording, AlignmentReport]:
        """Put neural data and behaviour on one time base and return a :class:`Recording`.

        Spike trains are counted in bins of ``bin_size`` seconds; a sampled neural stream keeps
        its own samples. Behaviour is resampled at the neural times (see :func:`align`). Rows
        where the behaviour has no value (outside its span, in a gap longer than ``max_gap``,
        NaN), rows slower than ``min_speed`` and rows outside ``trials`` are dropped; every
        dropped stretch and every trial start a new trial, so no window crosses one.

        Parameters
        ----------
        bin_size : float, optional
            Bin width in seconds; needed for spike trains.
        start, stop : float, optional
            Time span to keep, in seconds. Default: where neural data and behaviour overlap.
        trials : str or ndarray of shape (n_trials, 2), optional
            An interval table of the session (``"trials"``, ``"epochs"``, ...) or start/stop
            times: only rows inside an interval are kept, each interval is one trial.
        max_gap : float, optional
            Longest behaviour gap (s) bridged by interpolation; see :func:`align`.
        min_speed : float, optional
            Keep only rows whose speed (behaviour units per second) is at least this.
        speed_columns : tuple of str, optional
            Position columns for the speed; see :func:`speed`.
        return_report : bool, default=False
            Also return an :class:`AlignmentReport`.

        Returns
        -------
        Recording, or (Recording, AlignmentReport)
            Discrete behaviour columns go to ``discrete``, the others (angles in radians) to
            ``continuous``.

        Raises
        ------
        ConfigurationError
            If spike trains come without ``bin_size``, or ``bin_size`` is given for a sampled
            stream.
        DataValidationError
            If there is no neural stream, streams without clocks differ in length, or no row
            is left.

        Warns
        -----
        DataWarning
            If behaviour columns named like DeepLabCut likelihoods (``snout_likelihood``) would
            become labels, and for the data guards of :func:`~identica.data.as_recording`.
        """
        neural, behavior = self.neural, self.behavior
        if neural is None:
            names = ", ".join(i.name for i in self.streams) or "none"
            raise DataValidationError(
                f"{self.source or 'this session'} gave no neural stream; read it with neural= "
                f"one of: {names}."
            )
        window = _span(behavior)
        if isinstance(neural, SpikeTrains):
            if bin_size is None:
                raise ConfigurationError(
                    "spike trains need bin_size= (seconds per bin, e.g. 0.025) to become counts."
                )
            lo, hi = neural.span or (0.0, 0.0)
            if window is not None:
                lo, hi = max(lo, window[0]), min(hi, window[1])
            counts = bin_spikes(neural, bin_size, start=lo if start is None else start,
                                stop=hi if stop is None else stop)
            data, times = counts.data, counts.timestamps
        else:
            if bin_size is not None:
                raise ConfigurationError(
                    f"bin_size={bin_size!r} applies to spike trains only; the neural stream is "
                    f"already sampled ({neural.rate or 'unknown'} Hz). Leave bin_size out."
                )
            data, times = neural.data, neural.timestamps
            if times is not None and (start is not None or stop is not None):
                inside = (times >= (-np.inf if start is None else start)) & (
                    times <= (np.inf if stop is None else stop))
                data, times = data[inside], times[inside]
        n = int(data.shape[0])
        keep = np.ones(n, dtype=bool)
        labels = None
        if behavior is not None:
            if times is not None and behavior.timestamps is not None:
                labels = align(behavior, times, max_gap=max_gap)
            elif times is None and behavior.timestamps is None:
                if behavior.n_samples != n:
                    raise DataValidationError(
                        f"neural data has {n} rows and behaviour {behavior.n_samples}, and "
                        "neither has timestamps to align them by. Give both the same length or "
                        "pass timestamps."
                    )
                labels = TimeSeries(np.asarray(behavior.data, dtype=np.float64), behavior.names,
                                    None, behavior.kinds)
            else:
                which = "neural data" if times is None else "behaviour"
                raise DataValidationError(
                    f"{which} has no timestamps, so it cannot be aligned to the other stream. "
                    "Read it with a rate or timestamps option."
                )
        invalid = np.zeros(n, dtype=bool)
        if labels is not None:
            invalid = ~np.isfinite(labels.data).all(axis=1)
        slow = np.zeros(n, dtype=bool)
        if min_speed is not None:
            if labels is None or labels.timestamps is None:
                raise ConfigurationError("min_speed needs behaviour with timestamps.")
            with np.errstate(invalid="ignore"):
                slow = ~(speed(labels, speed_columns) >= min_speed) & ~invalid
        table = self._trial_table(trials)
        trial_id = np.zeros(n, dtype=np.int64)
        outside = np.zeros(n, dtype=bool)
        if table is not None:
            if times is None:
                raise DataValidationError("trials need neural data with timestamps.")
            trial_id = np.searchsorted(table[:, 0], times, side="right") - 1
            safe = np.clip(trial_id, 0, None)
            outside = (trial_id < 0) | (times > table[safe, 1])
        keep = ~invalid & ~slow & ~outside
        kept = np.flatnonzero(keep)
        if not len(kept):
            raise DataValidationError(
                f"no row left after alignment: {int(invalid.sum())} of {n} rows without "
                f"behaviour, {int(slow.sum())} too slow, {int(outside.sum())} outside trials."
            )
        new = np.concatenate([[True], (np.diff(kept) > 1) | (np.diff(trial_id[kept]) != 0)])
        starts = np.flatnonzero(new)
        y = discrete = None
        if labels is not None:
            values = labels.data[kept]
            dcols = [i for i, k in enumerate(labels.kinds) if k == "discrete"]
            ccols = [i for i, k in enumerate(labels.kinds) if k != "discrete"]
            if len(dcols) > 1:
                names = [labels.names[i] for i in dcols]
                raise DataValidationError(
                    f"the behaviour has {len(dcols)} discrete columns {names}; a Recording holds "
                    "one. Read it with behavior= naming one of them."
                )
            _warn_likelihoods([labels.names[i] for i in ccols])
            y = values[:, ccols] if ccols else None
            discrete = values[:, dcols[0]].astype(np.int64) if dcols else None
        recording = as_recording(np.asarray(data)[kept], y, discrete=discrete,
                                 trial_starts=starts if len(starts) > 1 else None)
        step = bin_size
        if step is None and times is not None and len(times) > 1:
            step = float(np.median(np.diff(times)))
        recording = dataclasses.replace(recording, bin_size=step)
        if not return_report:
            return recording
        clock = times if times is not None else np.arange(n, dtype=np.float64)
        report = AlignmentReport(clock[kept], n, int(invalid.sum()), int(slow.sum()),
                                 int((outside & ~invalid & ~slow).sum()),
                                 invalid_spans(clock, invalid))
        return recording, report
