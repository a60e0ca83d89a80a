# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The summary and the Markdown table of ``benchmarks/vs_cebra.py``, from its runs.

Pure functions of the runs the workers answered: per-tool medians, the per-pair speed-ups with
their spread, the compute floor and ``step / floor``, the one-line JSON summary and the table.
"""

from __future__ import annotations

import statistics

import _protocol

TOOLS = ("identica", "cebra")
SEEDS = (0, 1)


def _median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return float(statistics.median(values)) if values else None


SUMMARY_KEYS = (
    "cpu_s_per_iter", "wall_s", "wall_s_per_iter", "peak_rss_fit_mb", "peak_rss_mb", "knn_r2",
    "median_error_cm", "gof_bits", "loss_first", "loss_final",
)


def pair_ratios(runs: list[dict]) -> list[dict]:
    """Per pair (same seed and repeat): CEBRA / identica CPU-s/iter, and which ran first."""
    out = []
    for pair in sorted({r["pair"] for r in runs}):
        mine = [r for r in runs if r["pair"] == pair]
        by_tool = {r["tool"]: r for r in mine}
        if set(by_tool) != set(TOOLS):
            continue
        a, b = by_tool["identica"], by_tool["cebra"]
        out.append({"pair": pair, "seed": a["seed"], "repeat": a["repeat"],
                    "first": mine[0]["tool"], "identica_cpu_s_per_iter": a["cpu_s_per_iter"],
                    "cebra_cpu_s_per_iter": b["cpu_s_per_iter"],
                    "ratio": b["cpu_s_per_iter"] / a["cpu_s_per_iter"]})
    return out


def summarise(runs: list[dict], consistency: dict, tools: tuple[str, ...],
              floors: list[dict]) -> dict:
    summary: dict = {}
    for tool in tools:
        mine = [r for r in runs if r["tool"] == tool]
        entry = {key: _median([r[key] for r in mine]) for key in SUMMARY_KEYS}
        entry["consistency"] = _median(consistency.get(tool, []))
        for key in ("knn_r2", "median_error_cm", "gof_bits"):
            entry[f"{key}_by_seed"] = [_median([r[key] for r in mine if r["seed"] == s])
                                       for s in SEEDS]
        entry["runs"] = len(mine)
        summary[tool] = entry
    if floors:
        floor_ms = _median([f["floor_ms"] for f in floors])
        step_ms = 1e3 * summary["identica"]["cpu_s_per_iter"]
        summary["floor"] = {
            "floor_ms": floor_ms,
            "floor_ms_runs": [f["floor_ms"] for f in floors],
            "floor_gflop": floors[0]["floor_gflop"],
            "floor_gflop_encoder": floors[0]["floor_gflop_encoder"],
            "floor_gflop_loss": floors[0]["floor_gflop_loss"],
            "matmul_rate_gflops": _median([f["matmul_rate_gflops"] for f in floors]),
            "matmul_ms": _median([f["matmul_ms"] for f in floors]),
            "matmul_ms_loss": _median([f["matmul_ms_loss"] for f in floors]),
            "step_ms": step_ms,
            "step_over_floor": step_ms / floor_ms,
        }
    if "cebra" in summary:
        a, b = summary["identica"], summary["cebra"]
        summary["ratio_identica_over_cebra"] = {
            key: (a[key] / b[key] if a[key] is not None and b[key] not in (None, 0) else None)
            for key in (*SUMMARY_KEYS, "consistency")
        }
        pairs = pair_ratios(runs)
        summary["pairs"] = pairs
        summary["ratio"] = _protocol.spread([p["ratio"] for p in pairs])
        summary["speedup_cpu"] = summary["ratio"]["median"]
        summary["speedup_of_medians"] = b["cpu_s_per_iter"] / a["cpu_s_per_iter"]
    return summary


def summary_line(result: dict) -> dict:
    """The one-line summary printed last: ratios with spread, quality, floor, machine state."""
    cfg, summary = result["config"], result["summary"]
    ratio = summary.get("ratio", _protocol.spread([]))
    floor = summary.get("floor", {})
    line = {
        "summary": True, "data": cfg["data_name"], "batch_size": cfg["batch_size"],
        "iterations": cfg["iterations"], "n_pairs": ratio["n"],
        **{f"ratio_{key}": ratio[key] for key in ("median", "min", "max", "q1", "q3")},
    }
    for tool in TOOLS:
        s = summary.get(tool)
        line[f"{tool}_cpu_ms_per_iter"] = None if s is None else 1e3 * s["cpu_s_per_iter"]
        line[f"{tool}_knn_r2"] = None if s is None else s["knn_r2"]
        line[f"{tool}_consistency"] = None if s is None else s["consistency"]
    both = all(line[f"{tool}_knn_r2"] is not None for tool in TOOLS)
    line.update(
        knn_r2_identica_minus_cebra=(line["identica_knn_r2"] - line["cebra_knn_r2"]
                                     if both else None),
        floor_ms=floor.get("floor_ms"), floor_gflop=floor.get("floor_gflop"),
        step_over_floor=floor.get("step_over_floor"),
        load_before=cfg["load_before"], load_after=result["load_after"],
        cpu_model=cfg["cpu_model"], cpu_count=cfg["cpu_count"],
        headline=result["headline"]["headline"], quiet=result["headline"]["quiet"],
        under_load=cfg["under_load"],
    )
    return line


def _fmt(value, digits: int = 4) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1e4 else f"{value:.0f}"
    return str(value)


def _pair(values: list) -> str:
    return " / ".join(_fmt(v) for v in values)


def _load1(load: list[float] | None) -> str:
    return "–" if load is None else f"{load[0]:g}"


def markdown(result: dict) -> str:
    cfg, summary = result["config"], result["summary"]
    lines = [
        f"# identica vs CEBRA 0.6.1 — {cfg['data_name']}, batch {cfg['batch_size']}, "
        f"{cfg['iterations']} iterations",
        "",
    ]
    if result["headline"]["caption"]:
        lines += [f"**{result['headline']['caption'].capitalize()}.**", ""]
    lines += [
        f"{cfg['data']} (train first 80 %, position decoded on the last 20 %), "
        f"conv10 / offset10-model, output 8, hidden 32, time_delta (offset 10), cosine, "
        f"temperature 1, lr 3e-4, CPU, {cfg['threads']} thread(s), {cfg['repeats']} pair(s) "
        f"per seed, seeds 0 and 1, identica negatives: {cfg['identica_negatives_used']}. "
        f"CPU: {cfg['cpu_model']} ({cfg['cpu_count']} cores); load average (1 / 5 / 15 min) "
        f"{_protocol.format_load(cfg['load_before'])} before, "
        f"{_protocol.format_load(result['load_after'])} after the run.",
        "",
        "| tool | CPU-s/iter | wall s (fit) | peak RSS MB (fit / end) | "
        "kNN R² (test, seed 0 / 1) | median error cm (seed 0 / 1) | consistency | "
        "GoF bits (seed 0 / 1) | final loss |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for tool in [t for t in TOOLS if t in summary]:
        s = summary[tool]
        lines.append(
            f"| {tool} | {_fmt(s['cpu_s_per_iter'])} | {_fmt(s['wall_s'])} | "
            f"{_fmt(s['peak_rss_fit_mb'])} / {_fmt(s['peak_rss_mb'])} | "
            f"{_pair(s['knn_r2_by_seed'])} | "
            f"{_pair(s['median_error_cm_by_seed'])} | {_fmt(s['consistency'])} | "
            f"{_pair(s['gof_bits_by_seed'])} | {_fmt(s['loss_final'])} |"
        )
    if "ratio_identica_over_cebra" in summary:
        r = summary["ratio_identica_over_cebra"]
        lines.append(
            f"| identica / CEBRA | {_fmt(r['cpu_s_per_iter'], 3)} | {_fmt(r['wall_s'], 3)} | "
            f"{_fmt(r['peak_rss_fit_mb'], 3)} / {_fmt(r['peak_rss_mb'], 3)} | "
            f"{_fmt(r['knn_r2'], 4)} | "
            f"{_fmt(r['median_error_cm'], 3)} | {_fmt(r['consistency'], 4)} | "
            f"{_fmt(r['gof_bits'], 3)} | {_fmt(r['loss_final'], 4)} |"
        )
        s = summary["ratio"]
        lines += ["", f"Speed-up (CPU time per iteration, CEBRA / identica), median of the "
                      f"per-pair ratios over {s['n']} pairs: **{_fmt(s['median'], 3)}x** "
                      f"(min {_fmt(s['min'], 3)}, max {_fmt(s['max'], 3)}; quartiles "
                      f"{_fmt(s['q1'], 3)}–{_fmt(s['q3'], 3)})."]
    if "floor" in summary:
        f = summary["floor"]
        lines += ["", f"Compute floor (same run, 1 thread): {_fmt(f['floor_gflop'], 3)} GFLOP "
                      f"per step (encoder {_fmt(f['floor_gflop_encoder'], 3)} + loss "
                      f"{_fmt(f['floor_gflop_loss'], 3)}) at {_fmt(f['matmul_rate_gflops'], 3)} "
                      f"GFLOP/s, measured on the step's own matrix products = "
                      f"{_fmt(f['floor_ms'], 3)} ms; identica's step {_fmt(f['step_ms'], 3)} ms "
                      f"= **{_fmt(f['step_over_floor'], 3)}x the floor**. The loss's products "
                      f"take {_fmt(f['matmul_ms_loss'], 3)} of the {_fmt(f['matmul_ms'], 3)} ms "
                      "that all the step's products take."]
    lines += [
        "",
        "Medians over runs. CPU-s/iter: process CPU time of the fit call / iterations. Peak RSS: "
        "ru_maxrss of the fresh worker process right after the fit, and at its end (transform, "
        "decoding and goodness of fit included). Consistency: in-sample affine R² between the "
        "train embeddings of seeds 0 and 1.",
        "",
        "| run | pair | tool | seed | CPU-s/iter | wall s | peak RSS MB (fit / end) | kNN R² | "
        "median error cm | GoF bits | first loss | final loss | 1-min load before / after |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(result["runs"]):
        lines.append(
            f"| {i} | {r['pair']} | {r['tool']} | {r['seed']} | {_fmt(r['cpu_s_per_iter'])} | "
            f"{_fmt(r['wall_s'])} | {_fmt(r['peak_rss_fit_mb'])} / {_fmt(r['peak_rss_mb'])} | "
            f"{_fmt(r['knn_r2'])} | "
            f"{_fmt(r['median_error_cm'])} | {_fmt(r['gof_bits'])} | {_fmt(r['loss_first'])} | "
            f"{_fmt(r['loss_final'])} | {_load1(r['load_before'])} / {_load1(r['load_after'])} |"
        )
    return "\n".join(lines) + "\n"
