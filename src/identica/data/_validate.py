# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Check user arrays at the boundary and turn them into a :class:`Recording`."""

from __future__ import annotations

import warnings

import numpy as np
from scipy import sparse

from identica.data._disk import DiskArray, is_out_of_core
from identica.data._recording import Recording
from identica.exceptions import DataTypeError, DataValidationError, DataWarning

__all__ = ["as_recording", "check_neural"]

# The guards below warn about data that is accepted but looks like a mistake. Their thresholds
# catch the mistake on recording-sized data and stay quiet on the tiny arrays of unit tests and
# scikit-learn's estimator checks (at most a few dozen rows and columns):
TRANSPOSED_MIN_FEATURES = 100  # X with more columns than rows, and at least this many columns
MANY_CLASSES = 100  # integer y with more distinct values than this


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


def check_neural(X: object, *, session: int | None = None, name: str = "X",
                 out_of_core: bool = False) -> np.ndarray:
    """Return ``X`` as a C-contiguous float32 ``(n_samples, n_features)`` array, or raise.

    With ``out_of_core=True`` (the callers that can read windows from disk), an array stored
    on disk (a memmap, an h5py or zarr array) comes back as a
    :class:`~identica.data.DiskArray`, scanned for NaN and inf in chunks, never loaded whole.
    """
    if isinstance(X, DiskArray) and not out_of_core:
        X = X.source
    if out_of_core and is_out_of_core(X):
        if isinstance(X, DiskArray):
            return X  # type: ignore[return-value]
        disk = DiskArray(X, name=name)
        disk.check_finite(name, session)
        return disk  # type: ignore[return-value]
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


def _warn_transposed(neural: np.ndarray, session: int | None) -> None:
    n_samples, n_features = neural.shape
    if n_features > n_samples and n_features >= TRANSPOSED_MIN_FEATURES:
        warnings.warn(
            f"X has {n_samples} rows (samples) and {n_features} columns (features){_where(session)}"
            ": more features than samples. Did you pass cells x frames? identica expects one row "
            "per time bin, shape (n_samples, n_features): transpose it with X.T.",
            DataWarning, stacklevel=3,
        )


def _warn_many_classes(codes: np.ndarray, n_classes: int, session: int | None) -> None:
    if n_classes > MANY_CLASSES:
        warnings.warn(
            f"y holds {n_classes} distinct integer values{_where(session)} (on average "
            f"{len(codes) / n_classes:.1f} rows each), so it is taken as {n_classes} discrete "
            "classes whose neighbours mean nothing to each other. If y is a quantity (a position "
            "in pixels, a frame number, a count), pass float labels for continuous behaviour: "
            "y.astype(np.float32). If these really are classes, pass them as discrete= to "
            "silence this.",
            DataWarning, stacklevel=3,
        )


def _text_codes(value: object, name: str, session: int | None) -> np.ndarray | None:
    """Class codes of 1-D text or pandas categorical labels, or None for anything else.

    A categorical keeps its own category order, silently (the encoding is the user's); text is
    encoded in sorted order with a :class:`DataWarning` that lists the classes.
    """
    dtype = getattr(value, "dtype", None)
    if getattr(dtype, "name", None) == "category":  # a pandas Categorical or Series
        categorical = getattr(value, "cat", value)
        codes = np.asarray(categorical.codes, dtype=np.int64).reshape(-1)
        if (codes < 0).any():
            raise DataValidationError(
                f"{name} is categorical with missing values{_where(session)} (first at row "
                f"{int(np.argmax(codes < 0))}). Drop those rows or add a category for them."
            )
        return codes
    if sparse.issparse(value):
        return None
    try:
        array = np.asarray(value)
    except Exception:  # ragged input: the numeric check reports it
        return None
    is_text = array.dtype.kind in "US" or (
        array.dtype == object and array.size > 0
        and all(isinstance(v, str | bytes) for v in array.ravel())
    )
    if not is_text or array.ndim != 1:
        return None
    classes, codes = np.unique(array, return_inverse=True)
    shown = ", ".join(repr(str(c)) for c in classes[:5]) + (", ..." if len(classes) > 5 else "")
    try:
        array.astype(np.float64)
        numeric = True
    except (TypeError, ValueError):
        numeric = False
    if numeric:
        advice = (f"They look like numbers written as text: for continuous labels pass "
                  f"{name}.astype(float), for class codes {name}.astype(int).")
    else:
        advice = (f"Pass integer class codes to silence this: "
                  f"codes = np.unique({name}, return_inverse=True)[1].")
    warnings.warn(
        f"{name} holds text labels{_where(session)}; they are encoded as {len(classes)} "
        f"discrete classes 0..{len(classes) - 1} in sorted order ({shown}). {advice}",
        DataWarning, stacklevel=3,
    )
    return codes.astype(np.int64).reshape(-1)


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
    out_of_core: bool = False,
) -> Recording:
    """Validate user arrays and bundle them into a :class:`Recording`.

    Float ``y`` is continuous (a 1-D ``y`` becomes one column); 1-D integer or bool ``y`` is
    discrete and re-coded to ``0 .. n_classes - 1``; ``discrete=`` adds discrete labels to
    continuous ``y``. 1-D text labels (``y`` or ``discrete``) are encoded as classes in sorted
    order, pandas categoricals by their category codes.

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
    out_of_core : bool, default=False
        Keep an array stored on disk (memmap, HDF5, zarr) there: ``neural`` is then a
        :class:`~identica.data.DiskArray` read a batch at a time (what ``Embedding.fit``
        does).

    Returns
    -------
    Recording

    Raises
    ------
    DataValidationError
        On non-numeric data, wrong dimensions, NaN or inf, length mismatches, 2-D integer ``y``,
        non-integer ``discrete``, two sets of discrete labels or malformed ``trial_starts``.

    Warns
    -----
    DataWarning
        Data that is accepted but looks like a mistake: ``X`` with more features than samples
        (and at least 100 features: a transposed cells x frames array), integer ``y`` with more
        than 100 distinct values (a quantity stored as integers), text labels (encoded, with
        the classes listed).

    Examples
    --------
    >>> import numpy as np
    >>> from identica.data import as_recording
    >>> rec = as_recording(np.ones((50, 3)), np.arange(50) % 2)
    >>> rec.discrete[:4], rec.continuous is None
    (array([0, 1, 0, 1]), True)
    """
    neural = check_neural(X, session=session, out_of_core=out_of_core)
    _warn_transposed(neural, session)
    n = neural.shape[0]
    continuous = codes = None
    text = None if y is None else _text_codes(y, "y", session)
    if text is not None:
        _check_length(text, n, "y", session)
        codes = text
    elif y is not None:
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
            _warn_many_classes(codes, int(codes.max(initial=-1)) + 1, session)
    if discrete is not None:
        if codes is not None:
            raise DataValidationError(
                "Got discrete labels twice: integer y and discrete=. Pass continuous (float) y "
                "with discrete=, or only one set of class codes."
            )
        text = _text_codes(discrete, "discrete", session)
        if text is not None:
            _check_length(text, n, "discrete", session)
            codes = text
        else:
            labels = _as_numeric(discrete, "discrete", session)
            _check_length(labels.reshape(len(labels), -1) if labels.ndim else labels.reshape(1),
                          n, "discrete", session)
            codes = _discrete_codes(labels, "discrete", session)
    starts = None if trial_starts is None else _trial_starts(trial_starts, n, session)
    return Recording(neural=neural, continuous=continuous, discrete=codes, trial_starts=starts)
