# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The CL-ICA generators: mixing, latent pairs, observed pairs (spec §9.1, §9.3, §9.4)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.special import gamma as gamma_fn
from scipy.special import ive

from identica.exceptions import ConfigurationError, DataValidationError
from identica.losses import LpSimilarity, euclidean, infonce
from identica.metrics import identifiability, mcc
from identica.synthetic import MixingMLP, PairConfig, latent_pairs, mixing_mlp, observed_pairs
from identica.synthetic._latents import _vmf


@pytest.fixture(scope="module")
def mixing():
    return mixing_mlp(5, pool=2000, random_state=3)


# -- mixing (§9.1) ------------------------------------------------------------------------------


def test_mixing_layers_are_below_the_threshold_of_their_pool(mixing):
    assert len(mixing.weights) == 3
    assert (mixing.condition_numbers <= mixing.threshold).all()
    for w in mixing.weights:  # columns of unit norm before thresholding, kept as drawn
        np.testing.assert_allclose(np.linalg.norm(w, axis=0), 1.0)


def test_threshold_is_the_ratio_quantile_of_the_pool():
    rng = np.random.default_rng(11)
    pool = rng.uniform(-1, 1, size=(500, 4, 4))
    pool /= np.linalg.norm(pool, axis=1, keepdims=True)
    expected = np.sort(np.linalg.cond(pool))[int(500 * 0.2)]
    assert mixing_mlp(4, pool=500, ratio=0.2, random_state=11).threshold == pytest.approx(expected)


def test_inverse_undoes_the_mixing(mixing):
    z = np.random.default_rng(0).uniform(-2, 2, size=(1000, 5))
    x = mixing(z)
    np.testing.assert_allclose(mixing.inverse(x), z, atol=1e-5)
    assert np.abs(x - z @ mixing.weights[0].T).max() > 0.1  # genuinely nonlinear


def test_mixing_matches_a_naive_row_by_row_forward(mixing):
    z = np.random.default_rng(1).normal(size=(7, 5))
    rows = []
    for zi in z:
        h = mixing.weights[0] @ zi
        for w in mixing.weights[1:]:
            h = w @ np.array([v if v >= 0 else 0.2 * v for v in h])
        rows.append(h)
    np.testing.assert_allclose(mixing(z), np.array(rows), atol=1e-12)


def test_same_seed_gives_the_same_mixing():
    a, b = (mixing_mlp(4, pool=300, random_state=5) for _ in range(2))
    c = mixing_mlp(4, pool=300, random_state=6)
    assert all(np.array_equal(u, v) for u, v in zip(a.weights, b.weights, strict=True))
    assert not np.array_equal(a.weights[0], c.weights[0])


def test_mixing_rejects_bad_layers_and_inputs(mixing):
    with pytest.raises(DataValidationError, match="at least one layer"):
        MixingMLP(())
    with pytest.raises(DataValidationError, match=r"square matrices .* Got shape \(2, 3\)"):
        MixingMLP([np.eye(2), np.ones((2, 3))])
    with pytest.raises(DataValidationError, match="Layer 0 is not"):
        MixingMLP([np.ones((2, 2))])
    with pytest.raises(ConfigurationError, match=r"'slope' of MixingMLP .* Got 0.0"):
        MixingMLP([np.eye(2)], slope=0.0)
    with pytest.raises(DataValidationError, match=r"'z' of MixingMLP must be 2-D with 5 columns"):
        mixing(np.zeros((3, 4)))
    with pytest.raises(ConfigurationError, match=r"'ratio' of mixing_mlp .* Got 2"):
        mixing_mlp(3, ratio=2)


# -- latent pairs (§9.4) --------------------------------------------------------------------------


@pytest.mark.parametrize("conditional,scale,std", [
    ("normal", 0.05, 0.05),
    ("laplace", 0.05, 0.05 * np.sqrt(2)),
    ("generalized-normal", 0.05, 0.05 * np.sqrt(gamma_fn(3 / 1.5) / gamma_fn(1 / 1.5))),
])
def test_box_pairs_stay_inside_and_spread_as_configured(conditional, scale, std):
    config = PairConfig(n_latents=3, conditional=conditional, scale=scale, bounds=(-1.0, 2.0))
    z, z_pos = latent_pairs(config, 60_000, random_state=0)
    assert z.min() >= -1.0 and z.max() <= 2.0 and z_pos.min() >= -1.0 and z_pos.max() <= 2.0
    assert abs(z.mean() - 0.5) < 0.02 and abs(z.var() - 9 / 12) < 0.02  # uniform marginal
    inner = (z > -0.5) & (z < 1.5)  # away from the borders, truncation is negligible
    assert np.std((z_pos - z)[inner]) == pytest.approx(std, rel=0.03)


@pytest.mark.parametrize("n,kappa", [(2, 0.5), (3, 10.0), (5, 1.0), (10, 50.0)])
def test_vmf_mean_resultant_length_is_the_bessel_ratio(n, kappa):
    config = PairConfig(n_latents=n, space="sphere", conditional="vmf", concentration=kappa)
    z, z_pos = latent_pairs(config, 100_000, random_state=1)
    np.testing.assert_allclose(np.linalg.norm(z_pos, axis=1), 1.0, atol=1e-12)
    expected = ive(n / 2, kappa) / ive(n / 2 - 1, kappa)
    assert (z * z_pos).sum(axis=1).mean() == pytest.approx(expected, abs=0.006)


def test_vmf_draws_are_centred_on_their_mean():
    """Around one fixed mean, the average draw is A_n(κ) times that mean."""
    mean = np.array([[0.6, -0.8, 0.0, 0.0]])
    draws = _vmf(np.repeat(mean, 100_000, axis=0), 3.0, np.random.default_rng(2))
    np.testing.assert_allclose(draws.mean(axis=0), ive(2, 3.0) / ive(1, 3.0) * mean[0], atol=0.006)


@pytest.mark.parametrize("conditional", ["normal", "laplace"])
def test_sphere_pairs_are_unit_and_close(conditional):
    config = PairConfig(n_latents=4, space="sphere", conditional=conditional, scale=0.05)
    z, z_pos = latent_pairs(config, 5000, random_state=3)
    np.testing.assert_allclose(np.linalg.norm(z, axis=1), 1.0)
    np.testing.assert_allclose(np.linalg.norm(z_pos, axis=1), 1.0)
    assert np.abs(z.mean(axis=0)).max() < 0.05  # uniform on the sphere
    assert 0.8 < (z * z_pos).sum(axis=1).min() and (z * z_pos).sum(axis=1).mean() > 0.99


def test_same_seed_gives_the_same_pairs():
    a = latent_pairs(PairConfig(conditional="laplace"), 50, random_state=9)
    b = latent_pairs(PairConfig(conditional="laplace"), 50, random_state=9)
    np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize("kwargs,match", [
    ({"space": "torus"}, r"'space' of PairConfig must be one of \['box', 'sphere'\]"),
    ({"conditional": "vmf"}, "conditional='vmf' of PairConfig needs space='sphere'"),
    ({"scale": 0.0}, r"'scale' of PairConfig must be a finite number in \(0.0, inf\]"),
    ({"space": "sphere", "n_latents": 1}, r"'n_latents' of PairConfig must be an int in \[2"),
    ({"bounds": (1.0,)}, r"'bounds' of PairConfig must be a pair \(low, high\)"),
    ({"bounds": (1.0, 0.0)}, r"'bounds\[1\]' of PairConfig .* Got 0.0"),
])
def test_pair_config_rejects_bad_values(kwargs, match):
    with pytest.raises(ConfigurationError, match=match):
        PairConfig(**kwargs)


def test_latent_pairs_needs_a_config():
    with pytest.raises(ConfigurationError, match="'config' of latent_pairs must be a PairConfig"):
        latent_pairs({"space": "box"}, 3)


# -- observed pairs and the inverse as encoder (§9.3) ---------------------------------------------


def test_observed_pairs_interleave_pairs_in_two_row_trials(mixing):
    config = PairConfig(conditional="laplace")
    rec = observed_pairs(config, 300, mixing=mixing, random_state=4)
    z, z_pos = latent_pairs(config, 300, random_state=4)
    np.testing.assert_array_equal(rec.truth["latents"][0::2], z)
    np.testing.assert_array_equal(rec.truth["latents"][1::2], z_pos)
    np.testing.assert_array_equal(rec.trial_starts, np.arange(0, 600, 2))
    assert rec.neural.dtype == np.float32


def test_observed_pairs_rejects_a_mismatched_mixing(mixing):
    with pytest.raises(ConfigurationError, match="Got a MixingMLP of 5 dimensions"):
        observed_pairs(PairConfig(n_latents=3), 10, mixing=mixing)
    with pytest.raises(ConfigurationError, match="Got ndarray"):
        observed_pairs(PairConfig(), 10, mixing=np.eye(5))


@pytest.mark.parametrize("conditional,similarity", [("laplace", LpSimilarity(1)),
                                                    ("normal", euclidean)])
def test_the_inverse_as_encoder_is_identifiable_and_beats_a_random_encoder(
        mixing, conditional, similarity):
    rec = observed_pairs(PairConfig(conditional=conditional), 512, mixing=mixing, random_state=5)
    recovered = mixing.inverse(rec.neural)
    latents = rec.truth["latents"]
    assert identifiability(latents, recovered) == pytest.approx(1.0, abs=1e-6)
    assert mcc(latents, recovered) == pytest.approx(1.0, abs=1e-6)

    def loss(h: np.ndarray) -> float:
        h = torch.from_numpy(h)
        ref, pos = h[0::2], h[1::2]
        return float(infonce(ref, pos, ref, similarity=similarity, denominator="full",
                             exclude_self=True).total)

    # The matched temperature: the encoder scaled so that the similarity is the log-density.
    scale = 1.0 / (0.05 if conditional == "laplace" else 0.05 * np.sqrt(2.0))
    random = torch.nn.Sequential(torch.nn.Linear(5, 64), torch.nn.LeakyReLU(),
                                 torch.nn.Linear(64, 5)).double()
    torch.nn.init.normal_(random[0].weight, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        random_h = random(torch.from_numpy(rec.neural.astype(np.float64))).numpy()
    random_h *= scale * recovered.std() / random_h.std()  # same spread as the inverse
    assert loss(scale * recovered) < loss(random_h) - 1.0
