# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The tables and the summary line of ``benchmarks/scaling.py``, from its points."""

from __future__ import annotations

import _protocol

SWEEPS = ("batch", "length", "field", "threads")


def fmt(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}g}" if abs(value) < 10 ** digits else f"{value:.0f}"


COLUMNS = {
    "batch": ("batch", lambda r: str(r["batch_size"])),
    "length": ("bins", lambda r: f"{r['n_samples']:,}"),
    "field": ("encoder (field)", lambda r: f"{r['encoder']} ({r['receptive_field']})"),
    "threads": ("threads", lambda r: str(r["threads"])),
}


def markdown(result: dict) -> str:
    cfg = result["config"]
    lines = [
        "# identica step time scaling",
        "",
        f"Base: {cfg['encoder']}, batch {cfg['batch_size']}, {cfg['n_samples']:,} bins x "
        f"{cfg['n_neurons']} neurons, output 8, hidden 32, time_delta (offset 10), cosine, CPU, "
        f"negatives {cfg['negatives_used']}; medians of {cfg['repeats']} blocks of "
        f"{cfg['iterations']} steps (method: {cfg['method']}). Times in ms per step; "
        "floor = forward + backward of the same windows through the same encoder; sampling = "
        "the sampler alone; setup = the first fit call of 2 steps (sampler build included); "
        "compute floor = the step's matrix-product FLOPs at the single-thread rate of its own "
        "matrix products, measured in the same worker.",
        "",
        f"CPU: {cfg['cpu_model']} ({cfg['cpu_count']} cores); load average (1 / 5 / 15 min) "
        f"{_protocol.format_load(cfg['load_before'])} before, "
        f"{_protocol.format_load(result['load_after'])} after the run.",
    ]
    if result["headline"]["caption"]:
        lines[1:1] = ["", f"**{result['headline']['caption'].capitalize()}.**"]
    for sweep in SWEEPS:
        rows = [r for r in result["runs"] if r["sweep"] == sweep]
        if not rows:
            continue
        label, cell = COLUMNS[sweep]
        first = rows[0]
        lines += [
            "",
            f"## {sweep}",
            "",
            f"| {label} | windows | step CPU | step wall | floor CPU | floor wall | sampling CPU "
            "| step/floor (CPU) | compute floor | step/compute floor | step CPU vs first "
            "| step wall vs first | peak RSS MB | RSS after imports MB | data MB "
            "| peak − data MB | setup s |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in rows:
            lines.append(
                f"| {cell(r)} | {r['windows_per_step']} | {fmt(r['step_cpu_ms'])} | "
                f"{fmt(r['step_wall_ms'])} | {fmt(r['floor_cpu_ms'])} | "
                f"{fmt(r['floor_wall_ms'])} | "
                f"{fmt(r['sample_cpu_ms'])} | {fmt(r['step_over_floor_cpu'])} | "
                f"{fmt(r['compute_floor_ms'])} | {fmt(r['step_over_compute_floor'])} | "
                f"{fmt(r['step_cpu_ms'] / first['step_cpu_ms'])} | "
                f"{fmt(r['step_wall_ms'] / first['step_wall_ms'])} | {fmt(r['peak_rss_mb'], 4)} | "
                f"{fmt(r['rss_after_imports_mb'], 4)} | {fmt(r['data_mb'], 4)} | "
                f"{fmt(r['peak_rss_mb'] - r['data_mb'], 4)} | {fmt(r['setup_wall_s'])} |"
            )
    return "\n".join(lines) + "\n"


def summary_line(result: dict) -> dict:
    """The last JSON line: machine state, whether the table is a headline, the length sweep."""
    cfg = result["config"]
    line = {"summary": True, "sweeps": cfg["sweep"], "points": len(result["runs"]),
            "load_before": cfg["load_before"], "load_after": result["load_after"],
            "cpu_model": cfg["cpu_model"], "cpu_count": cfg["cpu_count"],
            "headline": result["headline"]["headline"], "quiet": result["headline"]["quiet"]}
    rows = [r for r in result["runs"] if r["sweep"] == "length"]
    if rows:
        longest = max(rows, key=lambda r: r["n_samples"])
        line.update(
            length_bins=[r["n_samples"] for r in rows],
            length_step_cpu_ms=[r["step_cpu_ms"] for r in rows],
            length_step_cpu_longest_over_first=longest["step_cpu_ms"] / rows[0]["step_cpu_ms"],
            length_peak_minus_data_mb=max(r["peak_rss_mb"] - r["data_mb"] for r in rows),
        )
    return line
