# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""quality_report: fit, measure, anchor, combine and control, in one call."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from identica._checks import check_float, check_int
from identica.exceptions import ConfigurationError, DataValidationError
from identica.metrics import block_split, perturbation_names
from identica.report._controls import control_data, control_rows, in_sample_decoding, verdict
from identica.report._evaluate import Protocol, fit_measures, seed_measures
from identica.report._fits import (
    Fit,
    Fitter,
    candidates,
    gap_for,
    given_fits,
    pca_fit,
)
from identica.report._measures import GROUPS, MEASURES
from identica.report._perturbations import channel_perturbations, noise_perturbations
from identica.report._reference import reference_candidate, reference_values
from identica.report._report import QualityReport
from identica.report._score import anchor_score, combine, tradeoff_flags
from identica.report._tables import (
    PER_FIT,
    anchors_for,
    correlations,
    excluded,
    missing_groups,
    pair,
    params,
    versions,
)

__all__ = ["quality_report"]

_OWNER = "quality_report"

def _array(value: Any, name: str, n: int | None = None) -> np.ndarray:
    array = np.asarray(value)
    if array.dtype.kind not in "biuf":
        raise DataValidationError(f"{name} of {_OWNER} must be numeric. Got dtype {array.dtype}.")
    if n is not None and len(array) != n:
        raise DataValidationError(
            f"{name} of {_OWNER} must have one row per row of X ({n}). Got {len(array)}."
        )
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        first = int(np.flatnonzero(~np.isfinite(array.reshape(len(array), -1)).any(axis=1))[0])
        raise DataValidationError(f"{name} of {_OWNER} has NaN or inf; first in row {first}.")
    return array


def _perturbations(value: Any, default: Callable[..., dict[str, Any]], random_state: int,
                   name: str) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    if isinstance(value, str) and value == "default":
        return default(random_state=random_state)
    if value is None:
        return {}
    if isinstance(value, str):
        raise ConfigurationError(
            f"{name!r} of {_OWNER} must be 'default', None, or perturbations (a mapping of "
            f"name -> callable(X) -> X, or a sequence of callables). Got {value!r}."
        )
    return perturbation_names(value)


def quality_report(
    models_or_configs: Any,
    X: Any,
    y: Any = None,
    *,
    names: Sequence[str] | None = None,
    truth: Any = None,
    attribution_truth: Any = None,
    seeds: Sequence[int] = (0, 1, 2),
    reference: Any = "auto",
    controls: bool = True,
    control_seeds: Sequence[int] | None = None,
    previous: Any = None,
    noise: Any = "default",
    drift: Any = "default",
    adaptation: Callable[[Any, np.ndarray], Any] | None = None,
    weights: Mapping[str, float] | None = None,
    test_fraction: float = 0.2,
    gap: int | None = None,
    n_neighbors: int = 36,
    gof_batches: int = 50,
    control_margin: float = 0.1,
    random_state: int = 0,
    n_jobs: int = 1,
    verbose: bool = False,
) -> QualityReport:
    """How far to trust an embedding: measures beyond accuracy, anchored scores and controls.

    Protocol: the recording is split into training rows and a held-out time block at its end,
    separated by a gap of at least the receptive field plus the largest ``time_offset``
    (:func:`identica.metrics.block_split`). Every configuration is fitted once per seed on the
    training rows; fitted models are used as given (their seeds are the list given). Every
    measure (:data:`MEASURES`) is computed per seed and reported as mean, sd and min–max;
    consistency and update compatibility are computed over pairs of seeds.

    Scores: ``s = (m - m_trivial) / (m_reference - m_trivial)``, with the trivial anchor a PCA
    to the same dimension fitted on the training rows, and the reference the ground truth
    (``truth``), else ``reference`` (a configuration fitted with the same seeds; by default
    :data:`REFERENCE_CONFIG`, the demo configuration). Some measures have fixed anchors (see
    :data:`MEASURES`). A measure whose anchors coincide (within numerical tolerance, or closer
    than the seeds' sd of the measure) is not discriminative: it is left out of the combination
    and listed. Groups average their measures; the overall score averages
    the groups (``weights``), renormalised over the groups present.

    Controls (``controls=True``, needs ``y``): the same configuration fitted on shuffled
    labels, on labels shifted in time by half the recording (circular), and on the neural data
    shuffled in time; each is scored on the label it was trained with, and the verdict says
    whether the real fit beats every control by more than ``control_margin`` (and 3 seed sds).

    Parameters
    ----------
    models_or_configs : estimator, list of estimators, or dict of name -> estimator(s)
        Unfitted estimators (``identica.Embedding`` or anything with ``fit``/``transform``
        and ``random_state``) are fitted per seed; fitted ones are evaluated as they are (a
        list under one name: the seeds of one model).
    X : array-like of shape (n_samples, n_features)
        One recording.
    y : array-like of shape (n_samples,) or (n_samples, n_labels), optional
        Labels: float (continuous) or 1-D integer (discrete). Calibration and balance use
        the first column.
    names : sequence of str, optional
        Model names for a list of models.
    truth : array-like of shape (n_samples, n_latents), optional
        True latents of a synthetic recording: the reference anchor, identifiability and the
        target of smoothness.
    attribution_truth : array-like of bool, shape (output_dimension, n_features), optional
        The true attribution map: adds the attribution ROC-AUC.
    seeds : sequence of int, default=(0, 1, 2)
    reference : "auto", "truth", estimator or None, default="auto"
        ``"auto"``: the ground truth when given, else :data:`REFERENCE_CONFIG`. An estimator
        (e.g. ``identica.compat.CEBRA(...)`` or ``cebra.CEBRA(...)``) is fitted per seed.
    controls : bool, default=True
    control_seeds : sequence of int, optional
        Seeds of the control fits; default the first of ``seeds``.
    previous : fitted estimator, optional
        The previous model version: update compatibility against it instead of between
        consecutive seeds.
    noise, drift : "default", None, mapping or sequence of callables
        Perturbations ``X -> X'``: noise (default :func:`noise_perturbations`) and drift
        (default :func:`channel_perturbations`; pass drift operators here).
    adaptation : callable(model, X) -> fitted model, optional
        Adapts a fitted model to perturbed data; gives the adapted drift robustness.
    weights : mapping of group -> float, optional
    test_fraction : float, default=0.2
    gap : int, optional
        Rows between training rows and the test block; default from the models.
    n_neighbors : int, default=36
    gof_batches : int, default=50
        Batches of the held-out goodness of fit.
    control_margin : float, default=0.1
    random_state : int, default=0
        Seeds the perturbations, the controls' shuffles and the goodness-of-fit batches.
    n_jobs : int, default=1
        Processes that run the fits (seeds, reference, controls); with more than one, each
        worker uses one torch thread. The results do not depend on it.
    verbose : bool, default=False
        Print each fit as it starts.

    Returns
    -------
    QualityReport

    Raises
    ------
    ConfigurationError
        If an argument is not allowed.
    DataValidationError
        If the data, labels or truth are malformed or too short.

    Examples
    --------
    >>> import identica
    >>> from identica.report import quality_report
    >>> rec = identica.synthetic.linear_track(n_samples=1500, n_neurons=20)
    >>> config = identica.Embedding(encoder="mlp", output_dimension=3, batch_size=64,
    ...                             max_iterations=20, time_offset=1)
    >>> report = quality_report(config, rec.neural, rec.continuous[:, 0], seeds=(0, 1),
    ...                         truth=rec.truth["position"], controls=False)
    >>> report.models, sorted(report.group_scores["Embedding"])[:3]
    (['Embedding'], ['Cost', 'Form', 'Reliability'])
    """
    X = _array(X, "X").astype(np.float32)
    if X.ndim != 2:
        raise DataValidationError(
            f"X of {_OWNER} must be one recording of shape (n_samples, n_features). Got shape "
            f"{X.shape}."
        )
    n = len(X)
    y = None if y is None else _array(y, "y", n)
    if truth is not None:
        truth = _array(truth, "truth", n).astype(np.float64).reshape(n, -1)
    if attribution_truth is not None:
        attribution_truth = np.asarray(attribution_truth, dtype=bool)
    seeds = [check_int(s, name="seeds", owner=_OWNER, low=0) for s in seeds]
    if not seeds:
        raise ConfigurationError(f"'seeds' of {_OWNER} must hold at least one seed. Got [].")
    control_seeds = seeds[:1] if control_seeds is None else [
        check_int(s, name="control_seeds", owner=_OWNER, low=0) for s in control_seeds]
    control_margin = check_float(control_margin, name="control_margin", owner=_OWNER,
                                 low=0.0, low_inclusive=True)
    n_neighbors = check_int(n_neighbors, name="n_neighbors", owner=_OWNER, low=1)
    gof_batches = check_int(gof_batches, name="gof_batches", owner=_OWNER, low=1)
    random_state = check_int(random_state, name="random_state", owner=_OWNER, low=0)
    n_jobs = check_int(n_jobs, name="n_jobs", owner=_OWNER, low=1)
    say = print if verbose else (lambda text: None)

    cands = candidates(models_or_configs, names)
    ref_candidate = reference_candidate(reference, truth)
    everything = cands + ([ref_candidate] if ref_candidate is not None else [])
    if gap is None:
        gap = max(gap_for(c.fitted[0] if c.fitted else c.config) for c in everything)
    gap = check_int(gap, name="gap", owner=_OWNER, low=0)
    train, test = block_split(n, gap=gap, test_fraction=test_fraction)
    noise_p = _perturbations(noise, noise_perturbations, random_state, "noise")
    drift_p = _perturbations(drift, channel_perturbations, random_state, "drift")
    p = Protocol(X, y, truth, train, test, n_neighbors, noise_p, drift_p, adaptation,
                 attribution_truth, gof_batches, random_state)

    fitter = Fitter(n_jobs, say)
    for c in cands:
        if not c.fitted:
            for seed in seeds:
                fitter.add(("model", c.name, seed), c.config, X, y, train, seed, c.name)
    if ref_candidate is not None and not ref_candidate.fitted:
        for seed in seeds:
            fitter.add(("reference", seed), ref_candidate.config, X, y, train, seed,
                       ref_candidate.name)
    run_controls = controls and y is not None
    controls_data = control_data(p) if run_controls else {}
    if run_controls:
        for c in cands:
            for control, (Xc, yc) in controls_data.items():
                for seed in control_seeds:
                    fitter.add(("control", c.name, control, seed), c.config, Xc, yc, train,
                               seed, f"{c.name} ({control})")
    fitter.run()
    fits = {c.name: (given_fits(c) if c.fitted
                     else [fitter.get(("model", c.name, s)) for s in seeds]) for c in cands}
    previous_fit = None
    if previous is not None:
        previous_fit = Fit("previous", None, previous.transform, previous,
                           metric=fits[cands[0].name][0].metric)
    per_fit = {name: [fit_measures(f, p) for f in group] for name, group in fits.items()}
    values: dict[str, dict[str, list[float]]] = {}
    fixed: dict[str, dict[str, float]] = {}
    for name, group in fits.items():
        values[name] = {k: [m[k] for m, _ in per_fit[name] if m.get(k) is not None]
                        for k in PER_FIT}
        pairs, pair_anchors = seed_measures(group, p, previous_fit)
        values[name].update(pairs)
        ceilings = [e["goodness_of_fit_ceiling"] for _, e in per_fit[name]
                    if "goodness_of_fit_ceiling" in e]
        fixed[name] = {**pair_anchors, **({"goodness_of_fit_ceiling": float(np.mean(ceilings))}
                                          if ceilings else {})}

    trivial_cache: dict[int, dict[str, float | None]] = {}
    reference_fits = None
    if ref_candidate is not None:
        reference_fits = (given_fits(ref_candidate) if ref_candidate.fitted
                          else [fitter.get(("reference", s)) for s in seeds])
    reference_measures, reference_name = reference_values(ref_candidate, reference_fits,
                                                          truth, p)
    anchors, scores = {}, {}
    within_spread: dict[str, tuple[float, float, float]] = {}
    for name, group in fits.items():
        dim = embedding_dim(group[0], p)
        if dim not in trivial_cache:
            trivial_cache[dim] = fit_measures(pca_fit(X, train, dim), p)[0]
        anchors[name] = anchors_for(trivial_cache[dim], reference_measures, fixed[name])
        scores[name] = {}
        for k, v in values[name].items():
            trivial, ref = pair(anchors[name].get(k))
            score = anchor_score(float(np.mean(v)), trivial, ref) if v else None
            if score is not None and len(v) > 1 and abs(ref - trivial) <= float(np.std(v)):
                score = None  # the anchors are closer than the seeds are to each other
                within_spread.setdefault(k, (trivial, ref, float(np.std(v))))
            scores[name][k] = score

    measures = [m.key for m in MEASURES if any(values[n].get(m.key) for n in fits)]
    left_out = excluded(measures, values, anchors, scores, truth is not None, within_spread)
    groups = {m.key: m.group for m in MEASURES if m.anchors != "none"}
    combined = {name: combine(scores[name], groups, weights) for name in fits}
    group_scores = {name: c[0] for name, c in combined.items()}
    overall = {name: c[1] for name, c in combined.items()}
    missing = missing_groups(group_scores, truth is not None, attribution_truth is not None,
                              ref_candidate, y is not None, adaptation is not None)
    spreads = {name: {k: float(np.std(v)) if v else 0.0 for k, v in values[name].items()}
               for name in fits}
    flags = tradeoff_flags(scores, spreads, {k: g for k, g in groups.items() if k in measures})
    correlation = correlations(fits, per_fit, values)

    controls_table, verdicts = {}, {}
    for c in cands:
        if not controls:
            verdicts[c.name] = "controls not run (controls=False)."
            continue
        if y is None:
            verdicts[c.name] = "controls not run: they need a label y."
            continue
        rows = control_rows({control: [fitter.get(("control", c.name, control, s))
                                       for s in control_seeds] for control in controls_data},
                            controls_data, p)
        real = values[c.name].get("decoding_knn", [])
        real_in = [in_sample_decoding(f, p, y, X) for f in fits[c.name]]
        bits = values[c.name].get("goodness_of_fit") or []
        rows.insert(0, {"control": "real fit", "decoding_knn": float(np.mean(real)),
                        "decoding_in_sample": float(np.mean(real_in)),
                        "goodness_of_fit": float(np.mean(bits)) if bits else None,
                        "seeds": [f.seed for f in fits[c.name]]})
        for row in rows[1:]:
            row["gap"] = rows[0]["decoding_knn"] - row["decoding_knn"]
        chance = 1.0 / len(np.unique(y)) if y.dtype.kind in "biu" else 0.0
        explained, sentence = verdict(real, rows[1:], chance=chance, margin=control_margin)
        controls_table[c.name] = rows
        verdicts[c.name] = sentence

    config = {
        "protocol": {"n_samples": n, "n_features": int(X.shape[1]), "n_train": len(train),
                     "n_test": len(test), "gap": gap, "test_fraction": test_fraction,
                     "seeds": seeds, "control_seeds": control_seeds, "n_neighbors": n_neighbors,
                     "gof_batches": gof_batches, "noise": list(noise_p), "drift": list(drift_p),
                     "adaptation": None if adaptation is None else repr(adaptation),
                     "previous": None if previous is None else type(previous).__name__,
                     "control_margin": control_margin, "random_state": random_state,
                     "label_columns": None if y is None else (1 if y.ndim == 1 else y.shape[1])},
        "models": {c.name: params(c.config) for c in cands},
        "reference": reference_name,
    }
    return QualityReport(
        models=list(fits), measures=measures, values=values, anchors=anchors,
        anchor_names={"trivial": "PCA to the same dimension, fitted on the training rows",
                      "reference": reference_name},
        scores=scores, excluded=left_out, group_scores=group_scores, overall=overall,
        missing_groups=missing, weights={g: float((weights or {}).get(g, 1.0)) for g in GROUPS},
        flags=flags, rank_correlation=correlation, controls=controls_table, verdicts=verdicts,
        config=config, versions=versions())


def embedding_dim(fit: Fit, p: Protocol) -> int:
    from identica.report._evaluate import embedding

    return int(embedding(fit, p.X).shape[1])


