# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The estimator's parameter table: one check per parameter, run at the start of ``fit``."""

from __future__ import annotations

import numbers
from typing import Any

from torch import nn

from identica._build import CONDITIONALS, NEGATIVES, PRIORS
from identica._objectives import HYBRID_TIME
from identica._validation import check_choice, check_float, check_int
from identica.exceptions import ConfigurationError
from identica.losses._infonce import DENOMINATORS
from identica.losses._jacobian import LinearRamp
from identica.losses._similarity import SIMILARITIES
from identica.nn._registry import ENCODERS

OWNER = "Embedding"


def _check_encoder(value: object) -> object:
    if isinstance(value, nn.Module):
        missing = [
            a for a in ("receptive_field", "n_features_in", "output_dimension")
            if not hasattr(value, a)
        ]
        if missing:
            raise ConfigurationError(
                f"'encoder' of {OWNER} is an nn.Module without {missing}. Declare "
                "receptive_field (identica.nn.Offset), n_features_in and output_dimension, or "
                f"pass one of {list(ENCODERS)}."
            )
        return value
    return check_choice(value, ENCODERS, name="encoder", owner=OWNER)


def _check_time_offset(value: object) -> int | tuple[int, ...]:
    if isinstance(value, list | tuple) and len(value) > 0:
        return tuple(check_int(v, name="time_offset", owner=OWNER, low=1) for v in value)
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return check_int(value, name="time_offset", owner=OWNER, low=1)
    raise ConfigurationError(
        f"'time_offset' of {OWNER} must be a positive int or a non-empty tuple of positive ints. "
        f"Got {value!r}."
    )


def _check_bool(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigurationError(f"{name!r} of {OWNER} must be True or False. Got {value!r}.")
    return value


def check_params(params: dict[str, Any]) -> dict[str, Any]:
    """Check every estimator parameter; return them normalised (tuples, ints, floats)."""
    p = dict(params)
    p["encoder"] = _check_encoder(p["encoder"])
    p["output_dimension"] = check_int(p["output_dimension"], name="output_dimension",
                                      owner=OWNER, low=1)
    p["hidden_units"] = check_int(p["hidden_units"], name="hidden_units", owner=OWNER, low=2)
    p["conditional"] = check_choice(p["conditional"], CONDITIONALS, name="conditional",
                                    owner=OWNER)
    p["time_offset"] = _check_time_offset(p["time_offset"])
    p["delta"] = check_float(p["delta"], name="delta", owner=OWNER, low=0.0, allow_none=True)
    if p["prior"] is not None:
        check_choice(p["prior"], PRIORS, name="prior", owner=OWNER)
    p["similarity"] = check_choice(p["similarity"], list(SIMILARITIES), name="similarity",
                                   owner=OWNER)
    p["temperature"] = check_float(p["temperature"], name="temperature", owner=OWNER, low=0.0)
    p["learn_temperature"] = _check_bool(p["learn_temperature"], "learn_temperature")
    p["min_temperature"] = check_float(p["min_temperature"], name="min_temperature",
                                       owner=OWNER, low=0.0)
    if p["learn_temperature"] and p["temperature"] <= p["min_temperature"]:
        raise ConfigurationError(
            f"'temperature' of {OWNER} must exceed min_temperature ({p['min_temperature']}) "
            f"when learn_temperature=True. Got {p['temperature']}."
        )
    p["denominator"] = check_choice(p["denominator"], DENOMINATORS, name="denominator",
                                    owner=OWNER)
    p["batch_size"] = check_int(p["batch_size"], name="batch_size", owner=OWNER, low=1)
    p["num_negatives"] = check_int(p["num_negatives"], name="num_negatives", owner=OWNER,
                                   low=1, allow_none=True)
    p["negatives"] = check_choice(p["negatives"], NEGATIVES, name="negatives", owner=OWNER)
    if p["negatives"] == "auto":
        p["negatives"] = "references" if p["num_negatives"] is None else "independent"
    if p["negatives"] == "references":
        if p["batch_size"] < 2:
            raise ConfigurationError(
                f"'batch_size' of {OWNER} must be at least 2 with negatives='references' (each "
                f"reference needs another one as negative). Got {p['batch_size']}."
            )
        if p["num_negatives"] not in (None, p["batch_size"] - 1):
            raise ConfigurationError(
                f"'num_negatives' of {OWNER} must be None with negatives='references': the "
                f"other batch_size - 1 references are the negatives. Got {p['num_negatives']}."
            )
    p["max_iterations"] = check_int(p["max_iterations"], name="max_iterations", owner=OWNER,
                                    low=1)
    p["max_adapt_iterations"] = check_int(p["max_adapt_iterations"],
                                          name="max_adapt_iterations", owner=OWNER, low=1)
    p["learning_rate"] = check_float(p["learning_rate"], name="learning_rate", owner=OWNER,
                                     low=0.0)
    p["num_threads"] = check_int(p["num_threads"], name="num_threads", owner=OWNER, low=1,
                                 allow_none=True)
    p["verbose"] = _check_bool(p["verbose"], "verbose")
    p["hybrid"] = _check_bool(p["hybrid"], "hybrid")
    p["behavior_dimension"] = check_int(p["behavior_dimension"], name="behavior_dimension",
                                        owner=OWNER, low=1)
    p["jacobian_projections"] = check_int(p["jacobian_projections"], name="jacobian_projections",
                                          owner=OWNER, low=0)
    if not (p["jacobian_regularization"] is None
            or isinstance(p["jacobian_regularization"], LinearRamp)):
        p["jacobian_regularization"] = check_float(
            p["jacobian_regularization"], name="jacobian_regularization", owner=OWNER, low=0.0,
            low_inclusive=True,
        )
    p["hybrid_time"] = check_choice(p["hybrid_time"], HYBRID_TIME, name="hybrid_time",
                                    owner=OWNER)
    return p
