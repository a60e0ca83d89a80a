# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Check user arrays at the boundary and turn them into a :class:`Recording`."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from identica.data._recording import Recording
from identica.exceptions import DataTypeError, DataValidationError

__all__ = ["as_recording", "check_neural"]


def _where(session: int | None) -> str:
    return "" if session is None else f" (session {session})"


def _as_numeric(value: object, name: str, session: int | None) -> np.ndarray:
    if sparse.issparse(value):
        raise DataValidationError(
            f"{name} is a sparse matrix{_where(session)}; sparse input is not supported. Pass a "
            f"dense array ({name}.toarray())."
        )
    try:
        array = np.asarray(value)
    except Exception as error:  # ragged nested lists and the like
        raise DataValidationError(
            f"{name} must be a numeric array{_where(session)}. Could not convert it: {error}"
        ) from error
    if array.dtype == object:
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError) as error:
            raise DataTypeError(
                f"{name} must hold numbers{_where(session)}; converting it failed: {error}"
            ) from error
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise DataValidationError(
            f"{name} must hold numbers{_where(session)}; got an array of dtype {array.dtype}."
        )
    if np.iscomplexobj(array):
        raise DataValidationError(
            f"{name} must be real-valued{_where(session)}: Complex data not supported."
        )
    return array


def _check_finite(array: np.ndarray, name: str, session: int | None) -> None:
    if np.issubdtype(array.dtype, np.floating):
        bad = ~np.isfinite(array)
        if bad.any():
            first = np.argwhere(bad)[0]
            where = first[0] if len(first) == 1 else tuple(int(i) for i in first)
            kind = "NaN" if np.isnan(array[tuple(first)]) else "inf"
            raise DataValidationError(
                f"{name} contains NaN or inf{_where(session)}: first bad value ({kind}) at index "
                f"{where}. Remove or interpolate those rows before fitting."
            )


def check_neural(X: object, *, session: int | None = None, name: str = "X") -> np.ndarray:
    """Return ``X`` as a C-contiguous float32 ``(n_samples, n_features)`` array, or raise."""
    array = _as_numeric(X, name, session)
    if array.ndim != 2:
        hint = (
            " Reshape your data: X.reshape(-1, 1) for a single channel." if array.ndim == 1 else ""
        )
        raise DataValidationError(
            f"{name} must be a 2-D array of shape (n_samples, n_features){_where(session)}; got "
            f"{array.ndim}-D with shape {array.shape}.{hint}"
        )
    for axis, what in ((0, "sample"), (1, "feature")):
        if array.shape[axis] == 0:
            raise DataValidationError(
                f"{name} has 0 {what}(s) (shape={array.shape}) while a minimum of 1 is "
                f"required{_where(session)}."
            )
    _check_finite(array, name, session)
    with np.errstate(over="ignore"):
        out = np.ascontiguousarray(array, dtype=np.float32)
    _check_finite(out, name, session)  # float64 values beyond float32 range overflow to inf
    return out


def _check_length(array: np.ndarray, n_samples: int, name: str, session: int | None) -> None:
    if array.shape[0] != n_samples:
        raise DataValidationError(
            f"X has {n_samples} time steps but {name} has {array.shape[0]}{_where(session)}. "
            "Labels need one row per row of X."
        )


def _discrete_codes(array: np.ndarray, name: str, session: int | None) -> np.ndarray:
    if array.ndim != 1:
        raise DataValidationError(
            f"{name} must be 1-D discrete labels of shape (n_samples,){_where(session)}; got "
            f"shape {array.shape}. Pass one label column, or float labels for continuous data."
        )
    if not (np.issubdtype(array.dtype, np.integer) or array.dtype == np.bool_):
        raise DataValidationError(
            f"{name} must hold integer labels{_where(session)}; got dtype {array.dtype}. Cast "
            "class codes with .astype(int), or pass float labels as y for continuous behaviour."
        )
    _, codes = np.unique(array, return_inverse=True)
    return codes.astype(np.int64).reshape(-1)


def _trial_starts(value: object, n: int, session: int | None) -> np.ndarray:
    starts = _as_numeric(value, "trial_starts", session)
    if starts.ndim != 1 or not np.issubdtype(starts.dtype, np.integer) or len(starts) == 0:
        raise DataValidationError(
            f"trial_starts must be a non-empty 1-D array of integer row indices{_where(session)}; "
            f"got dtype {starts.dtype} and shape {starts.shape}."
        )
    starts = starts.astype(np.int64)
    if starts[0] != 0 or np.any(np.diff(starts) <= 0) or starts[-1] >= n:
        raise DataValidationError(
            f"trial_starts must start at 0, increase strictly and stay below the {n} rows of "
            f"X{_where(session)}; got {starts[:6].tolist()}{' ...' if len(starts) > 6 else ''}."
        )
    return starts


def as_recording(
    X: object,
    y: object = None,
    *,
    discrete: object = None,
    trial_starts: object = None,
    session: int | None = None,
) -> Recording:
    """Validate user arrays and bundle them into a :class:`Recording`.

    Float ``y`` is continuous (a 1-D ``y`` becomes one column); 1-D integer or bool ``y`` is
    discrete and re-coded to ``0 .. n_classes - 1``; ``discrete=`` adds discrete labels to
    continuous ``y``.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Neural data.
    y : array-like of shape (n_samples,) or (n_samples, n_labels), optional
        Behaviour labels.
    discrete : array-like of shape (n_samples,), optional
        Integer labels used together with continuous ``y``.
    trial_starts : array-like of shape (n_trials,), optional
        First row of every trial, starting at 0; windows never cross a trial border.
    session : int, optional
        Session number, used in error messages only.

    Returns
    -------
    Recording

    Raises
    ------
    DataValidationError
        On non-numeric data, wrong dimensions, NaN or inf, length mismatches, 2-D integer ``y``,
        non-integer ``discrete``, two sets of discrete labels or malformed ``trial_starts``.

    Examples
    --------
    >>> import numpy as np
    >>> from identica.data import as_recording
    >>> rec = as_recording(np.ones((50, 3)), np.arange(50) % 2)
    >>> rec.discrete[:4], rec.continuous is None
    (array([0, 1, 0, 1]), True)
    """
    neural = check_neural(X, session=session)
    n = neural.shape[0]
    continuous = codes = None
    if y is not None:
        labels = _as_numeric(y, "y", session)
        if labels.ndim == 0 or labels.ndim > 2:
            raise DataValidationError(
                f"y must have shape (n_samples,) or (n_samples, n_labels){_where(session)}; got "
                f"shape {labels.shape}."
            )
        _check_length(labels, n, "y", session)
        if np.issubdtype(labels.dtype, np.floating):
            _check_finite(labels, "y", session)
            with np.errstate(over="ignore"):
                continuous = np.ascontiguousarray(labels.reshape(n, -1), dtype=np.float32)
            _check_finite(continuous, "y", session)
        elif labels.ndim == 2:
            raise DataValidationError(
                f"y is 2-D with integer dtype {labels.dtype}{_where(session)}: integer labels "
                "must be one column of class codes. Pass float y for continuous labels, or one "
                "integer column for discrete labels."
            )
        else:
            codes = _discrete_codes(labels, "y", session)
    if discrete is not None:
        if codes is not None:
            raise DataValidationError(
                "Got discrete labels twice: integer y and discrete=. Pass continuous (float) y "
                "with discrete=, or only one set of class codes."
            )
        labels = _as_numeric(discrete, "discrete", session)
        _check_length(labels.reshape(len(labels), -1) if labels.ndim else labels.reshape(1), n,
                      "discrete", session)
        codes = _discrete_codes(labels, "discrete", session)
    starts = None if trial_starts is None else _trial_starts(trial_starts, n, session)
    return Recording(neural=neural, continuous=continuous, discrete=codes, trial_starts=starts)
