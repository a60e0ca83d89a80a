# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of compare_models and plot_temperature: what ends up on the axes, rendered to PNG."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import identica
from identica.exceptions import ConfigurationError, DataValidationError, NotFittedError
from identica.plot import compare_models, plot_temperature

# -- compare_models -------------------------------------------------------------------------------


def test_compare_models_and_arrays_on_one_axis(fitted, render) -> None:
    short = [6.0, 5.0, 4.5]
    ax = compare_models({"fitted": fitted, "array": short}, title="runs")
    render(ax.figure)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["fitted", "array"]
    np.testing.assert_allclose(lines[0].get_ydata(), fitted.loss_history_)
    np.testing.assert_array_equal(lines[1].get_xdata(), [1, 2, 3])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["fitted", "array"]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("iteration", "loss (InfoNCE)",
                                                                  "runs")
    assert len(ax.figure.axes) == 1


def test_compare_models_sequence_labels_and_given_axes() -> None:
    given = Figure().add_subplot()
    assert compare_models([[3.0, 2.0], [4.0]], ax=given) is given
    assert [t.get_text() for t in given.get_legend().get_texts()] == ["model 0", "model 1"]
    ax = compare_models(np.ones((2, 4)), labels=["a", "b"])
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b"]


@pytest.mark.parametrize(
    ("models", "labels", "match"),
    [
        ([], None, "'models' of compare_models must hold at least one model. Got none"),
        (5, None, "'models' of compare_models must be a mapping .*Got int"),
        ("loss", None, "must be a mapping .*Got str"),
        ({"a": [1.0]}, ["x"], r"'labels' of compare_models must be None when models is a mapping"),
        ([[1.0], [2.0]], ["x"], r"one entry per model \(2\)\. Got 1"),
        ([[1.0], np.zeros((2, 2))], None, r"'models\[1\]' of compare_models must be a non-empty "
                                          r"1-D array .*Got shape \(2, 2\)"),
        ([identica.decoders.KNNDecoder()], None, r"'models\[0\]' .*without loss_history_"),
    ],
)
def test_compare_models_errors(models, labels, match) -> None:
    with pytest.raises(DataValidationError, match=match):
        compare_models(models, labels=labels)


def test_compare_models_unfitted_and_bad_axes() -> None:
    with pytest.raises(NotFittedError, match="not fitted"):
        compare_models([identica.Embedding()])
    with pytest.raises(ConfigurationError, match="'ax' of compare_models must be"):
        compare_models([[1.0]], ax="axes")


# -- plot_temperature -----------------------------------------------------------------------------


def test_temperature_of_a_model_start_and_end(fitted, render) -> None:
    ax = plot_temperature(fitted, title="τ")
    render(ax.figure)
    line, floor = ax.get_lines()
    end = float(fitted.loss_.temperature.detach())
    assert end != 0.5  # learned: it moved from where it started
    np.testing.assert_array_equal(line.get_xdata(), [0, fitted.n_iter_])
    np.testing.assert_allclose(line.get_ydata(), [0.5, end])
    assert line.get_label() == f"temperature: 0.5 → {end:.3g}"
    np.testing.assert_allclose(floor.get_ydata(), [0.1, 0.1])
    assert floor.get_label() == "min_temperature = 0.1"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [line.get_label(),
                                                                   floor.get_label()]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("iteration", "temperature τ",
                                                                  "τ")


def test_temperature_fixed_per_objective() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 6)).astype(np.float32)
    model = identica.Embedding(
        encoder="mlp", output_dimension=4, batch_size=32, max_iterations=2, random_state=0,
        num_threads=1, temperature=2.0, objectives=[
            identica.Objective(dims=(0, 1), conditional="time", time_offset=1, temperature=0.5),
            identica.Objective(dims=(2, 3), conditional="time", time_offset=2)],
    ).fit(X)
    given = Figure().add_subplot()
    ax = plot_temperature(model, ax=given)
    assert ax is given
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["objective 0 (time): 0.5 → 0.5 (fixed)",
                      "objective 1 (time): 2 → 2 (fixed)"]  # no floor line: nothing learned


def test_temperature_history_array(render) -> None:
    taus = [1.0, 0.8, 0.6, 0.5]
    ax = plot_temperature(taus)
    render(ax.figure)
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4])
    np.testing.assert_array_equal(line.get_ydata(), taus)


def test_temperature_errors() -> None:
    with pytest.raises(NotFittedError, match="not fitted"):
        plot_temperature(identica.Embedding(learn_temperature=True))
    with pytest.raises(DataValidationError, match="'model_or_history' of plot_temperature must "
                       "be a fitted identica Embedding .*Got a KNNDecoder without loss_"):
        plot_temperature(identica.decoders.KNNDecoder())
    with pytest.raises(DataValidationError, match=r"positive finite temperatures\. Got -0\.5 at "
                       r"index 1"):
        plot_temperature([1.0, -0.5])
    with pytest.raises(DataValidationError, match=r"non-empty 1-D array .*Got shape \(0,\)"):
        plot_temperature([])
    with pytest.raises(ConfigurationError, match="'ax' of plot_temperature must be"):
        plot_temperature([1.0], ax=object())
