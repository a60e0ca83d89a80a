# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""quality_report end to end on the synthetic track, with tiny fits."""

from __future__ import annotations

import json

import numpy as np
import pytest

import identica
from identica.exceptions import ConfigurationError, DataValidationError
from identica.report import QualityReport, quality_report


@pytest.fixture(scope="module")
def shuffled_report(track, small_config) -> QualityReport:
    order = np.random.default_rng(5).permutation(track.n_samples)
    return quality_report(small_config(), track.neural[order], track.continuous[:, 0], seeds=(0, 1),
                          noise=None, drift=None, reference=None)


def test_the_controls_separate_from_the_real_fit(report):
    rows = {row["control"]: row for row in report.controls["Embedding"]}
    assert set(rows) == {"real fit", "shuffled labels", "time-shifted labels",
                         "time-shuffled neural data"}
    real = rows["real fit"]["decoding_knn"]
    assert real > 0.3
    for name, row in rows.items():
        if name != "real fit":
            assert row["decoding_knn"] < 0.1 and row["gap"] > 0.25, name
    assert report.verdicts["Embedding"].startswith(
        "the label explains the embedding beyond what the controls give")


def test_time_shuffled_neural_data_is_not_explained_by_the_label(shuffled_report):
    assert shuffled_report.verdicts["Embedding"].startswith(
        "the label does not explain the embedding beyond what the controls give")


def test_values_spreads_and_anchors(report):
    summary = report.summary("Embedding", "decoding_knn")
    assert summary["n"] == 2 and summary["min"] <= summary["mean"] <= summary["max"]
    values = report.values["Embedding"]["decoding_knn"]
    assert summary["sd"] == pytest.approx(np.std(values))
    anchors = report.anchors["Embedding"]["decoding_knn"]
    assert anchors["reference"] > 0.9  # kNN on the true position
    expected = (np.mean(values) - anchors["trivial"]) / (anchors["reference"] - anchors["trivial"])
    assert report.scores["Embedding"]["decoding_knn"] == pytest.approx(expected)
    assert report.anchors["Embedding"]["consistency"] == {"trivial": 0.0, "reference": 1.0}
    assert report.scores["Embedding"]["smoothness"] is not None
    assert report.anchors["Embedding"]["smoothness"]["reference"] == pytest.approx(0.0)


def test_measures_without_a_reference_value_are_excluded_and_listed(report):
    assert report.scores["Embedding"]["parameters"] is None
    assert "no reference value" in report.excluded["parameters"]
    assert report.missing_groups["Cost"].startswith("the reference is the ground truth")
    group = [k for k, m in ((m.key, m) for m in identica.report.MEASURES) if m.group == "Cost"]
    assert all(report.scores["Embedding"].get(k) is None for k in group)


def test_identity_perturbation_is_not_discriminative(track, small_config):
    result = quality_report(small_config(max_iterations=20), track.neural, track.continuous[:, 0],
                            seeds=(0,), truth=track.truth["position"], controls=False,
                            noise={"identity": lambda X: X}, drift=None,
                            attribution_truth=np.eye(3, 40, dtype=bool))
    assert result.values["Embedding"]["noise"] == [1.0]
    (auc,) = result.values["Embedding"]["attribution_auc"]
    assert 0.0 <= auc <= 1.0
    assert result.anchors["Embedding"]["attribution_auc"] == {"trivial": 0.5, "reference": 1.0}
    assert result.scores["Embedding"]["attribution_auc"] == pytest.approx((auc - 0.5) / 0.5)
    assert result.scores["Embedding"]["noise"] is None
    assert result.excluded["noise"].startswith("not discriminative")
    assert result.group_scores["Embedding"]["Robustness"] is None
    assert "Robustness" in result.missing_groups


def test_group_and_overall_scores_follow_the_measures(report):
    scores, groups = report.scores["Embedding"], report.group_scores["Embedding"]
    task = [scores[k] for k in ("decoding_knn", "decoding_linear", "goodness_of_fit")]
    assert groups["Task"] == pytest.approx(np.mean(task))
    present = [g for g, s in groups.items() if s is not None]
    assert report.overall["Embedding"] == pytest.approx(np.mean([groups[g] for g in present]))


def test_dict_markdown_and_html(report, tmp_path):
    data = report.to_dict()
    json.dumps(data)
    assert data["summaries"]["Embedding"]["decoding_knn"]["n"] == 2
    text = report.to_markdown()
    assert "| Embedding | Task | decoding, kNN" in text and "shuffled labels" in text
    path = tmp_path / "report.html"
    report.to_html(path)
    html = path.read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 5
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html and "<link" not in html
    assert report.config["protocol"]["gap"] == 2  # mlp: receptive field 1 + time_offset 1


def test_several_models_get_flags_and_rank_correlations(track, small_config):
    models = {"small": small_config(max_iterations=5), "large": small_config(max_iterations=100),
              "wide": small_config(max_iterations=60, output_dimension=6)}
    result = quality_report(models, track.neural, track.continuous[:, 0], seeds=(0,),
                            truth=track.truth["position"], controls=False, noise=None,
                            drift=None)
    assert result.models == ["small", "large", "wide"]
    assert result.rank_correlation is not None and "3 models" in result.rank_correlation["over"]
    matrix = np.asarray(result.rank_correlation["matrix"])
    np.testing.assert_allclose(matrix, matrix.T)
    np.testing.assert_allclose(np.diag(matrix), 1.0)
    assert all(" against " in f and " up " in f and " down " in f for f in result.flags)


def test_fitted_models_and_previous(track, small_config):
    fitted = [small_config(max_iterations=20, random_state=s).fit(track.neural, track.continuous)
              for s in (0, 1)]
    result = quality_report({"given": fitted}, track.neural, track.continuous[:, 0],
                            controls=False, noise=None, drift=None, reference=None,
                            previous=fitted[0])
    assert result.summary("given", "decoding_knn")["n"] == 2
    assert len(result.values["given"]["update_compatibility"]) == 2
    assert result.values["given"]["negative_flip_rate"][0] == 0.0  # the previous model itself
    assert result.anchor_names["reference"].startswith("none")


def test_errors_name_the_argument(track, small_config):
    X, y = track.neural, track.continuous[:, 0]
    with pytest.raises(ConfigurationError, match="'reference' of quality_report"):
        quality_report(small_config(), X, y, reference="cebra")
    with pytest.raises(DataValidationError, match="y of quality_report must have one row"):
        quality_report(small_config(), X, y[:10])
    with pytest.raises(ConfigurationError, match="'seeds' of quality_report"):
        quality_report(small_config(), X, y, seeds=[])
    with pytest.raises(ConfigurationError, match="must be an estimator with fit and transform"):
        quality_report(["not a model"], X, y)
    with pytest.raises(ConfigurationError, match="'noise' of quality_report"):
        quality_report(small_config(), X, y, noise="loud")


def test_fits_in_worker_processes_give_the_same_report(track, small_config):
    kwargs = {"seeds": (0, 1), "controls": False, "noise": None, "drift": None,
              "reference": None}
    X, y = track.neural[:1000], track.continuous[:1000, 0]
    one = quality_report(small_config(max_iterations=10), X, y, **kwargs)
    two = quality_report(small_config(max_iterations=10), X, y, n_jobs=2, **kwargs)
    for key in ("decoding_knn", "consistency", "goodness_of_fit"):
        assert one.values["Embedding"][key] == two.values["Embedding"][key]


def test_discrete_labels_and_no_labels(track, small_config):
    X, direction = track.neural[:1200], track.truth["direction"][:1200]
    kwargs = {"seeds": (0, 1), "noise": None, "drift": None, "reference": None}
    discrete = quality_report(small_config(max_iterations=30), X, direction,
                              control_seeds=(0,), **kwargs)
    values = discrete.values["Embedding"]
    assert 0.0 <= values["calibration"][0] <= 1.0  # ECE
    assert 0.0 <= values["calibration_secondary"][0] <= 1.0  # adaptive ECE
    assert 0.0 <= values["decoding_knn"][0] <= 1.0  # balanced accuracy
    assert "chance 0.500" in discrete.verdicts["Embedding"]
    unlabelled = quality_report(small_config(max_iterations=30), X, None, **kwargs)
    assert "decoding_knn" not in unlabelled.measures
    assert unlabelled.values["Embedding"]["consistency"]
    assert unlabelled.verdicts["Embedding"] == "controls not run: they need a label y."
    # without labels the Task group is the goodness of fit (time contrast) alone
    task = unlabelled.group_scores["Embedding"]["Task"]
    assert task is not None and task == unlabelled.scores["Embedding"]["goodness_of_fit"]
