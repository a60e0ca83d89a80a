# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""``attribute``: one attribution map per time step, batched, and their summary."""

from __future__ import annotations

import difflib
import warnings
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn

from identica import _runtime
from identica._checks import check_choice, check_float, check_int, check_random_state
from identica.attribution._inverse import INVERSES, default_rcond, pinv, relative_difference
from identica.attribution._methods import BASE_METHODS, LAGS, batch_maps
from identica.attribution._shap import ShapSampler
from identica.data._offset import Offset
from identica.data._validate import check_neural
from identica.estimator import Embedding
from identica.exceptions import ConfigurationError, DataValidationError
from identica.nn._embed import RowWindows

__all__ = ["METHODS", "AttributionMap", "attribute"]

METHODS: tuple[str, ...] = (*BASE_METHODS, *(f"inverted-{m}" for m in BASE_METHODS))
_AGREEMENT = 1e-4  # relative lstsq-vs-svd difference above which a rank problem is reported
_OWNER = "attribute"
_STRING_BASELINES = ("shuffled",)  # baselines drawn per sample: gradient SHAP only


class AttributionMap(NamedTuple):
    """Attribution maps of an encoder: embedding dimensions × neurons.

    Attributes
    ----------
    summary : ndarray of shape (output_dimension, n_features)
        ``mean_t |M_t|``: absolute value first, then the mean over time steps.
    per_sample : ndarray of shape (n_samples, output_dimension, n_features) or None
        The map ``M_t`` of every time step (``None`` with ``return_per_sample=False``).
    """

    summary: np.ndarray
    per_sample: np.ndarray | None


def attribute(
    model_or_encoder: Any,
    X: Any,
    *,
    method: str = "inverted-jacobian",
    inverse: str = "lstsq",
    lags: str = "mean",
    baseline: Any = 0.0,
    n_steps: int = 50,
    n_draws: int = 5,
    noise: float = 0.0,
    random_state: int | np.random.Generator | None = 0,
    batch_size: int = 1024,
    session: int | None = None,
    return_per_sample: bool = True,
) -> AttributionMap:
    """Which neurons drive which embedding dimension: one map ``M_t`` (C × D) per time step.

    Windows are gathered as :meth:`~identica.Embedding.transform` does (edges padded by
    repeating the first and last rows), so there is one map per row of ``X``. The encoder runs
    in eval mode on its device; gradients are taken with ``C`` backward passes per batch of
    windows (rows are independent, so the encoder must not couple the samples of a batch).

    Methods (``C`` = output dimension, ``D`` = neurons, ``W`` = window length):

    - ``"jacobian"``: ``M_t = J_f(x_t)``, the input gradient of every output.
    - ``"gradient-x-input"``: ``J_f(x_t) ⊙ x_t``.
    - ``"integrated-gradients"``: ``(x_t - b) ⊙ ∫₀¹ J_f(b + α(x_t - b)) dα`` on ``n_steps``
      Gauss–Legendre nodes; its entries sum to ``f(x_t) - f(b)`` (times ``1/W`` with lags).
    - ``"feature-ablation"``: column ``d`` is ``f(x_t) - f(x_t with neuron d = b_d)``, the
      neuron replaced in every lag of the window.
    - ``"gradient-shap"`` (expected gradients): the mean over ``n_draws`` draws of
      ``(x̃ - b) ⊙ J_f(b + α(x̃ - b))`` with ``α ~ U(0, 1)``, ``x̃ = x_t + ε``,
      ``ε ~ N(0, noise²)`` per entry, and ``b`` the fixed ``baseline`` or, with
      ``baseline="shuffled"``, a window of entries drawn from all entries of ``X``. In
      expectation over ``α`` and ``b`` (noise 0) its entries sum to ``f(x_t) - E_b f(b)``
      (times ``1/W`` with lags): complete in expectation, not per draw. With a fixed
      baseline it is a Monte Carlo estimate of integrated gradients.
    - ``"inverted-<method>"``: the Moore–Penrose pseudo-inverse of that method's per-sample
      map (D × C), stored transposed as C × D. ``"inverted-jacobian"`` is the xCEBRA method.

    For windows longer than one step (conv encoders) the gradient-based maps have a lag axis
    (C × D × W), reduced before any inversion by ``lags``.

    Parameters
    ----------
    model_or_encoder : Embedding or nn.Module
        A fitted :class:`~identica.Embedding`, or an encoder declaring ``receptive_field``,
        ``n_features_in`` and ``output_dimension``.
    X : array-like of shape (n_samples, n_features)
        Neural data, e.g. the training data.
    method : str, default="inverted-jacobian"
        One of :data:`METHODS`.
    inverse : {"lstsq", "svd"}, default="lstsq"
        Route of the pseudo-inverse for ``inverted-*`` methods (see
        :func:`pseudo_inverse`); the other route is computed as a check, and a
        ``RuntimeWarning`` reports samples where they differ by more than 1e-4 relative (a
        Jacobian rank problem). Unused by the other methods.
    lags : {"mean", "convabs"}, default="mean"
        Lag reduction of gradient-based maps: ``"mean"`` averages over lags, ``"convabs"``
        averages absolute values (also for a window of one step). Unused by feature ablation.
    baseline : float, array-like of shape (n_features,) or "shuffled", default=0.0
        Reference input of integrated gradients and gradient SHAP, and the replacement value
        of feature ablation. ``"shuffled"`` (gradient SHAP only) draws a new baseline window
        for every time step and draw: each entry an independent draw from the pooled entries
        of ``X`` (the entries of a random permutation of ``X``). Unused by the other methods.
    n_steps : int, default=50
        Gauss–Legendre nodes of integrated gradients.
    n_draws : int, default=5
        Draws (baseline, ``α``, noise) per time step of gradient SHAP.
    noise : float, default=0.0
        Standard deviation of the Gaussian input noise of gradient SHAP.
    random_state : int, numpy.random.Generator or None, default=0
        Seeds the draws of gradient SHAP (a Generator is advanced by one draw; ``None`` takes
        fresh entropy); the global torch and numpy generators are never used. Draw ``k`` of
        time step ``t`` comes from a CPU ``torch.Generator`` seeded by ``(random_state,
        t // 256, k)``, so the draws do not depend on ``batch_size`` (the maps then agree up
        to floating-point rounding) and one ``random_state`` gives bit-identical maps for one
        ``batch_size`` and device. Unused by the other methods.
    batch_size : int, default=1024
        Time steps per encoder call; for gradient SHAP, windows (time steps × draws) per
        encoder call, with at least one draw of every time step of the batch.
    session : int, optional
        Session whose encoder and features to use, for a model fitted on several sessions with
        separate encoders.
    return_per_sample : bool, default=True
        Keep the per-sample maps (``n_samples × C × D`` values); ``False`` keeps the summary
        only.

    Returns
    -------
    AttributionMap
        ``summary`` (C, D) and ``per_sample`` (n_samples, C, D), in the encoder's float dtype.

    Raises
    ------
    NotFittedError
        ``model_or_encoder`` is an Embedding that is not fitted.
    ConfigurationError
        An unknown method, inverse or lag reduction (the closest option is suggested), a
        parameter out of range, a baseline of the wrong shape, a string baseline other than
        ``"shuffled"`` with gradient SHAP, or a wrong ``session``.
    DataValidationError
        ``X`` is not a finite 2-D array with the encoder's number of features.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.attribution import attribute
    >>> from identica.nn import MLPEncoder
    >>> encoder = MLPEncoder(10, 3, hidden_units=8, output_constraint="none")
    >>> X = np.random.default_rng(0).normal(size=(100, 10))
    >>> maps = attribute(encoder, X, method="inverted-jacobian")
    >>> maps.summary.shape, maps.per_sample.shape
    ((3, 10), (100, 3, 10))
    >>> shap = attribute(encoder, X, method="gradient-shap", baseline="shuffled", random_state=1)
    >>> bool(np.all(shap.per_sample == attribute(
    ...     encoder, X, method="gradient-shap", baseline="shuffled", random_state=1).per_sample))
    True
    """
    check_choice(method, METHODS, name="method", owner=_OWNER)
    check_choice(inverse, INVERSES, name="inverse", owner=_OWNER)
    check_choice(lags, LAGS, name="lags", owner=_OWNER)
    check_int(n_steps, name="n_steps", owner=_OWNER, low=1)
    check_int(n_draws, name="n_draws", owner=_OWNER, low=1)
    check_float(noise, name="noise", owner=_OWNER, low=0.0, low_inclusive=True)
    rng = check_random_state(random_state, owner=_OWNER)
    check_int(batch_size, name="batch_size", owner=_OWNER, low=1)
    encoder, field, device, n_features, threads = _resolve(model_or_encoder, session)
    neural = check_neural(X)
    if neural.shape[1] != n_features:
        raise DataValidationError(
            f"X has {neural.shape[1]} features, but the encoder of attribute is expecting "
            f"{n_features} features as input (its n_features_in)."
        )
    dtype = _float_dtype(encoder)
    if dtype != torch.float32:  # check_neural gives float32; keep a float64 encoder's precision
        neural = np.asarray(X, dtype=np.float64)
    invert = method.startswith("inverted-")
    base_method = method.removeprefix("inverted-")
    base = _baseline(baseline, n_features, base_method)
    seed = int(rng.integers(2**63 - 1)) if base_method == "gradient-shap" else 0
    was_training = encoder.training
    encoder.eval()
    try:
        chosen = _runtime.choose_threads(
            threads, device, lambda: _runtime.encoder_work(encoder, min(batch_size, len(neural))))
        with _runtime.num_threads(chosen.count), torch.inference_mode(False), torch.enable_grad():
            data = torch.from_numpy(neural).to(device=device, dtype=dtype)
            fixed = None if base is None else torch.from_numpy(base).to(data).view(1, -1, 1)
            shap = None
            if base_method == "gradient-shap":
                shap = ShapSampler(
                    n_draws=n_draws, noise=float(noise), window=(n_features, len(field)),
                    seed=seed, per_call=batch_size, baseline=fixed,
                    pool=data if base is None else None,
                )
            summary, per_sample, worst = _run(
                encoder, data, field, base_method, invert=invert, inverse=inverse, lags=lags,
                baseline=fixed, n_steps=n_steps, shap=shap, batch_size=batch_size,
                keep=return_per_sample,
            )
    finally:
        encoder.train(was_training)
    if worst[0] > 0:
        other = next(i for i in INVERSES if i != inverse)
        warnings.warn(
            f"The {inverse!r} and {other!r} pseudo-inverses differ by more than "
            f"{_AGREEMENT:g} relative for {worst[0]} of {len(neural)} samples (worst "
            f"{worst[1]:.3g}): their per-sample maps are close to rank-deficient, so the "
            "inverted map depends on the cutoff. Check the per-sample maps, or compare "
            f"inverse={other!r}.",
            RuntimeWarning,
            stacklevel=2,
        )
    return AttributionMap(summary, per_sample)


def _run(
    encoder: nn.Module,
    neural: torch.Tensor,
    field: Offset,
    method: str,
    *,
    invert: bool,
    inverse: str,
    lags: str,
    baseline: torch.Tensor | None,
    n_steps: int,
    shap: ShapSampler | None,
    batch_size: int,
    keep: bool,
) -> tuple[np.ndarray, np.ndarray | None, tuple[int, float]]:
    n = len(neural)
    rows = RowWindows(neural, field)
    total: torch.Tensor | None = None
    parts = []
    n_bad, worst = 0, 0.0
    for start in range(0, n, batch_size):
        windows = rows.windows(start, min(n, start + batch_size))
        maps = batch_maps(encoder, windows, method, lags=lags, baseline=baseline,
                          n_steps=n_steps, shap=shap, start=start).detach().cpu()
        if invert:
            maps64 = maps.double()
            rcond = default_rcond(maps.shape, maps.dtype)
            chosen = pinv(maps64, inverse, rcond)
            other = pinv(maps64, next(i for i in INVERSES if i != inverse), rcond)
            diff = relative_difference(chosen, other)
            n_bad += int((diff > _AGREEMENT).sum())
            worst = max(worst, float(diff.max()))
            maps = chosen.transpose(-1, -2).to(maps.dtype)
        absolute = maps.abs().sum(0, dtype=torch.float64)
        total = absolute if total is None else total + absolute
        if keep:
            parts.append(maps)
    assert total is not None  # n >= 1 (checked by check_neural)
    summary = (total / n).to(neural.dtype).numpy()
    per_sample = torch.cat(parts).numpy() if keep else None
    return summary, per_sample, (n_bad, worst)


def _resolve(
    model_or_encoder: Any, session: int | None
) -> tuple[nn.Module, Offset, torch.device, int, int | None]:
    """(encoder, receptive field, device, n_features, num_threads) of a model or an encoder."""
    if isinstance(model_or_encoder, Embedding):
        model = model_or_encoder
        model._check_fitted()
        n_sessions = len(model.session_encoder_)
        if session is None:
            if len(model.encoders_) > 1:
                raise ConfigurationError(
                    f"'session' of attribute must be an int in [0, {n_sessions - 1}] for a "
                    f"model fitted on {n_sessions} sessions with separate encoders. Got None."
                )
            session = 0
        check_int(session, name="session", owner=_OWNER, low=0, high=n_sessions - 1)
        encoder = model.encoders_[model.session_encoder_[session]]
        return (encoder, model.receptive_field_, model.device_,
                model.n_features_per_session_[session], model.num_threads)
    if not isinstance(model_or_encoder, nn.Module):
        raise ConfigurationError(
            "'model_or_encoder' of attribute must be a fitted identica.Embedding or an "
            f"nn.Module encoder. Got {type(model_or_encoder).__name__}."
        )
    missing = [name for name in ("receptive_field", "n_features_in", "output_dimension")
               if not hasattr(model_or_encoder, name)]
    if missing:
        raise ConfigurationError(
            f"The encoder given to attribute ({type(model_or_encoder).__name__}) must declare "
            f"receptive_field, n_features_in and output_dimension; it lacks {missing}. "
            "Subclass identica.nn.AbstractEncoder or set these attributes."
        )
    if session is not None:
        raise ConfigurationError(
            "'session' of attribute must be None when an encoder is given (sessions belong "
            f"to a fitted Embedding). Got session={session!r}."
        )
    first = next(model_or_encoder.parameters(), None)
    device = first.device if first is not None else torch.device("cpu")
    field = model_or_encoder.receptive_field
    return model_or_encoder, field, device, int(model_or_encoder.n_features_in), None


def _float_dtype(encoder: nn.Module) -> torch.dtype:
    first = next(encoder.parameters(), None)
    return first.dtype if first is not None and first.is_floating_point() else torch.float32


def _baseline(baseline: Any, n_features: int, method: str) -> np.ndarray | None:
    """``baseline`` as a float64 array of shape ``(n_features,)``, None for shuffled, or raise."""
    if isinstance(baseline, str):
        if method == "gradient-shap" and baseline in _STRING_BASELINES:
            return None
        if method == "gradient-shap":
            close = difflib.get_close_matches(baseline, _STRING_BASELINES, n=1)
            raise ConfigurationError(
                f"'baseline' of attribute must be a number, an array of shape ({n_features},) "
                f"or one of {list(_STRING_BASELINES)} for method 'gradient-shap'. Got "
                f"{baseline!r}." + (f" Did you mean {close[0]!r}?" if close else "")
            )
        raise ConfigurationError(
            f"'baseline' of attribute must be a number or an array of shape ({n_features},) "
            f"(one value per neuron) for method {method!r}; the string baselines "
            f"{list(_STRING_BASELINES)} are only allowed for 'gradient-shap' and "
            f"'inverted-gradient-shap'. Got {baseline!r}."
        )
    try:
        array = np.asarray(baseline, dtype=np.float64)
    except (TypeError, ValueError):
        array = None
    if array is None or array.ndim > 1 or (array.ndim == 1 and len(array) != n_features):
        raise ConfigurationError(
            f"'baseline' of attribute must be a number or an array of shape ({n_features},) "
            f"(one value per neuron). Got {baseline!r}."
        )
    if not np.all(np.isfinite(array)):
        raise ConfigurationError(f"'baseline' of attribute must be finite. Got {baseline!r}.")
    return np.broadcast_to(array, (n_features,)).copy()
