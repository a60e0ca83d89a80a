# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Scores of learned latent dynamics against known ones (DCL): dynamics R², LDS and control
errors, mode accuracy, predictive error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from identica.exceptions import ConfigurationError, DataValidationError
from identica.metrics._alignment import _fit, check_pair, check_points, check_same_dims, r2
from identica.metrics._identifiability import _split

__all__ = ["control_error", "dynamics_r2", "lds_error", "mode_accuracy", "predictive_mse"]

# an affine map whose linear part is worse conditioned than this is no embedding of the latents
_MAX_CONDITION = 1e12


def dynamics_r2(
    z_true: Any,
    z_pred: Any,
    z_pred_next_predicted: Any,
    true_step: Callable[[np.ndarray], np.ndarray],
    *,
    test_size: float | None = None,
) -> float:
    """Return dynR²: how well learned dynamics match the true ones carried into the embedding.

    The score of González Laiz et al. (ICLR 2025). Fit affine maps (least squares with
    intercept) ``L_t: z_true -> z_pred`` and ``L_s: z_pred -> z_true``. The left-hand side
    is the learned dynamics applied to the embedding, ``f̂(z_pred)`` (passed in as
    ``z_pred_next_predicted``); the right-hand side is the true dynamics carried into the
    embedding space, ``L_t(f(L_s(z_pred)))``, with ``f = true_step`` noise-free. The score is
    ``r2_score(LHS, RHS)`` (scikit-learn's argument order and conventions, uniform average
    over dimensions). 1 means the learned dynamics equal the true ones up to the affine
    indeterminacy of the embedding.

    By default the maps are fitted and scored on all rows (in-sample, as in the reference
    implementation). With ``test_size`` both maps are fitted on the leading rows and R² is
    taken over the trailing ``test_size`` fraction only, as :func:`identifiability` does; put
    whole trials at the end to hold out trials.

    Parameters
    ----------
    z_true : array-like of shape (n_samples, n_latents)
        The true latents.
    z_pred : array-like of shape (n_samples, n_dims)
        The embedding of the same samples.
    z_pred_next_predicted : array-like of shape (n_samples, n_dims)
        The learned dynamics' prediction from every row of ``z_pred`` (hard modes for a
        switching model).
    true_step : callable
        The true noise-free dynamics, mapping an ``(n_samples, n_latents)`` array of latent
        states to their next states; it is called once with all ``n_samples`` rows, in order
        (also with ``test_size``), so per-row information such as modes can be bound in, e.g.
        ``lambda x: data.dynamics.step(x, modes=modes)``. For a switching system take the true
        mode of a sample as the one that best explains its transition,
        ``data.dynamics.best_modes(x_t, x_{t+1})``.
    test_size : float, optional
        Fraction of rows, from the end, to score on, in (0, 1]; the maps are fitted on the
        rows before. Both parts need at least 2 rows.

    Returns
    -------
    float
        dynR², at most 1.

    Raises
    ------
    ConfigurationError
        If ``true_step`` is not callable.
    DataValidationError
        If an array is not 2-D and finite, the shapes do not match, ``true_step`` returns an
        array of the wrong shape or with NaN/inf, or ``test_size`` leaves fewer than 2 rows on
        a side.

    See Also
    --------
    identifiability : R² backward, ``identifiability(z_true, z_pred)`` (latents predicted from
        the embedding); R² forward is ``identifiability(z_pred, z_true)`` (the embedding
        predicted from the latents).
    lds_error : the same comparison for linear dynamics, on the matrices.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import dynamics_r2
    >>> rng = np.random.default_rng(0)
    >>> a = np.array([[0.8, -0.6], [0.6, 0.8]])
    >>> x = rng.normal(size=(500, 2))
    >>> l, b = np.array([[2.0, 1.0], [0.0, 1.0]]), np.array([1.0, -1.0])
    >>> z = x @ l.T + b
    >>> z_next = (z - b) @ np.linalg.inv(l).T @ a.T @ l.T + b   # L A L⁻¹ carried over
    >>> round(dynamics_r2(x, z, z_next, lambda s: s @ a.T), 6)
    1.0
    >>> bool(dynamics_r2(x, z, z, lambda s: s @ a.T) < 0.9)   # identity dynamics
    True
    """
    owner = "dynamics_r2"
    z_true, z_pred = check_pair(z_true, z_pred, names=("z_true", "z_pred"), owner=owner)
    lhs = check_points(z_pred_next_predicted, what=f"'z_pred_next_predicted' of {owner}")
    if lhs.shape != z_pred.shape:
        raise DataValidationError(
            f"'z_pred_next_predicted' of {owner} must have the shape of 'z_pred' (one "
            f"prediction per row). Got {lhs.shape} and z_pred {z_pred.shape}."
        )
    if not callable(true_step):
        raise ConfigurationError(
            f"'true_step' of {owner} must be a callable mapping (n_samples, n_latents) latent "
            f"states to their next states. Got {type(true_step).__name__}."
        )
    (fit_true, fit_pred), _ = _split(z_true, z_pred, test_size, owner)
    to_pred = _fit(fit_true, fit_pred, "affine")
    to_true = _fit(fit_pred, fit_true, "affine")
    stepped = np.asarray(true_step(to_true.apply(z_pred)), dtype=np.float64)
    if stepped.shape != z_true.shape or not np.all(np.isfinite(stepped)):
        raise DataValidationError(
            f"'true_step' of {owner} must return a finite array of shape {z_true.shape} (that "
            f"of its input). Got shape {stepped.shape}"
            f"{'' if stepped.shape != z_true.shape else ' with NaN or inf'}."
        )
    rhs = to_pred.apply(stepped)
    cut = len(fit_true) if test_size is not None else 0
    return r2(lhs[cut:], rhs[cut:])


def _embedding_map(z_true: Any, z_pred: Any, owner: str) -> np.ndarray:
    """``L`` of the least-squares fit ``z_pred ≈ L z_true + b``, checked invertible."""
    names = ("z_true", "z_pred")
    z_true, z_pred = check_pair(z_true, z_pred, names=names, owner=owner)
    check_same_dims(z_true, z_pred, names=names, owner=owner, indeterminacy="affine")
    l_map = _fit(z_true, z_pred, "affine").matrix.T
    if np.linalg.cond(l_map) > _MAX_CONDITION:
        raise DataValidationError(
            f"'z_pred' of {owner} is not an invertible affine image of 'z_true': the fitted "
            f"map z_pred ≈ L z_true + b is singular (condition number "
            f"{np.linalg.cond(l_map):.3g}). A collapsed embedding has no dynamics to compare."
        )
    return l_map


def _stack(matrices: Any, name: str, owner: str, d: int) -> np.ndarray:
    """``(K, d, d)`` float64 from a stack or one ``(d, d)`` matrix; else raise."""
    array = np.asarray(matrices, dtype=np.float64)
    if array.ndim == 2:
        array = array[None]
    if array.ndim != 3 or array.shape[1:] != (d, d) or len(array) == 0:
        raise DataValidationError(
            f"{name!r} of {owner} must have shape ({d}, {d}) or (n_modes, {d}, {d}), matching "
            f"the {d} latent dimensions. Got {np.shape(matrices)}."
        )
    if not np.all(np.isfinite(array)):
        raise DataValidationError(f"{name!r} of {owner} contains NaN or inf.")
    return array


def lds_error(z_true: Any, z_pred: Any, true_matrices: Any, learned_matrices: Any) -> float:
    """Return the LDS error: distance of learned dynamics matrices from the true ones.

    Fit ``z_pred ≈ L z_true + b`` by least squares. True dynamics ``x' = A x`` appear in the
    embedding as ``z' - b = L A L⁻¹ (z - b)``, so a learned ``Â`` is carried back to the
    latent space as ``L⁻¹ Â L``. True and learned matrices are matched one to one by the
    Hungarian algorithm on the Frobenius distances ``‖A_k - L⁻¹ Â_j L‖_F``, and the error is
    the mean distance over the true matrices: 0 for dynamics recovered exactly.

    Parameters
    ----------
    z_true : array-like of shape (n_samples, d)
        The true latents.
    z_pred : array-like of shape (n_samples, d)
        The embedding, of the same dimension ``d``.
    true_matrices : array-like of shape (d, d) or (n_modes, d, d)
        ``A`` or ``A_1 … A_K``.
    learned_matrices : array-like of shape (d, d) or (n_learned, d, d)
        ``Â`` or ``Â_1 … Â_J`` in embedding space, ``J >= K``.

    Returns
    -------
    float
        ``mean_k ‖A_k - L⁻¹ Â_π(k) L‖_F`` under the best matching ``π``, >= 0.

    Raises
    ------
    DataValidationError
        If the arrays are not finite or of the wrong shapes, ``z_pred`` and ``z_true`` differ
        in dimension, there are fewer learned than true matrices, or ``z_pred`` is no
        invertible affine image of ``z_true``.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import lds_error
    >>> rng = np.random.default_rng(0)
    >>> a = np.array([[0.8, -0.6], [0.6, 0.8]])
    >>> x = rng.normal(size=(200, 2))
    >>> l = np.array([[2.0, 1.0], [0.0, 1.0]])
    >>> z = x @ l.T + 3.0
    >>> round(lds_error(x, z, a, l @ a @ np.linalg.inv(l)), 6)
    0.0
    >>> round(lds_error(x, z, a, np.eye(2)), 3)   # identity dynamics: ‖A - I‖_F
    0.894
    """
    owner = "lds_error"
    l_map = _embedding_map(z_true, z_pred, owner)
    d = len(l_map)
    true = _stack(true_matrices, "true_matrices", owner, d)
    learned = _stack(learned_matrices, "learned_matrices", owner, d)
    if len(learned) < len(true):
        raise DataValidationError(
            f"'learned_matrices' of {owner} must hold at least as many matrices as "
            f"'true_matrices', so that every true matrix is matched. Got {len(learned)} learned "
            f"and {len(true)} true."
        )
    carried = np.linalg.solve(l_map, learned @ l_map)
    cost = np.linalg.norm(true[:, None] - carried[None], axis=(2, 3))
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].mean())


def control_error(z_true: Any, z_pred: Any, true_control: Any, learned_control: Any) -> float:
    """Return the relative error of a learned control matrix, ``‖B - L⁻¹ B̂‖_F / ‖B‖_F``.

    For controlled dynamics ``x' = A x + B u`` with known inputs ``u``, an embedding
    ``z = L x + b`` has ``z' - b = L A L⁻¹ (z - b) + L B u``: a learned ``B̂`` is carried back
    to the latent space as ``L⁻¹ B̂``, with ``L`` from the least-squares fit
    ``z_pred ≈ L z_true + b`` (as :func:`lds_error`). The inputs are observed, so their side
    has no indeterminacy. 0 for a control matrix recovered exactly; 1 for ``B̂ = 0``.

    Parameters
    ----------
    z_true : array-like of shape (n_samples, d)
        The true latents.
    z_pred : array-like of shape (n_samples, d)
        The embedding, of the same dimension ``d``.
    true_control : array-like of shape (d, n_controls)
        ``B``, not all zero.
    learned_control : array-like of shape (d, n_controls)
        ``B̂`` in embedding space.

    Returns
    -------
    float
        The relative Frobenius error, >= 0.

    Raises
    ------
    DataValidationError
        If the arrays are not finite or of the wrong shapes, ``true_control`` is zero, or
        ``z_pred`` is no invertible affine image of ``z_true``.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import control_error
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(200, 2))
    >>> l, b = np.array([[2.0, 1.0], [0.0, 1.0]]), np.array([[1.0], [0.5]])
    >>> round(control_error(x, x @ l.T - 1.0, b, l @ b), 6)
    0.0
    >>> round(control_error(x, x @ l.T - 1.0, b, np.zeros((2, 1))), 6)
    1.0
    """
    owner = "control_error"
    l_map = _embedding_map(z_true, z_pred, owner)
    d = len(l_map)
    arrays = []
    for name, value in (("true_control", true_control), ("learned_control", learned_control)):
        array = np.asarray(value, dtype=np.float64)
        if array.ndim != 2 or array.shape[0] != d or array.shape[1] == 0:
            raise DataValidationError(
                f"{name!r} of {owner} must have shape ({d}, n_controls), matching the {d} "
                f"latent dimensions. Got {array.shape}."
            )
        if not np.all(np.isfinite(array)):
            raise DataValidationError(f"{name!r} of {owner} contains NaN or inf.")
        arrays.append(array)
    true, learned = arrays
    if true.shape != learned.shape:
        raise DataValidationError(
            f"'true_control' and 'learned_control' of {owner} must have the same shape. Got "
            f"{true.shape} and {learned.shape}."
        )
    norm = np.linalg.norm(true)
    if norm == 0:
        raise DataValidationError(
            f"'true_control' of {owner} is all zeros: a relative error needs a nonzero B."
        )
    return float(np.linalg.norm(true - np.linalg.solve(l_map, learned)) / norm)


def _labels(value: Any, name: str, owner: str) -> np.ndarray:
    array = np.asarray(value)
    if array.ndim != 1 or len(array) == 0:
        raise DataValidationError(
            f"{name!r} of {owner} must be a non-empty 1-D array of mode labels. Got shape "
            f"{array.shape}."
        )
    if not (np.issubdtype(array.dtype, np.integer) or array.dtype == bool):
        raise DataValidationError(
            f"{name!r} of {owner} must hold integer mode labels. Got dtype {array.dtype}; "
            "cast with .astype(int) if the values are whole numbers."
        )
    return array


def mode_accuracy(true_modes: Any, predicted_modes: Any) -> float:
    """Return the fraction of samples whose predicted mode matches the true one, up to names.

    Mode labels are arbitrary, so predicted labels are first matched one to one to true ones
    to maximise the number of agreeing samples: Hungarian algorithm on the confusion matrix
    (``scipy.optimize.linear_sum_assignment``). The two label sets may differ in size; labels
    left unmatched count as wrong.

    Parameters
    ----------
    true_modes : array-like of int of shape (n_samples,)
        The true mode of every sample.
    predicted_modes : array-like of int of shape (n_samples,)
        The predicted mode of every sample (any integer labels).

    Returns
    -------
    float
        Accuracy under the best matching of labels, in [0, 1].

    Raises
    ------
    DataValidationError
        If an array is not 1-D, empty or not integer, or the lengths differ.

    Examples
    --------
    >>> from identica.metrics import mode_accuracy
    >>> mode_accuracy([0, 0, 1, 1, 2], [5, 5, 3, 3, 3])
    0.8
    """
    owner = "mode_accuracy"
    true = _labels(true_modes, "true_modes", owner)
    predicted = _labels(predicted_modes, "predicted_modes", owner)
    if len(true) != len(predicted):
        raise DataValidationError(
            f"'true_modes' and 'predicted_modes' of {owner} must have the same length (one "
            f"label per sample). Got {len(true)} and {len(predicted)}."
        )
    true_values, true_index = np.unique(true, return_inverse=True)
    pred_values, pred_index = np.unique(predicted, return_inverse=True)
    confusion = np.zeros((len(true_values), len(pred_values)), dtype=np.int64)
    np.add.at(confusion, (true_index, pred_index), 1)
    rows, cols = linear_sum_assignment(confusion, maximize=True)
    return float(confusion[rows, cols].sum() / len(true))


def predictive_mse(z_next: Any, z_next_predicted: Any) -> float:
    """Return the mean squared error of one-step predictions in embedding space.

    Parameters
    ----------
    z_next : array-like of shape (n_samples, n_dims)
        The embedding of the next samples, ``h(y_{t+1})``.
    z_next_predicted : array-like of shape (n_samples, n_dims)
        The learned dynamics' predictions, ``f̂(h(y_t))``.

    Returns
    -------
    float
        The mean over samples and dimensions of the squared differences.

    Raises
    ------
    DataValidationError
        If an array is not 2-D and finite, or the shapes differ.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.metrics import predictive_mse
    >>> predictive_mse(np.zeros((2, 2)), np.array([[1.0, 1.0], [0.0, 2.0]]))
    1.5
    """
    owner = "predictive_mse"
    target = check_points(z_next, what=f"'z_next' of {owner}")
    predicted = check_points(z_next_predicted, what=f"'z_next_predicted' of {owner}")
    if target.shape != predicted.shape:
        raise DataValidationError(
            f"'z_next' and 'z_next_predicted' of {owner} must have the same shape. Got "
            f"{target.shape} and {predicted.shape}."
        )
    return float(((target - predicted) ** 2).mean())
