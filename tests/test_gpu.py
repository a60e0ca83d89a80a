# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""CUDA paths (skipped without a CUDA device): training, transform, model files across devices."""

from __future__ import annotations

import numpy as np
import pytest

import identica
from identica.decoders import KNNDecoder

pytestmark = pytest.mark.gpu

PARAMS = dict(encoder="conv10", output_dimension=4, hidden_units=16, batch_size=128,
              max_iterations=150, learning_rate=3e-3, random_state=0)


def test_cuda_fit_learns_and_loads_on_cpu(track, tmp_path):
    model = identica.Embedding(**PARAMS, device="cuda").fit(track.neural[:1600],
                                                            track.continuous[:1600])
    assert model.device_.type == "cuda"
    z = model.transform(track.neural)
    position = track.truth["position"]
    assert KNNDecoder().fit(z[:1600], position[:1600]).score(z[1600:], position[1600:]) > 0.8
    model.save(tmp_path / "gpu.safetensors")
    cpu = identica.load(tmp_path / "gpu.safetensors")  # device="cpu" by default
    assert cpu.device_.type == "cpu"
    np.testing.assert_allclose(cpu.transform(track.neural), z, atol=1e-4)


def test_cuda_multi_session_and_objectives(track):
    sessions = identica.synthetic.linear_track(n_samples=1500, n_neurons=[20, 30], n_sessions=2)
    model = identica.Embedding(**{**PARAMS, "max_iterations": 5}, device="cuda")
    model.fit([s.neural for s in sessions], [s.continuous for s in sessions])
    assert [z.shape for z in model.transform([s.neural for s in sessions])] == [(1500, 4)] * 2
    hybrid = identica.Embedding(**{**PARAMS, "max_iterations": 5}, device="cuda", hybrid=True,
                                behavior_dimension=2)
    assert hybrid.fit(track.neural, track.continuous).transform(track.neural).shape == (2000, 4)
