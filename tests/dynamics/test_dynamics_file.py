# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""DynamicsEmbedding model files: one safetensors file, round trip, refusal of other files."""

from __future__ import annotations

import json

import numpy as np
import pytest
import safetensors

import identica
from identica.dynamics import DynamicsEmbedding, load
from identica.exceptions import ModelFileError

FAST = dict(output_dimension=3, batch_size=32, num_negatives=64, max_iterations=5,
            device="cpu", num_threads=1, random_state=0)


@pytest.mark.parametrize("dynamics, n_modes", [("identity", 1), ("linear", 1), ("slds", 3)])
def test_round_trip_is_exact(tmp_path, slds, dynamics, n_modes):
    model = DynamicsEmbedding(dynamics=dynamics, n_modes=n_modes, **FAST).fit(
        slds.X, slds.trial_starts)
    path = tmp_path / "model.safetensors"
    model.save(path)
    back = load(path)
    assert back.get_params() == model.get_params()
    assert np.array_equal(back.transform(slds.X), model.transform(slds.X))
    assert np.array_equal(back.matrices_, model.matrices_)
    assert np.array_equal(back.loss_history_, model.loss_history_)
    assert np.array_equal(back.predict_modes(slds.X, slds.trial_starts),
                          model.predict_modes(slds.X, slds.trial_starts))
    assert type(back.dynamics_) is type(model.dynamics_) and not back.dynamics_.training
    with safetensors.safe_open(path, "pt") as file:
        metadata = file.metadata()
    assert metadata["estimator"] == "DynamicsEmbedding"
    assert json.loads(metadata["params"])["dynamics"] == dynamics


def test_controls_round_trip(tmp_path, controlled):
    model = DynamicsEmbedding(**FAST).fit(controlled.X, controls=controlled.controls)
    model.save(tmp_path / "m.safetensors", metadata={"note": "controlled"})
    back = load(tmp_path / "m.safetensors")
    assert back.n_controls_ == 2 and np.array_equal(back.control_matrix_, model.control_matrix_)
    assert np.array_equal(back.predict(controlled.X, controls=controlled.controls),
                          model.predict(controlled.X, controls=controlled.controls))


def test_identica_load_names_the_dynamics_loader(tmp_path, lds):
    path = tmp_path / "dyn.safetensors"
    DynamicsEmbedding(**FAST).fit(lds.X).save(path)
    with pytest.raises(ModelFileError, match="holds an identica DynamicsEmbedding, not an "
                                             r"Embedding. Load it with identica.dynamics.load"):
        identica.load(path)


def test_dynamics_load_refuses_an_embedding_file(tmp_path, lds):
    path = tmp_path / "emb.safetensors"
    identica.Embedding(encoder="mlp", batch_size=16, max_iterations=2, time_offset=1,
                       random_state=0).fit(lds.X).save(path)
    with pytest.raises(ModelFileError, match="is not a DynamicsEmbedding model file .*it holds "
                                             r"Embedding.*identica.load\(path\)"):
        load(path)


def test_unfitted_save_and_own_metadata_keys_are_refused(tmp_path, lds):
    with pytest.raises(identica.exceptions.NotFittedError):
        DynamicsEmbedding().save(tmp_path / "x.safetensors")
    model = DynamicsEmbedding(**FAST).fit(lds.X)
    with pytest.raises(identica.exceptions.ConfigurationError,
                       match="'metadata' of DynamicsEmbedding.save must map new keys"):
        model.save(tmp_path / "x.safetensors", metadata={"params": "x"})


def _rewrite(path, **changes):
    """The file at ``path`` written again with some metadata entries changed."""
    from identica.estimator._file_bytes import checksummed, read_raw

    metadata, tensors = read_raw(path)
    metadata = {k: v for k, v in metadata.items() if k != "sha256"}
    metadata.update(changes)
    path.write_bytes(checksummed(tensors, metadata))


@pytest.mark.parametrize("changes, match", [
    (dict(format_version="99"), "was written in model format 99; this identica reads format"),
    (dict(params="{not json"), "has malformed identica metadata"),
    (dict(fitted='{"n_features_in": 3, "n_controls": 0, "optimizer_groups": []}'),
     "does not hold a consistent model"),
])
def test_newer_malformed_or_inconsistent_files_are_refused(tmp_path, lds, changes, match):
    path = tmp_path / "m.safetensors"
    DynamicsEmbedding(**FAST).fit(lds.X).save(path)
    _rewrite(path, **changes)
    with pytest.raises(ModelFileError, match=match):
        load(path)
