# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Fit, or continue the fit that a checkpoint holds: what a restarted job calls."""

from __future__ import annotations

import os
from typing import Any

from identica.estimator import Embedding, load
from identica.exceptions import ConfigurationError

__all__ = ["fit_or_resume"]

# Parameters that may differ between the run that wrote a checkpoint and the one resuming it.
_RUNTIME = ("device", "num_threads", "verbose", "distributed", "max_iterations", "checkpoint",
            "checkpoint_every")


def _load_device(model: Embedding) -> str:
    device = model.device
    if device == "auto":
        import torch

        device = "cuda" if torch.cuda.is_available() else "cpu"
    if model.distributed and device == "cuda":
        device = f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}"
    return device


def fit_or_resume(model: Embedding, X: Any, y: Any = None, **fit_params: Any) -> Embedding:
    """Fit ``model``, or, if its ``checkpoint`` file exists, continue the run it holds.

    The checkpoint (written atomically every ``checkpoint_every`` steps) holds the weights,
    the optimiser state, the sampling generator and the loss of every step done; training goes
    on from there for the steps still missing to ``max_iterations``, so a job killed at any
    moment loses only the steps since the last checkpoint. Call it in the job's script (or
    ``identica fit --resume``) and restart the job after a failure (``torchrun
    --max-restarts``, a cluster's requeue): every start does the right thing.

    Parameters
    ----------
    model : Embedding
        An unfitted estimator with ``checkpoint`` set.
    X, y, **fit_params
        As for :meth:`Embedding.fit`.

    Returns
    -------
    Embedding
        The fitted estimator with ``n_iter_ == max_iterations``: ``model`` after a fresh fit,
        the estimator loaded from the checkpoint (with ``model``'s parameters) after a resume.

    Raises
    ------
    ConfigurationError
        If ``checkpoint`` is not set, or the checkpoint was written with other parameters.

    Examples
    --------
    >>> import pathlib, tempfile, identica
    >>> from identica.distributed import fit_or_resume
    >>> data = identica.synthetic.linear_track(n_samples=500, n_neurons=10)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "run.safetensors"
    >>> model = identica.Embedding(encoder="mlp", batch_size=32, max_iterations=20,
    ...                            checkpoint=path, checkpoint_every=5, random_state=0)
    >>> fit_or_resume(model, data.neural).n_iter_
    20
    """
    if not isinstance(model, Embedding):
        raise ConfigurationError(
            f"'model' of fit_or_resume must be an identica.Embedding. Got {type(model).__name__}."
        )
    path = model.checkpoint
    if path is None:
        raise ConfigurationError(
            "'checkpoint' of Embedding must be a file path for fit_or_resume (the file that "
            "holds the run to resume). Got None."
        )
    if not os.path.exists(path):
        return model.fit(X, y, **fit_params)
    saved = load(path, device=_load_device(model))
    params, kept = model.get_params(), saved.get_params()
    differ = sorted(k for k in params if k not in _RUNTIME and repr(params[k]) != repr(kept[k]))
    if differ:
        name = differ[0]
        raise ConfigurationError(
            f"The checkpoint {os.fspath(path)!r} was written with {name}={kept[name]!r}, but "
            f"this Embedding has {name}={params[name]!r}. Resume with the parameters of the "
            "run, or delete the checkpoint to start over."
        )
    total, done = model.max_iterations, saved.n_iter_
    saved.set_params(**{k: params[k] for k in _RUNTIME})
    if done < total:
        saved.set_params(max_iterations=total - done)
        saved.partial_fit(X, y, **fit_params)
        saved.set_params(max_iterations=total)
    return saved
