# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""open_array: stored arrays opened in place, for recordings larger than memory."""

from __future__ import annotations

import numpy as np
import pytest

from identica.data import is_out_of_core
from identica.exceptions import DataValidationError
from identica.io import open_array


def test_npy_opens_as_a_read_only_memmap(tmp_path):
    data = np.arange(20, dtype=np.float32).reshape(10, 2)
    np.save(tmp_path / "X.npy", data)
    X = open_array(tmp_path / "X.npy")
    assert isinstance(X, np.memmap) and not X.flags.writeable and is_out_of_core(X)
    np.testing.assert_array_equal(X, data)


def test_hdf5_opens_the_named_dataset(tmp_path):
    h5py = pytest.importorskip("h5py")
    data = np.arange(20.0).reshape(10, 2)
    with h5py.File(tmp_path / "r.h5", "w") as file:
        file.create_dataset("ephys/rates", data=data)
        file.create_dataset("ephys/t", data=np.arange(10.0))
    X = open_array(tmp_path / "r.h5", "ephys/rates")
    assert is_out_of_core(X) and X.shape == (10, 2)
    np.testing.assert_array_equal(X[3:5], data[3:5])
    X.file.close()
    with pytest.raises(DataValidationError, match="has no array 'ephys/rate'.*'ephys/rates'"):
        open_array(tmp_path / "r.h5", "ephys/rate")


def test_npz_is_refused_with_the_fix(tmp_path):
    np.savez(tmp_path / "X.npz", X=np.zeros((3, 2)))
    with pytest.raises(DataValidationError, match="np.save the array"):
        open_array(tmp_path / "X.npz")
