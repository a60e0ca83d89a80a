# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The command line's estimator options: one typed ``--option`` per ``Embedding`` parameter."""

from __future__ import annotations

import argparse
import inspect
import os
import re
import types
import typing
from collections.abc import Sequence
from typing import Any

from identica._cli_data import UserError
from identica.estimator import Embedding

__all__ = ["PREFIX", "add_estimator_options", "expand_bools"]

BOOLS = {"true": True, "yes": True, "on": True, "1": True,
          "false": False, "no": False, "off": False, "0": False}
NONES = ("none", "null")
PREFIX = "estimator."  # argparse dest of the generated estimator options


class _Value:
    """Text-to-value converter of one option, typed from the parameter's hint and default."""

    def __init__(self, hint: Any, default: Any, choices: str) -> None:
        union = typing.get_origin(hint) in (typing.Union, types.UnionType)
        members = list(typing.get_args(hint)) if union else [hint]
        if Any in members:  # e.g. random_state (Optional[Any] on Python 3.10): typed like its
            # default, int when that is None
            members = [int if default is None else type(default), type(None)]
        self.optional = type(None) in members
        self.kinds = [m for m in members if m is not type(None)]
        if any(typing.get_origin(k) is os.PathLike for k in self.kinds):  # a file path
            self.kinds, choices = [str], "PATH" + ("|none" if self.optional else "")
        words = {int: "INT", float: "FLOAT", str: "STR"}
        self.metavar = choices or "|".join(
            "INT[,INT...]" if typing.get_origin(k) is tuple else words.get(k, "VALUE")
            for k in self.kinds
        ) + ("|none" if self.optional else "")

    def __call__(self, text: str) -> Any:
        if self.optional and text.strip().lower() in NONES:
            return None
        for kind in self.kinds:
            try:
                if typing.get_origin(kind) is tuple:  # "1,2,3"
                    item = (typing.get_args(kind) or (str,))[0]
                    return tuple(item(part) for part in text.split(","))
                return kind(text)
            except (TypeError, ValueError):
                continue
        raise argparse.ArgumentTypeError(f"expected {self.metavar}; got {text!r}")


def _param_docs() -> dict[str, tuple[str, str]]:
    """Each parameter's ``{choices}`` (or "") and first sentence, from the Embedding docstring."""
    docs: dict[str, list[str]] = {}
    lines = inspect.cleandoc(Embedding.__doc__ or "").splitlines()
    start = lines.index("Parameters") + 2 if "Parameters" in lines else len(lines)
    for line in lines[start:]:
        if line and not line.startswith(" "):
            if " : " not in line:
                break  # the next section
            name, _, kind = line.partition(" : ")
            docs[name.strip()] = [kind, ""]
        elif docs and line.strip():
            docs[name.strip()][1] += " " + line.strip()
    clean = {}
    for name, (kind, text) in docs.items():
        choices = re.match(r"\{[^}]*\}", kind)
        text = re.sub(r":\w+:`~?([^`]+)`", r"\1", text).replace("``", "").strip()
        clean[name] = (re.sub(r'[" ]', "", choices.group(0)) if choices else "",
                       text.split(". ")[0].rstrip(".").replace("%", "%%"))
    return clean


def add_estimator_options(parser: argparse.ArgumentParser) -> list[str]:
    """Add one option per Embedding parameter; return the flags of the bool ones."""
    group = parser.add_argument_group("Embedding parameters (override the --config file)")
    hints, docs = typing.get_type_hints(Embedding.__init__), _param_docs()
    order = list(inspect.signature(Embedding).parameters)
    params = Embedding().get_params()
    del params["objectives"]  # a list of Objective: only through [[estimator.objectives]] tables
    bools = []
    for name in sorted(params, key=lambda n: order.index(n) if n in order else len(order)):
        flag, dest = name.replace("_", "-"), PREFIX + name
        choices, text = docs.get(name, ("", name))
        text = f"{text} (default: {params[name]!r})"
        if hints.get(name) is bool:
            bools.append(flag)
            group.add_argument(f"--{flag}", dest=dest, action="store_const", const=True,
                               default=argparse.SUPPRESS, help=f"{text}; also --{flag}=false")
            group.add_argument(f"--no-{flag}", dest=dest, action="store_const", const=False,
                               default=argparse.SUPPRESS, help=f"set {name} to False")
        else:
            value = _Value(hints.get(name, Any), params[name], choices)
            group.add_argument(f"--{flag}", dest=dest, type=value, metavar=value.metavar,
                               default=argparse.SUPPRESS, help=text)
    return bools


def expand_bools(argv: Sequence[str], flags: Sequence[str]) -> list[str]:
    """Rewrite ``--flag=false`` and ``--flag false`` as ``--no-flag`` (``true``: ``--flag``)."""
    out, i = [], 0
    while i < len(argv):
        token = argv[i]
        if token == "--":
            return out + list(argv[i:])
        option, eq, value = token.partition("=")
        if option.startswith("--") and option[2:] in flags:
            if not eq and i + 1 < len(argv) and argv[i + 1].lower() in BOOLS:
                eq, value, i = "=", argv[i + 1], i + 1
            if eq:
                if value.lower() not in BOOLS:
                    raise UserError(f"argument {option}: expected true or false; got {value!r}")
                token = option if BOOLS[value.lower()] else f"--no-{option[2:]}"
        out.append(token)
        i += 1
    return out
