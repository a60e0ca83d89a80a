# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Exceptions raised by identica.

Every error identica raises on purpose derives from :class:`IdenticaError` and from the built-in
exception a caller would catch without knowing identica, so ``except ValueError`` keeps working::

    Exception
     └── IdenticaError
          ├── ConfigurationError (ValueError)      a parameter is out of range or unknown
          │    └── ParameterNameError (TypeError)  a keyword argument that is not a parameter
          │                                        (a CEBRA name, a typo); names the right one
          ├── DataValidationError (ValueError)     the data given to fit/transform is malformed
          │    └── DataTypeError (TypeError)       the data is not numbers at all
          ├── NotFittedError (sklearn's NotFittedError: ValueError, AttributeError)
          │                                        transform/save before fit
          ├── ModelFileError (ValueError)          a model file is malformed or from a newer format
          └── DeviceUnavailableError (RuntimeError) the requested device does not exist here

Warnings say what looks wrong and how to fix it, and let the run go on::

    UserWarning
     ├── DataWarning                              the data is accepted but looks like a mistake
     │                                            (transposed, integer positions, likelihoods)
     └── CompatibilityWarning                     identica.compat.CEBRA runs a setting that CEBRA
                                                  runs differently (the message says how)

Silence one kind with ``warnings.filterwarnings("ignore", category=DataWarning)``.
"""

from __future__ import annotations

from sklearn.exceptions import NotFittedError as _SklearnNotFittedError

__all__ = [
    "CompatibilityWarning",
    "ConfigurationError",
    "DataTypeError",
    "DataValidationError",
    "DataWarning",
    "DeviceUnavailableError",
    "IdenticaError",
    "ModelFileError",
    "NotFittedError",
    "ParameterNameError",
]


class IdenticaError(Exception):
    """Base class of every error identica raises on purpose."""


class ConfigurationError(IdenticaError, ValueError):
    """A parameter has a value that is not allowed (unknown name, out of range, wrong type)."""


class ParameterNameError(ConfigurationError, TypeError):
    """A keyword argument that is no parameter (a CEBRA name, a typo); the message names the
    right one. A ``TypeError`` like Python's own for an unexpected keyword argument."""


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


class DataWarning(UserWarning):
    """The data is accepted but looks like a mistake; the message says what to change.

    Examples: more features than samples (a transposed recording), integer labels with very
    many distinct values (positions stored as integers), DeepLabCut likelihood columns used as
    behaviour, text labels encoded as classes.
    """


class CompatibilityWarning(UserWarning):
    """:class:`identica.compat.CEBRA` runs a CEBRA setting that identica does differently.

    The message names the CEBRA setting, what identica trains instead and how to get closer.
    """
