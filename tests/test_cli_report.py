# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""``identica report MODEL DATA --out report.html``: refit, controls, one HTML file."""

from __future__ import annotations

import numpy as np

import identica
from identica.cli import main


def test_report_writes_the_html(tmp_path, capsys):
    rec = identica.synthetic.linear_track(n_samples=1200, n_neurons=20)
    data = tmp_path / "data.npz"
    np.savez(data, X=rec.neural, y=rec.continuous[:, 0])
    model = tmp_path / "model.safetensors"
    identica.Embedding(encoder="mlp", output_dimension=3, batch_size=64, max_iterations=5,
                       time_offset=1, random_state=0).fit(rec.neural, rec.continuous).save(model)
    out = tmp_path / "report.html"
    code = main(["report", str(model), str(data), "--neural", "X", "--behavior", "y",
                 "--out", str(out), "--seeds", "2", "--max-iterations", "20", "--no-controls",
                 "--no-reference"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert out.exists() and "Embedding quality report" in out.read_text(encoding="utf-8")
    assert "model: controls not run (controls=False)." in printed
    assert f"wrote {out}" in printed


def test_report_errors(tmp_path, capsys):
    assert main(["report", str(tmp_path / "missing.safetensors"), "data.npz", "--neural", "X",
                 "--out", str(tmp_path / "r.html")]) == 2
    assert "identica: error:" in capsys.readouterr().err
