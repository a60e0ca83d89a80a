# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The benchmark scripts' modules, imported by path (``benchmarks/`` is scripts, not a package).

The tests in this folder import ``load`` from here (a plain module: a second ``conftest.py``
would clash with ``tests/conftest.py`` under ``--doctest-modules``).

The scripts import each other by bare name (``import _protocol``), as they do when run as
``python benchmarks/X.py``; loading a module here registers it in ``sys.modules`` under that
name, in dependency order, so those imports resolve to the same module objects.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
# Each module after the ones it imports.
ORDER = ("_protocol", "_floor", "_vs_cebra_report", "_vs_cebra_worker", "_scaling_report",
         "vs_cebra")


def load(name: str):
    """``benchmarks/<name>.py`` as a module (loaded once, with the modules it imports)."""
    for dependency in ORDER[: ORDER.index(name) + 1]:
        if dependency in sys.modules:
            continue
        spec = importlib.util.spec_from_file_location(dependency, BENCHMARKS / f"{dependency}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[dependency] = module  # dataclasses and the scripts' imports look it up
        spec.loader.exec_module(module)
    return sys.modules[name]
