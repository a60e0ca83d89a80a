# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Smoke test of benchmarks/io_read.py on tiny files: JSON lines, no timing assertions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_io_read_benchmark_prints_one_json_line_per_run():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "io_read.py"), "--frames", "200",
         "--bodyparts", "3", "--hours", "0.01", "--units", "5", "--repeats", "1"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    runs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["benchmark"] for r in runs] == ["dlc_h5", "dlc_csv", "nwb_units_bin"]
    assert runs[0]["frames"] == 200 and runs[0]["columns"] == 6
    assert runs[2]["bins"] == 1439 and all(r["seconds"] > 0 for r in runs)
