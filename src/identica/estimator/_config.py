# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The estimator's parameters as one frozen, typed config, checked once against one table."""

from __future__ import annotations

import dataclasses
import numbers
import os
from collections.abc import Callable, Mapping
from typing import Any

from torch import nn

from identica._checks import check_choice, check_float, check_int
from identica._runtime import DEVICES
from identica.estimator._cebra_names import cebra_value_hint
from identica.estimator._objective import (
    HYBRID_TIME,
    Objective,
    check_objectives,
    hybrid_objectives,
)
from identica.exceptions import ConfigurationError
from identica.losses._infonce import DENOMINATORS
from identica.losses._jacobian import LinearRamp
from identica.losses._similarity import SIMILARITIES
from identica.nn._constraint import OUTPUT_CONSTRAINTS
from identica.nn._registry import ENCODERS
from identica.sampling._conditionals import CONDITIONALS, PRIORS

__all__ = ["EmbeddingConfig"]

OWNER = "Embedding"
NEGATIVES = ("auto", "references", "independent")


def _hinted(name: str, check: Callable[[object], Any]) -> Callable[[object], Any]:
    """``check``, whose error on a CEBRA value (``None`` batch size, ...) also names the fix."""
    def checked(value: object) -> Any:
        try:
            return check(value)
        except ConfigurationError as error:
            hint = cebra_value_hint(name, value)
            if hint is None:
                raise
            raise ConfigurationError(f"{error} {hint}") from None
    return checked


def _encoder(value: object) -> object:
    if isinstance(value, nn.Module):
        missing = [a for a in ("receptive_field", "n_features_in", "output_dimension")
                   if not hasattr(value, a)]
        if missing:
            raise ConfigurationError(
                f"'encoder' of {OWNER} is an nn.Module without {missing}. Declare "
                "receptive_field (identica.nn.Offset), n_features_in and output_dimension, or "
                f"pass one of {list(ENCODERS)}."
            )
        return value
    hint = cebra_value_hint("encoder", value)  # a CEBRA model_architecture: name the nearest
    if hint is not None and value not in ENCODERS:
        raise ConfigurationError(
            f"'encoder' of {OWNER} must be one of {list(ENCODERS)}. Got {value!r}: {hint}"
        )
    return check_choice(value, ENCODERS, name="encoder", owner=OWNER)


def _time_offset(value: object) -> int | tuple[int, ...]:
    if isinstance(value, list | tuple) and len(value) > 0:
        return tuple(check_int(v, name="time_offset", owner=OWNER, low=1) for v in value)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return check_int(value, name="time_offset", owner=OWNER, low=1)
    raise ConfigurationError(
        f"'time_offset' of {OWNER} must be a positive int or a non-empty tuple of positive ints. "
        f"Got {value!r}."
    )


def _bool(name: str) -> Callable[[object], bool]:
    def check(value: object) -> bool:
        if not isinstance(value, bool):
            raise ConfigurationError(f"{name!r} of {OWNER} must be True or False. Got {value!r}.")
        return value
    return check


def _int(name: str, low: int, allow_none: bool = False) -> Callable[[object], int | None]:
    return _hinted(name, lambda v: check_int(v, name=name, owner=OWNER, low=low,
                                             allow_none=allow_none))


def _float(name: str, allow_none: bool = False) -> Callable[[object], float | None]:
    return _hinted(name, lambda v: check_float(v, name=name, owner=OWNER, low=0.0,
                                               allow_none=allow_none))


def _choice(name: str, options: Any, allow_none: bool = False) -> Callable[[object], Any]:
    def check(value: object) -> Any:
        if value is None and allow_none:
            return None
        return check_choice(value, list(options), name=name, owner=OWNER)
    return _hinted(name, check)


def _jacobian(value: object) -> float | LinearRamp | None:
    if value is None or isinstance(value, LinearRamp):
        return value
    return check_float(value, name="jacobian_regularization", owner=OWNER, low=0.0,
                       low_inclusive=True)


def _objectives(value: object) -> tuple[Objective, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not value:
        raise ConfigurationError(
            "'objectives' of Embedding must be None or a non-empty list of identica.Objective. "
            f"Got {value!r}."
        )
    return tuple(value)


def _path(value: object) -> str | None:
    if value is None or isinstance(value, str | os.PathLike):
        return None if value is None else os.fspath(value)
    raise ConfigurationError(
        f"'checkpoint' of {OWNER} must be None or a file path (str or os.PathLike). Got {value!r}."
    )


def _device(value: object) -> str:
    hint = cebra_value_hint("device", value)
    if not isinstance(value, str) or hint is not None:
        raise ConfigurationError(
            f"'device' of {OWNER} must be one of {list(DEVICES)}. Got {value!r}."
            + (f" {hint}" if hint else "")
        )
    return value


# The constraint table: parameter -> check returning the normalised value. Cross-parameter
# rules follow in EmbeddingConfig.__post_init__; random_state is checked where it is used.
_CHECKS: Mapping[str, Callable[[object], Any]] = {
    "encoder": _encoder,
    "output_dimension": _int("output_dimension", 1),
    "hidden_units": _int("hidden_units", 2),
    "conditional": _choice("conditional", ("auto", *CONDITIONALS)),
    "time_offset": _time_offset,
    "delta": _float("delta", allow_none=True),
    "prior": _choice("prior", PRIORS, allow_none=True),
    "similarity": _choice("similarity", SIMILARITIES),
    "output_constraint": _choice("output_constraint", ("auto", *OUTPUT_CONSTRAINTS)),
    "temperature": _float("temperature"),
    "learn_temperature": _bool("learn_temperature"),
    "min_temperature": _float("min_temperature"),
    "denominator": _choice("denominator", DENOMINATORS),
    "batch_size": _int("batch_size", 1),
    "num_negatives": _int("num_negatives", 1, allow_none=True),
    "negatives": _choice("negatives", NEGATIVES),
    "max_iterations": _int("max_iterations", 1),
    "max_adapt_iterations": _int("max_adapt_iterations", 1),
    "learning_rate": _float("learning_rate"),
    "device": _device,
    "num_threads": _int("num_threads", 1, allow_none=True),
    "random_state": lambda v: v,
    "verbose": _bool("verbose"),
    "objectives": _objectives,
    "hybrid": _bool("hybrid"),
    "behavior_dimension": _int("behavior_dimension", 1),
    "hybrid_time": _choice("hybrid_time", HYBRID_TIME),
    "jacobian_regularization": _jacobian,
    "jacobian_projections": _int("jacobian_projections", 0),
    "checkpoint": _path,
    "checkpoint_every": _int("checkpoint_every", 1),
    "distributed": _bool("distributed"),
}


@dataclasses.dataclass(frozen=True)
class EmbeddingConfig:
    """Every parameter of :class:`~identica.Embedding`, checked and normalised, built once.

    Build it with :meth:`from_params` (what ``fit`` does with ``get_params()``); the lower
    layers read typed fields instead of a string-keyed dict. After construction ``negatives``
    is ``"references"`` or ``"independent"`` (``"auto"`` resolved), ``time_offset`` is an int
    or a tuple, and ``objectives`` holds the expanded objectives (``hybrid=True`` becomes its
    two objectives), or ``None`` for one contrastive objective on the whole output.

    Examples
    --------
    >>> import identica
    >>> from identica.estimator import EmbeddingConfig
    >>> config = EmbeddingConfig.from_params(identica.Embedding(hybrid=True).get_params())
    >>> config.negatives, [o.conditional for o in config.objectives]
    ('references', ['auto', 'time'])
    """

    encoder: str | nn.Module
    output_dimension: int
    hidden_units: int
    conditional: str
    time_offset: int | tuple[int, ...]
    delta: float | None
    prior: str | None
    similarity: str
    output_constraint: str
    temperature: float
    learn_temperature: bool
    min_temperature: float
    denominator: str
    batch_size: int
    num_negatives: int | None
    negatives: str
    max_iterations: int
    max_adapt_iterations: int
    learning_rate: float
    device: str
    num_threads: int | None
    random_state: Any
    verbose: bool
    objectives: tuple[Objective, ...] | None
    hybrid: bool
    behavior_dimension: int
    hybrid_time: str
    jacobian_regularization: float | LinearRamp | None
    jacobian_projections: int
    checkpoint: str | None
    checkpoint_every: int
    distributed: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> EmbeddingConfig:
        """Check every parameter against the table, then the rules between parameters."""
        unknown = sorted(set(params) - set(_CHECKS))
        if unknown:
            raise ConfigurationError(
                f"{unknown[0]!r} is not a parameter of {OWNER}; the parameters are "
                f"{sorted(_CHECKS)}."
            )
        return cls(**{name: check(params[name]) for name, check in _CHECKS.items()})

    def __post_init__(self) -> None:
        if self.learn_temperature and self.temperature <= self.min_temperature:
            raise ConfigurationError(
                f"'temperature' of {OWNER} must exceed min_temperature ({self.min_temperature}) "
                f"when learn_temperature=True. Got {self.temperature}."
            )
        if self.negatives == "auto":
            negatives = "references" if self.num_negatives is None else "independent"
            object.__setattr__(self, "negatives", negatives)
        if self.negatives == "references":
            if self.batch_size < 2:
                raise ConfigurationError(
                    f"'batch_size' of {OWNER} must be at least 2 with negatives='references' "
                    f"(each reference needs another one as negative). Got {self.batch_size}."
                )
            if self.num_negatives not in (None, self.batch_size - 1):
                raise ConfigurationError(
                    f"'num_negatives' of {OWNER} must be None with negatives='references': the "
                    f"other batch_size - 1 references are the negatives. Got "
                    f"{self.num_negatives}."
                )
        if self.output_constraint != "auto" and isinstance(self.encoder, nn.Module):
            raise ConfigurationError(
                f"'output_constraint' of {OWNER} must be 'auto' with a custom encoder module, "
                f"which constrains its own output. Got {self.output_constraint!r}."
            )
        if self.objectives is not None and self.hybrid:
            raise ConfigurationError(
                "'hybrid' of Embedding must be False when 'objectives' is given: hybrid=True is "
                "shorthand for a behaviour and a time objective. Pass one of them."
            )
        if self.hybrid:
            if not self.behavior_dimension < self.output_dimension:
                raise ConfigurationError(
                    f"'behavior_dimension' of {OWNER} must be smaller than output_dimension "
                    f"({self.output_dimension}) with hybrid=True, leaving dimensions for time. "
                    f"Got {self.behavior_dimension}."
                )
            object.__setattr__(self, "objectives", tuple(hybrid_objectives(
                self.behavior_dimension, self.output_dimension, self.hybrid_time)))
        if self.objectives is not None:
            check_objectives(self.objectives, self.output_dimension)
        if self.distributed and (self.learn_temperature or self.regularized):
            name = "learn_temperature" if self.learn_temperature else "jacobian_regularization"
            raise ConfigurationError(
                f"'distributed' of {OWNER} must be False with {name}: data-parallel training "
                "averages the encoders' gradients only (no learned temperature, no double "
                f"backward through DistributedDataParallel). Got distributed=True and {name}="
                f"{getattr(self, name)!r}."
            )

    @property
    def encoder_constraint(self) -> str:
        """Registry encoders' output constraint (``"auto"``: sphere for cosine, one objective)."""
        if self.output_constraint != "auto":
            return self.output_constraint
        return "sphere" if self.objectives is None and self.similarity == "cosine" else "none"

    @property
    def regularized(self) -> bool:
        """Whether a Jacobian penalty is trained."""
        return self.jacobian_regularization not in (None, 0.0)
