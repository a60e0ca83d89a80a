# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Broken, mislabelled and malicious files: a clear DataValidationError naming the file, never
a crash deep in a library, never code execution."""

from __future__ import annotations

import pickle
import zipfile

import h5py
import numpy as np
import pandas as pd
import pytest
import scipy.io
from tests.io._helpers import Evil, write_mat73

from identica import io
from identica.exceptions import DataValidationError


@pytest.fixture
def marker(tmp_path):
    path = tmp_path / "MARKER"
    payload = pickle.dumps(Evil(path))
    pickle.loads(payload)  # the payload is live: unpickling it does write the marker
    assert path.exists()
    path.unlink()
    yield path
    assert not path.exists(), "reading the file ran code hidden in a pickle"


def _truncate(path, fraction=0.5):
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


def _random(path, n=4096):
    path.write_bytes(np.random.default_rng(0).bytes(n))
    return path


def _valid(kind, path):
    if kind == "npz":
        np.savez(path, x=np.ones((500, 4)), y=np.ones(500))
    elif kind == "npy":
        np.save(path, np.ones((500, 4)))
    elif kind == "mat5":
        scipy.io.savemat(path, {"x": np.ones((500, 4))})
    elif kind == "mat73":
        write_mat73(path, {"x": np.ones((500, 4))})
    elif kind in ("h5", "nwb"):
        with h5py.File(path, "w") as f:
            if kind == "nwb":
                f.attrs["nwb_version"] = "2.7.0"
            f["x"] = np.ones((5000, 4))
    elif kind == "dlc.h5":
        columns = pd.MultiIndex.from_product([["net"], ["nose"], ["x", "y", "likelihood"]],
                                             names=["scorer", "bodyparts", "coords"])
        pd.DataFrame(np.ones((500, 3)), columns=columns).to_hdf(path, key="df", format="table")
    return path


SUFFIX = {"npz": ".npz", "npy": ".npy", "mat5": ".mat", "mat73": ".mat", "h5": ".h5",
          "nwb": ".nwb", "dlc.h5": ".h5"}


@pytest.mark.parametrize("kind", list(SUFFIX))
def test_truncated_files(tmp_path, kind):
    path = _truncate(_valid(kind, tmp_path / f"f{SUFFIX[kind]}"))
    with pytest.raises(DataValidationError, match=f"could not read '{path}'"):
        io.read(path, **({"neural": "x"} if kind in ("npz", "mat5", "mat73", "h5") else {}))


@pytest.mark.parametrize("suffix", [".npz", ".npy", ".mat", ".h5", ".nwb", ".csv", ".hdf5",
                                    ".videoPositionTracking"])
def test_random_bytes_with_the_right_suffix(tmp_path, suffix):
    path = _random(tmp_path / f"noise{suffix}")
    with pytest.raises(DataValidationError, match=f"could not read '{path}': expected"):
        io.read(path)


def test_empty_file(tmp_path):
    (tmp_path / "e.npz").write_bytes(b"")
    with pytest.raises(DataValidationError, match="an empty file"):
        io.read(tmp_path / "e.npz")


@pytest.mark.parametrize(("kind", "key"), [("npz", "neural"), ("mat5", "neural"),
                                           ("mat73", "neural"), ("h5", "neural")])
def test_wrong_keys(tmp_path, kind, key):
    path = _valid(kind, tmp_path / f"f{SUFFIX[kind]}")
    with pytest.raises(DataValidationError, match="has no array 'nope' .*Available keys: "):
        io.read(path, **{key: "nope"})


def test_nwb_wrong_stream_and_not_nwb(tmp_path):
    path = _valid("nwb", tmp_path / "f.nwb")
    with pytest.raises(DataValidationError, match="has no array 'position'"):
        io.read(path, behavior="position")
    with pytest.raises(DataValidationError, match="expected an NWB file .*nwb_version"):
        io.read_nwb(_valid("h5", tmp_path / "plain.h5"))


def test_nwb_inconsistent_units_table(tmp_path):
    with h5py.File(tmp_path / "u.nwb", "w") as f:
        f.attrs["nwb_version"] = "2.7.0"
        units = f.create_group("units")
        units.attrs["neurodata_type"] = "Units"
        units["spike_times"] = [0.1, 0.2]
        units["spike_times_index"] = [1, 5]
    with pytest.raises(DataValidationError, match="spike_times_index ends at the number"):
        io.read(tmp_path / "u.nwb")


def test_mismatched_lengths(tmp_path):
    np.savez(tmp_path / "m.npz", x=np.ones((10, 2)), t=np.arange(9.0), y=np.ones(7))
    with pytest.raises(DataValidationError, match="10 rows but 9 timestamps"):
        io.read(tmp_path / "m.npz", neural="x", timestamps="t")
    with pytest.raises(DataValidationError, match="neural data has 10 rows and behaviour 7"):
        io.read(tmp_path / "m.npz", neural="x", behavior="y").to_recording()
    np.savez(tmp_path / "s.npz", t=np.arange(5.0), u=np.arange(4))
    with pytest.raises(DataValidationError, match="5 spike times but 4 unit indices"):
        io.read(tmp_path / "s.npz", spike_times="t", spike_units="u")


def test_empty_and_nan_only_arrays(tmp_path):
    np.savez(tmp_path / "e.npz", x=np.ones((0, 3)), n=np.full((5, 2), np.nan), y=np.full(5, np.nan))
    with pytest.raises(DataValidationError, match="non-empty array 'x'"):
        io.read(tmp_path / "e.npz", neural="x")
    with pytest.raises(DataValidationError, match="X contains NaN or inf"):
        io.read(tmp_path / "e.npz", neural="n").to_recording()
    with pytest.raises(DataValidationError, match="no row left"):
        session = io.read(tmp_path / "e.npz", neural="n", behavior="y", rate=1.0,
                          behavior_rate=1.0)
        session.to_recording()


def _dlc_csv(path, rows):
    head = "scorer,net,net,net\nbodyparts,nose,nose,nose\ncoords,x,y,likelihood\n"
    path.write_text(head + "".join(rows))
    return path


def test_dlc_empty_table_nan_column_and_text(tmp_path):
    with pytest.raises(DataValidationError, match="at least one frame"):
        io.read(_dlc_csv(tmp_path / "empty.csv", []))
    with pytest.raises(DataValidationError, match="column 'nose_x' has no valid sample"):
        io.read(_dlc_csv(tmp_path / "nan.csv", ["0,,1,0.9\n", "1,,2,0.9\n"]))
    with pytest.raises(DataValidationError, match="numeric pose values"):
        io.read(_dlc_csv(tmp_path / "text.csv", ["0,a,1,0.9\n"]))
    (tmp_path / "plain.csv").write_text("a,b\n1,2\n")
    with pytest.raises(DataValidationError, match="DeepLabCut CSV"):
        io.read(tmp_path / "plain.csv")


def test_suite2p_broken_folders(tmp_path):
    plane = tmp_path / "suite2p" / "plane0"
    plane.mkdir(parents=True)
    np.save(plane / "F.npy", np.ones((3, 50)))
    with pytest.raises(DataValidationError, match="with Fneu.npy"):
        io.read(tmp_path)
    np.save(plane / "Fneu.npy", np.ones((3, 50)))
    np.save(plane / "iscell.npy", np.ones((4, 2)))
    with pytest.raises(DataValidationError, match=r"one row per ROI \(3\)"):
        io.read(tmp_path)
    np.save(plane / "iscell.npy", np.zeros((3, 2)))
    with pytest.raises(DataValidationError, match="at least one ROI classified as a cell"):
        io.read(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataValidationError, match="phy/Kilosort folder .* or a suite2p folder"):
        io.read(tmp_path / "empty")


def test_phy_broken_folders(tmp_path):
    np.save(tmp_path / "spike_times.npy", np.arange(5, dtype=np.uint64))
    np.save(tmp_path / "spike_clusters.npy", np.arange(4, dtype=np.int32))
    with pytest.raises(DataValidationError, match="sample rate"):
        io.read(tmp_path)
    (tmp_path / "params.py").write_text("sample_rate = 1000.\n")
    with pytest.raises(DataValidationError, match="5 spike times but 4 clusters"):
        io.read(tmp_path)
    np.save(tmp_path / "spike_clusters.npy", np.arange(5, dtype=np.int32))
    (tmp_path / "cluster_group.tsv").write_text("id\tlabel\n1\tgood\n")
    with pytest.raises(DataValidationError, match="columns cluster_id and group"):
        io.read(tmp_path)


def test_tracking_truncated_record(tmp_path):
    head = b"<Start settings>\nclockrate: 30000\nFields: <time uint32><xloc uint16>\n"
    path = tmp_path / "t.videoPositionTracking"
    path.write_bytes(head + b"<End settings>\n" + b"\x00" * 7)
    with pytest.raises(DataValidationError, match="whole records of 6 bytes"):
        io.read(path)


# -- never unpickle, never execute -----------------------------------------------------------


@pytest.mark.parametrize("suffix", [".pkl", ".jl", ".pt", ".bin"])
def test_pickles_are_refused(tmp_path, marker, suffix):
    path = tmp_path / f"model{suffix}"
    payload = pickle.dumps({"spikes": Evil(marker)})
    if suffix == ".pt":  # the torch zip layout: archive/data.pkl
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("archive/data.pkl", payload)
    else:
        path.write_bytes(payload)
    with pytest.raises(DataValidationError, match="refused to read .*pickle.*np.savez"):
        io.read(path)


def test_object_arrays_in_npy_and_npz_are_refused(tmp_path, marker):
    np.save(tmp_path / "o.npy", np.array([Evil(marker)], dtype=object), allow_pickle=True)
    with pytest.raises(DataValidationError, match="refused .*Python objects"):
        io.read(tmp_path / "o.npy")
    np.savez(tmp_path / "o.npz", x=np.array([Evil(marker)], dtype=object), y=np.ones(3))
    with pytest.raises(DataValidationError, match="refused .*array 'x' holds Python objects"):
        io.read(tmp_path / "o.npz", neural="x")


def test_suite2p_stat_and_ops_are_never_unpickled(tmp_path, marker):
    plane = tmp_path / "plane0"
    plane.mkdir()
    for name in ("F", "Fneu", "spks"):
        np.save(plane / f"{name}.npy", np.ones((2, 40)))
    for name in ("stat", "ops"):
        np.save(plane / f"{name}.npy", np.array([Evil(marker)], dtype=object),
                allow_pickle=True)
    assert io.read(tmp_path, rate=5.0).neural.data.shape == (40, 2)
    np.save(plane / "F.npy", np.array([Evil(marker)], dtype=object), allow_pickle=True)
    with pytest.raises(DataValidationError, match="refused .*F.npy"):
        io.read(tmp_path)


def test_phy_params_are_never_executed(tmp_path, marker):
    np.save(tmp_path / "spike_times.npy", np.arange(3, dtype=np.uint64))
    np.save(tmp_path / "spike_clusters.npy", np.zeros(3, dtype=np.int32))
    code = f"sample_rate = 30000.\nimport pathlib\npathlib.Path({str(marker)!r}).write_text('x')\n"
    (tmp_path / "params.py").write_text(code)
    with pytest.raises(DataValidationError, match="only name = literal assignments.*line 2"):
        io.read(tmp_path)
    (tmp_path / "params.py").write_text(
        f"sample_rate = __import__('pathlib').Path({str(marker)!r}).write_text('x')\n")
    with pytest.raises(DataValidationError, match="only literal values"):
        io.read(tmp_path)


def test_pickled_hdf5_attributes_are_refused_before_pandas(tmp_path, marker):
    path = _valid("dlc.h5", tmp_path / "pose.h5")
    with h5py.File(path, "a") as f:
        f["df"].attrs["info"] = np.bytes_(pickle.dumps(Evil(marker), protocol=0))
    with pytest.raises(DataValidationError, match="refused .*pickled Python objects.*'info'"):
        io.read(path)


def test_pickled_hdf5_object_column_is_refused(tmp_path, marker):
    path = tmp_path / "fixed.h5"
    frame = pd.DataFrame({"a": [Evil(marker), 1.0]})
    with pd.HDFStore(path, "w") as store, pytest.warns(pd.errors.PerformanceWarning):
        store.put("df", frame, format="fixed", track_times=False)
    with pytest.raises(DataValidationError, match="refused .*object column"):
        io.read(path)
