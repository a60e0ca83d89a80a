# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of the encoders: spec §3 parameter counts and fields, a plain Conv1d reference, init."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from identica.data import Offset
from identica.exceptions import ConfigurationError
from identica.nn import (
    ENCODERS,
    AbstractEncoder,
    ConvEncoder,
    MLPEncoder,
    make_encoder,
    reset_parameters,
)

# Spec §3 table at N = 120, H = 32, d = 8: (receptive field, parameter count).
TABLE = {
    "mlp": (Offset(0, 1), 5_592),
    "conv5": (Offset(2, 3), 11_336),
    "conv10": (Offset(5, 5), 17_800),
    "conv15": (Offset(7, 8), 26_856),
    "conv20": (Offset(10, 10), 33_320),
    "conv36": (Offset(18, 18), 58_152),
    "conv50": (Offset(25, 25), 79_880),
}
CONVS = [name for name in TABLE if name != "mlp"]


@pytest.fixture
def generator() -> torch.Generator:
    return torch.Generator().manual_seed(99)


def n_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_registry_lists_the_spec_names() -> None:
    assert set(ENCODERS) == set(TABLE) | {"mlp-clip", "mlp-scaled"}


def test_scaled_mlp_is_the_dcl_encoder_without_a_clip() -> None:
    # specs/dcl.md §3: D -> 30d -> 30d -> 10d -> d with GELU, no output normalisation
    encoder = make_encoder("mlp-scaled", 50, 6, output_constraint="none")
    widths = [layer.out_features for layer in encoder.net if isinstance(layer, nn.Linear)]
    assert widths == [180, 180, 60, 6] and encoder.receptive_field == Offset(0, 1)
    assert n_parameters(encoder) == n_parameters(make_encoder("mlp-clip", 50, 6))
    out = encoder(torch.full((3, 50, 1), 1e3))
    assert out.abs().max() > 5.0  # neither clipped nor normalised


def test_clipped_mlp_matches_the_xcebra_benchmark_network() -> None:
    # spec xcebra §2: D = 50, C = 6 gives 52,986 parameters; output clipped to [-5, 5]
    encoder = make_encoder("mlp-clip", 50, 6)
    assert n_parameters(encoder) == 52_986 and encoder.receptive_field == Offset(0, 1)
    out = encoder(torch.full((3, 50, 1), 1e3))
    assert out.abs().max() <= 5.0 and not torch.allclose(out.norm(dim=1), torch.ones(3))


@pytest.mark.parametrize("name", list(TABLE))
def test_parameter_count_matches_spec_table(name) -> None:
    encoder = make_encoder(name, 120, 8, hidden_units=32)
    assert n_parameters(encoder) == TABLE[name][1]


@pytest.mark.parametrize("name", list(TABLE))
def test_receptive_field_and_attributes(name) -> None:
    encoder = make_encoder(name, 120, 8, hidden_units=32)
    assert isinstance(encoder, AbstractEncoder)
    assert encoder.receptive_field == TABLE[name][0]
    assert encoder.n_features_in == 120
    assert encoder.output_dimension == 8
    if name != "mlp":  # the number in the name is the receptive field
        assert len(encoder.receptive_field) == int(name[4:])


@pytest.mark.parametrize(("n_blocks", "last_kernel"), [(0, 1), (1, 2), (2, 4), (3, 3)])
def test_conv_field_formula(n_blocks, last_kernel) -> None:
    encoder = ConvEncoder(7, 3, hidden_units=6, n_blocks=n_blocks, last_kernel=last_kernel)
    field = 2 + 2 * n_blocks + last_kernel - 1
    assert len(encoder.receptive_field) == field
    assert encoder.receptive_field.left == field // 2
    # Parameters: first conv, blocks, last conv.
    expected = (7 * 6 * 2 + 6) + n_blocks * (6 * 6 * 3 + 6) + (6 * 3 * last_kernel + 3)
    assert n_parameters(encoder) == expected


def reference_conv_forward(encoder: ConvEncoder, x: torch.Tensor, normalize: bool) -> torch.Tensor:
    """The spec §3 architecture built from plain nn.Conv1d layers holding copied weights."""

    def copy(conv: nn.Conv1d) -> nn.Conv1d:
        plain = nn.Conv1d(conv.in_channels, conv.out_channels, conv.kernel_size[0]).double()
        plain.load_state_dict({k: v.double() for k, v in conv.state_dict().items()})
        return plain

    with torch.no_grad():
        h = F.gelu(copy(encoder.first)(x.double()))
        for block in encoder.blocks:
            h = h[:, :, 1:-1] + F.gelu(copy(block)(h))
        out = copy(encoder.last)(h)
        assert out.shape[2] == 1
        out = out[:, :, 0]
        if normalize:
            out = out / out.norm(dim=1, keepdim=True)
    return out


@pytest.mark.parametrize("normalize", [True, False])
@pytest.mark.parametrize("name", CONVS)
def test_conv_forward_matches_plain_conv1d_reference(name, normalize, generator) -> None:
    encoder = make_encoder(name, 12, 5, hidden_units=16,
                           output_constraint="sphere" if normalize else "none")
    reset_parameters(encoder, generator=generator)
    window = len(encoder.receptive_field)
    x = torch.randn(9, 12, window, generator=generator)
    got = encoder(x)
    assert got.shape == (9, 5) and got.dtype == torch.float32
    expected = reference_conv_forward(encoder, x, normalize)
    torch.testing.assert_close(got.double(), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", CONVS)
def test_conv_forward_accepts_a_transposed_channels_last_view(name, generator) -> None:
    """WindowGatherer hands the encoder a transposed view; the result must not depend on it."""
    encoder = make_encoder(name, 6, 4, hidden_units=8)
    window = len(encoder.receptive_field)
    block = torch.randn(5, window, 6, generator=generator)
    view = block.transpose(1, 2)
    assert not view.is_contiguous()
    torch.testing.assert_close(encoder(view), encoder(view.contiguous()))


def test_conv_output_depends_on_whole_window_only(generator) -> None:
    """Every time step of the window influences the output (the field is not too large)."""
    encoder = make_encoder("conv10", 4, 3, hidden_units=8, output_constraint="none")
    x = torch.randn(1, 4, 10, generator=generator, requires_grad=True)
    encoder(x).sum().backward()
    assert (x.grad.abs().sum(dim=1) > 0).all()


@pytest.mark.parametrize("window", [9, 11])
def test_conv_rejects_wrong_window_length(window) -> None:
    encoder = make_encoder("conv10", 4, 3)
    with pytest.raises(ValueError, match=rf"windows of 10 time steps.*\(2, 4, {window}\)"):
        encoder(torch.zeros(2, 4, window))


def test_mlp_forward_matches_plain_layers(generator) -> None:
    encoder = MLPEncoder(10, 3, hidden_units=8, output_constraint="none")
    reset_parameters(encoder, generator=generator)
    x = torch.randn(6, 10, 1, generator=generator)
    linears = [m for m in encoder.modules() if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == [(10, 8), (8, 8), (8, 4), (4, 3)]
    h = x[:, :, 0]
    for i, layer in enumerate(linears):
        h = h @ layer.weight.T + layer.bias
        if i < 3:
            h = F.gelu(h)
    torch.testing.assert_close(encoder(x), h)


@pytest.mark.parametrize("name", list(TABLE))
def test_normalisation_on_and_off(name, generator) -> None:
    on = make_encoder(name, 6, 4, hidden_units=8, output_constraint="sphere")
    off = make_encoder(name, 6, 4, hidden_units=8, output_constraint="none")
    off.load_state_dict(on.state_dict())
    x = torch.randn(7, 6, len(on.receptive_field), generator=generator) * 10
    out_on, out_off = on(x), off(x)
    torch.testing.assert_close(out_on.norm(dim=1), torch.ones(7))
    assert not torch.allclose(out_off.norm(dim=1), torch.ones(7), atol=1e-2)
    torch.testing.assert_close(out_on, out_off / out_off.norm(dim=1, keepdim=True))


@pytest.mark.parametrize("name", list(TABLE))
def test_reset_parameters_is_deterministic_and_redraws_everything(name) -> None:
    # Built one after the other, the two start from different default inits.
    a = make_encoder(name, 9, 4, hidden_units=8)
    b = make_encoder(name, 9, 4, hidden_units=8)
    assert not torch.equal(next(a.parameters()), next(b.parameters()))
    reset_parameters(a, generator=torch.Generator().manual_seed(5))
    assert reset_parameters(b, generator=torch.Generator().manual_seed(5)) is b
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    reset_parameters(b, generator=torch.Generator().manual_seed(6))
    assert not torch.equal(next(a.parameters()), next(b.parameters()))


def test_reset_parameters_bounds_and_global_state(generator) -> None:
    encoder = make_encoder("conv10", 40, 4, hidden_units=32)
    state = torch.get_rng_state()
    reset_parameters(encoder, generator=generator)
    assert torch.equal(torch.get_rng_state(), state)
    layers = [m for m in encoder.modules() if isinstance(m, nn.Linear | nn.Conv1d)]
    assert len(layers) == 1 + 3 + 1
    for layer in layers:
        bound = 1.0 / math.sqrt(layer.weight[0].numel())  # fan_in = in_channels * kernel
        for param in (layer.weight, layer.bias):
            assert param.abs().max() <= bound
            if param.numel() >= 100:  # uniform over the whole interval, not a narrower one
                assert param.abs().max() > 0.9 * bound
                assert abs(float(param.detach().mean())) < 0.2 * bound


@pytest.mark.parametrize(("name", "suggestion"), [("cnv36", "conv36"), ("mpl", "mlp"),
                                                  ("conv100", "conv10")])
def test_unknown_name_lists_options_and_suggests_closest(name, suggestion) -> None:
    with pytest.raises(ConfigurationError, match=rf"Did you mean '{suggestion}'\?") as info:
        make_encoder(name, 10, 3)
    message = str(info.value)
    assert repr(name) in message
    for option in TABLE:
        assert repr(option) in message


def test_unknown_name_without_close_match_and_non_string() -> None:
    options = r"must be one of \['mlp', 'mlp-clip', 'conv5'"
    with pytest.raises(ConfigurationError, match=options) as info:
        make_encoder("transformer", 10, 3)
    assert "Did you mean" not in str(info.value)
    with pytest.raises(ConfigurationError, match="Got 10"):
        make_encoder(10, 10, 3)


def test_an_encoder_without_a_double_backward_says_so():
    import torch

    from identica.data import Offset
    from identica.exceptions import ConfigurationError
    from identica.nn import AbstractEncoder

    class FusedOnly(AbstractEncoder):
        receptive_field, n_features_in, output_dimension = Offset(0, 1), 2, 2
        input_layer_name = "layer"
        supports_double_backward = False

        def __init__(self):
            super().__init__()
            self.layer = torch.nn.Linear(2, 2)

        def forward(self, x):
            return self.layer(x[:, :, 0])

    encoder = FusedOnly()
    encoder.set_double_backward(False)  # fast path requested: nothing to do
    with pytest.raises(ConfigurationError, match="FusedOnly has no forward pass with a double"):
        encoder.set_double_backward(True)
