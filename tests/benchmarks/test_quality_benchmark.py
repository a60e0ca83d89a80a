# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Smoke test of benchmarks/quality_report.py: a few iterations, one JSON line, the HTML."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quality_report_benchmark_prints_one_json_line(tmp_path):
    out = tmp_path / "report.html"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "quality_report.py"), "--iterations", "3",
         "--n-samples", "1500", "--n-neurons", "20", "--seeds", "2", "--no-controls", "--jobs", "1",
         "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (line,) = proc.stdout.strip().splitlines()
    result = json.loads(line)
    assert result["data"] == "track" and result["n_fits"] == 2 and result["seeds"] == [0, 1]
    assert {"wall_s", "cpu_s", "load_before", "load_after", "overall", "verdict"} <= set(result)
    assert out.exists()
