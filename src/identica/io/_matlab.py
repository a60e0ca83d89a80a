# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""MATLAB files: v5 (scipy) and v7.3 (HDF5), nested cells and structs, MATLAB's orientation."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from identica.io._arrays import ARRAY_OPTIONS, session_from_arrays
from identica.io._common import as_path, bad_file, check_options, missing_key
from identica.io._hdf5 import open_hdf5
from identica.io._session import Session
from identica.io._streams import SpikeTrains

__all__ = ["is_mat73", "load_mat", "read_mat"]

_NUMERIC = ("double", "single", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64",
            "uint64", "logical")


def is_mat73(head: bytes) -> bool:
    """Whether the first 128 bytes are a MATLAB v7.3 header (an HDF5 file with a user block)."""
    return head.startswith(b"MATLAB 7.3")


def _from_v5(value: object) -> object:
    if isinstance(value, np.ndarray):
        if value.dtype.names:  # struct (array)
            items = [{f: _from_v5(v[f]) for f in value.dtype.names} for v in value.ravel("F")]
            return items[0] if len(items) == 1 else items
        if value.dtype == object:  # cell
            items = [_from_v5(v) for v in value.ravel("F")]
            if value.ndim == 2 and min(value.shape) > 1:
                rows, cols = value.shape
                return [[items[c * rows + r] for c in range(cols)] for r in range(rows)]
            return items
        if value.dtype.kind == "U":
            return "".join(value.ravel().tolist()) if value.size else ""
        return value
    return None  # function handles and opaque MATLAB objects carry no data we can use


def _from_v73(file: object, node: object, path: Path) -> object:
    import h5py

    matlab_class = node.attrs.get("MATLAB_class", b"")
    matlab_class = matlab_class.decode() if isinstance(matlab_class, bytes) else str(matlab_class)
    if isinstance(node, h5py.Group):
        if "MATLAB_sparse" in node.attrs:
            raise bad_file(path, "dense arrays", f"{node.name} is a sparse matrix; save it "
                           "with full() in MATLAB")
        return {k: _from_v73(file, v, path) for k, v in node.items()}
    if node.attrs.get("MATLAB_empty", 0):
        return "" if matlab_class == "char" else np.zeros((0, 0))
    data = node[()]
    if node.dtype.kind == "O" or matlab_class == "cell":  # cell: an array of references
        refs = np.asarray(data).T
        items = [_from_v73(file, file[r], path) for r in refs.ravel("F")]
        if refs.ndim == 2 and min(refs.shape) > 1:
            rows, cols = refs.shape
            return [[items[c * rows + r] for c in range(cols)] for r in range(rows)]
        return items
    if matlab_class == "char":
        return "".join(chr(c) for c in np.asarray(data).T.ravel("F"))
    if matlab_class and matlab_class not in _NUMERIC:
        return None  # MATLAB objects (tables, strings, ...) are stored opaquely
    out = np.asarray(data).T  # HDF5 holds MATLAB arrays in reverse axis order
    return out.astype(bool) if matlab_class == "logical" else out


def load_mat(path: str | Path) -> dict[str, object]:
    """Read every variable of a MATLAB ``.mat`` file (v5 or v7.3) into plain Python.

    Arrays keep MATLAB's orientation (a 100 x 3 matrix is ``(100, 3)`` for both versions),
    structs become dicts, struct arrays and cells become lists (nested lists for 2-D cells),
    char arrays become str. MATLAB objects that hold no plain data become ``None``.

    Parameters
    ----------
    path : str or Path
        The ``.mat`` file.

    Returns
    -------
    dict of str to object

    Raises
    ------
    DataValidationError
        If the file is not a MATLAB file scipy or h5py can read.

    Examples
    --------
    >>> import numpy as np, scipy.io, tempfile, pathlib
    >>> from identica.io import load_mat
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "v5.mat"
    >>> cell = np.empty((1, 2), dtype=object)
    >>> cell[0, 0], cell[0, 1] = np.arange(3.0), "left"
    >>> scipy.io.savemat(path, {"trials": cell, "meta": {"rate": 30.0}})
    >>> variables = load_mat(path)
    >>> variables["trials"][1], variables["meta"]["rate"].item()
    ('left', 30.0)
    """
    path = as_path(path)
    with open(path, "rb") as file:
        head = file.read(128)
    if is_mat73(head):
        with open_hdf5(path, "a MATLAB v7.3 file (HDF5)") as file:
            try:
                return {k: _from_v73(file, v, path) for k, v in file.items()
                        if not k.startswith("#")}
            except (OSError, KeyError, ValueError, RuntimeError) as error:
                raise bad_file(path, "a readable MATLAB v7.3 file", error) from error
    import scipy.io

    try:
        raw = scipy.io.loadmat(path, squeeze_me=False, struct_as_record=True)
    except (ValueError, TypeError, OSError, NotImplementedError, EOFError,
            IndexError, KeyError, UnicodeDecodeError, AssertionError) as error:
        raise bad_file(path, "a MATLAB v5 .mat file", error) from error
    return {k: _from_v5(v) for k, v in raw.items() if not k.startswith("__")}


def _flatten(prefix: str, value: object, out: dict[str, np.ndarray]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else k, v, out)
    elif isinstance(value, np.ndarray) and value.dtype.kind in "biuf" and value.size:
        out[prefix] = value.reshape(-1) if 1 in value.shape and value.ndim == 2 else value


def _spike_leaves(value: object, where: tuple[int, ...], field: str,
                  out: list[tuple[str, np.ndarray]]) -> None:
    if isinstance(value, list):
        for i, item in enumerate(value, start=1):  # one-element levels add no name part
            _spike_leaves(item, where if len(value) == 1 else (*where, i), field, out)
    elif isinstance(value, dict) and field in value:
        _spike_leaves(value[field], where, field, out)
    elif isinstance(value, np.ndarray) and value.dtype.kind in "iuf" and value.size:
        out.append((".".join(str(i) for i in where) or "0", value.astype(np.float64).ravel()))


def read_mat(path: str | Path, *, spike_field: str = "time", **options: object) -> Session:
    """Read variables of a MATLAB ``.mat`` file (v5 or v7.3) into a :class:`Session`.

    Numeric variables, and fields of structs as ``"struct.field"``, are picked with the options
    of :func:`read_npz`. ``spike_times=`` may also name a cell array (nested to any depth) of
    spike-time vectors or of structs with a ``spike_field`` field, as spike sorters such as
    MatClust write them; each non-empty leaf becomes one unit named by its 1-based position
    (``"3.2"``: third cell, second cluster).

    Parameters
    ----------
    path : str or Path
        The ``.mat`` file.
    spike_field : str, default="time"
        Struct field holding the spike times in seconds.
    **options
        As :func:`read_npz`.

    Returns
    -------
    Session

    Examples
    --------
    >>> import numpy as np, scipy.io, tempfile, pathlib
    >>> from identica.io import read_mat
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "sorted.mat"
    >>> cells = np.empty((1, 2), dtype=object)
    >>> cells[0, 0] = {"time": np.array([0.1, 0.7])}
    >>> cells[0, 1] = {"time": np.array([0.4])}
    >>> scipy.io.savemat(path, {"spikes": cells})
    >>> session = read_mat(path, spike_times="spikes")
    >>> session.neural.names, session.neural.n_spikes
    (('1', '2'), 3)
    """
    path = as_path(path)
    check_options("MATLAB", options, ARRAY_OPTIONS)
    variables = load_mat(path)
    arrays: dict[str, np.ndarray] = {}
    _flatten("", variables, arrays)
    key = options.get("spike_times")
    if isinstance(key, str) and key not in arrays:
        if key not in variables:
            raise missing_key(path, "spike_times", key, sorted(variables))
        leaves: list[tuple[str, np.ndarray]] = []
        _spike_leaves(variables[key], (), spike_field, leaves)
        if not leaves:
            raise bad_file(path, f"spike-time vectors (or structs with a {spike_field!r} field) "
                           f"in {key!r}", "none found")
        neural = SpikeTrains.from_trains([v for _, v in leaves], [n for n, _ in leaves])
        rest = {k: v for k, v in options.items() if k not in ("spike_times", "spike_units")}
        session = session_from_arrays(path, "mat", {k: (lambda v=v: v) for k, v in
                                                    arrays.items()},
                                      {k: v.shape for k, v in arrays.items()}, **rest)
        from dataclasses import replace

        return replace(session, neural=neural)
    return session_from_arrays(path, "mat", {k: (lambda v=v: v) for k, v in arrays.items()},
                               {k: v.shape for k, v in arrays.items()},
                               **options)  # type: ignore[arg-type]
