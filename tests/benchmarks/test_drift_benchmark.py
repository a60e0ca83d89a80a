# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""benchmarks/drift.py in a tiny configuration: one JSON line per run, summaries, the plot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"population", "difficulty", "speed", "seed", "method", "mean_r2", "last_quarter_r2",
        "worst_r2", "collapsed", "seconds_per_1000", "loadavg"}


def test_tiny_drift_run(tmp_path):
    args = ["--populations", "place", "--difficulties", "0.5", "--speeds", "500", "--seeds",
            "0", "--stream-samples", "2000", "--source-samples", "1500", "--iterations", "3",
            "--calibration-samples", "150", "--reset-every", "2000", "--operators",
            "baseline", "noise", "shift", "--out", str(tmp_path)]
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "drift.py"), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    runs = [line for line in lines if "method" in line and "summary" not in line]
    summaries = [line for line in lines if "summary" in line]
    assert len(runs) == 12 and all(KEYS <= set(r) for r in runs)
    assert {s["method"] for s in summaries} == {r["method"] for r in runs}
    assert (tmp_path / "drift_stream.png").stat().st_size > 0
    table = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "drift.py"), "--table",
                            str(tmp_path / "runs.jsonl")], capture_output=True, text=True,
                           cwd=ROOT, timeout=120)
    assert table.returncode == 0, table.stderr[-2000:]
    assert len(table.stdout.strip().splitlines()) == 2 + 12
    merged = tmp_path / "merged"
    merge = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "drift.py"), "--merge",
                            str(tmp_path), str(tmp_path), "--out", str(merged)],
                           capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert merge.returncode == 0, merge.stderr[-2000:]
    assert len((merged / "runs.jsonl").read_text().splitlines()) == 2 * 12
    assert (merged / "drift_stream.png").stat().st_size > 0
