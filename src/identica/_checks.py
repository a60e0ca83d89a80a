# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Checks of user input, with error messages of one template: what, where, allowed, received.

Also THE one ``random_state`` rule: every public function and class that takes a
``random_state`` accepts the same values (:data:`RANDOM_STATE_TYPES`) through
:func:`check_random_state` or :func:`seed_sequence`.
"""

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


RANDOM_STATE_TYPES = (
    "None, a non-negative int, a numpy.random.Generator or a numpy.random.RandomState"
)


def _check_random_state_type(random_state: object, owner: str) -> None:
    """THE random_state rule, shared by every public function and class."""
    if random_state is None or isinstance(
        random_state, np.random.Generator | np.random.RandomState
    ):
        return
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state >= 0:
            return
    raise ConfigurationError(
        f"'random_state' of {owner} must be {RANDOM_STATE_TYPES}. Got {random_state!r}."
    )


def check_random_state(random_state: object, *, owner: str) -> np.random.Generator:
    """A numpy Generator from ``random_state`` (see :data:`RANDOM_STATE_TYPES`); else raise.

    A Generator is returned as it is (draws continue from it); an int seeds a fresh one; a
    RandomState seeds a fresh one with one draw from it; ``None`` gives fresh entropy.
    """
    _check_random_state_type(random_state, owner)
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(int(random_state.randint(2**31 - 1)))
    return np.random.default_rng(random_state)


def seed_sequence(random_state: object, *, owner: str) -> np.random.SeedSequence:
    """A SeedSequence from ``random_state``, under the same rule as :func:`check_random_state`.

    An int gives ``SeedSequence(int)``; a Generator or RandomState gives one seeded by a draw
    from it; ``None`` gives fresh entropy.
    """
    _check_random_state_type(random_state, owner)
    if random_state is None:
        return np.random.SeedSequence()
    if isinstance(random_state, np.random.RandomState):
        return np.random.SeedSequence(int(random_state.randint(2**31 - 1)))
    if isinstance(random_state, np.random.Generator):
        return np.random.SeedSequence(int(random_state.integers(2**63 - 1)))
    return np.random.SeedSequence(int(random_state))
