# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Smoke tests of the benchmark scripts: a few iterations on tiny data, no timing assertions."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# --under-load: the table is written even when the machine running the tests is busy.
TINY_VS_CEBRA = [
    "--iterations", "3", "--n-samples", "1500", "--n-neurons", "20", "--batch-size", "32",
    "--gof-batches", "2", "--under-load",
]
RUN_KEYS = {
    "tool", "seed", "cpu_s_per_iter", "wall_s", "peak_rss_fit_mb", "peak_rss_mb", "knn_r2",
    "median_error_cm", "gof_bits", "loss_final", "consistency", "pair", "load_before",
    "load_after", "cpu_model",
}
SUMMARY_KEYS = {"cpu_s_per_iter", "wall_s", "peak_rss_mb", "knn_r2", "median_error_cm",
                "consistency", "loss_final"}


def _run(script: str, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


def _check_vs_cebra(out: Path, tools: list[str], proc: subprocess.CompletedProcess) -> dict:
    result = json.loads((out / "vs_cebra_b32.json").read_text())
    assert (out / "vs_cebra_b32.md").read_text().startswith("# identica vs CEBRA")
    assert {"config", "runs", "summary", "consistency", "floor_runs"} <= result.keys()
    # Pairs alternate which tool runs first.
    assert [(r["tool"], r["seed"]) for r in result["runs"]] == [
        (tool, seed) for seed in (0, 1) for tool in (tools if seed == 0 else tools[::-1])
    ]
    for run in result["runs"]:
        assert RUN_KEYS <= run.keys()
        assert run["cpu_s_per_iter"] > 0 and run["peak_rss_mb"] > 0
    for tool in tools:
        assert SUMMARY_KEYS <= result["summary"][tool].keys()
        assert result["summary"][tool]["consistency"] is not None
    # stdout: the floor before, one line per fit, the floor after, the summary.
    lines = _json_lines(proc)
    assert [line.get("tool") for line in lines[:-1]] == [
        "floor", *(r["tool"] for r in result["runs"]), "floor"]
    assert lines[-1]["summary"] and lines[-1] == result["summary_line"]
    assert lines[-1]["floor_ms"] > 0 and lines[-1]["step_over_floor"] > 0
    assert {"load_before", "load_after", "cpu_model", "ratio_median"} <= lines[-1].keys()
    return result


def test_vs_cebra_identica_only(tmp_path):
    proc = _run("vs_cebra.py", *TINY_VS_CEBRA, "--skip-cebra", "--out", str(tmp_path))
    result = _check_vs_cebra(tmp_path, ["identica"], proc)
    assert "ratio_identica_over_cebra" not in result["summary"]
    assert result["summary_line"]["ratio_median"] is None
    assert "| identica |" in proc.stderr


@pytest.mark.skipif(
    importlib.util.find_spec("cebra") is None, reason="cebra (the bench extra) is not installed"
)
def test_vs_cebra_with_cebra(tmp_path):
    # Not pytest.importorskip: importing cebra here would cost seconds and raise its
    # DeprecationWarnings as errors; the script imports it in its own worker processes.
    proc = _run("vs_cebra.py", *TINY_VS_CEBRA, "--out", str(tmp_path))
    result = _check_vs_cebra(tmp_path, ["identica", "cebra"], proc)
    ratio = result["summary"]["ratio_identica_over_cebra"]
    assert ratio["cpu_s_per_iter"] > 0
    line = result["summary_line"]
    assert line["n_pairs"] == 2 and line["ratio_min"] <= line["ratio_median"] <= line["ratio_max"]
    assert result["summary"]["cebra"]["loss_final"] is not None


def test_scaling_tiny_sweep(tmp_path):
    # One point (each point is a fresh process): 12,000 bins exercise the stitched recording.
    proc = _run(
        "scaling.py", "--sweep", "length", "--lengths", "12000", "--batch-size", "32",
        "--n-neurons", "20", "--iterations", "2", "--repeats", "1", "--under-load",
        "--out", str(tmp_path),
    )
    result = json.loads((tmp_path / "scaling.json").read_text())
    table = (tmp_path / "scaling.md").read_text()
    assert "## length" in table and "## length" in proc.stderr
    *runs, summary = _json_lines(proc)
    assert runs == result["runs"] and summary == result["summary_line"]
    assert summary["length_bins"] == [12000] and summary["cpu_model"]
    assert {"config", "runs"} <= result.keys()
    [run] = result["runs"]
    assert (run["sweep"], run["batch_size"], run["n_samples"]) == ("length", 32, 12000)
    for key in ("step_cpu_ms", "step_wall_ms", "floor_cpu_ms", "floor_wall_ms",
                "sample_cpu_ms", "peak_rss_mb", "data_mb", "windows_per_step",
                "compute_floor_ms", "step_over_compute_floor"):
        assert run[key] > 0, key
    assert {"load_before", "load_after", "cpu_model"} <= run.keys()


def test_scaling_rejects_unknown_sweep(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "scaling.py"), "--sweep", "batch,bogus",
         "--out", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert proc.returncode == 2 and "bogus" in proc.stderr
    assert not (tmp_path / "scaling.json").exists()


ATTRIBUTION_KEYS = {"tool", "seed", "auc_inverted", "auc_jacobian", "r2_latents",
                    "r2_z1_to_dims02", "r2_z2_to_dims35", "seconds", "attribution_seconds"}


def _json_lines(proc: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.splitlines()]


def test_attribution_seeds_and_baselines():
    proc = _run("attribution.py", "--generator", "--seeds", "0-1", "--iterations", "3",
                "--baselines")
    first, second, summary = _json_lines(proc)
    assert ATTRIBUTION_KEYS <= first.keys() and (first["seed"], second["seed"]) == (0, 1)
    assert {"auc_feature-ablation", "auc_inverted-integrated-gradients"} <= first.keys()
    assert 0.0 <= first["auc_inverted"] <= 1.0 and first["iterations"] == 3
    assert summary["seeds"] == [0, 1]
    values = [first["auc_inverted"], second["auc_inverted"]]
    assert summary["auc_inverted"]["min"] == min(values)
    assert abs(summary["auc_inverted"]["mean"] - sum(values) / 2) < 1e-4


@pytest.mark.skipif(
    importlib.util.find_spec("cebra") is None, reason="cebra (the bench extra) is not installed"
)
def test_attribution_with_cebra():
    proc = _run("attribution.py", "--generator", "--iterations", "3", "--tool", "both")
    identica_run, cebra_run = _json_lines(proc)
    assert (identica_run["tool"], cebra_run["tool"]) == ("identica", "cebra")
    assert ATTRIBUTION_KEYS <= cebra_run.keys()


def test_step_ab_compares_two_trees():
    """The same tree twice: one JSON line per run and a summary with a ratio near 1."""
    proc = _run("step_ab.py", "--tree", str(ROOT), "--tree", str(ROOT), "--pairs", "1",
                "--short", "1", "--long", "3")
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    runs, summary = lines[:-1], lines[-1]
    assert len(runs) == 2 and all(r["ms_per_step"] > 0 for r in runs)
    assert summary["summary"] and len(summary["loadavg_before"]) == 3
    assert summary["embeddings_equal"] is None
    assert 0.1 < summary["median_ratio_first_over_second"] < 10


def test_identifiability_tiny(tmp_path):
    proc = _run(
        "identifiability.py", "--steps", "4", "--eval-every", "2", "--seeds", "0,1",
        "--cases", "A,B", "--n-pairs", "300", "--eval-samples", "64", "--pool", "50",
        "--hidden-units", "8", "--batch-size", "16", "--out", str(tmp_path),
    )
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    runs = [line for line in lines if not line.get("summary")]
    assert [(r["case"], r["seed"]) for r in runs] == [("A", 0), ("A", 1), ("B", 0), ("B", 1)]
    for run in runs:
        assert {"case", "seed", "mcc", "r2", "steps", "cpu_s", "mcc_untrained",
                "r2_untrained", "mcc_heldout", "r2_heldout"} <= run.keys()
        assert run["steps"] == 4 and [p["steps"] for p in run["curve"]] == [0, 2, 4]
        assert 0.0 <= run["mcc"] <= 1.0 and run["r2"] <= 1.0
    assert [line["case"] for line in lines if line.get("summary")] == ["A", "B"]
    assert len(json.loads((tmp_path / "identifiability.json").read_text())["runs"]) == 4
    assert (tmp_path / "identifiability_latents.png").stat().st_size > 0


THREADS_KEYS = {"threads_setting", "threads_used", "wall_s", "cpu_s", "busy", "load_before",
                "load_after"}


def test_threads_runs_each_setting_in_turn_beside_a_busy_process():
    busy = "1"
    proc = _run("threads.py", "--busy", busy, "--settle", "0", "--repeats", "1",
                "--settings", "auto,1", "--n-samples", "600", "--n-neurons", "10",
                "--batch-size", "16", "--iterations", "2")
    *runs, summary = _json_lines(proc)
    assert [r["threads_setting"] for r in runs] == ["auto", 1]
    for run in runs:
        assert THREADS_KEYS <= run.keys() and run["busy"] == int(busy) and run["work"] > 0
        assert run["threads_used"] == 1 and run["wall_s"] > 0 and run["cpu_s"] > 0
    assert summary["summary"] and summary["threads_used_auto"] == ["1"]
    assert summary["ratio_auto_over_1"] > 0 and "ratio_2_over_1" not in summary


def test_threads_rejects_a_bad_setting():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "threads.py"), "--settings", "auto,0"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert proc.returncode == 2 and "'0'" in proc.stderr


def _benchmark(name: str):
    path = ROOT / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_identifiability_cosine_decay_sets_the_rate_of_every_step():
    import numpy as np

    import identica
    from identica.training import AbstractCallback

    decay = _benchmark("identifiability").CosineDecay(1e-3, 1e-5, total=4)
    assert [decay.rate(s) for s in (0, 2, 4, 9)] == pytest.approx([1e-3, 5.05e-4, 1e-5, 1e-5])

    class Rates(AbstractCallback):  # runs before the decay: the rate the step just used
        every = 1

        def __init__(self):
            self.seen = []

        def __call__(self, solver, iteration, history):
            self.seen.append(solver.optimizer.param_groups[0]["lr"])
            return False

    X = np.random.default_rng(0).normal(size=(200, 3)).astype(np.float32)
    model = identica.Embedding(encoder="mlp", hidden_units=8, output_dimension=2, batch_size=8,
                               max_iterations=2, learning_rate=1e-3, random_state=0)
    rates = Rates()
    model.fit(X, callbacks=[rates, decay])
    model.partial_fit(X, callbacks=[rates, decay])  # the schedule counts n_iter_ on
    assert rates.seen == pytest.approx([decay.rate(s) for s in range(4)])


DYNAMICS_KEYS = {"data", "model", "seed", "r2", "dyn_r2", "lds_error", "mode_accuracy", "cpu_s",
                 "r2_forward", "r2_held_out", "control_error", "predictive_mse"}


def test_dynamics_tiny(tmp_path):
    proc = _run(
        "dynamics.py", "--seeds", "0-1", "--iterations", "3", "--n-trials", "6",
        "--n-steps", "40", "--n-latents", "3", "--n-observed", "8", "--pool", "20",
        "--batch-size", "16", "--num-negatives", "32", "--step-cost", "--step-cost-steps", "2",
        "--out", str(tmp_path),
    )
    lines = _json_lines(proc)
    cost, runs = lines[0], [line for line in lines if "model" in line and "summary" not in line]
    assert cost["step_cost"] and cost["ratio"] > 0 and cost["dynamics_ms"] > 0
    assert [(r["data"], r["model"], r["seed"]) for r in runs] == [
        ("lds", "identity", 0), ("lds", "linear", 0), ("lds", "identity", 1),
        ("lds", "linear", 1), ("slds", "identity", 0), ("slds", "slds", 0),
        ("slds", "identity", 1), ("slds", "slds", 1), ("lds-control", "linear", 0),
        ("lds-control", "linear", 1)]
    for run in runs:
        assert DYNAMICS_KEYS <= run.keys() and run["cpu_s"] > 0 and run["r2"] <= 1.0
        assert (run["mode_accuracy"] is None) == (run["data"] != "slds")
        assert (run["control_error"] is None) == (run["data"] != "lds-control")
    assert runs[4]["lds_error"] is None and runs[5]["lds_error"] is not None
    summaries = [line for line in lines if line.get("summary")]
    assert [(s["data"], s["model"]) for s in summaries] == [
        ("lds", "identity"), ("lds", "linear"), ("slds", "identity"), ("slds", "slds"),
        ("lds-control", "linear")]
    assert set(summaries[0]["r2"]) == {"mean", "sd", "min", "max"}
    verdict = lines[-1]
    assert verdict["criteria"] and {"lds", "slds"} <= verdict.keys()
    assert len(json.loads((tmp_path / "dynamics.json").read_text())["runs"]) == 10
    assert (tmp_path / "dynamics_modes.png").stat().st_size > 0
    assert (tmp_path / "dynamics_flow.png").stat().st_size > 0


def test_dynamics_rejects_an_unknown_case():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "dynamics.py"), "--cases", "lorenz"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert proc.returncode == 2 and "lorenz" in proc.stderr


def test_dynamics_reference_trains_on_the_benchmark_data():
    """The side-by-side script generates exactly the data set of benchmarks/dynamics.py."""
    import argparse

    import numpy as np

    bench, side = _benchmark("dynamics"), _benchmark("dynamics_reference")
    sizes = dict(n_trials=4, n_steps=30, n_latents=3, n_observed=8)
    args = argparse.Namespace(**sizes, pool=20)
    for case in ("lds", "slds"):
        ours, theirs = bench.make_data(case, 1, args), side.make_data(case, 1, **sizes,
                                                                       mixing_pool=20)
        assert np.array_equal(ours.observed, theirs.observed)
        assert np.array_equal(ours.latents, theirs.latents)


def test_dynamics_reference_needs_a_checkout(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "dynamics_reference.py"),
         "--reference", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    assert proc.returncode == 2 and "no dcl package" in proc.stderr
