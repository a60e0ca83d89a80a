# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The report object: raw values, spreads, anchors, scores, controls; dict, Markdown, HTML."""

from __future__ import annotations

import dataclasses
import math
import os
from typing import Any

import numpy as np

from identica.report._format import fmt as _fmt
from identica.report._measures import MEASURES, Measure

__all__ = ["QualityReport"]

_BY_KEY = {m.key: m for m in MEASURES}


@dataclasses.dataclass(frozen=True)
class QualityReport:
    """How far to trust an embedding: every measure, its spread, anchors, scores and controls.

    Built by :func:`quality_report`; read it through its fields, :meth:`summary`,
    :meth:`to_dict`, :meth:`to_markdown` or :meth:`to_html`. The overall score never comes
    without the per-measure table.

    Attributes
    ----------
    models : list of str
        Model names, in order.
    measures : list of str
        Keys of the measures with a value for some model (see :data:`MEASURES`).
    values : dict
        ``values[model][measure]``: raw values over seeds (or over seed pairs for consistency
        and update compatibility).
    anchors : dict
        ``anchors[model][measure] = {"trivial": ..., "reference": ...}``.
    anchor_names : dict
        What the trivial and the reference anchors are.
    scores : dict
        ``scores[model][measure]``: ``(m - m_trivial) / (m_reference - m_trivial)`` or None.
    excluded : dict
        ``excluded[measure]``: why a measure with values is left out of the combination (not
        discriminative, no reference value, shown only).
    group_scores, overall : dict
        Group scores (equal weights within a group) and the overall score per model.
    missing_groups : dict
        Groups without any scored measure, with the reason; the overall score renormalises
        the weights over the remaining groups.
    weights : dict
        Group weights.
    flags : list of str
        Trade-off flags between models.
    rank_correlation : dict or None
        ``{"measures": [...], "matrix": [[...]], "over": "models" or "fits"}``.
    controls : dict
        ``controls[model]``: one row per control (held-out and in-sample decoding, goodness
        of fit) next to the real fit's row.
    verdicts : dict
        One sentence per model: does the label explain the embedding beyond the controls?
    config : dict
        Protocol (split, gap, seeds, perturbations) and every model's parameters.
    versions : dict
        Library versions.
    """

    models: list[str]
    measures: list[str]
    values: dict[str, dict[str, list[float]]]
    anchors: dict[str, dict[str, dict[str, float | None]]]
    anchor_names: dict[str, str]
    scores: dict[str, dict[str, float | None]]
    excluded: dict[str, str]
    group_scores: dict[str, dict[str, float | None]]
    overall: dict[str, float | None]
    missing_groups: dict[str, str]
    weights: dict[str, float]
    flags: list[str]
    rank_correlation: dict[str, Any] | None
    controls: dict[str, list[dict[str, Any]]]
    verdicts: dict[str, str]
    config: dict[str, Any]
    versions: dict[str, str]

    def measure(self, key: str) -> Measure:
        """The :class:`Measure` of a key (group, label, direction, anchors)."""
        return _BY_KEY[key]

    def summary(self, model: str, measure: str) -> dict[str, float] | None:
        """Mean, sd (population), min, max and count of a measure's values, or None."""
        values = [v for v in self.values.get(model, {}).get(measure, []) if v is not None]
        if not values:
            return None
        array = np.asarray(values, dtype=np.float64)
        return {"mean": float(array.mean()), "sd": float(array.std()),
                "min": float(array.min()), "max": float(array.max()), "n": len(values)}

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain Python (JSON-ready) values, with per-measure summaries."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["summaries"] = {m: {k: self.summary(m, k) for k in self.measures}
                            for m in self.models}
        out["measure_info"] = {k: _BY_KEY[k]._asdict() for k in self.measures}
        return _plain(out)

    def to_markdown(self) -> str:
        """The verdicts, overall and group scores, the per-measure table and the controls."""
        lines = ["# Embedding quality report", ""]
        for model in self.models:
            lines.append(f"- **{model}**: {self.verdicts.get(model, '')}")
        lines += ["", "| model | overall | " + " | ".join(self._groups()) + " |",
                  "|---|---|" + "---|" * len(self._groups())]
        for model in self.models:
            groups = [_fmt(self.group_scores[model].get(g)) for g in self._groups()]
            lines.append(f"| {model} | {_fmt(self.overall[model])} | " + " | ".join(groups)
                         + " |")
        lines += ["", f"Anchors: trivial = {self.anchor_names['trivial']}; reference = "
                  f"{self.anchor_names['reference']}.", ""]
        lines += ["| model | group | measure | mean ± sd [min, max] (n) | trivial | reference "
                  "| score |", "|---|---|---|---|---|---|---|"]
        for model in self.models:
            for key in self.measures:
                s = self.summary(model, key)
                if s is None:
                    continue
                a = self.anchors[model].get(key, {})
                raw = (f"{_fmt(s['mean'])} ± {_fmt(s['sd'])} [{_fmt(s['min'])}, "
                       f"{_fmt(s['max'])}] ({s['n']})")
                lines.append(f"| {model} | {_BY_KEY[key].group} | {_BY_KEY[key].label} | {raw} "
                             f"| {_fmt(a.get('trivial'))} | {_fmt(a.get('reference'))} | "
                             f"{_fmt(self.scores[model].get(key))} |")
        if self.excluded:
            lines += ["", "Left out of the scores:"]
            lines += [f"- {k}: {why}" for k, why in self.excluded.items()]
        if self.missing_groups:
            lines += ["", "Groups without a score (weights renormalised over the others):"]
            lines += [f"- {g}: {why}" for g, why in self.missing_groups.items()]
        if self.flags:
            lines += ["", "Trade-offs:"] + [f"- {f}" for f in self.flags]
        for model, rows in self.controls.items():
            lines += ["", f"Controls of {model} (decoding of the label each fit was trained "
                      "with):", "", "| fit | kNN decoding, held out | kNN decoding, in sample | "
                      "goodness of fit, bits |", "|---|---|---|---|"]
            for row in rows:
                lines.append(f"| {row['control']} | {_fmt(row['decoding_knn'])} | "
                             f"{_fmt(row['decoding_in_sample'])} | "
                             f"{_fmt(row['goodness_of_fit'])} |")
        return "\n".join(lines) + "\n"

    def to_html(self, path: str | os.PathLike[str]) -> None:
        """Write a self-contained HTML report: tables, figures as inline PNG, no external link.

        Needs matplotlib (the ``[plot]`` extra). The file loads nothing from the network: no
        script, stylesheet, font or image outside it.
        """
        from identica.report._html import write_html

        write_html(self, path)

    def _groups(self) -> list[str]:
        from identica.report._measures import GROUPS

        return [g for g in GROUPS if any(g in self.group_scores[m] for m in self.models)]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
