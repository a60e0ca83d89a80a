# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of plot_embedding, plot_loss and plot_consistency: what ends up on the axes, rendered."""

from __future__ import annotations

import matplotlib.colors
import numpy as np
import pytest
from matplotlib.figure import Figure

import identica
from identica.exceptions import ConfigurationError, DataValidationError, NotFittedError
from identica.plot import plot_consistency, plot_embedding, plot_loss


@pytest.fixture
def embedding() -> np.ndarray:
    return np.random.default_rng(0).normal(size=(300, 4))


def test_public_names() -> None:
    assert identica.plot.__all__ == ["compare_models", "pareto", "plot_attribution",
                                     "plot_consistency", "plot_drift_stream", "plot_embedding",
                                     "plot_embedding_html", "plot_loss", "plot_temperature",
                                     "quality_radar", "quality_table", "rank_correlation"]
    names = {n for n in vars(identica.plot) if not n.startswith("_")}
    assert names == set(identica.plot.__all__)


# -- plot_embedding -------------------------------------------------------------------------


def test_embedding_3d_new_axes(embedding) -> None:
    color = np.linspace(0, 1, len(embedding))
    ax = plot_embedding(embedding, color, dims=(3, 1, 0), title="t")
    assert ax.name == "3d"
    xs, ys, zs = ax.collections[0]._offsets3d
    assert len(xs) == len(embedding)
    np.testing.assert_array_equal(np.asarray(xs), embedding[:, 3])
    np.testing.assert_array_equal(np.asarray(zs), embedding[:, 0])
    np.testing.assert_array_equal(ax.collections[0].get_array(), color)
    assert ax.get_title() == "t"
    assert ax.get_zlabel() == "dim 0"


def test_embedding_2d_given_axes(embedding) -> None:
    given = Figure().add_subplot()
    ax = plot_embedding(embedding, "k", dims=(2, 0), ax=given, s=4.0)
    assert ax is given
    offsets = ax.collections[0].get_offsets()
    assert offsets.shape == (300, 2)
    np.testing.assert_array_equal(offsets, embedding[:, [2, 0]])
    np.testing.assert_array_equal(ax.collections[0].get_sizes(), [4.0])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("dim 2", "dim 0")


def test_embedding_2d_new_axes_and_rgb_colors(embedding) -> None:
    rgb = np.tile([0.1, 0.2, 0.3], (len(embedding), 1))
    ax = plot_embedding(embedding, rgb, dims=(0, 1))
    assert ax.name == "rectilinear"
    np.testing.assert_allclose(ax.collections[0].get_facecolors()[0, :3], [0.1, 0.2, 0.3])


def test_embedding_given_3d_axes(embedding) -> None:
    given = Figure().add_subplot(projection="3d")
    assert plot_embedding(embedding, ax=given) is given
    assert len(given.collections[0]._offsets3d[0]) == 300


@pytest.mark.parametrize(
    ("dims", "match"),
    [
        ((0, 4), r"distinct columns in \[0, 4\).*Got \(0, 4\)"),
        ((1, 1), r"distinct columns"),
        ((0,), r"2 or 3 ints"),
        ("012", r"2 or 3 ints"),
        ((0, 1.5), r"2 or 3 ints"),
    ],
)
def test_embedding_bad_dims(embedding, dims, match) -> None:
    with pytest.raises(ConfigurationError, match=match):
        plot_embedding(embedding, dims=dims)


def test_embedding_default_dims_on_2d_embedding_suggests_fix() -> None:
    with pytest.raises(ConfigurationError, match=r"Pass dims=\(0, 1\)"):
        plot_embedding(np.zeros((10, 2)))


def test_embedding_axes_mismatch(embedding) -> None:
    with pytest.raises(ConfigurationError, match="is a 2-D axes, but dims=.* has 3 entries"):
        plot_embedding(embedding, ax=Figure().add_subplot())
    with pytest.raises(ConfigurationError, match="is a 3-D axes, but dims=.* has 2 entries"):
        plot_embedding(embedding, dims=(0, 1), ax=Figure().add_subplot(projection="3d"))
    with pytest.raises(ConfigurationError, match="'ax' of plot_embedding must be a matplotlib"):
        plot_embedding(embedding, ax="axes")


@pytest.mark.parametrize(
    ("color", "match"),
    [
        (np.zeros(299), r"one value .* per point: shape \(300,\).*Got shape \(299,\)"),
        (np.zeros((300, 2)), r"Got shape \(300, 2\)"),
        (["a"] * 300, "must be numeric values"),
    ],
)
def test_embedding_bad_color(embedding, color, match) -> None:
    with pytest.raises(DataValidationError, match=match):
        plot_embedding(embedding, color, dims=(0, 1))


def test_embedding_bad_color_name_and_size(embedding) -> None:
    with pytest.raises(ConfigurationError, match="not a matplotlib colour"):
        plot_embedding(embedding, "notacolour", dims=(0, 1))
    with pytest.raises(ConfigurationError, match="'s' of plot_embedding must be a positive"):
        plot_embedding(embedding, dims=(0, 1), s=0)


@pytest.mark.parametrize("bad", [np.zeros(5), np.zeros((0, 3)), [["x", "y"]]])
def test_embedding_bad_array(bad) -> None:
    with pytest.raises(DataValidationError, match="'embedding' of plot_embedding must be"):
        plot_embedding(bad, dims=(0, 1))


def test_embedding_continuous_color_gets_a_colour_bar(embedding, render) -> None:
    ax = plot_embedding(embedding, embedding[:, 0], color_label="position (m)")
    render(ax.figure)
    bar = ax.collections[0].colorbar
    assert bar is not None and bar.ax in ax.figure.axes
    assert bar.ax.get_ylabel() == "position (m)"
    assert ax.collections[0].get_cmap().name == "viridis"
    assert ax.get_legend() is None


def test_embedding_integer_labels_get_a_legend(embedding, render) -> None:
    labels = np.repeat([3, 7, 11], 100)
    ax = plot_embedding(embedding, labels, dims=(0, 1), ax=Figure().add_subplot(),
                        color_label="trial type")
    render(ax.figure)
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["3", "7", "11"]
    assert legend.get_title().get_text() == "trial type"
    assert ax.collections[0].colorbar is None and len(ax.figure.axes) == 1
    # Each legend marker has the colour of its points.
    faces = ax.collections[0].get_facecolors()
    for handle, first in zip(legend.legend_handles, (0, 100, 200)):
        np.testing.assert_allclose(matplotlib.colors.to_rgba(handle.get_color()), faces[first])
    assert len({tuple(faces[i]) for i in (0, 100, 200)}) == 3


def test_embedding_boolean_labels_and_custom_cmap(embedding) -> None:
    ax = plot_embedding(embedding, embedding[:, 0] > 0, cmap="coolwarm")
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["False", "True"]
    assert ax.collections[0].get_cmap().name == "coolwarm"


def test_embedding_many_integer_values_get_a_colour_bar(embedding) -> None:
    ax = plot_embedding(embedding, np.arange(300))  # e.g. positions in mm: not 300 classes
    assert ax.collections[0].colorbar is not None and ax.get_legend() is None


@pytest.mark.parametrize("color", [None, "k", np.full((300, 3), 0.5)])
def test_embedding_no_key_without_values(embedding, color) -> None:
    ax = plot_embedding(embedding, color, dims=(0, 1))
    assert ax.get_legend() is None and len(ax.figure.axes) == 1


def test_embedding_legend_false_draws_no_key(embedding) -> None:
    ax = plot_embedding(embedding, embedding[:, 0], legend=False)
    assert ax.collections[0].colorbar is None and len(ax.figure.axes) == 1


def test_embedding_bad_cmap(embedding) -> None:
    with pytest.raises(ConfigurationError, match="'cmap' of plot_embedding must be a matplotlib "
                       "colormap name .*Got 'nope'"):
        plot_embedding(embedding, embedding[:, 0], cmap="nope")


# -- plot_loss ------------------------------------------------------------------------------


def test_loss_from_model_has_parts_on_a_twin_axis(fitted, render) -> None:
    ax = plot_loss(fitted)
    render(ax.figure)
    (loss,) = ax.get_lines()
    assert loss.get_label() == "loss"
    np.testing.assert_allclose(loss.get_ydata(), fitted.loss_history_)
    np.testing.assert_array_equal(loss.get_xdata(), np.arange(1, 6))
    # Two y-axes: the loss alone on ax, the parts on a twin sharing the iteration axis.
    assert len(ax.figure.axes) == 2
    twin = ax.figure.axes[-1]
    assert twin is not ax and twin.get_shared_x_axes().joined(ax, twin)
    parts = {line.get_label(): line for line in twin.get_lines()}
    assert list(parts) == ["alignment", "uniformity"]
    np.testing.assert_allclose(parts["alignment"].get_ydata(), fitted.alignment_history_)
    np.testing.assert_allclose(parts["uniformity"].get_ydata(), fitted.uniformity_history_)
    # The loss axis scales to the loss only, so its decrease is not flattened by the parts.
    low, high = ax.get_ylim()
    assert low > fitted.alignment_history_.max() and high < fitted.uniformity_history_.min()
    entries = [t.get_text() for t in ax.get_legend().get_texts()]
    assert entries == ["loss", "alignment", "uniformity"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("iteration", "loss (InfoNCE)")
    assert twin.get_ylabel() == "alignment and uniformity"


def test_loss_from_model_without_parts(fitted) -> None:
    given = Figure().add_subplot()
    ax = plot_loss(fitted, ax=given, parts=False)
    assert ax is given
    assert [line.get_label() for line in ax.get_lines()] == ["loss"]
    assert ax.get_legend() is None
    assert len(ax.figure.axes) == 1


def test_loss_from_array() -> None:
    history = [6.0, 5.5, 5.2]
    ax = plot_loss(history)
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_ydata(), history)


def test_loss_errors() -> None:
    with pytest.raises(NotFittedError, match="not fitted"):
        plot_loss(identica.Embedding())
    with pytest.raises(DataValidationError, match=r"non-empty 1-D array .* Got shape \(2, 2\)"):
        plot_loss(np.zeros((2, 2)))
    with pytest.raises(DataValidationError, match=r"Got shape \(0,\)"):
        plot_loss([])
    with pytest.raises(DataValidationError, match="'model_or_history' of plot_loss .*without "
                       "loss_history_"):
        plot_loss(identica.decoders.KNNDecoder())
    with pytest.raises(ConfigurationError, match="'ax' of plot_loss must be"):
        plot_loss([1.0, 2.0], ax=object())


# -- plot_consistency -----------------------------------------------------------------------


def test_consistency_heat_map() -> None:
    matrix = np.array([[np.nan, 0.9, 0.8], [0.7, np.nan, 0.6], [0.5, 0.4, np.nan]])
    given = Figure().add_subplot()
    ax = plot_consistency(matrix, labels=["a", "b", "c"], ax=given)
    assert ax is given
    np.testing.assert_array_equal(ax.images[0].get_array().filled(np.nan), matrix)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert [t.get_text() for t in ax.texts] == ["0.90", "0.80", "0.70", "0.60", "0.50", "0.40"]


def test_consistency_new_axes_without_annotations() -> None:
    ax = plot_consistency(np.eye(2), annotate=False)
    assert len(ax.texts) == 0
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1"]


def test_consistency_errors() -> None:
    with pytest.raises(DataValidationError, match=r"must be square.*Got shape \(2, 3\)"):
        plot_consistency(np.zeros((2, 3)))
    with pytest.raises(DataValidationError, match=r"one entry per row of matrix \(2\). Got 1"):
        plot_consistency(np.zeros((2, 2)), labels=["a"])


@pytest.mark.parametrize(("cmap", "expected"), [(None, ["C0", "C1", "C2"]),
                                                ("viridis", ["#440154", "#21918c", "#fde725"])])
def test_embedding_discrete_colours(embedding, cmap, expected) -> None:
    # Qualitative maps give their first colours in order; continuous maps are spread out.
    ax = plot_embedding(embedding, np.repeat([0, 1, 2], 100), dims=(0, 1), cmap=cmap)
    colours = [handle.get_color() for handle in ax.get_legend().legend_handles]
    assert colours == [matplotlib.colors.to_hex(c) for c in expected]
