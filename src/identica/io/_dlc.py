# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""DeepLabCut pose files (.h5 and .csv), single- and multi-animal, read without row loops."""

from __future__ import annotations

import csv
import pickle
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from identica.exceptions import ConfigurationError, DataValidationError
from identica.io._common import as_path, bad_file, pickle_refusal, plain_unpickle, require
from identica.io._hdf5 import open_hdf5
from identica.io._session import Session, describe_stream
from identica.io._streams import TimeSeries

__all__ = ["check_pandas_hdf5", "dlc_header_rows", "read_dlc"]

_LEVELS = ("scorer", "individuals", "bodyparts", "coords")


def check_pandas_hdf5(path: Path) -> list[str]:
    """Refuse a pandas/PyTables HDF5 file that would unpickle code; return its top-level keys.

    PyTables unpickles string attributes that end in ``"."`` and stores object columns as
    pickles. Every such attribute must load with an unpickler that refuses all classes and
    functions, and no object column may be present; only then is pandas allowed to open it.
    """
    h5py = require("h5py")
    problems: list[str] = []
    with open_hdf5(path, "a pandas HDF5 file (DeepLabCut .h5)") as file:
        def check(name: str, node: object) -> None:
            for key in node.attrs:
                try:
                    value = node.attrs[key]
                except (OSError, TypeError, ValueError):
                    continue  # attributes h5py cannot decode are not ones PyTables unpickles
                if isinstance(value, np.bytes_ | bytes) and value.endswith(b".") and value not in (
                        b"0", b"0."):
                    try:
                        plain_unpickle(value)
                    except pickle.UnpicklingError:
                        problems.append(f"attribute {key!r} of {name or '/'}")
            if isinstance(node, h5py.Dataset) and node.attrs.get("PSEUDOATOM") == b"object":
                problems.append(f"object column {name}")

        check("", file)
        try:
            file.visititems(check)
        except (OSError, RuntimeError, KeyError) as error:
            raise bad_file(path, "a readable pandas HDF5 file", error) from error
        keys = list(file.keys())
    if problems:
        raise pickle_refusal(path, f"an HDF5 file with pickled Python objects ({problems[0]})")
    return keys


def dlc_header_rows(path: Path) -> int:
    """Number of DeepLabCut header rows (3 or 4) at the top of a CSV file, 0 if none."""
    try:
        with open(path, newline="", encoding="utf-8") as file:
            rows = [row for _, row in zip(range(4), csv.reader(file))]
    except (UnicodeDecodeError, csv.Error, OSError):
        return 0
    n = 0
    for row in rows:
        if row and row[0].strip().lower() in _LEVELS:
            n += 1
        else:
            break
    return n if n in (3, 4) else 0


def _frame(path: Path, key: str | None):  # noqa: ANN202 - a pandas DataFrame
    pd = require("pandas")
    if path.suffix.lower() == ".csv":
        n = dlc_header_rows(path)
        if not n:
            raise bad_file(path, "a DeepLabCut CSV whose first rows are scorer, (individuals,) "
                           "bodyparts, coords")
        try:
            return pd.read_csv(path, header=list(range(n)), index_col=0)
        except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as error:
            raise bad_file(path, "a DeepLabCut CSV table", error) from error
    require("tables")
    keys = check_pandas_hdf5(path)
    if key is None:
        if len(keys) != 1:
            raise DataValidationError(
                f"{str(path)!r} holds {len(keys)} tables ({', '.join(keys) or 'none'}); pass "
                "key= to choose one."
            )
        key = keys[0]
    try:
        frame = pd.read_hdf(path, key=key)
    except (KeyError, ValueError, TypeError, OSError, AttributeError, IndexError) as error:
        raise bad_file(path, f"a pandas table under key {key!r}", error) from error
    if not isinstance(frame, pd.DataFrame):
        raise bad_file(path, "a DataFrame", type(frame).__name__)
    return frame


def _pick(path: Path, values: list[str], wanted: str | Sequence[str] | None,
          option: str) -> set[str]:
    present = list(dict.fromkeys(values))
    if wanted is None:
        return set(present)
    wanted = [wanted] if isinstance(wanted, str) else list(wanted)
    for name in wanted:
        if name not in present:
            raise ConfigurationError(
                f"{option}={name!r} is not in {str(path)!r}; it has {', '.join(present)}."
            )
    return set(wanted)


def read_dlc(
    path: str | Path,
    *,
    bodyparts: str | Sequence[str] | None = None,
    individuals: str | Sequence[str] | None = None,
    coords: Sequence[str] = ("x", "y"),
    likelihood_threshold: float | None = None,
    interpolate: bool = True,
    fps: float | None = None,
    key: str | None = None,
) -> Session:
    """Read DeepLabCut poses (.h5 or .csv; single- or multi-animal) as behaviour columns.

    Columns are named ``bodypart_coord`` (``individual_bodypart_coord`` for multi-animal files).
    Samples whose likelihood is below ``likelihood_threshold``, and missing (NaN) samples, are
    filled by linear interpolation over frames when ``interpolate`` is true; the number
    rejected per body part is in ``metadata["rejected"]``. Everything is vectorised (pandas and
    NumPy), never a loop over rows. HDF5 files are checked before pandas opens them: a file
    with pickled objects is refused.

    Parameters
    ----------
    path : str or Path
        The ``.h5`` or ``.csv`` file DeepLabCut wrote (predictions or labels).
    bodyparts, individuals : str or sequence of str, optional
        Keep only these (default: all).
    coords : sequence of str, default=("x", "y")
        Coordinates to keep (likelihood is used for the threshold, not returned).
    likelihood_threshold : float, optional
        Reject samples below this likelihood (0-1).
    interpolate : bool, default=True
        Fill rejected and missing samples linearly; a column with no valid sample is an error.
    fps : float, optional
        Video frame rate; gives the behaviour timestamps ``frame / fps``.
    key : str, optional
        Table inside an ``.h5`` file holding several.

    Returns
    -------
    Session
        ``behavior`` holds the pose; ``metadata`` the scorer, index and rejected counts.

    Raises
    ------
    DataValidationError
        If the file is not a DeepLabCut table, or a kept column has no valid sample.
    ConfigurationError
        If a body part, individual or coordinate is unknown, or the threshold is not in [0, 1].

    Examples
    --------
    >>> import numpy as np, tempfile, pathlib
    >>> from identica.io import read_dlc
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "videoDLC_resnet50.csv"
    >>> rows = ["scorer,net,net,net", "bodyparts,snout,snout,snout", "coords,x,y,likelihood",
    ...         "0,1.0,2.0,0.99", "1,9.0,9.0,0.10", "2,3.0,4.0,0.95"]
    >>> _ = path.write_text("\\n".join(rows) + "\\n")
    >>> pose = read_dlc(path, likelihood_threshold=0.5, fps=30.0).behavior
    >>> pose.names, pose.data[:, 0].tolist(), pose.rate
    (('snout_x', 'snout_y'), [1.0, 2.0, 3.0], 30.0)
    """
    path = as_path(path)
    if likelihood_threshold is not None and not 0.0 <= likelihood_threshold <= 1.0:
        raise ConfigurationError(
            f"likelihood_threshold must be in [0, 1]; got {likelihood_threshold!r}."
        )
    frame = _frame(path, key)
    columns = frame.columns
    names = [str(n).lower() if n is not None else "" for n in columns.names]
    if columns.nlevels not in (3, 4) or names[-2:] != ["bodyparts", "coords"]:
        raise bad_file(path, "DeepLabCut columns (scorer, [individuals,] bodyparts, coords)",
                       f"levels {list(columns.names)}")
    if frame.shape[0] == 0:
        raise bad_file(path, "at least one frame", "an empty table")
    multi = columns.nlevels == 4
    inds = [str(v) for v in columns.get_level_values(1)] if multi else [""] * len(columns)
    parts = [str(v) for v in columns.get_level_values(-2)]
    coord = [str(v) for v in columns.get_level_values(-1)]
    keep_inds = _pick(path, inds, individuals, "individuals")
    keep_parts = _pick(path, parts, bodyparts, "bodyparts")
    _pick(path, coord, list(coords), "coords")
    try:
        values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    except (ValueError, TypeError) as error:
        raise bad_file(path, "numeric pose values", error) from error
    point = {(i, p): k for k, (i, p) in enumerate(dict.fromkeys(zip(inds, parts)))}
    lik_col = {(i, p): c for c, (i, p, q) in enumerate(zip(inds, parts, coord))
               if q == "likelihood"}
    chosen = [c for c, (i, p, q) in enumerate(zip(inds, parts, coord))
              if i in keep_inds and p in keep_parts and q in coords]
    if not chosen:
        raise ConfigurationError(f"the selection keeps no column of {str(path)!r}.")
    data = values[:, chosen]
    rejected: dict[str, int] = {}
    if likelihood_threshold is not None:
        lik_index = [lik_col.get((inds[c], parts[c]), -1) for c in chosen]
        if min(lik_index) < 0:
            raise ConfigurationError(
                f"likelihood_threshold needs likelihood columns; {str(path)!r} has none for some "
                "kept body parts (label files have none)."
            )
        with np.errstate(invalid="ignore"):
            low = values[:, lik_index] < likelihood_threshold
        data = np.where(low, np.nan, data)
        for c, col in zip(chosen, low.T):
            rejected[f"{inds[c]}_{parts[c]}".lstrip("_")] = int(col.sum())
    labels = [f"{inds[c]}_{parts[c]}_{coord[c]}".lstrip("_") for c in chosen]
    missing = np.isnan(data)
    if interpolate and missing.any():
        frames = np.arange(data.shape[0], dtype=np.float64)
        for col in np.flatnonzero(missing.any(axis=0)):
            ok = ~missing[:, col]
            if not ok.any():
                raise DataValidationError(
                    f"{str(path)!r}: column {labels[col]!r} has no valid sample (all NaN or "
                    "below likelihood_threshold), so it cannot be interpolated. Leave it out "
                    "with bodyparts=/individuals=, or pass interpolate=False."
                )
            data[~ok, col] = np.interp(frames[~ok], frames[ok], data[ok, col])
    if fps is not None and not (isinstance(fps, int | float) and fps > 0):
        raise ConfigurationError(f"fps must be a positive number; got {fps!r}.")
    times = None if fps is None else np.arange(data.shape[0]) / float(fps)
    pose = TimeSeries(data, tuple(labels), times, unit="pixels")
    scorer = str(columns.get_level_values(0)[0])
    metadata = {"scorer": scorer, "index": frame.index.to_numpy(), "rejected": rejected,
                "n_points": len(point), "multi_animal": multi}
    return Session(behavior=pose, streams=(describe_stream("pose", pose),), metadata=metadata,
                   source=str(path), format="dlc")
