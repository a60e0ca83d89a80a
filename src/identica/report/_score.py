# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Anchor normalisation, group and overall scores, trade-off flags and rank correlations."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy.stats import rankdata

from identica.exceptions import ConfigurationError

__all__ = ["anchor_score", "combine", "is_discriminative", "rank_correlations",
           "tradeoff_flags"]

_RTOL, _ATOL = 1e-6, 1e-9


def is_discriminative(trivial: float, reference: float) -> bool:
    """Whether the anchors differ by more than numerical tolerance.

    Examples
    --------
    >>> from identica.report import is_discriminative
    >>> is_discriminative(0.2, 0.9), is_discriminative(1.0, 1.0 + 1e-12)
    (True, False)
    """
    return abs(reference - trivial) > _ATOL + _RTOL * max(abs(reference), abs(trivial))


def anchor_score(value: float, trivial: float, reference: float) -> float | None:
    """``s = (m - m_trivial) / (m_reference - m_trivial)``: 0 trivial, 1 reference.

    Orientation-free: for a lower-is-better measure the denominator is negative too, so no
    sign flip is needed. Not clipped. ``None`` when the anchors coincide (not discriminative)
    or a value is missing or not finite.

    Examples
    --------
    >>> from identica.report import anchor_score
    >>> anchor_score(0.5, 0.0, 2.0), anchor_score(0.1, 0.4, 0.1)   # higher / lower is better
    (0.25, 1.0)
    """
    if any(v is None or not math.isfinite(v) for v in (value, trivial, reference)):
        return None
    if not is_discriminative(trivial, reference):
        return None
    return float((value - trivial) / (reference - trivial))


def combine(
    scores: Mapping[str, float | None],
    groups: Mapping[str, str],
    weights: Mapping[str, float] | None = None,
) -> tuple[dict[str, float | None], float | None]:
    """Group scores (equal weights within a group) and the weighted overall score.

    Every group gets total weight 1 shared equally by its available measures (scores that are
    not None); the overall score is the weighted mean of the available group scores (default
    weight 1 per group), the weights renormalised over them.

    Parameters
    ----------
    scores : mapping of measure -> score or None
    groups : mapping of measure -> group
    weights : mapping of group -> weight >= 0, optional

    Returns
    -------
    group_scores : dict of group -> score or None (no available measure)
    overall : float or None

    Examples
    --------
    >>> from identica.report import combine
    >>> groups = {"a": "Task", "b": "Task", "c": "Cost", "d": "Truth"}
    >>> combine({"a": 1.0, "b": 0.0, "c": 2.0, "d": None}, groups)
    ({'Task': 0.5, 'Cost': 2.0, 'Truth': None}, 1.25)
    """
    weights = dict(weights or {})
    for group, w in weights.items():
        if not (isinstance(w, int | float) and not isinstance(w, bool) and w >= 0):
            raise ConfigurationError(
                f"weights of the quality report must be numbers >= 0. Got {w!r} for {group!r}."
            )
    members: dict[str, list[float]] = {}
    for measure, group in groups.items():
        members.setdefault(group, [])
        value = scores.get(measure)
        if value is not None:
            members[group].append(float(value))
    group_scores = {g: (float(np.mean(v)) if v else None) for g, v in members.items()}
    available = {g: s for g, s in group_scores.items() if s is not None}
    total = sum(weights.get(g, 1.0) for g in available)
    if not available or total == 0:
        return group_scores, None
    overall = sum(weights.get(g, 1.0) * s for g, s in available.items()) / total
    return group_scores, float(overall)


def tradeoff_flags(
    scores: Mapping[str, Mapping[str, float | None]],
    spreads: Mapping[str, Mapping[str, float]],
    groups: Mapping[str, str],
) -> list[str]:
    """Pairs of models where one measure rises and one of another group falls, beyond spread.

    For models A and B, a flag is raised when measure m1 is higher for B than for A by more
    than the larger seed spread (sd) of the two, while a measure m2 of another group is lower
    by more than its spread (scores are anchor-normalised, so higher is better everywhere).

    Examples
    --------
    >>> from identica.report import tradeoff_flags
    >>> scores = {"A": {"x": 0.5, "y": 0.9}, "B": {"x": 0.9, "y": 0.5}}
    >>> spreads = {"A": {"x": 0.01, "y": 0.01}, "B": {"x": 0.01, "y": 0.01}}
    >>> tradeoff_flags(scores, spreads, {"x": "Task", "y": "Stability"})[0]
    'B against A: x up 0.40 (Task), y down 0.40 (Stability)'
    """
    names = list(scores)
    flags = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            for first, second in ((a, b), (b, a)):
                ups, downs = [], []
                for m, g in groups.items():
                    sa, sb = scores[first].get(m), scores[second].get(m)
                    if sa is None or sb is None:
                        continue
                    spread = max(spreads.get(first, {}).get(m, 0.0) or 0.0,
                                 spreads.get(second, {}).get(m, 0.0) or 0.0)
                    if sb - sa > spread:
                        ups.append((sb - sa, m, g))
                    elif sa - sb > spread:
                        downs.append((sa - sb, m, g))
                for du, mu, gu in sorted(ups, reverse=True):
                    for dd, md, gd in sorted(downs, reverse=True):
                        if gu != gd:
                            flags.append(f"{second} against {first}: {mu} up {du:.2f} ({gu}), "
                                         f"{md} down {dd:.2f} ({gd})")
                            break
                    else:
                        continue
                    break
    return flags


def rank_correlations(
    table: Mapping[str, Sequence[float | None]],
) -> tuple[list[str], np.ndarray] | None:
    """Spearman rank correlations between measures across models (or fits).

    ``table`` maps a measure to its values over the same list of models; measures with a
    missing value or no variation are left out. None when fewer than 3 models or 2 measures
    remain.

    Examples
    --------
    >>> from identica.report import rank_correlations
    >>> names, matrix = rank_correlations({"a": [1, 2, 3], "b": [3, 2, 1], "c": [1, 1, 1]})
    >>> names, matrix.round(6).tolist()
    (['a', 'b'], [[1.0, -1.0], [-1.0, 1.0]])
    """
    kept = {m: np.asarray(v, dtype=np.float64) for m, v in table.items()
            if all(x is not None and math.isfinite(x) for x in v) and len(set(v)) > 1}
    lengths = {len(v) for v in kept.values()}
    if len(kept) < 2 or lengths.pop() < 3:
        return None
    names = list(kept)
    data = np.stack([kept[m] for m in names], axis=1)
    # Spearman's rho: Pearson's correlation of the ranks (ties get their mean rank)
    return names, np.corrcoef(rankdata(data, axis=0), rowvar=False)
