# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The [plot] extra (matplotlib, plotly): identica imports without it and says how to get it."""

from __future__ import annotations

import subprocess
import sys

import identica

# None in sys.modules makes every later ``import matplotlib`` fail, as if it were not installed.
_WITHOUT_MATPLOTLIB = "import sys; sys.modules['matplotlib'] = None; "


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)


def test_plot_is_not_part_of_the_top_level_namespace():
    assert "plot" not in identica.__all__


def test_identica_and_its_metrics_work_without_matplotlib():
    result = _run(_WITHOUT_MATPLOTLIB + "import identica, numpy as np; "
                  "print(identica.metrics.mcc(np.eye(3), np.eye(3)))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1.0"


def test_importing_plot_without_matplotlib_names_the_extra():
    result = _run(_WITHOUT_MATPLOTLIB + "import identica.plot")
    assert result.returncode == 1
    assert "ImportError: identica.plot needs matplotlib" in result.stderr
    assert "pip install 'identica[plot]'" in result.stderr


def test_importing_a_plot_function_without_matplotlib_names_the_extra():
    result = _run(_WITHOUT_MATPLOTLIB + "from identica.plot import plot_embedding")
    assert result.returncode == 1
    assert "pip install 'identica[plot]'" in result.stderr


def test_identica_and_its_plots_do_not_import_plotly_or_pyplot_until_used():
    result = _run("import sys, identica; assert 'matplotlib' not in sys.modules; "
                  "import identica.plot; "
                  "print(sorted(m for m in ('plotly', 'matplotlib.pyplot') if m in sys.modules))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_html_plot_without_plotly_names_the_extra(tmp_path):
    path = tmp_path / "e.html"
    result = _run("import sys; sys.modules['plotly'] = None; import numpy as np; "
                  "from identica.plot import plot_embedding_html; "
                  f"plot_embedding_html(np.zeros((5, 3)), None, {str(path)!r})")
    assert result.returncode == 1
    assert "ImportError: plot_embedding_html needs plotly" in result.stderr
    assert "pip install 'identica[plot]'" in result.stderr
    assert not path.exists()
