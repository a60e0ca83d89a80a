# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The mixin that turns CEBRA's names (and typos) given to Embedding into errors with the fix."""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable
from typing import Any

from identica.estimator._cebra_names import METHOD_HINTS, TOO_MANY_LABELS, cebra_name_hint
from identica.exceptions import ParameterNameError

__all__ = ["CEBRANameHints"]


@functools.cache
def _signature(function: Callable[..., Any]) -> tuple[frozenset[str], int, bool]:
    """Keyword names, the number of positional slots (self included), and whether **kwargs."""
    parameters = inspect.signature(function).parameters.values()
    names = frozenset(p.name for p in parameters if p.kind not in (p.VAR_POSITIONAL,
                                                                   p.VAR_KEYWORD))
    positional = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)
    if any(p.kind == p.VAR_POSITIONAL for p in parameters):
        positional = 10**9
    return names, positional, any(p.kind == p.VAR_KEYWORD for p in parameters)


def _unknown_name_error(where: str, name: str, value: object, known: frozenset[str],
                        hint: str | None) -> ParameterNameError:
    if hint is None:
        close = difflib.get_close_matches(name, sorted(known - {"self"}), n=1)
        hint = f"Did you mean {close[0]!r}?" if close else (
            f"The parameters are {sorted(known - {'self'})}.")
    return ParameterNameError(f"{where} got an unexpected keyword argument {name!r}. {hint}")


def _check_method_call(owner: str, method: str, function: Callable[..., Any], n_args: int,
                       kwargs: dict[str, Any]) -> None:
    names, positional, var_keyword = _signature(function)
    if n_args + 1 > positional:
        if method in ("fit", "partial_fit"):
            raise ParameterNameError(TOO_MANY_LABELS.format(owner=owner, method=method))
        return  # Python's own TypeError says it as well as we could
    if var_keyword:
        return
    for name, value in kwargs.items():
        if name not in names:
            hint = METHOD_HINTS.get(method, {}).get(name)
            raise _unknown_name_error(f"{owner}.{method}()", name, value, names, hint)


def _with_name_hints(owner: str, method: str, function: Callable[..., Any]) -> Callable[..., Any]:
    names, positional, var_keyword = _signature(function)

    @functools.wraps(function)
    def checked(self: Any, *args: Any, **kwargs: Any) -> Any:
        # One set comparison per call: the full check runs only on a call that would fail.
        if len(args) + 1 > positional or not (var_keyword or kwargs.keys() <= names):
            _check_method_call(type(self).__name__, method, function, len(args), kwargs)
        return function(self, *args, **kwargs)

    return checked


class _Moved:
    """A class attribute that does not exist in identica: reading it raises AttributeError
    naming the replacement (``hasattr`` stays False)."""

    def __init__(self, replacement: str) -> None:
        self.replacement = replacement
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        cls = owner if owner is not None else type(instance)
        raise AttributeError(
            f"type object {cls.__name__!r} has no attribute {self.name!r}: "
            f"{self.replacement}"
        )


class CEBRANameHints:
    """Mixin of :class:`~identica.Embedding`: CEBRA's names raise errors naming identica's.

    ``Embedding(distance="euclidean")`` raises :class:`~identica.exceptions.ParameterNameError`
    (a ``TypeError``, like Python's own) saying ``similarity='euclidean'``; a typo gets the
    closest parameter; ``transform(X, session_id=1)`` says ``session=1``; ``fit(X, y1, y2)``
    says ``discrete=``; ``Embedding.load`` says :func:`identica.load`.

    Examples
    --------
    >>> import identica
    >>> identica.Embedding(model_architecture="offset10-model")
    Traceback (most recent call last):
    ...
    identica.exceptions.ParameterNameError: Embedding() got an unexpected keyword argument \
'model_architecture'. 'model_architecture' is CEBRA's name; identica calls it 'encoder': write \
encoder='conv10'.
    """

    # Why ``__new__``: Python calls ``cls.__new__(cls, *args, **kwargs)`` before it binds the
    # arguments to ``__init__``, where an unknown keyword becomes a bare TypeError. Checking the
    # names here leaves ``__init__`` a plain assignment with its real signature, which is what
    # scikit-learn's get_params/clone introspect; clone calls the class with known names only,
    # and pickle/copy call ``cls.__new__(cls)`` without arguments, so neither is affected. A
    # wrapper around ``__init__`` would instead need ``__signature__``/``__wrapped__`` for
    # sklearn to see the parameters. The methods are wrapped once per class in
    # ``__init_subclass__`` (functools.wraps keeps their signature and docstring), so the
    # estimator's own code carries no trace of CEBRA.

    _HINTED_METHODS = ("fit", "partial_fit", "transform", "adapt")

    load = _Moved("CEBRA's CEBRA.load(path) is identica.load(path) (a function, not a method); "
                  "identica.compat.CEBRA.load(path) reads the files that compat.CEBRA saves.")

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if kwargs:
            names, _, var_keyword = _signature(cls.__init__)
            if not var_keyword and not kwargs.keys() <= names:
                for name, value in kwargs.items():
                    if name not in names:
                        raise _unknown_name_error(f"{cls.__name__}()", name, value, names,
                                                  cebra_name_hint(name, value))
        return super().__new__(cls)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # inspect.signature(cls) on Python 3.10 prefers a user-defined __new__ anywhere in the
        # MRO over __init__ and would show (*args, **kwargs); state __init__'s signature.
        init = inspect.signature(cls.__init__)
        cls.__signature__ = init.replace(parameters=list(init.parameters.values())[1:])
        for method in cls._HINTED_METHODS:
            function = cls.__dict__.get(method)
            if inspect.isfunction(function):
                setattr(cls, method, _with_name_hints(cls.__name__, method, function))
        super().__init_subclass__(**kwargs)
