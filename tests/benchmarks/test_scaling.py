# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""scaling.py's report: the length sweep's summary and the under-load caption."""

from __future__ import annotations

import pytest
from benchmark_modules import load


@pytest.fixture(scope="module")
def scaling_report():
    return load("_scaling_report")


@pytest.fixture(scope="module")
def protocol():
    return load("_protocol")


def _point(n_samples: int, step_ms: float, peak_mb: float, data_mb: float) -> dict:
    return {"sweep": "length", "batch_size": 512, "n_samples": n_samples, "encoder": "conv10",
            "threads": 1, "receptive_field": 10, "windows_per_step": 1024,
            "step_cpu_ms": step_ms, "step_wall_ms": step_ms, "floor_cpu_ms": 8.0,
            "floor_wall_ms": 8.0, "sample_cpu_ms": 1.0, "step_over_floor_cpu": step_ms / 8,
            "compute_floor_ms": 7.0, "step_over_compute_floor": step_ms / 7,
            "peak_rss_mb": peak_mb, "rss_after_imports_mb": 400.0, "data_mb": data_mb,
            "setup_wall_s": 0.5}


def test_length_summary_and_caption(scaling_report, protocol):
    status = protocol.headline_status([3.0, 2.0, 1.0], 2, under_load=True)
    result = {
        "config": {"sweep": ["length"], "encoder": "conv10", "batch_size": 512,
                   "n_samples": 10_000, "n_neurons": 120, "negatives_used": "references",
                   "repeats": 5, "iterations": 20, "method": "step", "cpu_model": "test cpu",
                   "cpu_count": 2, "load_before": [3.0, 2.0, 1.0]},
        "runs": [_point(10_000, 14.0, 600.0, 5.0), _point(1_000_000, 16.8, 1100.0, 470.0)],
        "load_after": [2.5, 2.0, 1.0], "headline": status,
    }
    line = scaling_report.summary_line(result)
    assert line["length_bins"] == [10_000, 1_000_000]
    assert abs(line["length_step_cpu_longest_over_first"] - 1.2) < 1e-12
    assert line["length_peak_minus_data_mb"] == 630.0
    assert line["headline"] and not line["quiet"]
    table = scaling_report.markdown(result)
    assert "**Measured under load (load average 3 on 2 cores).**" in table
    assert "| 1,000,000 | 1024 |" in table and "| 630 |" in table
