# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Small helpers that build error messages of one template: what, where, allowed, received."""

from __future__ import annotations

import difflib
import numbers
from collections.abc import Iterable

import numpy as np

from identica.exceptions import ConfigurationError


def check_choice(value: object, options: Iterable[str], *, name: str, owner: str) -> str:
    """Return ``value`` if it is one of ``options``; else raise, suggesting the closest option."""
    options = list(options)
    if isinstance(value, str) and value in options:
        return value
    hint = ""
    if isinstance(value, str):
        close = difflib.get_close_matches(value, options, n=1)
        if close:
            hint = f" Did you mean {close[0]!r}?"
    raise ConfigurationError(
        f"{name!r} of {owner} must be one of {options}. Got {value!r}.{hint}"
    )


def check_int(
    value: object,
    *,
    name: str,
    owner: str,
    low: int | None = None,
    high: int | None = None,
    allow_none: bool = False,
) -> int | None:
    """Return ``value`` as int if it is an integer in ``[low, high]``; else raise."""
    if value is None and allow_none:
        return None
    ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if ok and (low is None or value >= low) and (high is None or value <= high):
        return int(value)
    lo = "-inf" if low is None else str(low)
    hi = "inf" if high is None else str(high)
    none = " or None" if allow_none else ""
    raise ConfigurationError(
        f"{name!r} of {owner} must be an int in [{lo}, {hi}]{none}. Got {value!r}."
    )


def check_float(
    value: object,
    *,
    name: str,
    owner: str,
    low: float | None = None,
    high: float | None = None,
    low_inclusive: bool = False,
    allow_none: bool = False,
) -> float | None:
    """Return ``value`` as float if it is a finite real number above ``low``; else raise."""
    if value is None and allow_none:
        return None
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok:
        v = float(value)
        above = low is None or (v >= low if low_inclusive else v > low)
        below = high is None or v <= high
        if v == v and abs(v) != float("inf") and above and below:
            return v
    bracket = "[" if low_inclusive else "("
    lo = "-inf" if low is None else str(low)
    hi = "inf" if high is None else str(high)
    raise ConfigurationError(
        f"{name!r} of {owner} must be a finite number in {bracket}{lo}, {hi}]. Got {value!r}."
    )


def check_generator(random_state: object, *, owner: str) -> np.random.Generator:
    """A numpy Generator from a non-negative int, ``None`` or a Generator; else raise."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is None or (
        isinstance(random_state, numbers.Integral)
        and not isinstance(random_state, bool)
        and random_state >= 0
    ):
        return np.random.default_rng(random_state)
    raise ConfigurationError(
        f"'random_state' of {owner} must be a non-negative int, a numpy.random.Generator "
        f"or None. Got {random_state!r}."
    )
