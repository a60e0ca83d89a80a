# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The command line on recording files other than .npz: fit, transform and inspect."""

from __future__ import annotations

import h5py
import numpy as np

from identica.cli import main

TINY = ["--batch-size", "16", "--max-iterations", "3", "--random-state", "0", "--encoder",
        "mlp", "--time-offset", "1,2", "--num-threads", "1"]


def _nwb(path):
    rng = np.random.default_rng(0)
    with h5py.File(path, "w") as f:
        f.attrs["nwb_version"] = "2.7.0"
        units = f.create_group("units")
        units.attrs["neurodata_type"] = "Units"
        trains = [np.sort(rng.uniform(0, 30, 600)) for _ in range(4)]
        units["spike_times"] = np.concatenate(trains)
        units["spike_times_index"] = np.cumsum([len(t) for t in trains])
        pos = f.create_group("acquisition/Position")
        pos.attrs["neurodata_type"] = "Position"
        series = pos.create_group("position")
        series.attrs["neurodata_type"] = "SpatialSeries"
        t = np.arange(0, 30, 1 / 60)
        series["data"] = np.c_[np.sin(t), np.cos(t)]
        series["timestamps"] = t
    return path


def test_fit_transform_and_inspect_an_nwb_file(tmp_path, capsys):
    data, model = _nwb(tmp_path / "session.nwb"), tmp_path / "model.safetensors"
    code = main(["fit", str(data), "--neural", "units", "--behavior", "position", "--bin",
                 "0.05", "--out", str(model), *TINY])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert " x 4 in " in out and model.exists()
    assert main(["transform", str(model), str(data), "--neural", "units", "--bin", "0.05",
                 "--out", str(tmp_path / "z.npy")]) == 0
    assert np.load(tmp_path / "z.npy").shape[1] == 8
    capsys.readouterr()
    assert main(["inspect", str(data)]) == 0
    out, _ = capsys.readouterr()
    assert "units  spikes  2400 x 4" in out and "Position  Position  1800 x 2  60 Hz" in out


def test_fit_a_phy_folder_and_errors(tmp_path, capsys):
    folder = tmp_path / "ks"
    folder.mkdir()
    rng = np.random.default_rng(1)
    np.save(folder / "spike_times.npy", np.sort(rng.integers(0, 300_000, 3000)).astype(np.uint64))
    np.save(folder / "spike_clusters.npy", rng.integers(0, 5, 3000).astype(np.int32))
    (folder / "params.py").write_text("sample_rate = 30000.0\n")
    model = tmp_path / "m.safetensors"
    assert main(["fit", str(folder), "--neural", "spikes", "--bin", "0.05", "--out", str(model),
                 *TINY]) == 0
    capsys.readouterr()
    assert main(["fit", str(folder), "--neural", "units", "--out", str(model), *TINY]) == 2
    _, err = capsys.readouterr()
    assert "identica: error: spike trains need bin_size=" in err
    assert main(["fit", str(folder), "--neural", "F", "--bin", "0.05", "--out", str(model)]) == 2
    _, err = capsys.readouterr()
    assert "holds one neural stream, 'spikes'; got --neural 'F'" in err
    (tmp_path / "x.pkl").write_bytes(b"\x80\x04K\x01.")
    assert main(["inspect", str(tmp_path / "x.pkl")]) == 2
    _, err = capsys.readouterr()
    assert "refused to read" in err and "Traceback" not in err
