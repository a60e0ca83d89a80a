# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""vs_cebra.py's parent side with stand-in workers: pairs, ratios, refusal, real data, rat skip.

The workers (fresh processes that fit) are replaced by a function answering canned runs, so
these tests need neither CEBRA nor any training; ``tests/test_benchmarks.py`` runs the real
script on tiny data.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from benchmark_modules import load


@pytest.fixture(scope="module")
def vs_cebra():
    return load("vs_cebra")


@pytest.fixture(scope="module")
def worker():
    return load("_vs_cebra_worker")


RAT = Path(__file__).resolve().parents[3] / "shared" / "data" / "real" / "rat_hippocampus_buddy"


def _fake_worker(jobs: list):
    """Answers like the workers: identica 20 ms/iter, CEBRA 80 ms + 10 ms per pair index."""

    def run(config: dict) -> dict:
        jobs.append(config)
        if config["tool"] == "floor":
            return {"tool": "floor", "when": config["when"], "floor_ms": 10.0,
                    "floor_gflop": 0.58, "floor_gflop_encoder": 0.57, "floor_gflop_loss": 0.01,
                    "matmul_rate_gflops": 58.0, "matmul_ms": 10.5, "matmul_ms_loss": 0.5,
                    "load_before": [0.1] * 3,
                    "load_after": [0.1] * 3, "cpu_model": "test cpu"}
        cpu = 0.02 if config["tool"] == "identica" else 0.08 + 0.01 * config["pair"]
        return {
            "tool": config["tool"], "seed": config["seed"], "repeat": config["repeat"],
            "pair": config["pair"], "iterations": config["iterations"], "cpu_s_per_iter": cpu,
            "wall_s": 1.0, "wall_s_per_iter": cpu, "peak_rss_fit_mb": 100.0,
            "peak_rss_mb": 120.0, "knn_r2": 0.9 if config["tool"] == "identica" else 0.899,
            "median_error_cm": 5.0, "gof_bits": 1.0, "loss_first": 6.0, "loss_final": 5.0,
            "consistency": 0.95 if config["compare_with"] else None,
            "negatives": "references", "load_before": [0.1] * 3, "load_after": [0.1] * 3,
            "cpu_model": "test cpu",
        }

    return run


@pytest.fixture
def fake(vs_cebra, monkeypatch):
    jobs: list = []
    monkeypatch.setattr(vs_cebra, "_run_worker", _fake_worker(jobs))
    monkeypatch.setattr(vs_cebra, "_cebra_missing", lambda: False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(os, "getloadavg", lambda: (0.1, 0.1, 0.1))
    return jobs


def _lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_pairs_alternate_and_ratios_have_spread(vs_cebra, fake, tmp_path, capsys):
    code = vs_cebra.main(["--iterations", "3", "--repeats", "2", "--out", str(tmp_path)])
    assert code == 0
    fits = [(job["tool"], job["pair"]) for job in fake if job["tool"] != "floor"]
    assert fits == [("identica", 0), ("cebra", 0), ("cebra", 1), ("identica", 1),
                    ("identica", 2), ("cebra", 2), ("cebra", 3), ("identica", 3)]
    assert [job.get("when") for job in fake if job["tool"] == "floor"] == ["before", "after"]
    assert fake[0]["step"] == {"batch_size": 512, "n_features": 120, "negatives": "references"}
    lines = _lines(capsys)
    assert len(lines) == 2 + 8 + 1
    summary = lines[-1]
    # per-pair ratios 4, 4.5, 5, 5.5
    assert summary["n_pairs"] == 4 and summary["ratio_median"] == pytest.approx(4.75)
    assert (summary["ratio_min"], summary["ratio_max"]) == pytest.approx((4.0, 5.5))
    assert summary["step_over_floor"] == pytest.approx(2.0)
    assert summary["knn_r2_identica_minus_cebra"] == pytest.approx(0.001)
    assert summary["headline"] and summary["cpu_model"]
    table = (tmp_path / "vs_cebra_b512.md").read_text()
    assert "**4.75x**" in table and "min 4, max 5.5" in table and "2x the floor" in table
    assert "under load" not in table


@pytest.mark.parametrize("under_load", [False, True])
def test_busy_machine(vs_cebra, fake, monkeypatch, tmp_path, capsys, under_load):
    monkeypatch.setattr(os, "getloadavg", lambda: (1.25, 1.0, 1.0))
    argv = ["--iterations", "3", "--skip-cebra", "--out", str(tmp_path)]
    code = vs_cebra.main(argv + ["--under-load"] * under_load)
    result = json.loads((tmp_path / "vs_cebra_b512.json").read_text())
    assert result["config"]["load_before"] == [1.25, 1.0, 1.0]
    assert result["summary_line"]["quiet"] is False
    if under_load:
        assert code == 0
        table = (tmp_path / "vs_cebra_b512.md").read_text()
        assert "**Measured under load (load average 1.25 on 2 cores).**" in table
    else:
        assert code == 3 and not (tmp_path / "vs_cebra_b512.md").exists()
        assert "Refusing to write the table" in capsys.readouterr().err


def test_real_recording(vs_cebra, worker, fake, tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "rec.npz"
    np.savez(path, spikes=rng.poisson(0.1, (300, 7)), label=rng.random((300, 3)))
    assert vs_cebra.main(["--data", str(path), "--neural-key", "spikes", "--label-key",
                          "label", "--skip-cebra", "--out", str(tmp_path)]) == 0
    data = fake[1]["data"]
    assert (data["kind"], data["n_samples"], data["n_neurons"]) == ("npz", 300, 7)
    assert fake[0]["step"]["n_features"] == 7
    assert (tmp_path / "vs_cebra_rec_b512.md").exists()
    neural, label, position = worker._recording(data)
    assert neural.dtype == label.dtype == np.float32 and label.shape == (300, 3)
    np.testing.assert_array_equal(position, label[:, 0])


def test_real_recording_with_a_wrong_key(vs_cebra, fake, tmp_path, capsys):
    path = tmp_path / "rec.npz"
    np.savez(path, spikes=np.zeros((10, 2)), label=np.zeros(10))
    with pytest.raises(SystemExit) as error:
        vs_cebra.main(["--data", str(path), "--label-key", "position", "--skip-cebra"])
    assert error.value.code == 2 and not fake
    assert "no array 'neural', 'position'; the file holds spikes (10, 2), label (10,)" in (
        capsys.readouterr().err)


@pytest.mark.parametrize("argv", [["--rat", "--label-key", "label"], ["--rat", "--n-samples", "5"],
                                  ["--data", "x.npz"], ["--label-key", "label"]])
def test_bad_data_arguments(vs_cebra, argv):
    with pytest.raises(SystemExit) as error:
        vs_cebra.parse_args(argv)
    assert error.value.code == 2


def test_rat_absent_is_skipped(vs_cebra, fake, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(vs_cebra, "RAT_PATH", tmp_path / "absent" / "buddy.npz")
    assert vs_cebra.main(["--rat", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert not fake and json.loads(out.out)["skipped"] is True
    assert "Skipped: the rat hippocampus recording is not at" in out.err


@pytest.mark.skipif(not (RAT / "buddy.npz").is_file(), reason="the rat recording is absent")
def test_rat_recording(vs_cebra):
    data = vs_cebra.data_source(vs_cebra.parse_args(["--rat"]))
    assert (data["n_samples"], data["n_neurons"]) == (6577, 48)
    assert (data["neural_key"], data["label_key"]) == ("spikes", "label")
