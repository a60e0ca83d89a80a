# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The README's equivariance example runs as written (fewer samples and steps)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_equivariance_example(capsys):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- equivariance example -->\n```python\n(.*?)```", text, re.S)
    assert block, "the README lost its equivariance example"
    code = block.group(1).replace("n_samples=20_000", "n_samples=2_000").replace(
        "max_iterations=500", "max_iterations=3")
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    assert scope["Q"].shape == (6, 6)
    assert "BlockR2" in capsys.readouterr().out
