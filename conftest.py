# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Doctests (README and docstrings) run inside a temporary folder, so they never write here;
those that need an optional extra that is missing are skipped."""

from __future__ import annotations

import importlib.util

import pytest
from _pytest.doctest import DoctestItem


def pytest_collection_modifyitems(config, items):
    """Skip the pynapple docstring examples where the optional extra is not installed."""
    if importlib.util.find_spec("pynapple") is not None:
        return
    skip = pytest.mark.skip(reason="pynapple is not installed: pip install 'identica[pynapple]'")
    for item in items:
        if isinstance(item, DoctestItem) and item.name.startswith("identica.io._pynapple."):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _doctests_in_tmp_path(request, tmp_path, monkeypatch):
    if isinstance(request.node, DoctestItem):
        monkeypatch.chdir(tmp_path)
    yield
