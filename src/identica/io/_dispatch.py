# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""One entry point: recognise a file by its content and hand it to its reader."""

from __future__ import annotations

import inspect as _inspect
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from identica.exceptions import ConfigurationError
from identica.io._arrays import read_npz
from identica.io._common import SUPPORTED, as_path, bad_file, pickle_refusal, require
from identica.io._dlc import dlc_header_rows, read_dlc
from identica.io._hdf5 import HDF5_SIGNATURE, read_hdf5
from identica.io._matlab import is_mat73, read_mat
from identica.io._nwb import read_nwb
from identica.io._phy import read_phy
from identica.io._session import Session
from identica.io._suite2p import find_planes, read_suite2p
from identica.io._tracking import TRACKING_MAGIC, read_position_tracking

__all__ = ["combine", "detect_format", "inspect", "read"]

_PICKLE_SUFFIXES = (".pkl", ".pickle", ".jl", ".joblib", ".pt", ".pth", ".ckpt")
READERS: dict[str, Callable[..., Session]] = {
    "npz": read_npz, "hdf5": read_hdf5, "mat": read_mat, "nwb": read_nwb, "dlc": read_dlc,
    "suite2p": read_suite2p, "phy": read_phy, "position-tracking": read_position_tracking,
}


def _hdf5_kind(path: Path) -> str:
    h5py = require("h5py")
    try:
        with h5py.File(path, "r") as file:
            if "nwb_version" in file.attrs:
                return "nwb"
            if "PYTABLES_FORMAT_VERSION" in file.attrs:
                return "dlc"
    except (OSError, ValueError) as error:
        raise bad_file(path, "an HDF5 file", error) from error
    return "hdf5"


def detect_format(path: str | Path) -> str:
    """Name the reader for ``path`` from its content (magic bytes), not only its suffix.

    Parameters
    ----------
    path : str or Path
        A file or folder.

    Returns
    -------
    str
        One of ``"npz"``, ``"hdf5"``, ``"mat"``, ``"nwb"``, ``"dlc"``, ``"suite2p"``,
        ``"phy"``, ``"position-tracking"``.

    Raises
    ------
    DataValidationError
        For pickles (refused: they can run code) and unknown content.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from identica.io import detect_format
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "data.bin"  # the suffix does not matter
    >>> with open(path, "wb") as f:
    ...     np.savez(f, x=np.zeros(3))
    >>> detect_format(path)
    'npz'
    """
    path = as_path(path, directory=None)
    if path.is_dir():
        if (path / "spike_times.npy").is_file():
            return "phy"
        if find_planes(path):
            return "suite2p"
        raise bad_file(path, "a phy/Kilosort folder (spike_times.npy) or a suite2p folder "
                       "(plane*/F.npy)", "neither found")
    with open(path, "rb") as file:
        head = file.read(1024)
    if not head:
        raise bad_file(path, f"one of: {SUPPORTED}", "an empty file")
    if head.startswith(b"\x93NUMPY"):
        return "npz"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError) as error:
            raise bad_file(path, "a complete .npz (zip) archive", error) from error
        if any(n.endswith(".pkl") for n in names):
            raise pickle_refusal(path, "a PyTorch/pickle zip archive")
        return "npz"
    if is_mat73(head) or head.startswith(b"MATLAB 5.0"):
        return "mat"
    if any(head[o:o + 8] == HDF5_SIGNATURE for o in (0, 512)) or (
            path.suffix.lower() in (".h5", ".hdf5", ".nwb") and len(head) < 8):
        return _hdf5_kind(path)
    if head.startswith(TRACKING_MAGIC):
        return "position-tracking"
    if head[:1] == b"\x80" or path.suffix.lower() in _PICKLE_SUFFIXES:
        raise pickle_refusal(path, "a Python pickle (joblib/pickle/torch file)")
    if dlc_header_rows(path):
        return "dlc"
    suffix = path.suffix.lower()
    expected = {".npz": "an .npz archive", ".npy": "a .npy array", ".mat": "a MATLAB file",
                ".nwb": "an NWB (HDF5) file", ".h5": "an HDF5 file", ".hdf5": "an HDF5 file",
                ".csv": "a DeepLabCut CSV (scorer/bodyparts/coords header rows)"}
    raise bad_file(path, expected.get(suffix, f"one of: {SUPPORTED}"),
                   f"the content is not recognised (starts with {head[:16]!r})")


def read(path: str | Path, **options: object) -> Session:
    """Read a recording file or folder into a :class:`Session`, whatever its format.

    The format is recognised from the content (:func:`detect_format`), and ``options`` go to
    its reader: :func:`read_npz` (also ``.npy``), :func:`read_hdf5`, :func:`read_mat`,
    :func:`read_nwb`, :func:`read_dlc`, :func:`read_suite2p`, :func:`read_phy`,
    :func:`read_position_tracking`. Nothing is unpickled or executed. Turn the result into a
    :class:`~identica.data.Recording` with :meth:`Session.to_recording`.

    Parameters
    ----------
    path : str or Path
        The file or folder.
    **options
        Options of the format's reader.

    Returns
    -------
    Session

    Raises
    ------
    ConfigurationError
        If an option is not one the format's reader takes.
    DataValidationError
        If the file is malformed, a pickle, or of no known format.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from identica import io
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "rat.npz"
    >>> rng = np.random.default_rng(0)
    >>> np.savez(path, spikes=rng.poisson(1, (200, 8)), position=rng.uniform(0, 1.6, 200))
    >>> rec = io.read(path, neural="spikes", behavior="position").to_recording()
    >>> rec.neural.shape, rec.continuous.shape
    ((200, 8), (200, 1))
    """
    fmt = detect_format(path)
    reader = READERS[fmt]
    allowed = [p.name for p in _inspect.signature(reader).parameters.values()
               if p.kind == p.KEYWORD_ONLY]
    if fmt in ("npz", "hdf5", "mat"):
        from identica.io._arrays import ARRAY_OPTIONS

        allowed += list(ARRAY_OPTIONS)
    for name in options:
        if name not in allowed:
            import difflib

            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ConfigurationError(
                f"unknown option {name!r} for a {fmt} file {str(path)!r}.{hint} Allowed: "
                f"{', '.join(allowed) or 'none'}."
            )
    return reader(path, **options)


def inspect(path: str | Path, **options: object) -> str:
    """Describe what a file holds: its streams, shapes, rates, time spans and intervals.

    Parameters
    ----------
    path : str or Path
        The file or folder.
    **options
        Options of the format's reader (needed by some, e.g. ``rate=`` or ``fps=``).

    Returns
    -------
    str
        One line per stream, as :meth:`Session.summary` writes them.

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from identica import io
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "rec.npz"
    >>> np.savez(path, spikes=np.zeros((100, 4)), t=np.arange(100) / 40)
    >>> print(io.inspect(path))  # doctest: +ELLIPSIS
    /.../rec.npz (npz)
      spikes  array  100 x 4
      t  array  100
    """
    return read(path, **options).summary()


def combine(neural: Session, behavior: Session) -> Session:
    """One session from the neural stream of one and the behaviour of another.

    For recordings whose spikes and tracking come in separate files on the same clock.

    Parameters
    ----------
    neural, behavior : Session
        Where the neural stream and the behaviour come from.

    Returns
    -------
    Session
        Intervals and streams of both; metadata of the neural one.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.io import Session, SpikeTrains, TimeSeries, combine
    >>> spikes = Session(neural=SpikeTrains.from_trains([[0.5, 1.5]]))
    >>> track = Session(behavior=TimeSeries(np.zeros(10), ("x",), timestamps=np.arange(10.0)))
    >>> combine(spikes, track).behavior.names
    ('x',)
    """
    return replace(neural, behavior=behavior.behavior,
                   intervals={**behavior.intervals, **neural.intervals},
                   streams=neural.streams + behavior.streams)
