# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Exceptions raised by identica.

Every error identica raises on purpose derives from :class:`IdenticaError` and from the built-in
exception a caller would catch without knowing identica, so ``except ValueError`` keeps working::

    Exception
     └── IdenticaError
          ├── ConfigurationError (ValueError)      a parameter is out of range or unknown
          ├── DataValidationError (ValueError)     the data given to fit/transform is malformed
          │    └── DataTypeError (TypeError)       the data is not numbers at all
          ├── NotFittedError (sklearn's NotFittedError: ValueError, AttributeError)
          │                                        transform/save before fit
          ├── ModelFileError (ValueError)          a model file is malformed or from a newer format
          └── DeviceUnavailableError (RuntimeError) the requested device does not exist here
"""

from __future__ import annotations

from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

__all__ = [
    "ConfigurationError",
    "DataTypeError",
    "DataValidationError",
    "DeviceUnavailableError",
    "IdenticaError",
    "ModelFileError",
    "NotFittedError",
]


class IdenticaError(Exception):
    """Base class of every error identica raises on purpose."""


class ConfigurationError(IdenticaError, ValueError):
    """A parameter has a value that is not allowed (unknown name, out of range, wrong type)."""


class DataValidationError(IdenticaError, ValueError):
    """Input data is malformed: wrong shape, NaN or inf, mismatched lengths, wrong dtype."""


class DataTypeError(DataValidationError, TypeError):
    """Input data holds values that are not numbers (strings, dicts, ...)."""


class NotFittedError(IdenticaError, _SklearnNotFittedError):
    """The estimator is used before :meth:`fit` was called."""


class ModelFileError(IdenticaError, ValueError):
    """A model file is malformed, not an identica file, or written by a newer format version."""


class DeviceUnavailableError(IdenticaError, RuntimeError):
    """The requested torch device is not available on this machine."""
