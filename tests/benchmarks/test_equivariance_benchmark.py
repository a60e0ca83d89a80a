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
        "r2_full", "homomorphism_r2", "final_loss", "equivariance_r2_change", "steps"}


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
