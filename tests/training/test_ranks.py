# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Data-parallel pieces in one process: backend choice (the GPU path too), rank streams,
gathered negatives outside a job, and the configurations data-parallel training refuses."""

from __future__ import annotations

import types

import pytest
import torch
import torch.distributed as dist

import identica
from identica.estimator import _fit
from identica.exceptions import ConfigurationError
from identica.training import (
    DrawnNegatives,
    GatheredNegatives,
    Ranks,
    ReferenceNegatives,
    backend_for,
    join_process_group,
    rank_generator,
)

TORCHRUN_ENV = ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")


@pytest.fixture
def no_job(monkeypatch):
    for name in TORCHRUN_ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(("device", "backend"), [("cpu", "gloo"), ("cuda", "nccl"),
                                                 ("cuda:3", "nccl"), ("mps", "gloo")])
def test_backend_for_the_device(device, backend):
    assert backend_for(device) == backend


def test_outside_a_job_is_one_process(no_job):
    assert join_process_group(torch.device("cpu")) == (Ranks(0, 1, 0), torch.device("cpu"))


def test_a_gpu_job_starts_nccl_on_the_local_gpu(monkeypatch, no_job):
    """The CUDA path without a GPU: which backend is started, and which device each rank gets."""
    started = {}
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("RANK", "3")
    monkeypatch.setenv("LOCAL_RANK", "1")
    monkeypatch.setattr(dist, "is_initialized", lambda: False)
    monkeypatch.setattr(dist, "is_nccl_available", lambda: True)
    monkeypatch.setattr(dist, "init_process_group",
                        lambda backend, rank, world_size: started.update(
                            backend=backend, rank=rank, world_size=world_size))
    monkeypatch.setattr(torch.cuda, "set_device", lambda index: started.update(device=index))
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    ranks, device = join_process_group(torch.device("cuda"))
    assert started == {"backend": "nccl", "rank": 3, "world_size": 4, "device": 1}
    assert ranks == Ranks(3, 4, 1) and device == torch.device("cuda", 1)
    assert ranks.distributed and not ranks.is_main


def test_a_missing_backend_is_named(monkeypatch, no_job):
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setattr(dist, "is_initialized", lambda: False)
    monkeypatch.setattr(dist, "is_gloo_available", lambda: False)
    with pytest.raises(ConfigurationError, match="'gloo' backend"):
        join_process_group(torch.device("cpu"))


def test_rank_streams_are_reproducible_and_distinct():
    base = torch.Generator().manual_seed(11)
    streams = [rank_generator(base, Ranks(rank, 3, rank)) for rank in range(3)]
    draws = {r: torch.randint(10**9, (4,), generator=g).tolist() for r, g in enumerate(streams)}
    assert rank_generator(base, Ranks(0, 3, 0)) is base
    assert len({tuple(d) for d in draws.values()}) == 3
    again = rank_generator(torch.Generator().manual_seed(11), Ranks(2, 3, 2))
    assert torch.randint(10**9, (4,), generator=again).tolist() == draws[2]


def test_gathered_negatives_in_one_process_are_the_inner_ones():
    z, drawn = torch.randn(5, 3), torch.randn(7, 3)
    assert GatheredNegatives().select(z, drawn[:0]) == (z, True)
    negatives, exclude = GatheredNegatives(DrawnNegatives(7)).select(z, drawn)
    assert negatives is drawn and not exclude
    assert GatheredNegatives(DrawnNegatives(7)).num_drawn(5) == 7
    assert GatheredNegatives(ReferenceNegatives()).num_drawn(5) == 0


@pytest.mark.parametrize(("extra", "name"), [({"learn_temperature": True}, "learn_temperature"),
                                             ({"jacobian_regularization": 0.1},
                                              "jacobian_regularization")])
def test_distributed_refuses_what_ddp_cannot_average(extra, name, noise):
    model = identica.Embedding(distributed=True, temperature=2.0, **extra)
    with pytest.raises(ConfigurationError, match=f"'distributed' of Embedding.*{name}"):
        model.fit(noise)


def test_sessions_sharing_an_encoder_are_refused():
    network = types.SimpleNamespace(session_encoder=[0, 0])
    with pytest.raises(ConfigurationError, match=r"share one encoder \(session_encoder=\[0, 0\]"):
        _fit._data_parallel(None, network, torch.device("cpu"))


def test_one_process_is_the_ordinary_fit_bit_for_bit(no_job, track):
    params = dict(encoder="conv5", output_dimension=3, batch_size=32, max_iterations=10,
                  random_state=0, num_threads=1)
    plain = identica.Embedding(**params).fit(track.neural, track.continuous)
    one = identica.Embedding(distributed=True, **params).fit(track.neural, track.continuous)
    assert (one.transform(track.neural) == plain.transform(track.neural)).all()


def test_a_restarted_job_reads_only_its_own_attempt(monkeypatch, no_job):
    """torchrun keeps its store across restarts: keys of a killed attempt must not be read."""
    from identica.training._distributed import _attempt_store

    assert _attempt_store(0, 2) is None  # not under torchrun
    monkeypatch.setenv("TORCHELASTIC_RESTART_COUNT", "3")
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")
    monkeypatch.setenv("MASTER_PORT", "0")  # rank 0 hosts the store on a free port
    store = _attempt_store(0, 1)
    store.set("rank_1", "address")
    assert store.underlying_store.get("identica/attempt_3/rank_1") == b"address"
