# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""benchmarks/equivariance.py in a tiny configuration: one JSON line per run, the plot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"group", "method", "seed", "r2_group", "r2_content", "equivariance_r2", "cpu_s",
        "r2_full", "homomorphism_r2", "final_loss", "equivariance_r2_change", "steps",
        "model_seed"}


def test_tiny_run_prints_runs_and_summaries(tmp_path):
    args = ["--cases", "O3,GL3", "--seeds", "0,1", "--steps", "3", "--batch-size", "8",
            "--num-negatives", "32", "--hidden-units", "16", "--n-elements", "12",
            "--n-samples", "600", "--eval-pairs-per-action", "12", "--homomorphism-draws",
            "5", "--plot-actions", "4", "--out", str(tmp_path)]
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "equivariance.py"), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    runs = [line for line in lines if "summary" not in line]
    summaries = [line for line in lines if "summary" in line]
    assert len(runs) == 2 * 2 + 2 * 3
    assert all(set(r) == KEYS for r in runs)
    assert {(s["group"], s["method"]) for s in summaries} == {
        ("O3", "ebc"), ("O3", "invariant"), ("GL3", "ebc"), ("GL3", "ebc-none"),
        ("GL3", "invariant")}
    assert (tmp_path / "equivariance_actions.png").stat().st_size > 0


def test_table_of_a_finished_run(tmp_path):
    runs = [{"group": "O3", "method": m, "seed": s, "r2_group": 0.5, "r2_content": 0.5,
             "r2_full": 0.5, "equivariance_r2": 0.5, "equivariance_r2_change": 0.5,
             "homomorphism_r2": 0.5, "final_loss": 1.0, "cpu_s": 10.0, "steps": 3}
            for m in ("ebc", "invariant") for s in (0, 1)]
    path = tmp_path / "runs.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in runs))
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "equivariance.py"),
                           "--table", str(path)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = proc.stdout.strip().splitlines()
    assert len(rows) == 4 and rows[2].startswith("| O3 | ebc | 0.500 ± 0.000 (0.500)")
