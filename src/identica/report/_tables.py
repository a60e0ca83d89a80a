# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The report's tables: anchors per measure, exclusions, missing groups, rank correlations."""

from __future__ import annotations

import platform
import sys
from typing import Any

import numpy as np

from identica._version import __version__
from identica.report._fits import Candidate, Fit
from identica.report._measures import GROUPS, MEASURES
from identica.report._score import rank_correlations

__all__ = ["PER_FIT", "anchors_for", "correlations", "excluded", "missing_groups", "pair",
           "params", "versions"]

PER_FIT = [m.key for m in MEASURES if m.key not in
            ("consistency", "consistency_in_sample", "update_compatibility",
             "negative_flip_rate", "positive_flip_rate")]



def pair(anchor: dict[str, float | None] | None) -> tuple[Any, Any]:
    if anchor is None:
        return None, None
    return anchor.get("trivial"), anchor.get("reference")


def anchors_for(trivial: dict[str, float | None], reference: dict[str, float | None],
             fixed: dict[str, float]) -> dict[str, dict[str, float | None]]:
    out: dict[str, dict[str, float | None]] = {}
    for m in MEASURES:
        if m.anchors == "embedding":
            out[m.key] = {"trivial": trivial.get(m.key), "reference": reference.get(m.key)}
        elif m.key == "goodness_of_fit" and "goodness_of_fit_ceiling" in fixed:
            out[m.key] = {"trivial": 0.0, "reference": fixed["goodness_of_fit_ceiling"]}
        elif m.key == "consistency":
            out[m.key] = {"trivial": 0.0, "reference": 1.0}
        elif m.key == "update_compatibility" and m.key in fixed:
            out[m.key] = {"trivial": fixed[m.key], "reference": 1.0}
        elif m.key == "attribution_auc":
            out[m.key] = {"trivial": 0.5, "reference": 1.0}
    return out


def excluded(measures: list[str], values: dict[str, dict[str, list[float]]],
              anchors: dict[str, dict[str, dict[str, float | None]]],
              scores: dict[str, dict[str, float | None]], has_truth: bool,
              within_spread: dict[str, tuple[float, float, float]]) -> dict[str, str]:
    out = {}
    info = {m.key: m for m in MEASURES}
    for key in measures:
        if info[key].anchors == "none":
            out[key] = "shown only, not scored"
            if key == "smoothness_ratio":
                out[key] += (" (the target-matched score is scored)" if has_truth
                             else ": real data give r no target")
            continue
        for name in values:
            if not values[name].get(key) or scores[name].get(key) is not None:
                continue
            trivial, reference = pair(anchors[name].get(key))
            finite = all(v is not None and np.isfinite(v) for v in (trivial, reference))
            if key in within_spread:
                t, r, sd = within_spread[key]
                out[key] = (f"not discriminative: trivial {t:.4g} and reference {r:.4g} differ "
                            f"by less than the seed sd {sd:.3g}")
            elif not finite:
                which = ("reference" if reference is None or not np.isfinite(reference)
                         else "trivial")
                out[key] = f"no {which} value" + (
                    " (the ground truth has no cost)" if info[key].group == "Cost" and has_truth
                    else "")
            else:
                out[key] = (f"not discriminative: trivial {trivial:.4g} and reference "
                            f"{reference:.4g} coincide")
            break
    return out


def missing_groups(group_scores: dict[str, dict[str, float | None]], has_truth: bool,
                    has_attribution: bool, reference: Candidate | None, has_labels: bool,
                    has_adaptation: bool) -> dict[str, str]:
    reasons = {
        "Truth": "no ground truth given (real data)",
        "Cost": ("the reference is the ground truth, which has no cost" if has_truth
                 else "no reference cost"),
        "Task": "no labels" if not has_labels else "no scored measure",
        "Robustness": "no labels or no perturbations",
        "Reliability": "no labels",
    }
    out = {}
    for g in GROUPS:
        if all(s.get(g) is None for s in group_scores.values()):
            out[g] = reasons.get(g, "no scored measure")
    return out


def correlations(fits: dict[str, list[Fit]], per_fit: dict[str, list[Any]],
                  values: dict[str, dict[str, list[float]]]) -> dict[str, Any] | None:
    scored = [m.key for m in MEASURES]
    if len(fits) >= 3:
        table = {k: [float(np.mean(values[n][k])) if values[n].get(k) else None for n in fits]
                 for k in scored}
        over = f"{len(fits)} models (means over seeds)"
    else:
        rows = [m for name in fits for m, _ in per_fit[name]]
        table = {k: [r.get(k) for r in rows] for k in PER_FIT}
        over = f"{len(rows)} fits (models x seeds)"
    result = rank_correlations(table)
    if result is None:
        return None
    names, matrix = result
    return {"measures": names, "matrix": matrix.tolist(), "over": over}


def params(model: Any) -> dict[str, Any]:
    try:
        params = model.get_params()
    except AttributeError:
        return {}
    return {k: (v if isinstance(v, int | float | str | bool | type(None) | tuple | list)
                else repr(v)) for k, v in params.items()}


def versions() -> dict[str, str]:
    import scipy
    import sklearn
    import torch

    return {"identica": __version__, "python": sys.version.split()[0],
            "numpy": np.__version__, "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__, "torch": torch.__version__,
            "platform": platform.platform()}
