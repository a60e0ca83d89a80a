# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Shared helpers of the io tests: the real data folder, MATLAB v7.3 writer, live pickles."""

from __future__ import annotations

import pathlib
from pathlib import Path

import h5py
import numpy as np
import pytest

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real"


def real(relative: str) -> Path:
    """Path of a real file under ../shared/data/real, or skip the test when it is absent."""
    path = REAL / relative
    if not path.exists():
        pytest.skip(f"real data not present: {path} (the shared data folder sits beside the "
                    "repository; these tests need it)")
    return path


class Evil:
    """A pickle payload that writes a marker file when unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (pathlib.Path.write_text, (pathlib.Path(self.marker), "code ran"))


_CLASSES = {"f": "double", "i": "int64", "u": "uint8", "b": "logical"}


def _put(file: h5py.File, parent: h5py.Group, name: str, value: object) -> None:
    if isinstance(value, str):
        codes = np.array([ord(c) for c in value], dtype=np.uint16).reshape(-1, 1)
        dataset = parent.create_dataset(name, data=codes)
        dataset.attrs["MATLAB_class"] = np.bytes_("char")
    elif isinstance(value, dict):
        group = parent.create_group(name)
        group.attrs["MATLAB_class"] = np.bytes_("struct")
        for key, item in value.items():
            _put(file, group, key, item)
    elif isinstance(value, list):  # a 1 x n cell
        refs = []
        for i, item in enumerate(value):
            key = f"{parent.name.strip('/').replace('/', '_')}_{name}_{i}"
            _put(file, file["#refs#"], key, item)
            refs.append(file["#refs#"][key].ref)
        dataset = parent.create_dataset(name, data=np.array(refs, dtype=h5py.ref_dtype)
                                        .reshape(-1, 1))
        dataset.attrs["MATLAB_class"] = np.bytes_("cell")
    else:
        array = np.asarray(value)
        dataset = parent.create_dataset(name, data=array.T)  # MATLAB writes column-major
        dataset.attrs["MATLAB_class"] = np.bytes_(_CLASSES[array.dtype.kind])


def write_mat73(path: Path, variables: dict[str, object]) -> Path:
    """Write ``variables`` as MATLAB v7.3 does: HDF5 with a 512-byte header, arrays transposed."""
    with h5py.File(path, "w", userblock_size=512) as file:
        file.create_group("#refs#")
        for name, value in variables.items():
            _put(file, file, name, value)
    header = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Mon Jan  1 00:00:00 2024 HDF5"
    with open(path, "r+b") as file:
        file.write(header.ljust(116) + b"\0" * 8 + b"\x00\x02IM")
    return path
