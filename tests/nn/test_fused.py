# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The fused conv stack equals plain nn.Conv1d layers, in values and in every gradient."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from identica.nn import make_encoder


def _reference(encoder, x):
    """The same network written with F.conv1d on (batch, channels, time) input."""
    h = F.gelu(F.conv1d(x, encoder.first.weight, encoder.first.bias))
    for conv in encoder.blocks:
        h = h[:, :, 1:-1] + F.gelu(F.conv1d(h, conv.weight, conv.bias))
    out = F.conv1d(h, encoder.last.weight, encoder.last.bias)[:, :, 0]
    return F.normalize(out, dim=1) if encoder.constraint.kind == "sphere" else out


@pytest.mark.parametrize("name", ["conv5", "conv10", "conv15", "conv20"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("fused", [True, False])
def test_matches_conv1d_values_and_gradients(name, dtype, fused):
    generator = torch.Generator().manual_seed(3)
    encoder = make_encoder(name, 11, 4, hidden_units=6).to(dtype)
    encoder.fused = fused
    width = len(encoder.receptive_field)
    x = torch.randn(9, 11, width, dtype=dtype, generator=generator, requires_grad=True)
    weights = torch.randn(9, 4, dtype=dtype, generator=generator)
    params = [x, *encoder.parameters()]
    got = encoder(x)
    got_grads = torch.autograd.grad((got * weights).sum(), params)
    want = _reference(encoder, x)
    want_grads = torch.autograd.grad((want * weights).sum(), params)
    tol = 1e-5 if dtype == torch.float32 else 1e-12
    torch.testing.assert_close(got, want, atol=tol, rtol=tol)
    for g, w in zip(got_grads, want_grads, strict=True):
        torch.testing.assert_close(g, w, atol=tol, rtol=tol)


def test_input_gradient_is_skipped_when_not_needed():
    encoder = make_encoder("conv10", 5, 3, hidden_units=4)
    x = torch.randn(2, 5, 10)
    encoder(x).sum().backward()
    assert x.grad is None and encoder.first.weight.grad is not None


def test_wrong_window_is_refused():
    encoder = make_encoder("conv10", 5, 3, hidden_units=4)
    with pytest.raises(ValueError, match="expects windows of 10 time steps"):
        encoder(torch.randn(2, 5, 11))


def test_stacks_run_without_onednn_and_restore_the_setting(monkeypatch):
    # GELU through oneDNN builds a kernel per new shape (every step of the union): the stacks
    # switch oneDNN off for their forward and backward, and put the setting back afterwards
    from identica.nn._fused import _native_kernels

    seen = []

    @_native_kernels
    def probe(fail: bool) -> None:
        seen.append(torch._C._get_mkldnn_enabled())
        if fail:
            raise RuntimeError("inside")

    before = torch._C._get_mkldnn_enabled()
    try:
        for setting in (True, False):
            torch._C._set_mkldnn_enabled(setting)
            probe(False)
            assert torch._C._get_mkldnn_enabled() is setting
            with pytest.raises(RuntimeError, match="inside"):
                probe(True)
            assert torch._C._get_mkldnn_enabled() is setting
        assert seen == [False] * 4
        import identica.nn._union as union

        for name in ("_gelu", "_gelu_backward"):
            kernel = getattr(union, name)

            def spy(*args, kernel=kernel, **kwargs):
                seen.append(torch._C._get_mkldnn_enabled())
                return kernel(*args, **kwargs)

            monkeypatch.setattr(union, name, spy)
        seen.clear()
        torch._C._set_mkldnn_enabled(True)
        encoder = make_encoder("conv10", 6, 3)
        x = torch.randn(40, 6)
        encoder.forward_at(x, torch.tensor([0, 3, 5, 20, 22])).sum().backward()
        assert seen == [False] * 8  # four GELUs forward, four backward
        assert torch._C._get_mkldnn_enabled() is True
    finally:
        torch._C._set_mkldnn_enabled(before)


@pytest.mark.parametrize("n", [5, 16_384, 70_001, 131_075])
def test_gelu_gives_the_same_bits_on_one_and_two_threads(n):
    from identica.nn._fused import _gelu, _gelu_backward, _native_kernels

    generator = torch.Generator().manual_seed(n)
    z, grad = torch.randn(2, n, generator=generator)

    @_native_kernels  # as inside the stacks
    def both() -> tuple[torch.Tensor, torch.Tensor]:
        return (_gelu(z, out=torch.empty_like(z)),
                _gelu_backward(grad, z, grad_input=torch.empty_like(z)))

    before = torch.get_num_threads()
    results = []
    try:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            results.append(both())
    finally:
        torch.set_num_threads(before)
    (h1, d1), (h2, d2) = results
    assert torch.equal(h1, h2) and torch.equal(d1, d2)
    assert torch.allclose(h1, F.gelu(z), atol=1e-6)
    assert torch.allclose(d1, torch.func.grad(lambda v: F.gelu(v).mul(grad).sum())(z), atol=1e-6)
