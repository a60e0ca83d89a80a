# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Helpers every reader shares: optional imports, file errors, a pickle-free unpickler."""

from __future__ import annotations

import importlib
import io
import os
import pickle
from pathlib import Path
from types import ModuleType
from typing import Any

from identica.exceptions import DataValidationError

INSTALL_HINT = {
    "h5py": "io", "pandas": "io", "tables": "io", "scipy": "io", "pynapple": "pynapple",
}
SUPPORTED = (
    ".npy/.npz, HDF5 (.h5/.hdf5), MATLAB v5 and v7.3 (.mat), NWB (.nwb), DeepLabCut (.h5/.csv), "
    "suite2p and phy/Kilosort folders, .videoPositionTracking"
)


def require(module: str) -> ModuleType:
    """Import an optional dependency or raise ImportError with the extra to install."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        extra = INSTALL_HINT.get(module, "io")
        raise ImportError(
            f"reading this file needs the optional package {module!r}, which is not installed. "
            f"Install it with: pip install 'identica[{extra}]'"
        ) from error


def as_path(path: object, *, directory: bool | None = False) -> Path:
    """Return ``path`` as a Path that exists (a file, or a folder when ``directory``)."""
    if not isinstance(path, str | os.PathLike):
        raise DataValidationError(
            f"path must be a str or os.PathLike; got {type(path).__name__}: {path!r}"
        )
    out = Path(path)
    if not out.exists():
        raise FileNotFoundError(f"no such data file: {str(out)!r}")
    if directory is True and not out.is_dir():
        raise DataValidationError(f"{str(out)!r} must be a folder; got a file.")
    if directory is False and out.is_dir():
        raise DataValidationError(f"{str(out)!r} must be a file; got a folder.")
    return out


def bad_file(path: object, expected: str, detail: object = "") -> DataValidationError:
    """The one error for malformed files: which file, what was expected, what was found."""
    tail = f" ({detail})" if str(detail) else ""
    return DataValidationError(f"could not read {str(path)!r}: expected {expected}{tail}.")


def missing_key(path: object, option: str, key: str, available: list[str]) -> DataValidationError:
    """A named array/stream/dataset is not in the file: list what is, suggest the closest."""
    import difflib

    close = difflib.get_close_matches(key, available, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return DataValidationError(
        f"{str(path)!r} has no array {key!r} (given by {option}).{hint} Available keys: "
        f"{', '.join(available) or 'none'}."
    )


class _NoGlobals(pickle.Unpickler):
    """An unpickler for plain containers of str/numbers only: any class or function is refused."""

    def find_class(self, module: str, name: str) -> object:
        raise pickle.UnpicklingError(f"refused to load {module}.{name}")


def plain_unpickle(data: bytes) -> object:
    """Unpickle ``data`` if it holds only built-in containers, strings and numbers; else raise.

    Raises
    ------
    pickle.UnpicklingError
        If the pickle names any class or function (which could run code when loaded).
    """
    try:
        return _NoGlobals(io.BytesIO(bytes(data))).load()
    except pickle.UnpicklingError:
        raise
    except Exception as error:  # truncated or garbled pickles
        raise pickle.UnpicklingError(str(error)) from error


def pickle_refusal(path: object, what: str) -> DataValidationError:
    """Why a pickled file is refused and how to convert it."""
    return DataValidationError(
        f"refused to read {str(path)!r}: it is {what}, and loading a pickle can run arbitrary code "
        "hidden in the file. If you trust the file, convert it once in a separate step, e.g. "
        "d = joblib.load(path) (or torch.load / pickle.load), then "
        "np.savez('data.npz', **{k: np.asarray(v) for k, v in d.items()}), and read the .npz."
    )


def check_options(fmt: str, options: dict[str, object], allowed: tuple[str, ...]) -> None:
    """Refuse options the reader of ``fmt`` does not take, listing those it does."""
    import difflib

    for name in options:
        if name not in allowed:
            close = difflib.get_close_matches(name, allowed, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            from identica.exceptions import ConfigurationError

            raise ConfigurationError(
                f"unknown option {name!r} for a {fmt} file.{hint} Allowed: {', '.join(allowed)}."
            )


def load_npy(file: Path, folder_kind: str) -> Any:
    """A plain ``.npy`` array from ``file`` inside a ``folder_kind`` folder (never a pickle).

    A missing file names the folder and what it should hold; object arrays are refused as
    pickles; truncated or malformed files get the usual clear error.
    """
    import numpy as np

    if not file.is_file():
        raise bad_file(file.parent, f"{folder_kind} with {file.name}", "file missing")
    try:
        return np.load(file, allow_pickle=False)
    except ValueError as error:
        if "pickle" in str(error) or "object" in str(error):
            raise pickle_refusal(file, "a .npy file of Python objects") from error
        raise bad_file(file, "a .npy array", error) from error
    except (OSError, EOFError) as error:
        raise bad_file(file, "a complete .npy array", error) from error

