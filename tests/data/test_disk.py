# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Recordings read from disk: windows against the in-memory gatherer, validation, and a fit on a
file three times larger than the memory it is allowed."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch

import identica
from identica.data import DiskArray, DiskWindowGatherer, Offset, WindowGatherer, is_out_of_core
from identica.exceptions import DataValidationError


@pytest.fixture
def stored(tmp_path, noise):
    path = tmp_path / "X.npy"
    np.save(path, noise)
    return np.load(path, mmap_mode="r")


@pytest.mark.parametrize("field", [Offset(0, 1), Offset(2, 3), Offset(5, 5)])
def test_disk_windows_equal_in_memory_windows(stored, noise, field):
    index = torch.tensor([150, 7, 8, 9, 100, 290 - field.right, 7, field.left])
    expected = WindowGatherer(torch.from_numpy(noise), field)(index)
    got = DiskWindowGatherer(DiskArray(stored), field)(index)
    assert got.shape == expected.shape and torch.equal(got, expected)


def test_disk_rows_are_private_float32_copies(tmp_path):
    path = tmp_path / "X.npy"
    np.save(path, np.arange(12, dtype=np.int16).reshape(6, 2))
    rows = DiskArray(np.load(path, mmap_mode="r")).rows(2, 4)
    assert rows.dtype == np.float32 and rows.flags.writeable and rows.flags.c_contiguous
    assert rows.tolist() == [[4, 5], [6, 7]]


def test_hdf5_datasets_are_read_from_disk(tmp_path, noise):
    h5py = pytest.importorskip("h5py")
    with h5py.File(tmp_path / "X.h5", "w") as file:
        file.create_dataset("X", data=noise, chunks=(32, 6))
    with h5py.File(tmp_path / "X.h5", "r") as file:
        assert is_out_of_core(file["X"]) and not is_out_of_core(noise)
        index = torch.tensor([3, 200, 4])
        got = DiskWindowGatherer(DiskArray(file["X"]), Offset(1, 2))(index)
        assert torch.equal(got, WindowGatherer(torch.from_numpy(noise), Offset(1, 2))(index))


def test_nan_on_disk_is_found_with_its_index(tmp_path, noise):
    bad = noise.copy()
    bad[123, 4] = np.inf
    np.save(tmp_path / "bad.npy", bad)
    disk = DiskArray(np.load(tmp_path / "bad.npy", mmap_mode="r"))
    with pytest.raises(DataValidationError, match=r"first bad value \(inf\) at index \(123, 4\)"):
        disk.check_finite()
    with pytest.raises(DataValidationError, match="2-D array"):
        DiskArray(np.load(tmp_path / "bad.npy", mmap_mode="r")[0])


def test_fit_and_transform_from_a_memmap_equal_in_memory(stored, noise):
    params = dict(encoder="mlp", output_dimension=3, batch_size=32, max_iterations=15,
                  time_offset=2, random_state=0, num_threads=1)
    memory = identica.Embedding(**params).fit(noise)
    disk = identica.Embedding(**params).fit(stored)
    np.testing.assert_array_equal(disk.loss_history_, memory.loss_history_)
    np.testing.assert_array_equal(disk.transform(stored), memory.transform(noise))


def test_streamed_transform_equals_the_whole_recording(stored, noise):
    model = identica.Embedding(encoder="conv10", output_dimension=3, batch_size=32,
                               max_iterations=3, random_state=0).fit(noise)
    from identica.nn import _embed

    before, _embed._DISK_BUDGET = _embed._DISK_BUDGET, 600  # a few rows per chunk
    try:
        streamed = model.transform(stored)
    finally:
        _embed._DISK_BUDGET = before
    np.testing.assert_allclose(streamed, model.transform(noise), atol=1e-5)


MEASURE = textwrap.dedent("""
    import json, sys
    import numpy as np
    import identica

    def status(key):
        for line in open("/proc/self/status"):
            if line.startswith(key):
                return int(line.split()[1]) * 1024

    X = np.load(sys.argv[1], mmap_mode="r")
    params = dict(encoder="conv5", output_dimension=4, batch_size=128, max_iterations=20,
                  random_state=0, num_threads=1)
    # torch's one-time set-up (allocator, kernels: about 100 MB) belongs to the baseline
    warm = np.array(X[:2000])
    identica.Embedding(**params).fit(warm).transform(warm)
    del warm
    model = identica.Embedding(**params)
    open("/proc/self/clear_refs", "w").write("5")  # the peak starts again from here
    baseline = status("VmRSS:")
    model.fit(X)
    embedding = model.transform(X)
    print(json.dumps({"baseline": baseline, "peak": status("VmHWM:"),
                      "rows": len(embedding), "finite": bool(np.isfinite(embedding).all())}))
""")


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
def test_a_recording_three_times_the_memory_budget_trains(tmp_path):
    """Peak resident memory of fit + transform over the baseline of a process that has run
    one small fit (torch's one-time set-up), against a third of the file's size."""
    n_samples, n_features = 100_000, 256  # 102 MB of float32 on disk
    path = tmp_path / "big.npy"
    out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32,
                                    shape=(n_samples, n_features))
    rng = np.random.default_rng(0)
    for start in range(0, n_samples, 10_000):
        out[start:start + 10_000] = rng.poisson(1.0, (10_000, n_features))
    out.flush()
    del out
    size = path.stat().st_size
    budget = size // 3
    script = tmp_path / "measure.py"
    script.write_text(MEASURE)
    run = subprocess.run([sys.executable, str(script), str(path)], capture_output=True,
                         text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["rows"] == n_samples and result["finite"]
    used = result["peak"] - result["baseline"]
    assert used < budget, f"peak grew by {used / 2**20:.1f} MiB; budget {budget / 2**20:.1f} MiB"
