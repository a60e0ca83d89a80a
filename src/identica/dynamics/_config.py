# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The parameters of ``DynamicsEmbedding`` as one frozen config, checked once against a table."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from identica._checks import check_choice, check_float, check_int
from identica._runtime import DEVICES
from identica.dynamics._registry import DYNAMICS
from identica.exceptions import ConfigurationError
from identica.nn._registry import ENCODERS

__all__ = ["OWNER", "DynamicsConfig"]

OWNER = "DynamicsEmbedding"


def _int(name: str, low: int, allow_none: bool = False) -> Callable[[object], int | None]:
    return lambda v: check_int(v, name=name, owner=OWNER, low=low, allow_none=allow_none)


def _positive(name: str) -> Callable[[object], float | None]:
    return lambda v: check_float(v, name=name, owner=OWNER, low=0.0)


def _choice(name: str, options: tuple[str, ...]) -> Callable[[object], str]:
    return lambda v: check_choice(v, options, name=name, owner=OWNER)


def _bool(name: str) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        if not isinstance(value, bool):
            raise ConfigurationError(f"{name!r} of {OWNER} must be True or False. Got {value!r}.")
        return value
    return check


def _device(value: object) -> str:
    if not isinstance(value, str):
        raise ConfigurationError(
            f"'device' of {OWNER} must be one of {list(DEVICES)}. Got {value!r}."
        )
    return value


_CHECKS: Mapping[str, Callable[[object], Any]] = {
    "dynamics": _choice("dynamics", DYNAMICS),
    "n_modes": _int("n_modes", 1),
    "encoder": _choice("encoder", ENCODERS),
    "output_dimension": _int("output_dimension", 1),
    "hidden_units": _int("hidden_units", 2),
    "batch_size": _int("batch_size", 1),
    "num_negatives": _int("num_negatives", 1),
    "max_iterations": _int("max_iterations", 1),
    "learning_rate": _positive("learning_rate"),
    "dynamics_learning_rate": _positive("dynamics_learning_rate"),
    "temperature": _positive("temperature"),
    "detach_logits": _bool("detach_logits"),
    "device": _device,
    "num_threads": _int("num_threads", 1, allow_none=True),
    "random_state": lambda v: v,  # checked where the seeds are drawn (the one rule)
    "verbose": _bool("verbose"),
}


@dataclasses.dataclass(frozen=True)
class DynamicsConfig:
    """Every parameter of :class:`DynamicsEmbedding`, checked, with the cross-parameter rules.

    Examples
    --------
    >>> from identica.dynamics import DynamicsEmbedding
    >>> from identica.dynamics._config import DynamicsConfig
    >>> params = DynamicsEmbedding(dynamics="slds", n_modes=3).get_params()
    >>> DynamicsConfig.from_params(params).n_modes
    3
    """

    dynamics: str
    n_modes: int
    encoder: str
    output_dimension: int
    hidden_units: int
    batch_size: int
    num_negatives: int
    max_iterations: int
    learning_rate: float
    dynamics_learning_rate: float
    temperature: float
    detach_logits: bool
    device: str
    num_threads: int | None
    random_state: Any
    verbose: bool

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> DynamicsConfig:
        """Check every parameter against the table, then the rules between them."""
        unknown = sorted(set(params) - set(_CHECKS))
        if unknown:
            raise ConfigurationError(
                f"{OWNER} has no parameter {unknown[0]!r}; its parameters are "
                f"{sorted(_CHECKS)}."
            )
        return cls(**{name: check(params[name]) for name, check in _CHECKS.items()})

    def __post_init__(self) -> None:
        if self.dynamics != "slds" and self.n_modes != 1:
            raise ConfigurationError(
                f"'n_modes' of {OWNER} must be 1 for dynamics={self.dynamics!r} (one linear "
                f"map). Got {self.n_modes}. Use dynamics='slds' for several modes."
            )
        if self.dynamics != "slds" and self.detach_logits:
            raise ConfigurationError(
                f"'detach_logits' of {OWNER} applies to dynamics='slds' only (it stops the "
                f"gradient through the mode logits). Got True with dynamics={self.dynamics!r}."
            )
