# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Open a stored array without reading it: for recordings larger than memory."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from identica.io._common import as_path, bad_file, missing_key, require
from identica.io._hdf5 import HDF5_SIGNATURE, open_hdf5

__all__ = ["open_array"]


def open_array(path: str | Path, key: str | None = None) -> object:
    """The array stored at ``path`` (and ``key``), opened for reading rows, not read.

    Pass the result as ``X`` to ``Embedding.fit`` or ``transform``: windows are then read from
    disk a batch at a time (:class:`identica.data.DiskArray`), so the recording may be larger
    than memory. ``.npy`` files open as a read-only NumPy memmap, HDF5 files as an
    ``h5py.Dataset`` (the file stays open while the dataset is referenced), zarr stores
    (folders) as a ``zarr.Array`` (the ``zarr`` package). ``.npz`` archives are compressed
    or zipped and cannot be read in place: save the array with ``np.save`` instead.

    Parameters
    ----------
    path : str or Path
        A ``.npy`` file, an HDF5 file or a zarr store.
    key : str, optional
        Dataset path inside an HDF5 file or zarr group (required for those).

    Returns
    -------
    numpy.memmap, h5py.Dataset or zarr.Array

    Raises
    ------
    DataValidationError
        If the file is not one of these, or ``key`` is missing or wrong.

    Examples
    --------
    >>> import numpy as np, pathlib, tempfile
    >>> from identica.io import open_array
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "X.npy"
    >>> np.save(path, np.zeros((1000, 4), dtype=np.float32))
    >>> X = open_array(path)
    >>> type(X).__name__, X.shape
    ('memmap', (1000, 4))
    """
    folder = Path(path).is_dir() if isinstance(path, str | Path) else False
    path = as_path(path, directory=folder)
    if folder:
        zarr = require("zarr")
        store = zarr.open(str(path), mode="r")
        if key is None:
            if hasattr(store, "shape"):
                return store
            raise bad_file(path, "key= naming an array of this zarr group", "no key")
        try:
            return store[key]
        except KeyError:
            raise missing_key(path, "key", key, sorted(store.array_keys())) from None
    with open(path, "rb") as file:
        head = file.read(8)
    if head.startswith(b"\x93NUMPY"):
        return np.load(path, mmap_mode="r", allow_pickle=False)
    if head == HDF5_SIGNATURE:
        file = open_hdf5(path)
        names: list[str] = []
        file.visititems(lambda name, obj: names.append(name) if hasattr(obj, "shape") else None)
        if key is None and len(names) == 1:
            key = names[0]
        if key not in names:
            file.close()
            raise missing_key(path, "key", str(key), names)
        return file[key]
    raise bad_file(path, "a .npy file, an HDF5 file or a zarr folder (read in place)",
                   "another format; an .npz archive cannot be memory-mapped: np.save the array")
