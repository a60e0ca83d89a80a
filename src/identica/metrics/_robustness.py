# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Robustness: the score kept under perturbations of the input, raw and after adaptation."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from identica.exceptions import ConfigurationError

__all__ = ["Robustness", "perturbation_names", "robustness"]


class Robustness(NamedTuple):
    """Result of :func:`robustness`.

    ``raw`` and ``adapted``: mean over perturbations of score ÷ clean score (``adapted`` is
    None without an adapted score); ``clean``: the clean score; ``per_perturbation``: name ->
    ``(raw ratio, adapted ratio or None)``.
    """

    raw: float
    adapted: float | None
    clean: float
    per_perturbation: dict[str, tuple[float, float | None]]


def perturbation_names(perturbations: Any) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """Name -> callable from a mapping, or from a sequence of callables (their ``__name__``).

    Examples
    --------
    >>> from identica.metrics import perturbation_names
    >>> def flip(X):
    ...     return -X
    >>> list(perturbation_names([flip]))
    ['flip']
    """
    if isinstance(perturbations, Mapping):
        items = list(perturbations.items())
    elif isinstance(perturbations, Sequence) and not isinstance(perturbations, str):
        items = [(getattr(p, "__name__", None) or f"perturbation {i}", p)
                 for i, p in enumerate(perturbations)]
    else:
        raise ConfigurationError(
            "'perturbations' must be a mapping of name -> callable(X) -> X or a sequence of "
            f"such callables. Got {type(perturbations).__name__}."
        )
    out: dict[str, Callable[[np.ndarray], np.ndarray]] = {}
    for name, function in items:
        if not callable(function):
            raise ConfigurationError(
                f"perturbation {name!r} must be a callable(X) -> X. Got {function!r}."
            )
        out[str(name)] = function
    return out


def robustness(
    score: Callable[[np.ndarray], float],
    X: Any,
    perturbations: Mapping[str, Callable[[np.ndarray], np.ndarray]] | Sequence[Any],
    *,
    adapted_score: Callable[[np.ndarray], float] | None = None,
) -> Robustness:
    """Mean ratio of the score on perturbed data to the clean score.

    ``score(X)`` evaluates the whole pipeline on data ``X`` (embed, then decode with a decoder
    fitted on clean training data); every perturbation is a callable ``X -> X'`` (noise at a
    fixed SNR, a drift operator of a given severity, ...). ``adapted_score(X')``, when given,
    evaluates the same pipeline after the model adapted to ``X'``; it is always reported next
    to the raw ratio. A clean score <= 0 gives NaN ratios: there is nothing to keep.

    Parameters
    ----------
    score : callable(ndarray) -> float
    X : array-like
        The clean data.
    perturbations : mapping of name -> callable, or sequence of callables
    adapted_score : callable(ndarray) -> float, optional

    Returns
    -------
    Robustness

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import robustness
    >>> result = robustness(lambda X: float(X.mean()), np.ones(4),
    ...                     {"half": lambda X: X / 2, "same": lambda X: X})
    >>> result.raw, result.per_perturbation["half"]
    (0.75, (0.5, None))
    """
    functions = perturbation_names(perturbations)
    if not functions:
        raise ConfigurationError("'perturbations' of robustness is empty; give at least one.")
    X = np.asarray(X)
    clean = float(score(X))
    per: dict[str, tuple[float, float | None]] = {}
    for name, perturb in functions.items():
        perturbed = np.asarray(perturb(X))
        raw = float(score(perturbed)) / clean if clean > 0 else float("nan")
        adapted = None
        if adapted_score is not None:
            adapted = float(adapted_score(perturbed)) / clean if clean > 0 else float("nan")
        per[name] = (raw, adapted)
    raw_mean = float(np.mean([r for r, _ in per.values()]))
    adapted_mean = (None if adapted_score is None
                    else float(np.mean([a for _, a in per.values()])))
    return Robustness(raw=raw_mean, adapted=adapted_mean, clean=clean, per_perturbation=per)
