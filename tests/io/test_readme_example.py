# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The README's linear-track example runs as written (fewer iterations), when the data is here."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from tests.io._helpers import real

ROOT = Path(__file__).resolve().parents[2]


def test_readme_linear_track_example(monkeypatch):
    real("nelpy_tracks/linear-track/spikes.mat")
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- linear-track example[^>]*-->\n```python\n(.*?)```", text, re.S)
    assert block, "the README lost its linear-track example"
    code = block.group(1).replace("max_iterations=2000", "max_iterations=3")
    monkeypatch.chdir(ROOT)  # the example's path is relative to the repository root
    scope: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), scope)
    rec, embedding = scope["rec"], scope["embedding"]
    assert rec.neural.shape[1] == 31 and rec.continuous.shape[1] == 2
    assert rec.bin_size == 0.025 and len(rec.trial_starts) > 1
    assert embedding.shape == (rec.n_samples, 3) and np.isfinite(embedding).all()
