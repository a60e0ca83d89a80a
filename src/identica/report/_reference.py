# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The report's reference anchor: the ground truth, a fixed configuration, or a given estimator."""

from __future__ import annotations

from typing import Any

import numpy as np

from identica.estimator import Embedding
from identica.exceptions import ConfigurationError
from identica.report._evaluate import Protocol, fit_measures
from identica.report._fits import Candidate, Fit, candidates, truth_fit
from identica.report._tables import params

__all__ = ["REFERENCE_CONFIG", "reference_candidate", "reference_values"]

_OWNER = "quality_report"

#: The fixed reference configuration on data without ground truth (the demo's configuration).
REFERENCE_CONFIG: dict[str, Any] = {
    "encoder": "conv10", "output_dimension": 8, "hidden_units": 32, "conditional": "auto",
    "time_offset": 10, "similarity": "cosine", "temperature": 1.0, "batch_size": 512,
    "learning_rate": 3e-4, "max_iterations": 1000, "num_threads": 1,
}


def reference_candidate(reference: Any, truth: np.ndarray | None) -> Candidate | None:
    """The reference to fit (None: the ground truth, or no reference at all)."""
    if isinstance(reference, str):
        if reference not in ("auto", "truth"):
            raise ConfigurationError(
                f"'reference' of {_OWNER} must be 'auto', 'truth', an estimator or None. Got "
                f"{reference!r}."
            )
        if reference == "truth" and truth is None:
            raise ConfigurationError(f"reference='truth' of {_OWNER} needs truth=... .")
        if truth is not None:
            return None
        return Candidate("reference", config=Embedding(**REFERENCE_CONFIG))
    if reference is None:
        return None
    return candidates({"reference": reference}, None)[0]


def reference_values(candidate: Candidate | None, fits: list[Fit] | None,
                      truth: np.ndarray | None, p: Protocol
                      ) -> tuple[dict[str, float | None], str]:
    """The reference's measures (means over its fits) and the sentence that names it."""
    if candidate is None and truth is not None:
        return fit_measures(truth_fit(truth), p)[0], "the ground-truth latents"
    if candidate is None or fits is None:
        return {}, "none (reference=None): only measures with fixed anchors are scored"
    measured = [fit_measures(f, p)[0] for f in fits]
    keys = {k for m in measured for k, v in m.items() if v is not None}
    values = {k: float(np.mean([m[k] for m in measured if m.get(k) is not None])) for k in keys}
    config = params(candidate.config)
    what = ", ".join(f"{k}={v!r}" for k, v in config.items()
                     if k in REFERENCE_CONFIG or k == "max_iterations")
    return values, f"{type(candidate.config).__name__}({what}), mean over {len(fits)} fit(s)"
