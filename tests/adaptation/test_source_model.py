# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""SourceModel: explicit input standardisation, stats in the model file, old files still load."""

from __future__ import annotations

import numpy as np
import pytest
from _drift_source import make_drift_setup

import identica
from identica.adaptation import InputStandardization, SourceModel, load_source
from identica.exceptions import ModelFileError
from identica.metrics import window_goodness_of_fit
from identica.synthetic import place_cell_population


@pytest.fixture(scope="module")
def drift_setup():
    return make_drift_setup()


def test_standardization_matches_a_naive_computation():
    X = np.random.default_rng(0).poisson(2.0, (500, 6)).astype(np.float32)
    X[:, 2] = 1.0
    scale = InputStandardization.fit(X)
    np.testing.assert_allclose(scale.mean, X.mean(axis=0))
    assert scale.std[2] == pytest.approx(1e-3)
    np.testing.assert_allclose(scale(X)[:, 0], (X[:, 0] - X[:, 0].mean()) / X[:, 0].std(),
                               rtol=1e-5)


def test_the_source_embeds_standardised_inputs(drift_setup):
    source = drift_setup["source"]
    X = drift_setup["X"]
    np.testing.assert_array_equal(source.transform(X),
                                  source.embedding.transform(source.standardization(X)))
    np.testing.assert_allclose(source.embedding_mean, source.transform(X).mean(axis=0),
                               rtol=1e-5, atol=1e-6)


def test_save_and_load_round_trip(drift_setup, tmp_path):
    source = drift_setup["source"]
    path = tmp_path / "source.safetensors"
    source.save(path)
    loaded = load_source(path, decoder=source.decoder)
    np.testing.assert_array_equal(loaded.standardization.mean, source.standardization.mean)
    np.testing.assert_array_equal(loaded.embedding_cov, source.embedding_cov)
    window = drift_setup["stream"][:300]
    np.testing.assert_array_equal(loaded.transform(window), source.transform(window))
    # the file is still an ordinary model file
    assert identica.load(path).transform(source.standardization(window)).shape == (300, 4)


def test_a_plain_model_file_has_no_source_statistics(drift_setup, tmp_path):
    path = tmp_path / "plain.safetensors"
    drift_setup["source"].embedding.save(path)
    with pytest.raises(ModelFileError, match="holds no source statistics"):
        load_source(path)


def test_source_fits_are_reproducible(drift_setup):
    X = drift_setup["X"][:600]
    fits = [SourceModel.fit(identica.Embedding(encoder="conv10", output_dimension=3,
                                               batch_size=32, max_iterations=5,
                                               random_state=1, num_threads=1), X)
            for _ in range(2)]
    np.testing.assert_array_equal(fits[0].transform(X), fits[1].transform(X))



def test_behaviour_histogram_and_goodness_of_fit_are_stored(drift_setup, tmp_path):
    source = drift_setup["source"]
    behavior = place_cell_population(4000, 24, random_state=0)[:2000].behavior  # the setup's
    columns = np.asarray(behavior, dtype=np.float64).reshape(2000, -1).T
    assert len(source.behavior_histogram) == len(columns)
    for column, stored in zip(columns, source.behavior_histogram):
        counts, edges = np.histogram(column, bins=20)
        np.testing.assert_array_equal(stored["counts"], counts)
        np.testing.assert_allclose(stored["edges"], edges)
    z = source.transform(drift_setup["X"])  # 2,000 rows: two windows of 1,000
    expected = np.mean([window_goodness_of_fit(z[:1000], time_offset=10),
                        window_goodness_of_fit(z[1000:], time_offset=10)])
    assert source.goodness_of_fit == pytest.approx(expected, rel=1e-6)
    path = tmp_path / "with-stats.safetensors"
    source.save(path)
    loaded = load_source(path)
    assert loaded.behavior_histogram == source.behavior_histogram
    assert loaded.goodness_of_fit == source.goodness_of_fit
