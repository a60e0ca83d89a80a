# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The encoder output constraint (none / sphere / box), in the encoders and the estimator."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import identica
from identica.estimator import EmbeddingConfig
from identica.exceptions import ConfigurationError
from identica.nn import OUTPUT_CONSTRAINTS, MLPEncoder, OutputConstraint, make_encoder


@pytest.fixture
def x() -> torch.Tensor:
    return 5.0 * torch.randn(64, 6, 1, generator=torch.Generator().manual_seed(0))


def test_box_is_a_learnable_scaled_sigmoid(x):
    encoder = make_encoder("mlp", 6, 3, hidden_units=8, output_constraint="box")
    free = make_encoder("mlp", 6, 3, hidden_units=8, output_constraint="none")
    free.load_state_dict({k: v for k, v in encoder.state_dict().items()
                          if not k.startswith("constraint")})
    with torch.no_grad():
        encoder.constraint.scale.copy_(torch.tensor([1.0, 2.0, 0.5]))
    out = encoder(x)
    torch.testing.assert_close(out, torch.tensor([1.0, 2.0, 0.5]) * torch.sigmoid(free(x)))
    assert (out >= 0).all() and (out <= torch.tensor([1.0, 2.0, 0.5])).all()
    out.sum().backward()
    assert encoder.constraint.scale.grad is not None  # learnable


@pytest.mark.parametrize("kind", OUTPUT_CONSTRAINTS)
def test_only_the_box_adds_parameters(kind):
    encoder = make_encoder("conv5", 6, 3, hidden_units=8, output_constraint=kind)
    names = [n for n, _ in encoder.named_parameters() if n.startswith("constraint")]
    assert names == (["constraint.scale"] if kind == "box" else [])


def test_unknown_constraint_is_rejected():
    with pytest.raises(ConfigurationError,
                       match=r"'output_constraint' of OutputConstraint must be one of \['none', "
                             r"'sphere', 'box'\]. Got 'ball'"):
        OutputConstraint("ball", 3)


@pytest.mark.parametrize("normalize,kind", [(True, "sphere"), (False, "none")])
def test_normalize_is_deprecated_for_output_constraint(normalize, kind, x):
    with pytest.warns(DeprecationWarning, match=f"use output_constraint='{kind}'"):
        old = MLPEncoder(6, 3, hidden_units=8, normalize=normalize)
    assert old.constraint.kind == kind
    with pytest.warns(DeprecationWarning, match="'normalize' of make_encoder is deprecated"):
        make_encoder("conv5", 6, 3, normalize=normalize)


@pytest.mark.parametrize("similarity,given,expected", [
    ("cosine", "auto", "sphere"), ("dot", "auto", "none"), ("l1", "auto", "none"),
    ("dot", "sphere", "sphere"), ("euclidean", "box", "box"), ("cosine", "none", "none"),
])
def test_estimator_resolves_auto_and_passes_the_constraint_on(similarity, given, expected):
    model = identica.Embedding(encoder="mlp", output_dimension=3, hidden_units=8,
                               similarity=similarity, output_constraint=given, batch_size=16,
                               max_iterations=2, device="cpu", random_state=0)
    assert EmbeddingConfig.from_params(model.get_params()).encoder_constraint == expected
    X = np.random.default_rng(0).normal(size=(200, 6)).astype(np.float32)
    model.fit(X)
    assert model.encoder_.constraint.kind == expected
    z = model.transform(X)
    if expected == "sphere":
        np.testing.assert_allclose(np.linalg.norm(z, axis=1), 1.0, atol=1e-5)
    if expected == "box":
        assert z.min() >= 0.0


def test_box_round_trips_through_a_model_file(tmp_path):
    X = np.random.default_rng(1).normal(size=(200, 6)).astype(np.float32)
    model = identica.Embedding(encoder="mlp", output_dimension=3, hidden_units=8,
                               similarity="l1", output_constraint="box", batch_size=16,
                               max_iterations=3, device="cpu", random_state=0).fit(X)
    model.save(tmp_path / "box.safetensors")
    loaded = identica.load(tmp_path / "box.safetensors")
    assert loaded.get_params()["output_constraint"] == "box"
    np.testing.assert_array_equal(loaded.transform(X), model.transform(X))


def test_estimator_rejects_bad_constraints():
    with pytest.raises(ConfigurationError,
                       match=r"'output_constraint' of Embedding must be one of \['auto', 'none', "
                             r"'sphere', 'box'\]. Got 'cube'"):
        EmbeddingConfig.from_params(identica.Embedding(output_constraint="cube").get_params())
    custom = MLPEncoder(6, 3, hidden_units=8)
    with pytest.raises(ConfigurationError,
                       match="'output_constraint' of Embedding must be 'auto' with a custom "
                             "encoder module.* Got 'box'"):
        EmbeddingConfig.from_params(
            identica.Embedding(encoder=custom, output_constraint="box").get_params())
