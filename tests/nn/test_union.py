# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The conv stack over the union of its windows' rows equals the stack on each window."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from tests.nn.test_fused import _reference

from identica.nn import make_encoder
from identica.nn._union import WindowUnion, _transposed, conv_stack_union

STARTS = {
    "overlapping": [3, 0, 5, 5, 40, 50, 2, 48, 1, 41, 44],  # with a repeated window
    "disjoint": [0, 25, 50],
    "dense": list(range(0, 40)),
    "one": [7],
}


def _windows(recording, starts, width):
    return torch.stack([recording[s : s + width] for s in starts]).transpose(1, 2)


@pytest.mark.parametrize("starts", list(STARTS), ids=list(STARTS))
@pytest.mark.parametrize("name", ["conv5", "conv10", "conv15", "conv20"])
def test_forward_at_matches_conv1d_values_and_gradients(name, starts):
    generator = torch.Generator().manual_seed(5)
    encoder = make_encoder(name, 7, 3, hidden_units=5).double()
    width = len(encoder.receptive_field)
    recording = torch.randn(60 + width, 7, dtype=torch.float64, generator=generator)
    index = torch.tensor(STARTS[starts])
    weights = torch.randn(len(index), 3, dtype=torch.float64, generator=generator)
    got = encoder.forward_at(recording, index)
    got_grads = torch.autograd.grad((got * weights).sum(), list(encoder.parameters()))
    want = _reference(encoder, _windows(recording, index.tolist(), width))
    want_grads = torch.autograd.grad((want * weights).sum(), list(encoder.parameters()))
    torch.testing.assert_close(got, want, atol=1e-12, rtol=1e-12)
    for g, w in zip(got_grads, want_grads, strict=True):
        torch.testing.assert_close(g, w, atol=1e-12, rtol=1e-12)


@pytest.mark.parametrize("fused", [True, False])
def test_forward_at_equals_forward_on_the_gathered_windows(fused):
    generator = torch.Generator().manual_seed(0)
    encoder = make_encoder("conv10", 12, 4)
    encoder.fused = fused
    recording = torch.randn(500, 12, generator=generator)
    for starts in (torch.randint(0, 491, (300,), generator=generator),  # overlapping: union
                   torch.arange(0, 491, 40)):  # far apart: per window
        got = encoder.forward_at(recording, starts)
        want = encoder(_windows(recording, starts.tolist(), 10))
        torch.testing.assert_close(got, want, atol=1e-6, rtol=1e-5)


def test_the_union_function_accepts_starts_or_a_union():
    encoder = make_encoder("conv10", 4, 2, output_constraint="none").double()
    params = [p for conv in (encoder.first, *encoder.blocks, encoder.last)
              for p in (conv.weight, conv.bias)]
    recording = torch.randn(40, 4, dtype=torch.float64)
    starts = torch.tensor([0, 3, 4, 30])
    union = WindowUnion.for_stack(starts, 10, 2, 3)
    torch.testing.assert_close(conv_stack_union(recording, starts, 3, params),
                               conv_stack_union(recording, union, 3, params))


@pytest.mark.parametrize("seed", range(5))
def test_union_rows_and_reads_against_brute_force(seed):
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, 200, size=int(rng.integers(1, 60)))
    lengths = [10, 9, 7, 5, 3]
    union = WindowUnion(torch.from_numpy(starts), lengths)
    keys = [np.unique(np.concatenate([np.arange(s, s + n) for s in starts])) for n in lengths]
    for level, want in enumerate(keys):
        np.testing.assert_array_equal(union.rows(level).numpy(), want)
        assert union.sizes[level] == len(want)
        # every window's first row, in input order
        np.testing.assert_array_equal(union.window_positions(level).numpy(),
                                      np.searchsorted(want, starts))
    for level in range(1, len(lengths)):
        reads = union.reads(level, level - 1)
        taps = lengths[level - 1] - lengths[level] + 1  # the rows a key of this level reads
        rows = keys[level][:, None] + np.arange(taps)
        np.testing.assert_array_equal(reads[:, None] + np.arange(taps),
                                      np.searchsorted(keys[level - 1], rows))


def test_transposed_gather_undoes_the_gather():
    reads = np.array([0, 1, 4])  # keys reading positions reads + j, j < 3, of 7 rows
    values = np.arange(1, 4)[:, None] * 10 + np.arange(3)  # gradient of key p's tap j
    scattered = np.zeros((3, 7))
    for p in range(3):
        for j in range(3):
            scattered[j, reads[p] + j] += values[p, j]
    per_tap = _transposed(reads, 3, 7, per_tap=True).numpy()
    np.testing.assert_array_equal(np.append(values.reshape(-1), [0, 0, 0])[per_tap], scattered)
    # one gradient row per key, read by every tap (the first layer's taps)
    per_key = _transposed(reads, 3, 7, per_tap=False).numpy()
    scattered = np.zeros((3, 7))
    for p in range(3):
        for j in range(3):
            scattered[j, reads[p] + j] = values[p, 0]
    np.testing.assert_array_equal(np.append(values[:, 0], 0)[per_key], scattered)


def test_shares_rows_only_when_windows_overlap():
    assert WindowUnion.for_stack(torch.arange(0, 100), 10, 2, 3).shares_rows
    assert not WindowUnion.for_stack(torch.arange(0, 1000, 10), 10, 2, 3).shares_rows
