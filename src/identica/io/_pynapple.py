# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""pynapple objects in (as a :class:`Session`), embeddings out (as a ``TsdFrame``).

pynapple is an optional extra: it is imported inside the functions, never when identica is.
Binning and resampling are not done here; the Session goes through the usual
:meth:`Session.to_recording`, whose report gives back the time of every kept row.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import ModuleType

import numpy as np

from identica.exceptions import ConfigurationError, DataTypeError, DataValidationError
from identica.io._session import AlignmentReport, Session, describe_stream
from identica.io._streams import KINDS, SpikeTrains, TimeSeries

__all__ = ["from_pynapple", "to_pynapple"]


def _pynapple() -> ModuleType:
    """Import pynapple or raise ImportError naming the extra that installs it."""
    try:
        import pynapple
    except ImportError as error:
        raise ImportError(
            "identica.io.from_pynapple and to_pynapple need the optional package 'pynapple', "
            "which is not installed. Install it with: pip install 'identica[pynapple]'"
        ) from error
    return pynapple


def _kind_name(obj: object) -> str:
    return f"{type(obj).__module__}.{type(obj).__name__}"


def _spike_trains(group: object) -> SpikeTrains:
    if not len(group):
        raise DataValidationError("neural is an empty TsGroup (no units); give at least one unit.")
    keys = list(group.keys())
    trains = SpikeTrains.from_trains([np.asarray(group[k].t) for k in keys],
                                     names=[str(k) for k in keys])
    if not trains.n_spikes:
        raise DataValidationError(
            f"neural is a TsGroup of {len(keys)} units without a single spike; nothing to bin."
        )
    return trains


def _time_series(nap: ModuleType, obj: object, argument: str, kinds: Mapping[str, str] | None
                 ) -> TimeSeries:
    if isinstance(obj, nap.TsdFrame):
        names = tuple(str(c) for c in obj.columns)
    elif isinstance(obj, nap.Tsd):
        names = ("0",)
    else:  # a TsdTensor
        raise DataValidationError(
            f"{argument} is a TsdTensor of shape {obj.shape}; give a TsdFrame (one column per "
            f"feature), e.g. nap.TsdFrame(t=x.t, d=x.d.reshape(len(x), -1))."
        )
    if not len(obj):
        raise DataValidationError(f"{argument} is an empty {type(obj).__name__} (no samples).")
    kinds = dict(kinds or {})
    unknown = [name for name in kinds if name not in names]
    if unknown:
        raise ConfigurationError(
            f"kinds names column {unknown[0]!r}, which {argument} does not have; its columns "
            f"are {', '.join(names)}."
        )
    bad = {name: kind for name, kind in kinds.items() if kind not in KINDS}
    if bad:
        name, kind = next(iter(bad.items()))
        raise ConfigurationError(
            f"kinds[{name!r}] must be one of {', '.join(KINDS)}; got {kind!r}."
        )
    return TimeSeries(np.asarray(obj.values), names, np.asarray(obj.t),
                      tuple(kinds.get(name, "continuous") for name in names))


def _interval_tables(nap: ModuleType, epochs: object) -> dict[str, np.ndarray]:
    if epochs is None:
        return {}
    named = {"trials": epochs} if isinstance(epochs, nap.IntervalSet) else epochs
    if not isinstance(named, Mapping):
        raise DataTypeError(
            "epochs must be a pynapple IntervalSet or a dict of name to IntervalSet; got "
            f"{_kind_name(epochs)}."
        )
    tables = {}
    for name, table in named.items():
        if not isinstance(table, nap.IntervalSet):
            raise DataTypeError(
                f"epochs[{name!r}] must be a pynapple IntervalSet; got {_kind_name(table)}."
            )
        if not len(table):
            raise DataValidationError(f"epochs[{name!r}] is an empty IntervalSet (no interval).")
        tables[str(name)] = np.column_stack([table.start, table.end]).astype(np.float64)
    return tables


def from_pynapple(
    neural: object,
    behavior: object = None,
    epochs: object = None,
    *,
    kinds: Mapping[str, str] | None = None,
) -> Session:
    """Wrap pynapple objects in a :class:`Session`, ready for :meth:`Session.to_recording`.

    A ``TsGroup`` becomes :class:`SpikeTrains` (one unit per key, named after it), a ``Tsd`` or
    ``TsdFrame`` a :class:`TimeSeries` with the frame's column names (a ``Tsd`` column is named
    ``"0"``), an ``IntervalSet`` the ``"trials"`` interval table. The neural stream's time
    support is kept as the interval table ``"time_support"``. Times stay in seconds, each
    stream on its own clock; ``to_recording`` bins and aligns them.

    Parameters
    ----------
    neural : TsGroup, TsdFrame or Tsd
        Spike times per unit, or sampled neural data (calcium traces, rates, ...).
    behavior : TsdFrame or Tsd, optional
        Behaviour on its own timestamps.
    epochs : IntervalSet or dict of str to IntervalSet, optional
        Trials (an IntervalSet is stored as ``"trials"``) or several named interval tables;
        pass ``trials="trials"`` (or another name) to ``to_recording`` to keep only them.
    kinds : dict of str to str, optional
        Kind of a behaviour column by name: ``"continuous"`` (default), ``"discrete"`` or
        ``"angle"`` (radians), which decides how ``to_recording`` resamples it.

    Returns
    -------
    Session
        With ``format="pynapple"``.

    Raises
    ------
    ImportError
        If pynapple is not installed.
    DataTypeError
        If an argument is not one of the pynapple types above.
    DataValidationError
        If a group has no unit or no spike, a series no sample, an interval table no interval.
    ConfigurationError
        If ``kinds`` names a column the behaviour lacks or a kind that does not exist.

    Examples
    --------
    >>> import numpy as np
    >>> import pynapple as nap
    >>> from identica import io
    >>> rng = np.random.default_rng(0)
    >>> units = nap.TsGroup({i: nap.Ts(np.sort(rng.uniform(0, 10, 200))) for i in range(3)})
    >>> t = np.arange(0, 10, 1 / 60)
    >>> position = nap.TsdFrame(t=t, d=np.c_[np.sin(t), np.cos(t)], columns=["x", "y"])
    >>> session = io.from_pynapple(units, position)
    >>> rec, report = session.to_recording(bin_size=0.1, return_report=True)
    >>> rec.neural.shape[1], rec.continuous.shape[1], len(report.timestamps) == rec.n_samples
    (3, 2, True)
    """
    nap = _pynapple()
    if isinstance(neural, nap.TsGroup):
        stream: SpikeTrains | TimeSeries = _spike_trains(neural)
    elif isinstance(neural, nap.Tsd | nap.TsdFrame | nap.TsdTensor):
        stream = _time_series(nap, neural, "neural", None)
    else:
        hint = " (one spike train: wrap it as nap.TsGroup({0: ts}))" if isinstance(
            neural, nap.Ts) else ""
        raise DataTypeError(
            f"neural must be a pynapple TsGroup, TsdFrame or Tsd{hint}; got "
            f"{_kind_name(neural)}."
        )
    labels = None
    if behavior is not None:
        if not isinstance(behavior, nap.Tsd | nap.TsdFrame | nap.TsdTensor):
            raise DataTypeError(
                f"behavior must be a pynapple TsdFrame or Tsd; got {_kind_name(behavior)}."
            )
        labels = _time_series(nap, behavior, "behavior", kinds)
    elif kinds:
        raise ConfigurationError(f"kinds={dict(kinds)!r} needs a behavior; got behavior=None.")
    intervals = {"time_support": np.column_stack(
        [neural.time_support.start, neural.time_support.end]).astype(np.float64)}
    intervals.update(_interval_tables(nap, epochs))
    streams = (describe_stream("neural", stream),) + (
        (describe_stream("behavior", labels),) if labels is not None else ())
    return Session(neural=stream, behavior=labels, intervals=intervals, streams=streams,
                   metadata={"pynapple_version": nap.__version__}, format="pynapple")


def _times_of(nap: ModuleType, like: object) -> tuple[np.ndarray, object]:
    """The row times of ``like`` and the time support to give the output (or None)."""
    if isinstance(like, AlignmentReport):
        return np.asarray(like.timestamps, dtype=np.float64), None
    if isinstance(like, TimeSeries):
        if like.timestamps is None:
            raise DataValidationError("like is a TimeSeries without timestamps; it has no times.")
        return like.timestamps, None
    if isinstance(like, nap.Tsd | nap.TsdFrame | nap.TsdTensor):
        return np.asarray(like.t, dtype=np.float64), like.time_support
    raise DataTypeError(
        "like must be the AlignmentReport of to_recording(..., return_report=True), a "
        f"TimeSeries or a pynapple Tsd/TsdFrame; got {_kind_name(like)}. (A TsGroup has no "
        "bins: pass the report.)"
    )


def to_pynapple(
    embedding: object,
    timestamps: object = None,
    *,
    like: object = None,
    columns: list[str] | None = None,
) -> object:
    """Put an embedding on a time base as a pynapple ``TsdFrame``.

    Parameters
    ----------
    embedding : array-like of shape (n_samples, n_dims)
        One row per row of the Recording that was embedded (``Embedding.transform``).
    timestamps : array-like of shape (n_samples,), optional
        Time (s) of every row, non-decreasing.
    like : AlignmentReport, TimeSeries, Tsd or TsdFrame, optional
        Take the times from here instead: the report of ``to_recording(...,
        return_report=True)`` (the bin centres that were kept), or a stream with one sample
        per embedding row (a pynapple object also gives its time support).
    columns : list of str, optional
        Column names; default ``z0`` ... ``z{n_dims-1}``.

    Returns
    -------
    pynapple.TsdFrame
        ``n_samples`` x ``n_dims``, indexed by time in seconds.

    Raises
    ------
    ImportError
        If pynapple is not installed.
    ConfigurationError
        If neither or both of ``timestamps`` and ``like`` are given, or ``columns`` has the
        wrong length.
    DataTypeError
        If ``like`` is none of the types above.
    DataValidationError
        If the embedding is not 2-D, or its rows and the times differ in number, or the times
        are not finite and non-decreasing.

    Examples
    --------
    >>> import numpy as np
    >>> from identica import io
    >>> frame = io.to_pynapple(np.zeros((4, 2)), np.arange(4) * 0.1)
    >>> list(frame.columns), frame.shape
    (['z0', 'z1'], (4, 2))
    """
    nap = _pynapple()
    if (timestamps is None) == (like is None):
        raise ConfigurationError(
            "to_pynapple needs exactly one of timestamps (seconds per row) and like (the "
            "report of to_recording(..., return_report=True), or a stream); got "
            f"timestamps={'None' if timestamps is None else 'an array'} and "
            f"like={'None' if like is None else type(like).__name__}."
        )
    support = None
    if like is not None:
        times, support = _times_of(nap, like)
    else:
        times = np.asarray(timestamps, dtype=np.float64)
    z = np.asarray(embedding)
    if z.ndim != 2:
        raise DataValidationError(
            f"embedding must be 2-D (n_samples, n_dims); got shape {z.shape}."
        )
    if times.ndim != 1 or len(times) != len(z):
        raise DataValidationError(
            f"embedding has {len(z)} rows but the time base has shape {times.shape}; give one "
            "time per row (the report of the to_recording call that made the embedded data)."
        )
    if not np.isfinite(times).all() or (len(times) > 1 and np.any(np.diff(times) < 0)):
        raise DataValidationError("timestamps must be finite and non-decreasing seconds.")
    names = [f"z{i}" for i in range(z.shape[1])] if columns is None else [str(c) for c in columns]
    if len(names) != z.shape[1]:
        raise ConfigurationError(
            f"columns must name the {z.shape[1]} embedding dimensions; got {len(names)}: "
            f"{names[:8]}."
        )
    return nap.TsdFrame(t=times, d=z, columns=names, time_support=support)
