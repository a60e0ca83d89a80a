# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""suite2p output folders: ``plane*/F.npy, Fneu.npy, spks.npy, iscell.npy`` as time x cells."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from identica.exceptions import ConfigurationError
from identica.io._common import as_path, bad_file, load_npy
from identica.io._session import Session, describe_stream
from identica.io._streams import TimeSeries

__all__ = ["SIGNALS", "find_planes", "read_suite2p"]

SIGNALS = ("F", "Fneu", "spks", "F-neuropil")


def find_planes(path: Path) -> list[Path]:
    """The plane folders under ``path`` (itself, ``plane*``, or ``suite2p/plane*``)."""
    if (path / "F.npy").is_file() or (path / "spks.npy").is_file():
        return [path]
    for root in (path, path / "suite2p"):
        planes = sorted((p for p in root.glob("plane*") if p.is_dir()),
                        key=lambda p: (len(p.name), p.name))
        if planes:
            return planes
    return []


def _load(path: Path, name: str) -> np.ndarray:
    return load_npy(path / name, "a suite2p plane folder")


def read_suite2p(
    path: str | Path,
    *,
    signal: str = "F-neuropil",
    neuropil_coefficient: float = 0.7,
    cells_only: bool = True,
    rate: float | None = None,
    allow_pickle: bool = False,
) -> Session:
    """Read a suite2p output folder as neural activity of shape (n_frames, n_cells).

    suite2p stores cells x frames; this returns time x cells, planes side by side. ``stat.npy``
    and ``ops.npy`` hold pickled Python objects and are read only with ``allow_pickle=True``
    (then the frame rate comes from ``ops.npy``); otherwise pass ``rate=``.

    Parameters
    ----------
    path : str or Path
        A plane folder, a ``suite2p`` folder with ``plane*`` folders, or the folder above it.
    signal : {"F-neuropil", "F", "Fneu", "spks"}, default="F-neuropil"
        ``F - neuropil_coefficient * Fneu``, raw fluorescence, neuropil or deconvolved activity.
    neuropil_coefficient : float, default=0.7
        Neuropil scaling for ``"F-neuropil"`` (suite2p's default).
    cells_only : bool, default=True
        Keep only ROIs that ``iscell.npy`` classifies as cells.
    rate : float, optional
        Frame rate in Hz, giving timestamps ``frame / rate``.
    allow_pickle : bool, default=False
        Read ``ops.npy`` (pickled) for the frame rate. Only for files you trust.

    Returns
    -------
    Session
        ``neural`` is a TimeSeries named ``plane0/roi12`` ...; ``metadata["iscell"]`` holds the
        classifier output of the kept ROIs.

    Raises
    ------
    DataValidationError
        If no plane folder is found, a file is missing or malformed, or shapes disagree.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from identica.io import read_suite2p
    >>> plane = pathlib.Path(tempfile.mkdtemp()) / "suite2p" / "plane0"
    >>> plane.mkdir(parents=True)
    >>> for name in ("F", "Fneu", "spks"):
    ...     np.save(plane / f"{name}.npy", np.ones((3, 100), dtype=np.float32))
    >>> np.save(plane / "iscell.npy", np.array([[1, 0.9], [0, 0.2], [1, 0.8]]))
    >>> session = read_suite2p(plane.parent.parent, rate=30.0)
    >>> session.neural.data.shape, session.neural.names
    ((100, 2), ('plane0/roi0', 'plane0/roi2'))
    """
    path = as_path(path, directory=True)
    if signal not in SIGNALS:
        raise ConfigurationError(f"signal must be one of {SIGNALS}; got {signal!r}.")
    planes = find_planes(path)
    if not planes:
        raise bad_file(path, "a suite2p folder (plane*/F.npy, or F.npy here)", "none found")
    blocks, names, iscell = [], [], []
    frame_rate = rate
    for plane in planes:
        if signal == "F-neuropil":
            values = _load(plane, "F.npy") - neuropil_coefficient * _load(plane, "Fneu.npy")
        else:
            values = _load(plane, f"{signal}.npy")
        if values.ndim != 2 or values.size == 0:
            raise bad_file(plane, "a non-empty (n_rois, n_frames) array", f"shape {values.shape}")
        if not np.issubdtype(values.dtype, np.number):
            raise bad_file(plane, "numeric traces", f"dtype {values.dtype}")
        if (plane / "iscell.npy").is_file():
            cls = _load(plane, "iscell.npy")
            if cls.ndim != 2 or cls.shape[0] != values.shape[0]:
                raise bad_file(plane / "iscell.npy", f"one row per ROI ({values.shape[0]})",
                               f"shape {cls.shape}")
        else:
            cls = np.ones((values.shape[0], 2))
        keep = cls[:, 0] > 0.5 if cells_only else np.ones(len(cls), dtype=bool)
        if blocks and values.shape[1] != blocks[0].shape[0]:
            raise bad_file(plane, f"{blocks[0].shape[0]} frames like {planes[0].name}",
                           f"{values.shape[1]} frames")
        blocks.append(values[keep].T)
        names += [f"{plane.name}/roi{i}" for i in np.flatnonzero(keep)]
        iscell.append(cls[keep])
        if allow_pickle and frame_rate is None and (plane / "ops.npy").is_file():
            try:
                ops = np.load(plane / "ops.npy", allow_pickle=True).item()
                frame_rate = float(ops["fs"])
            except (ValueError, KeyError, TypeError, OSError, AttributeError) as error:
                raise bad_file(plane / "ops.npy", "a suite2p ops dict with 'fs'", error) from error
    data = np.ascontiguousarray(np.hstack(blocks), dtype=np.float32)
    if data.shape[1] == 0:
        raise bad_file(path, "at least one ROI classified as a cell",
                       "none; pass cells_only=False to keep every ROI")
    times = None if frame_rate is None else np.arange(data.shape[0]) / frame_rate
    traces = TimeSeries(data, tuple(names), times)
    return Session(neural=traces, streams=(describe_stream(signal, traces),),
                   metadata={"iscell": np.vstack(iscell), "planes": [p.name for p in planes],
                             "signal": signal, "rate": frame_rate},
                   source=str(path), format="suite2p")
