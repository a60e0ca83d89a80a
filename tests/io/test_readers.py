# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Each reader on files made here: MATLAB v7.3, phy/Kilosort, HDF5, NWB, DeepLabCut, npy."""

from __future__ import annotations

import h5py
import numpy as np
import pandas as pd
import pytest
import scipy.io
from tests.io._helpers import write_mat73

from identica import io
from identica.exceptions import ConfigurationError, DataValidationError


def test_mat73_keeps_matlab_orientation_like_v5(tmp_path):
    matrix = np.arange(12.0).reshape(4, 3)  # 4 x 3 in MATLAB
    variables = {"X": matrix, "label": "left", "meta": {"rate": np.array([[30.0]])},
                 "trains": [np.array([[0.1, 0.5]]), np.array([[0.3]])]}
    v73 = io.load_mat(write_mat73(tmp_path / "v73.mat", variables))
    assert v73["X"].shape == (4, 3)
    np.testing.assert_array_equal(v73["X"], matrix)
    assert v73["label"] == "left" and v73["meta"]["rate"].item() == 30.0
    assert [t.ravel().tolist() for t in v73["trains"]] == [[0.1, 0.5], [0.3]]
    cells = np.empty((1, 2), dtype=object)
    cells[0, 0], cells[0, 1] = np.array([[0.1, 0.5]]), np.array([[0.3]])
    scipy.io.savemat(tmp_path / "v5.mat", {"X": matrix, "label": "left", "trains": cells})
    v5 = io.load_mat(tmp_path / "v5.mat")
    np.testing.assert_array_equal(v5["X"], v73["X"])
    assert v5["label"] == "left" and len(v5["trains"]) == 2
    session = io.read(tmp_path / "v73.mat", neural="X", spike_times=None)
    assert session.format == "mat" and session.neural.data.shape == (4, 3)
    spikes = io.read(tmp_path / "v73.mat", spike_times="trains").neural
    assert spikes.names == ("1", "2") and spikes.n_spikes == 3


def test_mat_v5_nested_struct_fields(tmp_path):
    scipy.io.savemat(tmp_path / "s.mat", {"rec": {"spikes": np.ones((10, 2)),
                                                  "pos": np.linspace(0, 1, 10)}})
    session = io.read(tmp_path / "s.mat", neural="rec.spikes", behavior="rec.pos", rate=10.0,
                      behavior_rate=10.0)
    assert session.neural.data.shape == (10, 2) and session.behavior.names == ("rec.pos",)


def _phy(folder, *, params="sample_rate = 20000.0\nn_channels_dat = 64\n",
         groups="cluster_id\tgroup\n3\tgood\n5\tnoise\n7\tmua\n", name="cluster_group.tsv"):
    folder.mkdir(exist_ok=True)
    np.save(folder / "spike_times.npy", np.array([20, 40, 2000, 4000, 6000], dtype=np.uint64))
    np.save(folder / "spike_clusters.npy", np.array([3, 5, 7, 3, 5], dtype=np.uint32))
    (folder / "params.py").write_text(params)
    (folder / name).write_text(groups)
    return folder


def test_phy_folder_excludes_noise(tmp_path):
    session = io.read(_phy(tmp_path / "ks"))
    assert session.format == "phy" and session.neural.names == ("3", "7")
    assert session.neural.times.tolist() == [0.001, 0.1, 0.2]
    assert session.metadata["params"]["n_channels_dat"] == 64
    every = io.read(tmp_path / "ks", exclude=())
    assert every.neural.names == ("3", "5", "7") and every.neural.n_spikes == 5


def test_phy_csv_labels_and_rate_override(tmp_path):
    folder = _phy(tmp_path / "ks", groups="cluster_id,group\n3,noise\n", name="cluster_group.csv")
    session = io.read(folder, sample_rate=10000.0)
    assert session.neural.names == ("5", "7") and session.neural.times[0] == 0.004


def test_hdf5_dataset_paths(tmp_path):
    with h5py.File(tmp_path / "r.h5", "w") as f:
        f["a/b"] = np.ones((20, 3))
        f["t"] = np.arange(20) / 20
    session = io.read(tmp_path / "r.h5", neural="a/b", timestamps="t")
    assert session.format == "hdf5" and session.neural.rate == 20.0


def test_npy_is_memory_mapped(tmp_path):
    np.save(tmp_path / "x.npy", np.ones((30, 4), dtype=np.float32))
    session = io.read(tmp_path / "x.npy")
    assert isinstance(session.neural.data, np.memmap) and session.neural.data.shape == (30, 4)


def _nwb(path, *, index=(2, 3)):
    with h5py.File(path, "w") as f:
        f.attrs["nwb_version"] = "2.7.0"
        units = f.create_group("units")
        units.attrs["neurodata_type"] = "Units"
        units["spike_times"] = [0.1, 0.4, 0.2]
        units["spike_times_index"] = list(index)
        units["id"] = [11, 12]
        beh = f.create_group("processing/behavior/BehavioralTimeSeries")
        beh.attrs["neurodata_type"] = "BehavioralTimeSeries"
        speed = beh.create_group("speed")
        speed.attrs["neurodata_type"] = "TimeSeries"
        speed.create_dataset("data", data=np.arange(10.0)).attrs["conversion"] = 0.01
        start = speed.create_dataset("starting_time", data=0.0)
        start.attrs["rate"] = 20.0
        trials = f.create_group("intervals/trials")
        trials.attrs["neurodata_type"] = "TimeIntervals"
        trials["start_time"], trials["stop_time"] = [0.0, 0.25], [0.2, 0.45]
    return path


def test_nwb_made_here(tmp_path):
    session = io.read(_nwb(tmp_path / "s.nwb"), behavior="BehavioralTimeSeries")
    assert session.neural.names == ("11", "12")
    assert session.behavior.names == ("speed",) and session.behavior.rate == 20.0
    np.testing.assert_allclose(session.behavior.data[:, 0], np.arange(10) * 0.01)
    assert session.trial_starts.tolist() == [0.0, 0.25]
    assert "speed" in io.inspect(tmp_path / "s.nwb")


def _dlc_frame(n=20, multi=False):
    levels = (["net"], ["a1", "a2"], ["nose", "tail"], ["x", "y", "likelihood"]) if multi else (
        ["net"], ["nose", "tail"], ["x", "y", "likelihood"])
    names = ["scorer", "individuals", "bodyparts", "coords"] if multi else [
        "scorer", "bodyparts", "coords"]
    columns = pd.MultiIndex.from_product(levels, names=names)
    values = np.random.default_rng(0).uniform(0, 100, (n, len(columns)))
    values[:, 2::3] = 0.99
    values[5, 2] = 0.1  # one low-likelihood nose sample
    return pd.DataFrame(values, columns=columns)


@pytest.mark.parametrize("multi", [False, True])
@pytest.mark.parametrize("suffix", [".csv", ".h5"])
def test_dlc_round_trip(tmp_path, multi, suffix):
    frame = _dlc_frame(multi=multi)
    path = tmp_path / f"videoDLC{suffix}"
    if suffix == ".csv":
        frame.to_csv(path)
    else:
        frame.to_hdf(path, key="df_with_missing", format="table")
    session = io.read(path, likelihood_threshold=0.5)
    n_cols = 8 if multi else 4
    assert session.behavior.data.shape == (20, n_cols)
    nose = frame.xs("nose", level="bodyparts", axis=1)
    expected = nose.xs("x", level="coords", axis=1).to_numpy()[:, 0]
    got = session.behavior.data[:, 0]
    np.testing.assert_allclose(np.delete(got, 5), np.delete(expected, 5))
    assert got[5] == pytest.approx((expected[4] + expected[6]) / 2)  # interpolated


def test_dlc_selection_errors(tmp_path):
    _dlc_frame().to_csv(tmp_path / "v.csv")
    with pytest.raises(ConfigurationError, match="bodyparts='paw' is not in .*nose, tail"):
        io.read(tmp_path / "v.csv", bodyparts="paw")
    with pytest.raises(ConfigurationError, match=r"likelihood_threshold must be in \[0, 1\]"):
        io.read(tmp_path / "v.csv", likelihood_threshold=2.0)


def test_unknown_option_lists_the_allowed_ones(tmp_path):
    _dlc_frame().to_csv(tmp_path / "v.csv")
    with pytest.raises(ConfigurationError, match="unknown option 'bodypart'.*Did you mean "
                                                 "'bodyparts'"):
        io.read(tmp_path / "v.csv", bodypart="nose")


def test_detect_format_by_content(tmp_path):
    np.save(tmp_path / "a.npy", np.zeros(3))
    (tmp_path / "a.npy").rename(tmp_path / "renamed.mat")
    assert io.detect_format(tmp_path / "renamed.mat") == "npz"
    scipy.io.savemat(tmp_path / "m.bin", {"x": np.ones(2)})
    assert io.detect_format(tmp_path / "m.bin") == "mat"
    assert io.detect_format(write_mat73(tmp_path / "v.mat", {"x": np.ones(2)})) == "mat"
    assert io.detect_format(_nwb(tmp_path / "n.h5")) == "nwb"


def test_missing_file_and_wrong_key(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such data file"):
        io.read(tmp_path / "nothing.npz")
    np.savez(tmp_path / "d.npz", spikes=np.ones((5, 2)))
    with pytest.raises(DataValidationError, match="no array 'spike' .*Did you mean 'spikes'"):
        io.read(tmp_path / "d.npz", neural="spike")
