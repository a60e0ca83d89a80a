# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Model files: bit-identical round trips, no pickle, clear refusals of bad files."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, safe_open, save_file

import identica
from identica.exceptions import ConfigurationError, ModelFileError

PARAMS = dict(output_dimension=3, hidden_units=8, batch_size=32, max_iterations=3,
              device="cpu", random_state=0)


def _metadata(path):
    with safe_open(str(path), framework="pt") as f:
        return dict(f.metadata())


@pytest.fixture
def fitted(track):
    return identica.Embedding(encoder="conv10", time_offset=(2, 4), learn_temperature=True,
                              **PARAMS).fit(track.neural, track.continuous)


def test_save_load_transform_is_bit_identical(fitted, track, tmp_path):
    path = tmp_path / "model.safetensors"
    fitted.save(path)
    loaded = identica.load(path)
    assert np.array_equal(loaded.transform(track.neural), fitted.transform(track.neural))
    assert loaded.get_params() == {**fitted.get_params(), "device": "cpu"}
    assert np.array_equal(loaded.loss_history_, fitted.loss_history_)
    assert loaded.conditional_ == fitted.conditional_
    assert float(loaded.loss_.temperature.detach()) == float(fitted.loss_.temperature.detach())


def test_loaded_model_keeps_training(fitted, track, tmp_path):
    fitted.save(tmp_path / "m.safetensors")
    loaded = identica.load(tmp_path / "m.safetensors")
    loaded.partial_fit(track.neural, track.continuous)
    assert loaded.n_iter_ == 6


def test_file_holds_tensors_and_json_only(fitted, tmp_path):
    path = tmp_path / "m.safetensors"
    fitted.save(path)
    raw = path.read_bytes()
    header_len = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8 : 8 + header_len])
    meta = header["__metadata__"]
    assert meta["format"] == "identica-model" and meta["format_version"] == "2"
    assert json.loads(meta["params"])["time_offset"] == [2, 4]
    assert set(json.loads(meta["versions"])) >= {"identica", "torch"}
    assert b"\x80\x04" not in raw[: 8 + header_len]  # no pickle protocol marker in the header


def test_refuses_a_newer_format(fitted, tmp_path):
    path = tmp_path / "m.safetensors"
    fitted.save(path)
    tensors = load_file(path)
    meta = _metadata(path)
    meta["format_version"] = "99"
    save_file(tensors, path, metadata=meta)
    with pytest.raises(ModelFileError, match="format 99; this identica reads format 2"):
        identica.load(path)


def test_refuses_random_bytes(tmp_path):
    path = tmp_path / "junk.safetensors"
    path.write_bytes(b"\x00\x01not a model at all" * 10)
    with pytest.raises(ModelFileError, match="not a readable .safetensors model file"):
        identica.load(path)


def test_refuses_a_pickle(tmp_path, fitted):
    path = tmp_path / "model.pt"
    torch.save(fitted.encoder_.state_dict(), path)
    with pytest.raises(ModelFileError, match="not a readable"):
        identica.load(path)


def test_refuses_foreign_safetensors(tmp_path):
    path = tmp_path / "other.safetensors"
    save_file({"w": torch.zeros(2)}, path)
    with pytest.raises(ModelFileError, match="not an identica model"):
        identica.load(path)


def test_refuses_tampered_weights(fitted, tmp_path):
    path = tmp_path / "m.safetensors"
    fitted.save(path)
    tensors = load_file(path)
    meta = _metadata(path)
    tensors["encoders.0.first.weight"] = torch.zeros(3, 3, 3)
    save_file(tensors, path, metadata=meta)
    with pytest.raises(ModelFileError, match="does not hold a consistent model"):
        identica.load(path)


def test_refuses_malformed_metadata(fitted, tmp_path):
    path = tmp_path / "m.safetensors"
    save_file({"w": torch.zeros(2)}, path, metadata={"format": "identica-model"})
    with pytest.raises(ModelFileError, match="malformed identica metadata"):
        identica.load(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="No model file"):
        identica.load(tmp_path / "nope.safetensors")


def test_custom_encoder_needs_its_module(track, tmp_path):
    encoder = identica.nn.ConvEncoder(40, 3, hidden_units=8, n_blocks=1, last_kernel=2)
    model = identica.Embedding(encoder=encoder, **PARAMS).fit(track.neural)
    model.save(tmp_path / "c.safetensors")
    with pytest.raises(ConfigurationError, match="custom encoder module"):
        identica.load(tmp_path / "c.safetensors")
    fresh = identica.nn.ConvEncoder(40, 3, hidden_units=8, n_blocks=1, last_kernel=2)
    loaded = identica.load(tmp_path / "c.safetensors", encoder=fresh)
    assert np.array_equal(loaded.transform(track.neural), model.transform(track.neural))


def test_save_before_fit(tmp_path):
    with pytest.raises(identica.exceptions.NotFittedError):
        identica.Embedding().save(tmp_path / "m.safetensors")
