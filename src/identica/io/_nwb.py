# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""NWB 2.x files, read with h5py following the schema: only the streams asked for are loaded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from identica.exceptions import ConfigurationError
from identica.io._align import align
from identica.io._common import as_path, bad_file, missing_key
from identica.io._hdf5 import open_hdf5
from identica.io._session import Session, StreamInfo
from identica.io._streams import SpikeTrains, TimeSeries

__all__ = ["read_nwb"]

_SKIP_TYPES = {"Images", "ImageSegmentation", "PlaneSegmentation", "Device", "ImagingPlane",
               "ElectrodeGroup", "TwoPhotonSeries", "ImageSeries", "OpticalSeries"}


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@dataclass
class _Entry:
    """A stream found in the file: its HDF5 groups (one, or the members of a container)."""

    name: str
    kind: str  # "units" | "series"
    groups: list[object]
    neurodata_type: str
    n_rois: int | None = None


def _is_series(group: object) -> bool:
    return "data" in group and ("timestamps" in group or "starting_time" in group)


def _catalog(file: object) -> tuple[dict[str, _Entry], dict[str, np.ndarray]]:
    import h5py

    entries: dict[str, _Entry] = {}
    intervals: dict[str, np.ndarray] = {}
    rois: list[int] = []

    def visit(name: str, node: object) -> None:
        if not isinstance(node, h5py.Group) or name.startswith(("specifications", "general")):
            return
        ntype = _text(node.attrs.get("neurodata_type", ""))
        parent = node.parent
        ptype = _text(parent.attrs.get("neurodata_type", ""))
        if ntype == "PlaneSegmentation" and "id" in node:
            rois.append(len(node["id"]))
        if ntype == "Units" and "spike_times" in node:
            entries[node.name.rsplit("/", 1)[-1]] = _Entry(node.name.rsplit("/", 1)[-1], "units",
                                                           [node], ntype)
        elif ntype == "TimeIntervals" and "start_time" in node and "stop_time" in node:
            key = node.name.rsplit("/", 1)[-1]
            intervals[key] = np.column_stack([node["start_time"][()], node["stop_time"][()]])
        elif _is_series(node) and ntype not in _SKIP_TYPES and node["data"].size > 0:
            own = node.name.rsplit("/", 1)[-1]
            container = ptype not in ("", "ProcessingModule", "NWBFile")
            key = f"{parent.name.rsplit('/', 1)[-1]}/{own}" if container else own
            entries[key] = _Entry(key, "series", [node], ntype)
            if container:
                group_key = parent.name.rsplit("/", 1)[-1]
                entry = entries.setdefault(group_key, _Entry(group_key, "series", [], ptype))
                entry.groups.append(node)

    file.visititems(visit)
    n_rois = rois[0] if len(rois) == 1 else None
    for entry in entries.values():
        entry.n_rois = n_rois
    return entries, intervals


def _roi_major(group: object, shape: tuple[int, ...], n_rois: int | None) -> bool:
    """Whether a RoiResponseSeries is stored ROIs x time (NWB says time x ROIs)."""
    if _text(group.attrs.get("neurodata_type", "")) != "RoiResponseSeries" or len(shape) != 2:
        return False
    count = len(group["rois"]) if "rois" in group else n_rois
    return count is not None and shape[0] == count != shape[1]


def _times(group: object, n: int) -> np.ndarray:
    if "timestamps" in group:
        return np.asarray(group["timestamps"][()], dtype=np.float64).reshape(-1)
    start = group["starting_time"]
    rate = float(start.attrs["rate"])
    return float(start[()]) + np.arange(n) / rate


def _series(path: Path, group: object, container: str, likelihood: float | None,
            notes: dict[str, object], n_rois: int | None) -> TimeSeries:
    dataset = group["data"]
    if dataset.dtype.kind not in "biuf":
        raise bad_file(path, f"numbers in {group.name}/data", f"dtype {dataset.dtype}")
    data = np.asarray(dataset[()], dtype=np.float64)
    data = data * float(dataset.attrs.get("conversion", 1.0)) + float(
        dataset.attrs.get("offset", 0.0))
    if data.ndim == 1:
        data = data[:, None]
    elif data.ndim > 2:
        data = data.reshape(data.shape[0], -1)
    if _roi_major(group, data.shape, n_rois):
        data = data.T  # some writers store ROIs x time; NWB says time x ROIs
        notes.setdefault("transposed", []).append(group.name)
    name = group.name.rsplit("/", 1)[-1]
    ntype = _text(group.attrs.get("neurodata_type", ""))
    if ntype == "PoseEstimationSeries":
        names = [f"{name}_{c}" for c in "xyz"[: data.shape[1]]]
        if likelihood is not None and "confidence" in group:
            confidence = np.asarray(group["confidence"][()], dtype=np.float64).reshape(-1)
            data[confidence < likelihood] = np.nan
    elif data.shape[1] == 1:
        names = [name]
    else:
        names = [f"{name}_{i}" for i in range(data.shape[1])]
    unit = _text(dataset.attrs.get("unit", ""))
    angle = container == "CompassDirection" or unit.lower().startswith("radian")
    kinds = ("angle" if angle else "continuous",) * data.shape[1]
    times = _times(group, data.shape[0])
    if len(times) != data.shape[0]:
        raise bad_file(path, f"one timestamp per sample of {group.name}",
                       f"{data.shape[0]} samples but {len(times)} timestamps")
    return TimeSeries(data, tuple(names), times, kinds, unit)


def _load(path: Path, entry: _Entry, likelihood: float | None,
          notes: dict[str, object]) -> TimeSeries | SpikeTrains:
    if entry.kind == "units":
        group = entry.groups[0]
        times = np.asarray(group["spike_times"][()], dtype=np.float64)
        index = (np.asarray(group["spike_times_index"][()], dtype=np.int64)
                 if "spike_times_index" in group else np.array([len(times)]))
        counts = np.diff(np.concatenate([[0], index]))
        if (counts < 0).any() or (len(index) and index[-1] != len(times)):
            raise bad_file(path, "a units table whose spike_times_index ends at the number of "
                           "spikes", f"index ends at {index[-1] if len(index) else None}, "
                           f"{len(times)} spikes")
        ids = group["id"][()] if "id" in group else np.arange(len(index))
        return SpikeTrains(times, np.repeat(np.arange(len(index)), counts),
                           tuple(str(i) for i in ids))
    parts = [_series(path, g, entry.neurodata_type, likelihood, notes, entry.n_rois)
             for g in entry.groups]
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    columns, names, kinds = [first.data], list(first.names), list(first.kinds)
    for part in parts[1:]:
        same = part.n_samples == first.n_samples and np.array_equal(part.timestamps,
                                                                     first.timestamps)
        part = part if same else align(part, first.timestamps)
        columns.append(part.data)
        names += part.names
        kinds += part.kinds
    return TimeSeries(np.hstack(columns), tuple(names), first.timestamps, tuple(kinds),
                      first.unit)


def _info(name: str, entry: _Entry) -> StreamInfo:
    group = entry.groups[0]
    if entry.kind == "units":
        times = group["spike_times"]
        n_units = len(group["spike_times_index"]) if "spike_times_index" in group else 1
        span = (float(np.min(times[()])), float(np.max(times[()]))) if times.size else (None,
                                                                                        None)
        return StreamInfo(name, "spikes", (int(times.size), n_units), None, *span)
    shape = group["data"].shape
    n, cols = shape[0], 0
    for g in entry.groups:
        s = g["data"].shape
        cols += s[0] if _roi_major(g, s, entry.n_rois) else int(np.prod(s[1:]))
    if _roi_major(group, shape, entry.n_rois):
        n = shape[1]
    if "timestamps" in group:
        stamps = group["timestamps"]
        rate = None
        if stamps.size > 1:
            head = stamps[: min(stamps.size, 1000)]
            rate = round(1.0 / float(np.median(np.diff(head))), 3)
        span = (float(stamps[0]), float(stamps[-1])) if stamps.size else (None, None)
    else:
        rate = float(group["starting_time"].attrs["rate"])
        start = float(group["starting_time"][()])
        span = (start, start + (n - 1) / rate)
    unit = _text(group["data"].attrs.get("unit", ""))
    return StreamInfo(name, entry.neurodata_type or "timeseries", (n, cols), rate, *span, unit)


def _resolve(path: Path, entries: dict[str, _Entry], key: str, option: str) -> _Entry:
    if key in entries:
        return entries[key]
    folded = {k.lower(): v for k, v in entries.items()}
    for candidate in (key.lower(), key.strip("/").rsplit("/", 1)[-1].lower()):
        if candidate in folded:
            return folded[candidate]
    raise missing_key(path, option, key, sorted(entries))


def read_nwb(
    path: str | Path,
    *,
    neural: str | None = None,
    behavior: str | Sequence[str] | None = None,
    likelihood_threshold: float | None = None,
) -> Session:
    """Read streams of an NWB 2.x file into a :class:`Session`, loading only those asked for.

    The file is walked with h5py by its schema (no pynwb needed, extensions such as ndx-pose
    included): the ``Units`` table (spike times per unit), every time series in
    ``acquisition`` and ``processing`` (ElectricalSeries, RoiResponseSeries, SpatialSeries,
    pose series ...), containers of series (``Position``, ``CompassDirection``,
    ``Fluorescence``, ``PoseEstimation`` ...: their series side by side) and every interval
    table (epochs, trials). Names match case-insensitively; :func:`inspect` lists them.

    Parameters
    ----------
    path : str or Path
        The ``.nwb`` file.
    neural : str, optional
        Stream for the neural data; default ``"units"`` when the file has a Units table.
    behavior : str or sequence of str, optional
        Behaviour stream(s); several are aligned onto the first's timestamps.
    likelihood_threshold : float, optional
        Pose samples (ndx-pose) with a lower confidence become NaN.

    Returns
    -------
    Session
        With every interval table in ``intervals`` and ``metadata["nwb_version"]``.

    Raises
    ------
    DataValidationError
        If the file is not NWB, or a stream is missing or malformed.

    Examples
    --------
    >>> import h5py, numpy as np, tempfile, pathlib
    >>> from identica.io import read_nwb
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.nwb"
    >>> with h5py.File(path, "w") as f:
    ...     f.attrs["nwb_version"] = "2.7.0"
    ...     units = f.create_group("units")
    ...     units.attrs["neurodata_type"] = "Units"
    ...     _ = units.create_dataset("spike_times", data=[0.1, 0.4, 0.2])
    ...     _ = units.create_dataset("spike_times_index", data=[2, 3])
    >>> read_nwb(path).neural.names
    ('0', '1')
    """
    path = as_path(path)
    with open_hdf5(path, "an NWB file (HDF5)") as file:
        version = file.attrs.get("nwb_version")
        if version is None:
            raise bad_file(path, "an NWB file (an HDF5 root attribute nwb_version)",
                           "plain HDF5; read it with read_hdf5")
        try:
            entries, intervals = _catalog(file)
            streams = tuple(_info(k, e) for k, e in entries.items())
            notes: dict[str, object] = {"nwb_version": _text(version)}
            if neural is None and "units" in entries:
                neural = "units"
            out_neural = None
            if neural is not None:
                out_neural = _load(path, _resolve(path, entries, neural, "neural"),
                                   likelihood_threshold, notes)
            out_behavior = None
            keys = [behavior] if isinstance(behavior, str) else list(behavior or [])
            loaded = [_load(path, _resolve(path, entries, k, "behavior"), likelihood_threshold,
                            notes) for k in keys]
            if any(isinstance(s, SpikeTrains) for s in loaded):
                raise ConfigurationError("behavior= must name time series, not a Units table.")
            if loaded:
                out_behavior = loaded[0]
                for extra in loaded[1:]:
                    moved = align(extra, out_behavior.timestamps)
                    out_behavior = TimeSeries(
                        np.hstack([out_behavior.data, moved.data]),
                        out_behavior.names + moved.names, out_behavior.timestamps,
                        out_behavior.kinds + moved.kinds, out_behavior.unit)
        except (OSError, KeyError, RuntimeError, TypeError) as error:
            raise bad_file(path, "a readable NWB file", error) from error
    return Session(neural=out_neural, behavior=out_behavior, intervals=intervals,
                   streams=streams, metadata=notes, source=str(path), format="nwb")
