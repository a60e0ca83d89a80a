# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Every real file under ../shared/data/real reads into the shapes, names and clocks its
SOURCE.md states (skipped when the shared folder is absent)."""

from __future__ import annotations

import numpy as np
import pytest
from tests.io._helpers import real

from identica import io
from identica.exceptions import DataValidationError


def test_rat_hippocampus_npz_and_refused_joblib():
    session = io.read(real("rat_hippocampus_buddy/buddy.npz"), neural="spikes",
                      behavior="label")
    rec = session.to_recording()
    assert rec.neural.shape == (6577, 48) and rec.continuous.shape == (6577, 3)
    assert 0 <= rec.continuous[:, 0].min() and rec.continuous[:, 0].max() <= 1.6
    with pytest.raises(DataValidationError, match="refused to read .*buddy.jl.*pickle"):
        io.read(real("rat_hippocampus_buddy/buddy.jl"))


def test_head_direction_mat_v5():
    path = real("hd_adn_peyrache2015/dataHD.mat")
    variables = io.load_mat(path)
    assert variables["Qrun"].shape == (212078, 19) and variables["Qrun"].dtype == np.uint8
    assert variables["angRun"].shape == (212078, 2) and variables["prefHD"].shape == (19, 1)
    session = io.read(path, neural="Qrun", behavior="angRun", rate=100.0)
    assert session.neural.rate == 100.0 and session.behavior.names == ("angRun_0", "angRun_1")
    assert 0 <= session.behavior.data[:, 1].min() < session.behavior.data[:, 1].max() < 2 * np.pi


def test_nelpy_linear_track_spikes_mat_tracking_and_npz_agree():
    spikes = io.read(real("nelpy_tracks/linear-track/spikes.mat"), spike_times="spikes")
    track = io.read(real("nelpy_tracks/linear-track/trajectory.videoPositionTracking"))
    npz = np.load(real("nelpy_tracks/linear-track/linear_track.npz"), allow_pickle=False)
    assert spikes.neural.n_units == 31 and spikes.neural.n_spikes == 28829
    np.testing.assert_array_equal(np.sort(spikes.neural.times), np.sort(npz["spike_times"]))
    assert track.behavior.rate == 60.0 and track.metadata["clockrate"] == 30000.0
    np.testing.assert_array_equal(track.behavior.timestamps, npz["pos_time"])
    np.testing.assert_array_equal(track.behavior.data, npz["pos_xy"])
    assert track.behavior.timestamps[[0, -1]].round(1).tolist() == [4397.0, 6379.5]


def test_nelpy_w_maze_npz_spike_times():
    session = io.read(real("nelpy_tracks/w-maze/w_maze.npz"), spike_times="spike_times",
                      spike_units="spike_unit", behavior="pos_xy",
                      behavior_timestamps="pos_time")
    assert session.neural.n_units == 25 and session.neural.n_spikes == 518352
    assert session.behavior.data.shape == (261995, 2)


def test_nwb_units_position_and_head_direction():
    path = real("nwb/A2929-200711_units_position.nwb")
    session = io.read(path, neural="units", behavior=["position", "CompassDirection"])
    assert session.neural.n_units == 15 and session.neural.n_spikes == 98794
    assert session.behavior.names == ("x", "y", "z", "rx", "ry", "rz")
    assert session.behavior.kinds[3:] == ("angle",) * 3
    assert session.behavior.rate == pytest.approx(119.8, abs=0.1)
    assert session.intervals["epochs"].tolist() == [[0.0, 600.0], [600.0, 1200.0]]
    assert len(session.intervals["sleep_ripples"]) == 594
    rec = session.to_recording(0.025)
    assert rec.neural.shape[1] == 15 and rec.continuous.shape[1] == 6
    assert rec.neural.shape[0] == pytest.approx((1199.995 - 670.641) / 0.025, abs=2)


def test_nwb_phy_units_only():
    session = io.read(real("nwb/A8604-211122_units_phy.nwb"))
    assert session.neural.n_units == 3 and session.neural.n_spikes == 21354
    assert session.behavior is None
    assert session.intervals["epochs"][0] == pytest.approx([0.0, 1087.53], abs=0.01)


def test_nwb_ophys_matches_the_suite2p_folder():
    session = io.read(real("nwb/A0662-2022_08_08_ophys_suite2p.nwb"), neural="Fluorescence")
    assert session.neural.data.shape == (2000, 219) and session.neural.rate == 10.0
    traces = np.load(real("suite2p_A0662/suite2p/plane0/F.npy"))
    np.testing.assert_allclose(session.neural.data, traces.T)
    deconvolved = io.read(real("nwb/A0662-2022_08_08_ophys_suite2p.nwb"), neural="deconvolved")
    assert deconvolved.neural.data.shape == (2000, 219)


def test_nwb_pose_from_ndx_pose():
    session = io.read(real("nwb/m3v1mp4DLC_resnet50_openfieldAug20shuffle1_30000_ndx-pose.nwb"),
                      neural=None, behavior="PoseEstimation", likelihood_threshold=0.9)
    assert session.behavior.data.shape == (2330, 8)
    assert set(session.behavior.names) == {f"ind1_{p}_{c}" for p in
                                           ("snout", "leftear", "rightear", "tailbase")
                                           for c in "xy"}
    dlc = io.read(real("dlc/single_animal_predictions/"
                       "m3v1mp4DLC_resnet50_openfieldAug20shuffle1_30000.h5"),
                  interpolate=False, likelihood_threshold=0.9)
    np.testing.assert_allclose(session.behavior.select("ind1_snout_x").data[:, 0],
                               dlc.behavior.select("snout_x").data[:, 0])


def test_suite2p_folder():
    path = real("suite2p_A0662")
    every = io.read(path, cells_only=False, signal="F", rate=10.0)
    assert every.neural.data.shape == (2000, 219) and every.neural.rate == 10.0
    np.testing.assert_array_equal(every.neural.data,
                                  np.load(path / "suite2p/plane0/F.npy").T)
    cells = io.read(path)
    iscell = np.load(path / "suite2p/plane0/iscell.npy")
    assert cells.neural.data.shape == (2000, int(iscell[:, 0].sum()))
    assert cells.neural.timestamps is None  # no ops.npy: the frame rate is unknown


@pytest.mark.parametrize(("relative", "shape", "first", "multi"), [
    ("dlc/single_animal_predictions/m3v1mp4DLC_resnet50_openfieldAug20shuffle1_30000.h5",
     (2330, 8), "snout_x", False),
    ("dlc/labeled_data/CollectedData_Mackenzie.h5", (55, 10), "Hand_x", False),
    ("dlc/labeled_data/CollectedData_Mackenzie.csv", (55, 10), "Hand_x", False),
    ("dlc/labeled_data/CollectedData_Pranav.h5", (116, 8), "snout_x", False),
    ("dlc/labeled_data/CollectedData_Pranav.csv", (116, 8), "snout_x", False),
    ("dlc/multi_animal/montblanc_tracks.h5", (180, 26), "bird1_", True),
    ("dlc/multi_animal/trimouse_calib.h5", (500, 72), "mus1_snout_x", True),
    ("dlc/test_model_predictions/vid1_camera-1DLC_resnet50_TESTNov4shuffle1_10filtered.csv",
     (12, 8), "bodypart1_x", False),
    ("dlc/test_model_predictions/vid1_camera-1DLC_resnet50_TESTNov4shuffle1_10filtered.h5",
     (12, 8), "bodypart1_x", False),
])
def test_deeplabcut_files(relative, shape, first, multi):
    session = io.read(real(relative))
    assert session.format == "dlc" and session.behavior.data.shape == shape
    assert session.behavior.names[0].startswith(first)
    assert session.metadata["multi_animal"] is multi
    assert not np.isnan(session.behavior.data).any()  # missing labels were interpolated


def test_deeplabcut_csv_and_h5_labels_agree():
    csv = io.read(real("dlc/labeled_data/CollectedData_Mackenzie.csv"), interpolate=False)
    h5 = io.read(real("dlc/labeled_data/CollectedData_Mackenzie.h5"), interpolate=False)
    np.testing.assert_allclose(csv.behavior.data, h5.behavior.data)
    assert np.isnan(h5.behavior.data).mean() == pytest.approx(0.15, abs=0.05)


def test_deeplabcut_multi_animal_selection():
    session = io.read(real("dlc/multi_animal/montblanc_tracks.h5"), individuals="bird2",
                      bodyparts=["head", "tail"], likelihood_threshold=0.5, fps=30.0)
    assert all(n.startswith("bird2_") for n in session.behavior.names)
    assert session.behavior.rate == 30.0 and set(session.metadata["rejected"]) == {
        "bird2_head", "bird2_tail"}
