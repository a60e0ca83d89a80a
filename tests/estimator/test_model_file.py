# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Model files: bit-identical round trips, no pickle, clear refusals of bad files."""

from __future__ import annotations

import json
import os
import re

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, safe_open, save_file

import identica
from identica.estimator._file_bytes import checksummed
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
    assert meta["format"] == "identica-model" and meta["format_version"] == "3"
    assert re.fullmatch("[0-9a-f]{64}", meta["sha256"])
    assert json.loads(meta["params"])["time_offset"] == [2, 4]
    assert set(json.loads(meta["versions"])) >= {"identica", "torch"}
    assert b"\x80\x04" not in raw[: 8 + header_len]  # no pickle protocol marker in the header


def test_refuses_a_newer_format(fitted, tmp_path):
    path = tmp_path / "m.safetensors"
    fitted.save(path)
    tensors = load_file(path)
    meta = _metadata(path)
    meta["format_version"] = "99"
    path.write_bytes(checksummed(tensors, meta))  # a newer file, intact
    with pytest.raises(ModelFileError, match="format 99; this identica reads format 3"):
        identica.load(path)


def test_refuses_random_bytes(tmp_path):
    path = tmp_path / "junk.safetensors"
    path.write_bytes(b"\x00\x01not a model at all" * 10)
    with pytest.raises(ModelFileError, match="not a readable .safetensors model file"):
        identica.load(path)


@pytest.mark.parametrize("zipped", [True, False], ids=["torch-zip", "plain-pickle"])
def test_refuses_a_pickle(tmp_path, fitted, zipped):
    path = tmp_path / "model.pt"
    torch.save(fitted.encoder_.state_dict(), path, _use_new_zipfile_serialization=zipped)
    with pytest.raises(ModelFileError, match="not a readable .* it is a (pickle|PyTorch "
                                             "checkpoint).*CEBRA .pt checkpoint.*never unpickles"):
        identica.load(path)


def test_refuses_an_npz(tmp_path):
    np.savez(tmp_path / "data.npz", X=np.zeros(3))
    with pytest.raises(ModelFileError, match="not a readable .* zip archive"):
        identica.load(tmp_path / "data.npz")


def test_refuses_foreign_safetensors(tmp_path):
    path = tmp_path / "other.safetensors"
    save_file({"w": torch.zeros(2)}, path)
    with pytest.raises(ModelFileError, match="not an identica model"):
        identica.load(path)


def _as_format_2(path):
    """Rewrite a model file as identica wrote it before files carried a checksum (format 2):
    the same tensors and metadata, without ``sha256`` and the parameters added since."""
    tensors, meta = load_file(path), _metadata(path)
    del meta["sha256"]
    meta["format_version"] = "2"
    params = json.loads(meta["params"])
    del params["checkpoint"], params["checkpoint_every"]
    meta["params"] = json.dumps(params)
    save_file(tensors, path, metadata=meta)
    return tensors, meta


def test_refuses_tampered_weights(fitted, tmp_path):
    path = tmp_path / "m.safetensors"
    fitted.save(path)
    tensors = load_file(path)
    meta = _metadata(path)
    tensors["encoders.0.first.weight"] = torch.zeros(3, 3, 3)
    save_file(tensors, path, metadata=meta)
    with pytest.raises(ModelFileError, match="is damaged: its bytes do not match the sha256"):
        identica.load(path)


def test_refuses_inconsistent_weights_of_a_file_without_checksum(fitted, tmp_path):
    path = tmp_path / "m.safetensors"
    fitted.save(path)
    tensors, meta = _as_format_2(path)
    tensors["encoders.0.first.weight"] = torch.zeros(3, 3, 3)
    save_file(tensors, path, metadata=meta)
    with pytest.raises(ModelFileError, match="does not hold a consistent model"):
        identica.load(path)


def test_format_2_files_without_checksum_still_load(fitted, track, tmp_path):
    path = tmp_path / "m.safetensors"
    fitted.save(path)
    _as_format_2(path)
    loaded = identica.load(path)
    assert np.array_equal(loaded.transform(track.neural), fitted.transform(track.neural))
    assert loaded.checkpoint is None and loaded.checkpoint_every == 500
    straight = identica.Embedding(**{**fitted.get_params(), "max_iterations": 6})
    straight.fit(track.neural, track.continuous)
    loaded.partial_fit(track.neural, track.continuous)
    assert np.array_equal(loaded.transform(track.neural), straight.transform(track.neural))


def test_format_3_without_checksum_is_refused(fitted, tmp_path):
    path = tmp_path / "m.safetensors"
    fitted.save(path)
    tensors, meta = load_file(path), _metadata(path)
    del meta["sha256"]
    save_file(tensors, path, metadata=meta)
    with pytest.raises(ModelFileError, match="has no sha256 checksum, which model format 3"):
        identica.load(path)


@pytest.fixture
def small_file(tmp_path):
    X = np.random.default_rng(0).normal(size=(200, 5)).astype(np.float32)
    model = identica.Embedding(encoder="mlp", output_dimension=2, hidden_units=4, batch_size=8,
                               max_iterations=2, time_offset=1, random_state=0, device="cpu")
    path = tmp_path / "m.safetensors"
    model.fit(X).save(path)
    return path


def test_a_flipped_byte_anywhere_is_refused(small_file):
    """Header (its length, JSON, checksum digits, padding) and tensors, the last 100 bytes
    all: the checksum covers every byte of the file."""
    raw = small_file.read_bytes()
    header_end = 8 + int.from_bytes(raw[:8], "little")
    positions = sorted({*range(0, header_end, 3), *range(header_end, len(raw), 41),
                        *range(len(raw) - 100, len(raw)), raw.find(b'"sha256":"') + 12})
    for position in positions:
        for flip in (0x01, 0x80):
            damaged = bytearray(raw)
            damaged[position] ^= flip
            small_file.write_bytes(damaged)
            with pytest.raises(ModelFileError):
                identica.load(small_file)
    small_file.write_bytes(raw)
    identica.load(small_file)


@pytest.mark.parametrize("where", ["last 100 bytes zeroed", "tensor byte", "header digit"])
def test_damage_is_named(small_file, where):
    raw = bytearray(small_file.read_bytes())
    header_end = 8 + int.from_bytes(raw[:8], "little")
    if where == "last 100 bytes zeroed":  # the reproduction: loaded silently before
        raw[-100:] = bytes(100)
    elif where == "tensor byte":
        raw[(header_end + len(raw)) // 2] ^= 0x04
    else:  # '"output_dimension": 2' becomes 3: valid JSON, another model
        at = raw.find(b'output_dimension\\": 2')
        assert 8 < at < header_end
        raw[at + len('output_dimension\\": ')] = ord("3")
    small_file.write_bytes(raw)
    with pytest.raises(ModelFileError, match="is damaged"):
        identica.load(small_file)


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_files_honour_the_umask(fitted, tmp_path, umask, mode):
    before = os.umask(umask)
    try:
        fitted.save(tmp_path / "m.safetensors")
        identica.Embedding(**{**fitted.get_params(), "checkpoint": tmp_path / "c.safetensors",
                              "max_iterations": 1}).fit(np.zeros((60, 40), np.float32))
    finally:
        os.umask(before)
    assert os.stat(tmp_path / "m.safetensors").st_mode & 0o777 == mode
    assert os.stat(tmp_path / "c.safetensors").st_mode & 0o777 == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.safetensors", "m.safetensors"]


def test_saving_into_a_missing_folder_names_it(fitted, tmp_path):
    folder = tmp_path / "no" / "such"
    with pytest.raises(FileNotFoundError, match=re.escape(f"folder {str(folder)!r} does not "
                                                          "exist")):
        fitted.save(folder / "m.safetensors")
    assert list(tmp_path.iterdir()) == []


def test_other_suffix_is_warned_about_and_written(fitted, track, tmp_path):
    with pytest.warns(UserWarning, match=r"'.*model.pt' does not end in .safetensors.*"
                                         r"name it 'model.safetensors'"):
        fitted.save(tmp_path / "model.pt")
    loaded = identica.load(tmp_path / "model.pt")
    assert np.array_equal(loaded.transform(track.neural), fitted.transform(track.neural))


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


def test_metadata_of_ones_own_is_stored_and_checksummed(fitted, tmp_path):
    from safetensors import safe_open

    path = tmp_path / "m.safetensors"
    fitted.save(path, metadata={"lab.session": "mouse 3, day 2"})
    with safe_open(path, framework="pt") as file:
        assert file.metadata()["lab.session"] == "mouse 3, day 2"
    identica.load(path)  # the checksum covers the extra entry


@pytest.mark.parametrize("extra", [{"params": "{}"}, {"sha256": "0"}, {"note": 3}])
def test_metadata_may_not_replace_identicas_own_entries(fitted, tmp_path, extra):
    from identica.exceptions import ConfigurationError

    with pytest.raises(ConfigurationError, match="'metadata' of Embedding.save must map new keys"):
        fitted.save(tmp_path / "m.safetensors", metadata=extra)
