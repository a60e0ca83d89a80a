# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The report as one self-contained HTML file: inline CSS, figures as inline PNG, no links."""

from __future__ import annotations

import base64
import html
import io
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from identica.exceptions import ConfigurationError
from identica.report._format import fmt as _fmt

if TYPE_CHECKING:
    from identica.report._report import QualityReport

__all__ = ["write_html"]

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.85em; }
th, td { border: 1px solid #ccc; padding: 3px 7px; text-align: right; }
th { background: #f2f2f2; } td.text, th.text { text-align: left; }
.verdict { padding: 0.6em 1em; border-radius: 4px; margin: 0.4em 0; }
.yes { background: #e6f4e6; border: 1px solid #7bb47b; }
.no { background: #fbeaea; border: 1px solid #d08080; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; } .figures img { max-width: 520px; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.8em; }
"""


def _png(draw: Any, *, polar: bool = False, size: tuple[float, float] = (6.0, 4.6)) -> str:
    from matplotlib.figure import Figure

    figure = Figure(figsize=size, layout="constrained")
    ax = figure.add_subplot(projection="polar" if polar else None)
    draw(ax)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight", pad_inches=0.1)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="figure" src="data:image/png;base64,{data}">'


def _figures(report: QualityReport) -> list[str]:
    from identica import plot

    key_y = "consistency" if "consistency" in report.measures else report.measures[-1]
    figures = [
        _png(lambda ax: plot.quality_radar(report, ax=ax), polar=True, size=(7.0, 5.0)),
        _png(lambda ax: plot.quality_table(report, ax=ax),
             size=(4.0 + 1.2 * len(report.models), 7.5)),
        _png(lambda ax: plot.pareto(report, x="decoding_knn", y=key_y, ax=ax)),
    ]
    if "latency" in report.measures:
        figures.append(_png(lambda ax: plot.pareto(report, x="decoding_knn", y="latency", ax=ax)))
    figures.append(_png(lambda ax: plot.rank_correlation(report, ax=ax), size=(6.5, 6.0)))
    return figures


def _table(header: list[str], rows: list[list[str]], text_columns: int = 1) -> str:
    head = "".join(f'<th class="text">{html.escape(h)}</th>' if i < text_columns
                   else f"<th>{html.escape(h)}</th>" for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(f'<td class="text">{html.escape(c)}</td>' if i < text_columns
                         else f"<td>{html.escape(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def render(report: QualityReport) -> str:
    """The HTML text of a report."""
    from identica.report._measures import GROUPS

    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>identica quality report</title>", f"<style>{_CSS}</style></head><body>",
             "<h1>Embedding quality report</h1>"]
    protocol = report.config["protocol"]
    parts.append(
        f"<p>{protocol['n_samples']} samples × {protocol['n_features']} features; training "
        f"rows {protocol['n_train']}, held-out block {protocol['n_test']} (the last rows), gap "
        f"{protocol['gap']}; seeds {protocol['seeds']}. Trivial anchor: "
        f"{html.escape(report.anchor_names['trivial'])}; reference: "
        f"{html.escape(report.anchor_names['reference'])}.</p>")
    parts.append("<h2>Is the result real? Validity controls</h2>")
    for model in report.models:
        sentence = report.verdicts.get(model, "")
        good = "does not explain" not in sentence and "not run" not in sentence
        parts.append(f'<div class="verdict {"yes" if good else "no"}"><b>{html.escape(model)}'
                     f"</b>: {html.escape(sentence)}</div>")
        rows = report.controls.get(model)
        if rows:
            parts.append(_table(
                ["fit", "kNN decoding, held out", "gap to the real fit", "kNN decoding, in "
                 "sample", "goodness of fit, bits (held out)"],
                [[r["control"], _fmt(r["decoding_knn"]), _fmt(r.get("gap")),
                  _fmt(r["decoding_in_sample"]), _fmt(r["goodness_of_fit"])] for r in rows]))
    parts.append("<p>Each control is the same fit with the label shuffled, shifted in time by "
                 "half the recording (circular), or with the neural rows shuffled in time; it "
                 "is scored on the label it was trained with. High in-sample but chance "
                 "held-out decoding is memorisation, not structure.</p>")
    groups = [g for g in GROUPS if any(report.group_scores[m].get(g) is not None
                                       for m in report.models)]
    parts.append("<h2>Scores</h2>")
    parts.append(_table(["model", "overall", *groups],
                        [[m, _fmt(report.overall[m]),
                          *[_fmt(report.group_scores[m].get(g)) for g in groups]]
                         for m in report.models]))
    weights = ", ".join(f"{g} {w:g}" for g, w in report.weights.items() if g in groups)
    parts.append(f"<p>s = (m − m<sub>trivial</sub>) ÷ (m<sub>reference</sub> − "
                 f"m<sub>trivial</sub>): 0 trivial, 1 reference, not clipped. Group weights: "
                 f"{weights}; measures weigh equally within a group.</p>")
    if report.missing_groups:
        parts.append("<p>Groups without a score (weights renormalised over the others): "
                     + "; ".join(f"{html.escape(g)}: {html.escape(w)}"
                                 for g, w in report.missing_groups.items()) + ".</p>")
    parts.append("<h2>Every measure</h2>")
    rows = []
    for model in report.models:
        for key in report.measures:
            s = report.summary(model, key)
            if s is None:
                continue
            info = report.measure(key)
            anchor = report.anchors[model].get(key, {})
            rows.append([model, info.group, info.label, {"higher": "↑", "lower": "↓"}.get(
                info.direction, "◎"), _fmt(s["mean"]), _fmt(s["sd"]),
                f"{_fmt(s['min'])} – {_fmt(s['max'])}", str(s["n"]),
                _fmt(anchor.get("trivial")), _fmt(anchor.get("reference")),
                _fmt(report.scores[model].get(key))])
    parts.append(_table(["model", "group", "measure", "", "mean", "sd", "min – max", "n",
                         "trivial", "reference", "score"], rows, text_columns=4))
    if report.excluded:
        parts.append("<p><b>Left out of the scores:</b></p><ul>" + "".join(
            f"<li>{html.escape(k)}: {html.escape(v)}</li>" for k, v in report.excluded.items())
            + "</ul>")
    notes = [(k, report.measure(k).note) for k in report.measures if report.measure(k).note]
    if notes:
        parts.append("<p><b>Fixed anchors and notes:</b></p><ul>" + "".join(
            f"<li>{html.escape(k)}: {html.escape(v)}</li>" for k, v in notes) + "</ul>")
    parts.append("<h2>Trade-offs</h2>")
    parts.append("<ul>" + "".join(f"<li>{html.escape(f)}</li>" for f in report.flags) + "</ul>"
                 if report.flags else "<p>No trade-off flag (they compare models: one measure "
                 "up while another group's falls, beyond the seed spread).</p>")
    parts.append("<h2>Figures</h2><div class=\"figures\">" + "".join(_figures(report))
                 + "</div>")
    parts.append("<h2>Configuration</h2><pre>" + html.escape(
        json.dumps(report.to_dict()["config"], indent=2, default=str)) + "</pre>")
    parts.append("<h2>Versions</h2>" + _table(["package", "version"],
                                             [[k, v] for k, v in report.versions.items()], 2))
    parts.append("</body></html>")
    return "\n".join(parts)


def write_html(report: QualityReport, path: str | os.PathLike[str]) -> None:
    """Write :func:`render`'s text to ``path`` (its folder must exist)."""
    path = Path(path)
    if not path.parent.is_dir():
        raise ConfigurationError(
            f"'path' of QualityReport.to_html must be in an existing folder. Got {str(path)!r}."
        )
    path.write_text(render(report), encoding="utf-8")
