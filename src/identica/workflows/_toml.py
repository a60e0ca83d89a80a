# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Config files: a TOML ``[estimator]`` table of Embedding parameters, same names as in Python."""

from __future__ import annotations

import dataclasses
import difflib
import os
import sys
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, as the tomli package
    import tomli as tomllib

from identica.estimator import Embedding, Objective
from identica.exceptions import ConfigurationError
from identica.losses._jacobian import LinearRamp

__all__ = ["ConfigFileError", "read_config"]


class ConfigFileError(ConfigurationError):
    """A config file is missing pieces, is not TOML, or names unknown parameters."""


def read_config(path: str) -> dict[str, Any]:
    """Return the ``[estimator]`` table of a TOML file, lists turned into tuples."""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no such config file: {path!r}")
    with open(path, "rb") as file:
        try:
            document = tomllib.load(file)
        except tomllib.TOMLDecodeError as error:
            raise ConfigFileError(f"{path!r} is not valid TOML: {error}") from error
    extra = sorted(set(document) - {"estimator"})
    if extra or not isinstance(document.get("estimator"), dict):
        found = f"found {extra}" if extra else "found no [estimator] table"
        raise ConfigFileError(f"{path!r} must hold one [estimator] table of Embedding parameters; "
                         f"{found}")
    allowed = list(Embedding().get_params())
    for key in document["estimator"]:
        if key not in allowed:
            close = difflib.get_close_matches(key.replace("-", "_"), allowed, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ConfigFileError(f"unknown key {key!r} in [estimator] of {path!r}.{hint} Allowed "
                             f"keys: {', '.join(allowed)}.")
    table = dict(document["estimator"])
    objectives = table.pop("objectives", None)
    ramp = table.get("jacobian_regularization")
    if isinstance(ramp, dict):  # jacobian_regularization = {on = ..., off = ..., end = ...}
        try:
            table["jacobian_regularization"] = LinearRamp(**ramp)
        except (TypeError, ValueError) as error:
            raise ConfigFileError(
                f"jacobian_regularization in {path!r} must be a number or a table with on, "
                f"off, start and end: {error}"
            ) from error
    params = {k: tuple(v) if isinstance(v, list) else v for k, v in table.items()}
    if objectives is not None:
        params["objectives"] = _objectives_from_toml(objectives, path)
    return params


def _objectives_from_toml(tables: Any, path: str) -> list[Objective]:
    """``[[estimator.objectives]]`` tables → Objective values (lists become tuples)."""
    fields = [f.name for f in dataclasses.fields(Objective)]
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise ConfigFileError(f"objectives in {path!r} must be [[estimator.objectives]] tables")
    for table in tables:
        for key in table:
            if key not in fields:
                close = difflib.get_close_matches(key, fields, n=1)
                hint = f" Did you mean {close[0]!r}?" if close else ""
                raise ConfigFileError(f"unknown key {key!r} in an objective of {path!r}.{hint} "
                                 f"Allowed keys: {', '.join(fields)}.")
    return [Objective.from_dict(table) for table in tables]
