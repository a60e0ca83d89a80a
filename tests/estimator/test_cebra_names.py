# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""CEBRA's names given to Embedding raise errors naming identica's; the name table is CEBRA's."""

from __future__ import annotations

import copy
import inspect
import pickle
import re
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

import identica
from identica.estimator._cebra_names import (
    CEBRA_PARAMETERS,
    cebra_value_hint,
    nearest_encoder,
)
from identica.exceptions import ConfigurationError, ModelFileError, ParameterNameError

README = Path(__file__).resolve().parents[2] / "README.md"
TINY = dict(encoder="mlp", output_dimension=2, batch_size=16, max_iterations=2, time_offset=1,
            device="cpu", random_state=0)


@pytest.fixture(scope="module")
def fitted():
    X = np.random.default_rng(0).normal(size=(100, 4)).astype(np.float32)
    return identica.Embedding(**TINY).fit(X), X


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"model_architecture": "offset10-model"}, "calls it 'encoder': write encoder='conv10'"),
    ({"model_architecture": "offset1-model"}, "encoder='mlp'"),
    ({"distance": "euclidean"}, "calls it 'similarity': write similarity='euclidean'"),
    ({"time_offsets": 5}, "calls it 'time_offset': write time_offset=5"),
    ({"num_hidden_units": 64}, "calls it 'hidden_units'"),
    ({"temperature_mode": "auto"}, "write learn_temperature=True"),
    ({"criterion": "infonce"}, "always trains InfoNCE"),
    ({"optimizer": "adam"}, "always trains with Adam"),
    ({"optimizer_kwargs": ()}, "betas=\\(0.9, 0.999\\)"),
    ({"pad_before_transform": False}, "receptive_field_"),
    ({"masking_kwargs": None}, "no input masking"),
    ({"outptu_dimension": 3}, "Did you mean 'output_dimension'"),
    ({"nonsense_parameter": 3}, "The parameters are"),
])
def test_a_cebra_name_or_a_typo_names_the_identica_parameter(kwargs, match):
    with pytest.raises(ParameterNameError, match=match) as info:
        identica.Embedding(**kwargs)
    assert isinstance(info.value, TypeError)  # what Python raises for an unknown keyword
    assert isinstance(info.value, ConfigurationError)
    assert str(info.value).startswith(f"Embedding() got an unexpected keyword argument "
                                      f"{next(iter(kwargs))!r}")


@pytest.mark.parametrize(("params", "match"), [
    ({"encoder": "offset10-model"}, "Got 'offset10-model': .*encoder='conv10' \\(the same network"),
    ({"encoder": "offset40-model"}, "encoder='conv36' \\(the nearest; identica has no 40-step"),
    ({"encoder": "offset1-model-mse"}, "encoder='mlp-clip' with similarity='euclidean'"),
    ({"device": "cuda_if_available"}, "identica's is device='auto'"),
    ({"conditional": None}, "identica's is conditional='auto'"),
    ({"batch_size": None}, "batch_size=None is CEBRA's full-batch training"),
    ({"learn_temperature": True, "min_temperature": None}, "min_temperature=None"),
])
def test_a_cebra_value_names_the_identica_value(params, match):
    X = np.zeros((50, 3), dtype=np.float32)
    with pytest.raises(ConfigurationError, match=match):
        identica.Embedding(**{**TINY, **params}).fit(X)


def test_values_without_a_cebra_counterpart_keep_the_plain_message():
    assert cebra_value_hint("encoder", "conv11") is None
    with pytest.raises(ConfigurationError, match="Did you mean 'conv15'") as info:
        identica.Embedding(**{**TINY, "encoder": "conv11"}).fit(np.zeros((50, 3)))
    assert "CEBRA" not in str(info.value)


def test_transform_session_id_names_session(fitted):
    model, X = fitted
    with pytest.raises(ParameterNameError, match="transform\\(X, session=...\\)"):
        model.transform(X, session_id=0)
    with pytest.raises(ParameterNameError, match="embeds in chunks by itself"):
        model.transform(X, batch_size=10)
    with pytest.raises(ParameterNameError, match="Did you mean 'session'"):
        model.transform(X, sesion=0)


def test_fit_with_cebra_label_tuple_names_discrete(fitted):
    model, X = fitted
    y, d = np.zeros(len(X), np.float32), np.zeros(len(X), np.int64)
    for method in (model.fit, model.partial_fit):
        with pytest.raises(ParameterNameError, match="\\(X, y, discrete=labels\\)"):
            method(X, y, d)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"adapt": True}, "model.adapt\\(X, y\\)"),
    ({"callback": print}, "takes no callback"),
    ({"callback_frequency": 10}, "takes no callback"),
])
def test_fit_with_cebra_keywords_names_the_identica_way(fitted, kwargs, match):
    model, X = fitted
    with pytest.raises(ParameterNameError, match=match):
        model.fit(X, **kwargs)


def test_embedding_load_names_identica_load(fitted):
    with pytest.raises(AttributeError, match="is identica.load\\(path\\)"):
        identica.Embedding.load("model.pt")
    with pytest.raises(AttributeError, match="identica.load"):
        fitted[0].load("model.pt")
    assert not hasattr(identica.Embedding, "load")


def test_the_hints_leave_the_sklearn_contract_alone(fitted):
    init = inspect.signature(identica.Embedding.__init__).parameters
    assert "model_architecture" not in init and "encoder" in init
    assert set(identica.Embedding().get_params()) == set(init) - {"self"}
    model, X = fitted
    assert clone(model).get_params() == model.get_params()
    for copied in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        np.testing.assert_array_equal(copied.transform(X), model.transform(X))
    assert list(inspect.signature(identica.Embedding).parameters) == list(init)[1:]
    # wrapped methods keep their signature and docstring
    assert list(inspect.signature(identica.Embedding.transform).parameters) == [
        "self", "X", "session"]
    assert identica.Embedding.fit.__doc__.startswith("Train a fresh encoder")


def test_a_subclass_gets_the_hints_too():
    class Sub(identica.Embedding):
        def transform(self, X, *, session=None):
            return super().transform(X, session=session)

    with pytest.raises(ParameterNameError, match="model_architecture"):
        Sub(model_architecture="offset10-model")
    X = np.random.default_rng(0).normal(size=(60, 3)).astype(np.float32)
    model = Sub(**TINY).fit(X)
    with pytest.raises(ParameterNameError, match="session="):
        model.transform(X, session_id=0)


@pytest.mark.parametrize(("architecture", "encoder", "exact", "normalized"), [
    ("offset1-model", "mlp", True, True),
    ("offset5-model", "conv5", True, True),
    ("offset10-model", "conv10", True, True),
    ("offset15-model", "conv15", True, True),
    ("offset20-model", "conv20", True, True),
    ("offset36-model", "conv36", True, True),
    ("offset50-model", "conv50", True, True),
    ("offset10-model-mse", "conv10", True, False),
    ("offset1-model-mse-clip-5-5", "mlp-clip", True, False),
    ("offset1-model-mse-clip-1000-1000", "mlp-clip", False, False),
    ("offset1-model-mse", "mlp-clip", False, False),
    ("offset1-model-v2", "mlp", False, True),
    ("offset40-model", "conv36", False, True),
    ("offset36-model-dropout", "conv36", False, True),
    ("offset10-model-mse-tanh", "conv10", False, False),
    ("offset40-model-4x-subsample", "conv36", False, True),
    ("resample-model", "conv36", False, True),
    ("resample1-model", "conv5", False, True),
    ("supervised10-model", "conv10", False, True),
    ("Offset10-Model", "conv10", True, True),
])
def test_nearest_encoder(architecture, encoder, exact, normalized):
    match = nearest_encoder(architecture)
    assert (match.encoder, match.exact, match.normalized) == (encoder, exact, normalized)
    assert bool(match.note) != exact


@pytest.mark.parametrize("name", ["conv10", "mlp", "offset-model", "", None, 10])
def test_nearest_encoder_of_a_non_cebra_name_is_none(name):
    assert nearest_encoder(name) is None


def test_the_table_names_identica_parameters_with_their_defaults():
    init = inspect.signature(identica.Embedding.__init__).parameters
    for row in CEBRA_PARAMETERS:
        if row.identica is not None:
            assert row.identica in init, row
            assert init[row.identica].default == row.identica_default, row
        else:
            assert row.identica_default is None and row.difference, row


def _readme_table() -> dict[str, list[str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Coming from CEBRA", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 3:
            rows[cells[0].strip("`").split("=")[0]] = cells
    return rows


def test_the_readme_table_has_every_cebra_parameter():
    rows = _readme_table()
    assert list(rows) == [row.cebra for row in CEBRA_PARAMETERS]
    for row in CEBRA_PARAMETERS:
        cells = rows[row.cebra]
        if row.identica is not None:
            assert f"`{row.identica}=" in cells[1], cells


# -- CEBRA checkpoints given to identica.load ------------------------------------------------

def test_identica_load_refuses_a_pickle_and_says_what_to_do(tmp_path):
    path = tmp_path / "cebra_model.pt"
    path.write_bytes(pickle.dumps({"args": {}, "state_dict": {}}, protocol=4))
    with pytest.raises(ModelFileError, match="is a pickle .*identica.compat.CEBRA"):
        identica.load(path)


def test_identica_load_refuses_a_torch_zip_checkpoint(tmp_path):
    path = tmp_path / "cebra_model.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps({"args": {}}))
    with pytest.raises(ModelFileError, match=re.escape("a PyTorch checkpoint (torch.save")):
        identica.load(path)


@pytest.mark.parametrize("content", ["text", "npz"])
def test_other_malformed_files_keep_their_message(tmp_path, content):
    path = tmp_path / "data.bin"
    if content == "npz":  # a zip too, but not torch.save's
        with open(path, "wb") as file:
            np.savez(file, X=np.zeros(3))
    else:
        path.write_text("not a model")
    with pytest.raises(ModelFileError, match="not a readable .safetensors model file") as info:
        identica.load(path)
    assert "CEBRA" not in str(info.value)
    with pytest.raises(FileNotFoundError):
        identica.load(tmp_path / "missing.pt")


# -- against the installed CEBRA 0.6.1 (the bench extra; skipped without it) -------------------

@pytest.fixture(scope="module")
def cebra():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        module = pytest.importorskip("cebra")
    if module.__version__ != "0.6.1":
        pytest.skip(f"the table is CEBRA 0.6.1's; installed {module.__version__}")
    return module


def test_the_table_is_cebra_0_6_1s_signature(cebra):
    parameters = inspect.signature(cebra.CEBRA.__init__).parameters
    real = {name: p.default for name, p in parameters.items() if name != "self"}
    assert list(real) == [row.cebra for row in CEBRA_PARAMETERS]
    for row in CEBRA_PARAMETERS:
        assert real[row.cebra] == row.cebra_default, row


def test_every_cebra_architecture_has_a_nearest_encoder(cebra):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        options = cebra.models.get_options()
    assert options
    for name in options:
        assert nearest_encoder(name) is not None, name


@pytest.mark.parametrize("architecture", [
    "offset1-model", "offset5-model", "offset10-model", "offset15-model", "offset20-model",
    "offset36-model", "offset50-model", "offset10-model-mse", "offset1-model-mse-clip-5-5",
])
def test_an_exact_match_is_the_same_network(cebra, architecture):
    from identica.nn import make_encoder

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = cebra.models.init(architecture, num_neurons=30, num_units=32, num_output=6)
    match = nearest_encoder(architecture)
    ours = make_encoder(match.encoder, 30, 6, hidden_units=32,
                        output_constraint="sphere" if match.normalized else "none")
    shapes = sorted(tuple(p.shape) for p in theirs.parameters())
    assert sorted(tuple(p.shape) for p in ours.parameters()) == shapes
    assert len(theirs.get_offset()) == len(ours.receptive_field)


def test_identica_load_refuses_a_real_cebra_checkpoint(cebra, tmp_path):
    X = np.random.default_rng(0).normal(size=(200, 10)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = cebra.CEBRA(max_iterations=2, batch_size=32, device="cpu").fit(X)
        model.save(tmp_path / "cebra_model.pt")
    with pytest.raises(ModelFileError, match="CEBRA's CEBRA.save writes"):
        identica.load(tmp_path / "cebra_model.pt")
