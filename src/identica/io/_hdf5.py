# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Generic HDF5 files: streams named by dataset path."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from identica.io._arrays import ARRAY_OPTIONS, session_from_arrays
from identica.io._common import as_path, bad_file, check_options, require
from identica.io._session import Session

__all__ = ["HDF5_SIGNATURE", "open_hdf5", "read_hdf5"]

HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def open_hdf5(path: Path, expected: str = "an HDF5 file"):  # noqa: ANN201 - h5py.File
    """Open ``path`` read-only with h5py, turning h5py's errors into one clear error."""
    h5py = require("h5py")
    try:
        return h5py.File(path, "r")
    except (OSError, ValueError) as error:
        raise bad_file(path, expected, error) from error


def read_hdf5(path: str | Path, **options: object) -> Session:
    """Read datasets of a generic HDF5 file into a :class:`Session`.

    Streams are named by dataset path (``neural="data/spikes"``); the options are those of
    :func:`read_npz`. Only the datasets asked for are read. Datasets of references, strings or
    compound records are refused with the path and dtype.

    Parameters
    ----------
    path : str or Path
        The ``.h5``/``.hdf5`` file.
    **options
        ``neural``, ``behavior``, ``timestamps``, ``behavior_timestamps``, ``rate``,
        ``behavior_rate``, ``spike_times``, ``spike_units``.

    Returns
    -------
    Session

    Raises
    ------
    DataValidationError
        If the file is not HDF5, or a dataset is missing or not numeric.

    Examples
    --------
    >>> import h5py, numpy as np, tempfile, pathlib
    >>> from identica.io import read_hdf5
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "rec.h5"
    >>> with h5py.File(path, "w") as f:
    ...     _ = f.create_dataset("ephys/rates", data=np.ones((50, 3)))
    ...     _ = f.create_dataset("ephys/t", data=np.arange(50) / 10.0)
    >>> session = read_hdf5(path, neural="ephys/rates", timestamps="ephys/t")
    >>> session.neural.data.shape, session.neural.rate
    ((50, 3), 10.0)
    """
    path = as_path(path)
    check_options("HDF5", options, ARRAY_OPTIONS)
    with open_hdf5(path) as file:
        datasets: dict[str, object] = {}

        def visit(name: str, obj: object) -> None:
            if hasattr(obj, "shape") and hasattr(obj, "dtype"):
                datasets[name] = obj

        try:
            file.visititems(visit)
        except (OSError, RuntimeError, KeyError) as error:
            raise bad_file(path, "a readable HDF5 file", error) from error

        def getter(name: str):  # noqa: ANN202
            def load() -> np.ndarray:
                dataset = datasets[name]
                if dataset.dtype.kind not in "biuf":  # references, strings, compound
                    raise bad_file(path, f"numbers in dataset {name!r}", f"dtype {dataset.dtype}")
                try:
                    return dataset[()]
                except (OSError, RuntimeError, ValueError) as error:
                    raise bad_file(path, f"a readable dataset {name!r}", error) from error
            return load

        return session_from_arrays(
            path, "hdf5", {k: getter(k) for k in datasets},
            {k: tuple(v.shape) for k, v in datasets.items()}, **options,  # type: ignore[arg-type]
        )
