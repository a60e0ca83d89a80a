# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Files of named arrays (.npz, .npy, HDF5, .mat): pick streams out of them by key."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from identica.exceptions import ConfigurationError, DataValidationError
from identica.io._common import as_path, bad_file, check_options, missing_key, pickle_refusal
from identica.io._session import Session, StreamInfo
from identica.io._streams import SpikeTrains, TimeSeries

__all__ = ["ARRAY_OPTIONS", "load_arrays", "read_npz", "session_from_arrays"]

ARRAY_OPTIONS = ("neural", "behavior", "timestamps", "behavior_timestamps", "rate",
                 "behavior_rate", "spike_times", "spike_units")

Keys = str | Sequence[str] | None


def _keys(value: Keys) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _clock(path: object, n: int, times: np.ndarray | None, rate: float | None,
           what: str) -> np.ndarray | None:
    if times is not None:
        times = np.asarray(times, dtype=np.float64).reshape(-1)
        if len(times) != n:
            raise bad_file(path, f"one timestamp per row of the {what}",
                           f"{n} rows but {len(times)} timestamps")
        return times
    if rate is not None:
        if not (isinstance(rate, int | float) and rate > 0):
            raise ConfigurationError(f"rate must be a positive number of Hz; got {rate!r}.")
        return np.arange(n) / float(rate)
    return None


def _columns(path: object, key: str, array: np.ndarray) -> tuple[np.ndarray, list[str], str]:
    array = np.asarray(array) if not isinstance(array, np.memmap) else array
    if array.dtype == object or not (np.issubdtype(array.dtype, np.number)
                                     or array.dtype == np.bool_):
        raise bad_file(path, f"numbers in array {key!r}", f"dtype {array.dtype}")
    if array.ndim == 1:
        kind = "discrete" if np.issubdtype(array.dtype, np.integer) else "continuous"
        return array.reshape(-1, 1), [key], kind
    if array.ndim != 2:
        raise bad_file(path, f"a 1-D or 2-D array {key!r} (samples x columns)",
                       f"shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise bad_file(path, f"a non-empty array {key!r}", f"shape {array.shape}")
    return array, [f"{key}_{i}" for i in range(array.shape[1])], "continuous"


def _series(path: object, getters: Mapping[str, Callable[[], np.ndarray]], keys: list[str],
            option: str, times: np.ndarray | None, rate: float | None,
            what: str) -> TimeSeries:
    blocks, names, kinds = [], [], []
    for key in keys:
        if key not in getters:
            raise missing_key(path, option, key, list(getters))
        data, cols, kind = _columns(path, key, getters[key]())
        if blocks and data.shape[0] != blocks[0].shape[0]:
            raise bad_file(path, f"arrays of equal length for {option}",
                           f"{keys[0]!r} has {blocks[0].shape[0]} rows, {key!r} {data.shape[0]}")
        blocks.append(data)
        names += cols
        kinds += [kind] * len(cols)
    data = blocks[0] if len(blocks) == 1 else np.hstack([np.asarray(b) for b in blocks])
    if data.shape[0] == 0:
        raise bad_file(path, f"at least one row in {option}", "0 rows")
    if len(blocks) == 1 and data.shape[1] > 1 and len(keys) == 1:
        names = [f"{keys[0]}_{i}" for i in range(data.shape[1])]
    return TimeSeries(data, tuple(names), _clock(path, data.shape[0], times, rate, what),
                      tuple(kinds))


def session_from_arrays(
    path: object,
    fmt: str,
    getters: Mapping[str, Callable[[], np.ndarray]],
    shapes: Mapping[str, tuple[int, ...]],
    *,
    neural: Keys = None,
    behavior: Keys = None,
    timestamps: str | None = None,
    behavior_timestamps: str | None = None,
    rate: float | None = None,
    behavior_rate: float | None = None,
    spike_times: str | None = None,
    spike_units: str | None = None,
    metadata: Mapping[str, object] | None = None,
) -> Session:
    """Build a Session from named arrays; only the arrays asked for are read."""
    def get(key: str, option: str) -> np.ndarray:
        if key not in getters:
            raise missing_key(path, option, key, list(getters))
        return getters[key]()

    if spike_times is not None and neural is not None:
        raise ConfigurationError("give neural= (a sampled array) or spike_times= (spike "
                                 f"times in seconds), not both; got neural={neural!r}.")
    out_neural: TimeSeries | SpikeTrains | None = None
    if spike_times is not None:
        times = np.asarray(get(spike_times, "spike_times"), dtype=np.float64).reshape(-1)
        if spike_units is None:
            units = np.zeros(len(times), dtype=np.int64)
        else:
            units = np.asarray(get(spike_units, "spike_units")).reshape(-1)
            if len(units) != len(times):
                raise bad_file(path, "one unit index per spike time",
                               f"{len(times)} spike times but {len(units)} unit indices")
            if not np.issubdtype(units.dtype, np.integer):
                raise bad_file(path, f"integer unit indices in {spike_units!r}",
                               f"dtype {units.dtype}")
        ids, codes = np.unique(units, return_inverse=True)
        if not np.isfinite(times).all():
            raise bad_file(path, f"finite spike times in {spike_times!r}", "NaN or inf found")
        out_neural = SpikeTrains(times, codes.reshape(-1), tuple(str(i) for i in ids))
    elif neural is not None:
        ts = None if timestamps is None else get(timestamps, "timestamps")
        out_neural = _series(path, getters, _keys(neural), "neural", ts, rate, "neural data")
    out_behavior = None
    if behavior is not None:
        bts = None if behavior_timestamps is None else get(behavior_timestamps,
                                                           "behavior_timestamps")
        out_behavior = _series(path, getters, _keys(behavior), "behavior", bts, behavior_rate,
                               "behaviour")
    streams = tuple(StreamInfo(k, "array", tuple(s)) for k, s in shapes.items())
    return Session(neural=out_neural, behavior=out_behavior, streams=streams,
                   metadata=dict(metadata or {}), source=str(path), format=fmt)


def _npz_shapes(path: Path, archive: zipfile.ZipFile) -> dict[str, tuple[int, ...]]:
    shapes = {}
    for name in archive.namelist():
        if not name.endswith(".npy"):
            continue
        with archive.open(name) as member:
            version = np.lib.format.read_magic(member)
            header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                      else np.lib.format.read_array_header_2_0)
            shape, _, _ = header(member)
        shapes[name[:-4]] = tuple(int(s) for s in shape)
    return shapes


def read_npz(path: str | Path, **options: object) -> Session:
    """Read a NumPy ``.npz`` archive or ``.npy`` array (memory-mapped) into a :class:`Session`.

    A ``.npy`` file holds one array, which becomes the neural stream. In an ``.npz`` archive,
    name the arrays: ``neural=`` (a sampled array or a list of keys), or ``spike_times=`` and
    ``spike_units=`` for spike times in seconds; ``behavior=``; their clocks by
    ``timestamps=``/``behavior_timestamps=`` (keys) or ``rate=``/``behavior_rate=`` (Hz).
    Nothing is unpickled: object arrays are refused.

    Parameters
    ----------
    path : str or Path
        The ``.npz`` or ``.npy`` file.
    **options
        The keys above.

    Returns
    -------
    Session

    Raises
    ------
    DataValidationError
        If the file is not a readable archive, a key is missing, or an array holds objects.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from identica.io import read_npz
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "session.npz"
    >>> np.savez(path, spikes=np.zeros((100, 4)), position=np.linspace(0, 1, 100))
    >>> session = read_npz(path, neural="spikes", behavior="position")
    >>> session.neural.data.shape, session.behavior.names
    ((100, 4), ('position',))
    """
    path = as_path(path)
    check_options(".npz", options, ARRAY_OPTIONS)
    with open(path, "rb") as file:
        magic = file.read(6)
    if magic == b"\x93NUMPY":
        try:
            array = np.load(path, mmap_mode="r", allow_pickle=False)
        except ValueError as error:
            if "pickle" in str(error) or "object" in str(error):
                raise pickle_refusal(path, "a .npy file of Python objects") from error
            raise bad_file(path, "a .npy array", error) from error
        except (OSError, EOFError) as error:
            raise bad_file(path, "a complete .npy array", error) from error
        key = path.stem
        unknown = sorted(k for k, v in options.items() if v is not None)
        if unknown:
            raise DataValidationError(
                f"{str(path)!r} holds a single array, not an .npz archive of named arrays, so "
                f"{unknown[0]}= cannot name one. Save several with "
                "np.savez(path, neural=X, behavior=y)."
            )
        return session_from_arrays(path, "npy", {key: lambda: array}, {key: array.shape},
                                   neural=key)
    try:
        archive = np.load(path, allow_pickle=False)
        if not hasattr(archive, "files"):
            raise bad_file(path, "an .npz archive of named arrays", "a single array")
        shapes = _npz_shapes(path, archive.zip)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise bad_file(path, "an .npz archive (np.savez)", error) from error

    def getter(key: str) -> Callable[[], np.ndarray]:
        def load() -> np.ndarray:
            try:
                return archive[key]
            except ValueError as error:
                raise pickle_refusal(path, f"an archive whose array {key!r} holds Python "
                                     "objects") from error
            except (OSError, EOFError, zipfile.BadZipFile) as error:
                raise bad_file(path, f"a readable array {key!r}", error) from error
        return load

    try:
        return session_from_arrays(path, "npz", {k: getter(k) for k in archive.files}, shapes,
                                   **options)  # type: ignore[arg-type]
    finally:
        archive.close()


def load_arrays(path: str | Path, keys: Mapping[str, str | None]) -> dict[str, np.ndarray | None]:
    """Read the arrays named by ``keys`` (label -> key) from an ``.npz`` archive, no pickle.

    The labels (e.g. command-line options) name the arrays in error messages.
    """
    path = as_path(path)
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise bad_file(path, "an .npz archive", error) from error
    if not hasattr(archive, "files"):
        raise DataValidationError(
            f"{str(path)!r} holds a single array, not an .npz archive of named arrays. Save one "
            "with np.savez(path, neural=X, behavior=y)."
        )
    try:
        arrays: dict[str, np.ndarray | None] = {}
        for label, key in keys.items():
            if key is None:
                arrays[label] = None
                continue
            if key not in archive.files:
                raise missing_key(path, label, key, list(archive.files))
            try:
                arrays[label] = archive[key]
            except ValueError as error:
                raise pickle_refusal(path, f"an archive whose array {key!r} holds Python "
                                     "objects") from error
            except (OSError, EOFError, zipfile.BadZipFile) as error:
                raise bad_file(path, f"a readable array {key!r}", error) from error
        return arrays
    finally:
        archive.close()
