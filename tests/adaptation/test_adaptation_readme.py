# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The README's drift example runs as written (fewer samples and steps)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_drift_example(capsys):
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- drift example -->\n```python\n(.*?)```", text, re.S)
    assert block, "the README lost its drift example"
    code = (block.group(1).replace("30_000, 100", "4_000, 30").replace("(100,", "(30,")
            .replace("[:20_000]", "[:2_000]").replace("[20_000:]", "[2_000:]")
            .replace("max_iterations=1000", "max_iterations=5")
            .replace("batch_size=256", "batch_size=32").replace("every=8000", "every=1000"))
    scope: dict = {}
    exec(compile(code, "README.md", "exec"), scope)
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == ["NoAdaptation", "InputStatistics",
                                                   "PeriodicReset"]
    assert lines[-1].split()[-1] == "1"  # one reset in 2,000 samples at every=1000
