# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Two gloo processes: gathered negatives equal one process on the concatenated batch, and a
data-parallel fit reaches the quality of a single-process fit."""

from __future__ import annotations

import textwrap

import numpy as np
import torch
from _ranks import require_gloo, run_ranks

import identica
from identica.data import Offset, WindowGatherer
from identica.decoders import KNNDecoder
from identica.losses import InfoNCE
from identica.nn import make_encoder, reset_parameters
from identica.sampling import BatchIndex
from identica.training import ContrastiveObjective, ReferenceNegatives, SessionEncoders

N_PER_RANK, WORLD = 24, 2
FIT = dict(encoder="conv5", output_dimension=4, batch_size=64, max_iterations=250,
           learning_rate=3e-3, num_threads=1, random_state=3)


def _problem():
    """A recording, an encoder with seeded weights, and a batch of WORLD * N_PER_RANK pairs."""
    rng = np.random.default_rng(0)
    X = torch.from_numpy(rng.normal(size=(300, 6)).astype(np.float32))
    encoder = make_encoder("conv5", 6, 3)
    reset_parameters(encoder, generator=torch.Generator().manual_seed(1))
    reference = torch.from_numpy(rng.integers(2, 297, size=WORLD * N_PER_RANK))
    positive = torch.from_numpy(rng.integers(2, 297, size=WORLD * N_PER_RANK))
    return X, encoder, reference, positive


WORKER = textwrap.dedent("""
    import sys
    import numpy as np, torch
    import identica
    from identica.sampling import BatchIndex
    from identica.training import (ContrastiveObjective, GatheredNegatives, SessionEncoders,
                                   join_process_group)
    from identica.training._distributed import average
    from identica.data import Offset, WindowGatherer
    from identica.losses import InfoNCE
    from test_data_parallel import _problem, N_PER_RANK, FIT

    torch.set_num_threads(1)
    out = sys.argv[1]
    ranks, device = join_process_group(torch.device("cpu"))
    X, encoder, reference, positive = _problem()
    ddp = torch.nn.parallel.DistributedDataParallel(encoder)
    embed = SessionEncoders([ddp], [WindowGatherer(X, encoder.receptive_field)], [0])
    objective = ContrastiveObjective(InfoNCE(), negatives=GatheredNegatives())
    mine = slice(ranks.rank * N_PER_RANK, (ranks.rank + 1) * N_PER_RANK)
    batch = BatchIndex(reference[mine], positive[mine], torch.zeros(0, dtype=torch.int64))
    parts = objective(batch, embed, step=0, generator=torch.Generator())
    parts.total.backward()
    loss = average(torch.stack(list(parts)))
    grads = [p.grad.numpy() for p in encoder.parameters()]

    data = identica.synthetic.linear_track(n_samples=2000, n_neurons=30, random_state=5)
    model = identica.Embedding(distributed=True, **FIT).fit(data.neural, data.continuous)
    if ranks.is_main:
        np.savez(out, loss=loss.numpy(), embedding=model.transform(data.neural),
                 history=model.loss_history_, n_iter=model.n_iter_,
                 **{f"grad{i}": g for i, g in enumerate(grads)})
    torch.distributed.destroy_process_group()
""")


def _decoding(embedding: np.ndarray, position: np.ndarray) -> float:
    half = len(embedding) // 2
    decoder = KNNDecoder(n_neighbors=16, metric="cosine").fit(embedding[:half], position[:half])
    return decoder.score(embedding[half:], position[half:])


def test_two_processes_match_one_and_reach_its_quality(tmp_path):
    require_gloo()
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    out = tmp_path / "rank0.npz"
    run_ranks(script, WORLD, str(out), timeout=120)
    got = np.load(out)

    # one process on the concatenated batch: the other references are the negatives
    X, encoder, reference, positive = _problem()
    embed = SessionEncoders([encoder], [WindowGatherer(X, encoder.receptive_field)], [0])
    objective = ContrastiveObjective(InfoNCE(), negatives=ReferenceNegatives())
    parts = objective(BatchIndex(reference, positive, torch.zeros(0, dtype=torch.int64)),
                      embed, step=0, generator=torch.Generator())
    parts.total.backward()
    np.testing.assert_allclose(got["loss"], torch.stack(list(parts)).detach().numpy(),
                               rtol=1e-5, atol=1e-6)
    for i, p in enumerate(encoder.parameters()):
        np.testing.assert_allclose(got[f"grad{i}"], p.grad.numpy(), rtol=1e-4, atol=1e-6)

    data = identica.synthetic.linear_track(n_samples=2000, n_neurons=30, random_state=5)
    single = identica.Embedding(**FIT).fit(data.neural, data.continuous)
    assert int(got["n_iter"]) == FIT["max_iterations"] == len(got["history"])
    position = data.continuous[:, 0]
    one, two = _decoding(single.transform(data.neural), position), _decoding(
        got["embedding"], position)
    assert one > 0.5, one  # the single-process fit learned the track
    assert two > one - 0.1, (one, two)


def test_wrong_offset_is_caught_by_the_reference():
    """The reference comparison can fail: a batch shifted by one row gives another loss."""
    X, encoder, reference, positive = _problem()
    embed = SessionEncoders([encoder], [WindowGatherer(X, Offset(2, 3))], [0])
    objective = ContrastiveObjective(InfoNCE(), negatives=ReferenceNegatives())
    empty = torch.zeros(0, dtype=torch.int64)
    a = objective(BatchIndex(reference, positive, empty), embed, step=0,
                  generator=torch.Generator()).total
    b = objective(BatchIndex(reference + 1, positive, empty), embed, step=0,
                  generator=torch.Generator()).total
    assert not torch.allclose(a, b)
