# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of plot_embedding_html: a self-contained plotly file, and a look at it in Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest

from identica.exceptions import ConfigurationError, DataValidationError
from identica.plot import plot_embedding_html

pytest.importorskip("plotly", reason="plotly (the [plot] extra) is not installed")

CHROMIUM = next(
    (path for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
     if (path := shutil.which(name))),
    None,
)


@pytest.fixture
def embedding() -> np.ndarray:
    t = np.linspace(0, 4 * np.pi, 400)
    return np.stack([np.cos(t), np.sin(t), t / 10, np.zeros_like(t)], axis=1)


def test_continuous_color_is_one_trace_with_a_colour_bar(tmp_path, embedding) -> None:
    path = tmp_path / "embedding.html"
    figure = plot_embedding_html(embedding, embedding[:, 2], path, dims=(2, 0, 1),
                                 title="spiral", color_label="position (m)")
    (trace,) = figure.data
    assert trace.type == "scatter3d" and trace.mode == "markers"
    np.testing.assert_array_equal(trace.x, embedding[:, 2])
    np.testing.assert_array_equal(trace.z, embedding[:, 1])
    np.testing.assert_array_equal(trace.marker.color, embedding[:, 2])
    assert trace.marker.showscale and trace.marker.colorbar.title.text == "position (m)"
    assert trace.marker.colorscale[0][1] == "#440154"  # viridis, as in plot_embedding
    assert figure.layout.scene.xaxis.title.text == "dim 2"
    assert figure.layout.title.text == "spiral"
    html = path.read_text(encoding="utf-8")
    # Self-contained: plotly.js is inside the file, nothing is loaded from a network.
    assert not re.search(r"<script[^>]*\bsrc=", html)
    assert len(html) > 1_000_000 and "position (m)" in html


def test_discrete_labels_are_one_trace_per_label(tmp_path, embedding) -> None:
    labels = np.repeat([2, 0, 1, 0], 100)
    figure = plot_embedding_html(embedding, labels, tmp_path / "e.html", color_label="trial")
    assert [trace.name for trace in figure.data] == ["0", "1", "2"]
    assert [len(trace.x) for trace in figure.data] == [200, 100, 100]
    assert len({trace.marker.color for trace in figure.data}) == 3
    np.testing.assert_array_equal(figure.data[2].customdata, np.arange(100))  # time steps
    assert figure.layout.legend.title.text == "trial"


@pytest.mark.parametrize("color", [None, "k", np.full((400, 3), 0.25)])
def test_plain_colours(tmp_path, embedding, color) -> None:
    figure = plot_embedding_html(embedding, color, tmp_path / "e.html")
    (trace,) = figure.data
    assert not trace.marker.showscale
    if isinstance(color, str):
        assert trace.marker.color == "#000000"
    elif color is not None:
        assert trace.marker.color[0] == "#404040ff"


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"dims": (0, 1)}, ConfigurationError, r"must name 3 embedding columns .*Got \(0, 1\)"),
        ({"dims": (0, 9, 1)}, ConfigurationError, r"'dims' of plot_embedding_html must be "
                                                  r"distinct columns in \[0, 4\)"),
        ({"s": -1}, ConfigurationError, r"'s' of plot_embedding_html must be a positive number"),
        ({"cmap": "nope"}, ConfigurationError, r"'cmap' of plot_embedding_html .*Got 'nope'"),
        ({"color": np.zeros(3)}, DataValidationError, r"'color' of plot_embedding_html must "
                                                      r"have one value .*Got shape \(3,\)"),
        ({"embedding": np.zeros(4)}, DataValidationError, r"'embedding' of plot_embedding_html"),
    ],
)
def test_errors(tmp_path, embedding, kwargs, error, match) -> None:
    arguments = {"embedding": embedding, "color": embedding[:, 0], "path": tmp_path / "e.html"}
    with pytest.raises(error, match=match):
        plot_embedding_html(**{**arguments, **kwargs})
    assert not (tmp_path / "e.html").exists()


def test_missing_folder_is_named(tmp_path, embedding) -> None:
    path = tmp_path / "missing" / "e.html"
    with pytest.raises(ConfigurationError, match=r"'path' of plot_embedding_html must be in an "
                       r"existing folder\. Got .*whose folder .*missing' does not exist"):
        plot_embedding_html(embedding, None, path)


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium binary found (looked for chromium, "
                    "chromium-browser, google-chrome); on Debian: apt-get install chromium")
def test_html_renders_in_headless_chromium(tmp_path, embedding) -> None:
    page = tmp_path / "embedding.html"
    plot_embedding_html(embedding, embedding[:, 2], page, color_label="position (m)")
    shot = tmp_path / "shot.png"
    subprocess.run(
        [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--use-gl=swiftshader",
         "--enable-unsafe-swiftshader", "--no-first-run", f"--user-data-dir={tmp_path / 'prof'}",
         "--window-size=800,600", "--virtual-time-budget=8000", f"--screenshot={shot}",
         page.as_uri()],
        capture_output=True, timeout=120, check=True, cwd=tmp_path,
    )
    matplotlib_image = pytest.importorskip("matplotlib.image")
    pixels = matplotlib_image.imread(shot)[..., :3]
    assert pixels.shape[:2] == (600, 800)
    # Not a blank page: the viridis points (and colour bar) put many distinct colours on it.
    colours = np.unique((pixels * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 100
    # Some pixels are the dark purple of viridis' low end, some its yellow high end.
    assert (np.abs(pixels - [0.267, 0.005, 0.329]).max(axis=-1) < 0.08).any()
    assert (np.abs(pixels - [0.993, 0.906, 0.144]).max(axis=-1) < 0.08).any()
