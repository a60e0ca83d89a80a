# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The compute floor: FLOPs of a conv10 step, the products a real fit runs, the timing."""

from __future__ import annotations

import doctest
from collections import Counter

import pytest
import torch
from benchmark_modules import load
from torch.utils._python_dispatch import TorchDispatchMode

import identica


@pytest.fixture(scope="module")
def floor():
    return load("_floor")


def test_doctests(floor):
    assert doctest.testmod(floor).failed == 0


def test_flops_of_the_benchmark_step(floor):
    step = floor.ConvStep(batch_size=512, n_features=120, hidden_units=32, output_dimension=8)
    w = 2 * 512  # references and positives; the negatives are the references
    first = 2 * w * 9 * (2 * 120) * 32  # 9 output rows, kernel 2
    blocks = 2 * w * (7 + 5 + 3) * (3 * 32) * 32
    last = 2 * w * 1 * (3 * 32) * 8
    flops = step.flops()
    assert flops["encoder_forward"] == first + blocks + last
    assert flops["encoder_backward"] == first + 2 * (blocks + last)
    assert flops["loss"] == 3 * 2 * 512 * 512 * 8
    assert flops["encoder"] / 1e9 == pytest.approx(0.57, abs=0.005)


def test_drawn_negatives_add_windows(floor):
    step = floor.ConvStep(batch_size=512, n_features=120, negatives="independent")
    assert step.n_windows == 3 * 512 and step.n_negatives == 512
    assert floor.ConvStep(512, 120, negatives="independent", num_negatives=64).n_windows == 1088


@pytest.mark.parametrize("batch_size", [512, 600, 4096])
def test_products_count_the_flops(floor, batch_size):
    """The fused first layer multiplies all 10 rows (one more than the 9 a conv needs)."""
    step = floor.ConvStep(batch_size=batch_size, n_features=120)
    products = step.products()
    extra_row = 2 * (2 * step.n_windows * 120 * 2 * 32)  # forward and weight gradient
    assert sum(p.flops for p in products) == step.flops()["total"] + extra_row
    loss = [p for p in products if p.name.startswith("loss")]
    assert sum(p.flops for p in loss) == step.flops()["loss"]


@pytest.mark.parametrize(("batch_size", "blocks"),
                         [(512, [(512, 1)]), (600, [(436, 1), (164, 1)]), (4096, [(64, 64)])])
def test_loss_runs_in_row_blocks(floor, batch_size, blocks):
    """Blocks of 2**18 logits: rows per block = 2**18 // negatives, the rest in one more."""
    step = floor.ConvStep(batch_size=batch_size, n_features=120)
    similarity = [(p.m, p.count) for p in step.products() if p.name == "loss similarity"]
    assert similarity == blocks


class _Products(TorchDispatchMode):
    """Records (m, k, n, A transposed, B transposed) of every matrix product."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: Counter = Counter()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func.overloadpacket.__name__
        if name in ("mm", "addmm", "addmm_"):
            a, b = args[-2:] if name != "mm" else args[:2]
            self.seen[(a.shape[0], a.shape[1], b.shape[1], _transposed(a), _transposed(b))] += 1
        return func(*args, **(kwargs or {}))


def _transposed(t: torch.Tensor) -> bool:
    return not t.is_contiguous() and t.T.is_contiguous()


@pytest.mark.parametrize(("negatives", "batch_size"),
                         [("references", 4), ("independent", 5), ("references", 600)])
def test_products_are_those_a_fit_runs(floor, negatives, batch_size):
    """One more training iteration runs exactly ``ConvStep.products()`` (600: 2 loss blocks).

    The recording is long enough for the windows not to overlap (the per-window step).
    """
    data = identica.synthetic.linear_track(n_samples=200_000, n_neurons=6, random_state=0)
    seen = []
    for iterations in (1, 2):
        model = identica.Embedding(
            encoder="conv10", output_dimension=3, hidden_units=5, batch_size=batch_size,
            negatives=negatives, max_iterations=iterations, random_state=0, device="cpu",
        )
        with _Products() as products:
            model.fit(data.neural, data.continuous)
        seen.append(products.seen)
    step = floor.ConvStep(batch_size=batch_size, n_features=6, hidden_units=5,
                          output_dimension=3, negatives=negatives)
    expected = Counter()
    for p in step.products():
        expected[(p.m, p.k, p.n, p.transpose_a, p.transpose_b)] += p.count
    assert seen[1] - seen[0] == expected


def test_measure_floor_tiny(floor):
    step = floor.ConvStep(batch_size=4, n_features=6, hidden_units=5, output_dimension=3)
    result = floor.measure_floor(step, repeats=1, min_block_s=1e-4)
    assert len(result["products"]) == len(step.products())
    assert 0 < result["floor_ms"] < result["matmul_ms"]
    assert result["floor_gflop"] == pytest.approx(step.flops()["total"] / 1e9)
    assert result["torch_threads"] == 1


def test_floor_worker_restores_threads(floor):
    before = torch.get_num_threads()
    result = floor.floor_worker({"batch_size": 4, "n_features": 6, "hidden_units": 5,
                                 "output_dimension": 3}, repeats=1)
    assert torch.get_num_threads() == before
    assert result["torch_threads"] == 1 and result["cpu_model"]
    assert {"load_before", "load_after"} <= result.keys()
