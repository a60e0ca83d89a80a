# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of plot_attribution: what ends up on the axes, and the errors on bad input."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

import identica
from identica.exceptions import ConfigurationError, DataValidationError
from identica.plot import plot_attribution


@pytest.fixture
def scores() -> np.ndarray:
    return np.random.default_rng(0).uniform(size=(6, 10))


@pytest.fixture
def truth() -> np.ndarray:
    mask = np.zeros((6, 10), dtype=bool)
    mask[:3] = True
    mask[3:, 5:] = True
    return mask


def test_is_public() -> None:
    assert "plot_attribution" in identica.plot.__all__
    assert identica.plot.plot_attribution is plot_attribution


def test_map_only_on_given_axes(scores) -> None:
    given = Figure().add_subplot()
    ax = plot_attribution(scores, ax=given, title="J⁺", cmap="magma")
    assert ax is given
    (image,) = ax.images
    np.testing.assert_array_equal(image.get_array(), scores)
    assert image.get_cmap().name == "magma"
    assert ax.get_title() == "J⁺"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("neuron", "latent")
    assert [t.get_text() for t in ax.get_yticklabels()] == [str(i) for i in range(6)]
    # One colour bar axes next to the map.
    assert len(ax.figure.axes) == 2
    assert image.colorbar is not None


def test_map_only_new_figure(scores) -> None:
    ax = plot_attribution(scores.tolist())
    assert isinstance(ax, Axes)
    np.testing.assert_array_equal(ax.images[0].get_array(), scores)
    assert ax.get_title() == ""


def test_truth_panel_new_figure(scores, truth) -> None:
    result = plot_attribution(scores, truth, latent_names=list("abcdef"))
    assert isinstance(result, tuple) and len(result) == 2
    map_ax, truth_ax = result
    assert map_ax.figure is truth_ax.figure
    np.testing.assert_array_equal(map_ax.images[0].get_array(), scores)
    np.testing.assert_array_equal(truth_ax.images[0].get_array(), truth.astype(float))
    assert truth_ax.images[0].get_clim() == (0.0, 1.0)
    assert truth_ax.get_title() == "ground truth"
    for ax in result:
        assert [t.get_text() for t in ax.get_yticklabels()] == list("abcdef")
    # Two panels plus two colour bars; the truth bar is labelled False / True.
    assert len(map_ax.figure.axes) == 4
    bar = truth_ax.images[0].colorbar
    assert [t.get_text() for t in bar.ax.get_yticklabels()] == ["False", "True"]


@pytest.mark.parametrize("as_array", [False, True])
def test_truth_panel_given_axes(scores, truth, as_array) -> None:
    axes = Figure().subplots(1, 2)
    given = axes if as_array else list(axes)
    map_ax, truth_ax = plot_attribution(scores, truth.astype(int), ax=given, title="map")
    assert map_ax is axes[0] and truth_ax is axes[1]
    assert map_ax.get_title() == "map"
    np.testing.assert_array_equal(truth_ax.images[0].get_array(), truth.astype(float))


def test_benchmark_truth_can_be_drawn() -> None:
    rec = identica.synthetic.attribution_benchmark(n_samples=20, n_neurons=8)
    attribution = rec.truth["attribution"]
    _, truth_ax = plot_attribution(attribution.astype(float), attribution)
    np.testing.assert_array_equal(truth_ax.images[0].get_array(), attribution)


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (np.zeros(5), r"'map' of plot_attribution must be a non-empty 2-D .*Got shape \(5,\)"),
        (np.zeros((2, 3, 4)), r"\(n_latents, n_neurons\)\. Got shape \(2, 3, 4\)"),
        (np.zeros((0, 3)), r"Got shape \(0, 3\)"),
        ([["x", "y"]], "must be an AttributionMap or a numeric array .* Could not convert list"),
        (np.array([[0.0, np.inf], [np.nan, 1.0]]), r"finite numbers\. Got inf at index \(0, 1\)"),
    ],
)
def test_bad_map_raises(bad, match) -> None:
    with pytest.raises(DataValidationError, match=match):
        plot_attribution(bad)


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (np.ones((10, 6)), r"shape of map, \(6, 10\) .*Got shape \(10, 6\)"),
        (np.ones(60), r"Got shape \(60,\)"),
        (np.full((6, 10), 0.5), r"booleans \(or 0 and 1 only\)\. Got 0\.5 at index \(0, 0\)"),
        ([["yes"] * 10] * 6, r"'truth' of plot_attribution must be a boolean array"),
    ],
)
def test_bad_truth_raises(scores, bad, match) -> None:
    with pytest.raises(DataValidationError, match=match):
        plot_attribution(scores, bad)


def test_bad_latent_names_raise(scores) -> None:
    with pytest.raises(DataValidationError, match=r"one entry per row of map \(6\)\. Got 2"):
        plot_attribution(scores, latent_names=["a", "b"])


@pytest.mark.parametrize(
    ("make_ax", "match"),
    [
        (lambda: Figure().add_subplot(), r"sequence of two matplotlib Axes .*Got Axes"),
        (lambda: Figure().subplots(1, 3), r"sequence of two .*Got 3 items"),
        (lambda: [Figure().add_subplot(), "axes"], r"sequence of two .*Got 2 items"),
        (lambda: "ab", r"sequence of two .*Got str"),
    ],
)
def test_bad_axes_with_truth_raise(scores, truth, make_ax, match) -> None:
    with pytest.raises(ConfigurationError, match=match):
        plot_attribution(scores, truth, ax=make_ax())


def test_pair_of_axes_without_truth_raises(scores) -> None:
    with pytest.raises(ConfigurationError, match="'ax' of plot_attribution must be a matplotlib"):
        plot_attribution(scores, ax=list(Figure().subplots(1, 2)))


def test_attribution_map_from_attribute_is_accepted(scores, truth, render) -> None:
    maps = identica.attribution.AttributionMap(summary=scores, per_sample=None)
    map_ax, truth_ax = plot_attribution(maps, truth)
    render(map_ax.figure)
    np.testing.assert_array_equal(map_ax.images[0].get_array(), scores)
    ax = plot_attribution(maps)
    np.testing.assert_array_equal(ax.images[0].get_array(), scores)


def test_attribution_map_of_a_fitted_model(render) -> None:
    rec = identica.synthetic.attribution_benchmark(n_samples=200, n_neurons=8)
    model = identica.Embedding(encoder="mlp", output_dimension=6, batch_size=32,
                               max_iterations=2, random_state=0, num_threads=1)
    maps = identica.attribution.attribute(model.fit(rec.neural), rec.neural[:20])
    map_ax, _ = plot_attribution(maps, rec.truth["attribution"])
    render(map_ax.figure)
    np.testing.assert_allclose(map_ax.images[0].get_array(), maps.summary)
