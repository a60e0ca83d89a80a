# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""What the distribution ships: the licence text, citation metadata, the Python range."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import identica

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def _project() -> dict:
    with open(ROOT / "pyproject.toml", "rb") as file:
        return tomllib.load(file)["project"]


def test_the_apache_licence_text_ships_in_the_wheel():
    project = _project()
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]  # setuptools puts it in .dist-info/licenses
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_the_citation_file_names_this_version():
    text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert "cff-version: 1.2.0" in text and "license: Apache-2.0" in text
    assert re.search(rf"^version: {re.escape(identica.__version__)}$", text, re.MULTILINE)
    assert "doi: 10.1038/s41586-023-06031-6" in text  # CEBRA, the method implemented


def test_the_python_range_matches_the_classifiers():
    project = _project()
    assert project["requires-python"] == ">=3.10"
    versions = [c.rsplit(" :: ", 1)[1] for c in project["classifiers"]
                if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    assert versions[0] == "3.10"
    assert any(d.startswith("tomli") and "python_version < '3.11'" in d
               for d in project["dependencies"])
