# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""CEBRA 0.6.1's names and what identica calls them, for errors that show the fix.

One table (:data:`CEBRA_PARAMETERS`) maps every parameter of ``cebra.CEBRA`` to the
:class:`~identica.Embedding` parameter that does the same (defaults side by side, what differs);
the README section "Coming from CEBRA" and :class:`identica.compat.CEBRA` follow it.
:func:`nearest_encoder` turns a CEBRA ``model_architecture`` into the nearest registry key;
the hints here are the text of the errors that ``_name_hints.CEBRANameHints`` raises for
``Embedding(distance=...)``, ``transform(X, session_id=1)`` and ``Embedding.load``, and
:func:`checkpoint_refusal` explains a CEBRA ``.pt`` file given to :func:`identica.load`.
"""

from __future__ import annotations

import dataclasses
import inspect
import re

__all__ = [
    "CEBRA_PARAMETERS",
    "METHOD_HINTS",
    "TOO_MANY_LABELS",
    "EncoderMatch",
    "cebra_name_hint",
    "cebra_value_hint",
    "nearest_encoder",
    "checkpoint_refusal",
]


@dataclasses.dataclass(frozen=True)
class CEBRAParameter:
    """One row of the name table: a ``cebra.CEBRA`` parameter and identica's counterpart."""

    cebra: str
    cebra_default: object
    identica: str | None  # the Embedding parameter, or None where identica has none
    identica_default: object
    difference: str  # what behaves differently ("" where nothing does)


CEBRA_DEFAULT_OPTIMIZER_KWARGS = (
    ("betas", (0.9, 0.999)), ("eps", 1e-08), ("weight_decay", 0), ("amsgrad", False),
)

# CEBRA 0.6.1's cebra.CEBRA.__init__, in its order (tests/estimator/test_cebra_names.py checks
# names and defaults against the installed package when CEBRA is there).
CEBRA_PARAMETERS: tuple[CEBRAParameter, ...] = (
    CEBRAParameter("model_architecture", "offset1-model", "encoder", "conv10",
                   "registry keys are named by receptive field: 'offset10-model' is 'conv10', "
                   "'offset1-model' is 'mlp'"),
    CEBRAParameter("device", "cuda_if_available", "device", "auto",
                   "'auto' also picks Apple's 'mps'"),
    CEBRAParameter("criterion", "infonce", None, None, "always InfoNCE"),
    CEBRAParameter("distance", "cosine", "similarity", "cosine",
                   "CEBRA's 'cosine' is the dot product of its encoder's output (normalised "
                   "unless the architecture ends in -mse); identica normalises exactly when "
                   "similarity='cosine', and offers 'dot' for an unnormalised dot product"),
    CEBRAParameter("conditional", None, "conditional", "auto",
                   "CEBRA ignores it without labels (time) and with discrete labels; identica "
                   "refuses a conditional the labels cannot serve"),
    CEBRAParameter("temperature", 1.0, "temperature", 1.0, ""),
    CEBRAParameter("temperature_mode", "constant", "learn_temperature", False,
                   "'auto' is learn_temperature=True"),
    CEBRAParameter("min_temperature", 0.1, "min_temperature", 0.1,
                   "None (no floor) is not allowed"),
    CEBRAParameter("time_offsets", 1, "time_offset", 10,
                   "a tuple draws one offset per sample (CEBRA takes one value)"),
    CEBRAParameter("delta", None, "delta", None, ""),
    CEBRAParameter("max_iterations", 10000, "max_iterations", 5000, ""),
    CEBRAParameter("max_adapt_iterations", 500, "max_adapt_iterations", 500, ""),
    CEBRAParameter("batch_size", None, "batch_size", 512,
                   "None (CEBRA: the whole recording every step) is not allowed"),
    CEBRAParameter("learning_rate", 3e-4, "learning_rate", 3e-4, ""),
    CEBRAParameter("optimizer", "adam", None, None, "always Adam"),
    CEBRAParameter("output_dimension", 8, "output_dimension", 8, ""),
    CEBRAParameter("verbose", False, "verbose", False, ""),
    CEBRAParameter("num_hidden_units", 32, "hidden_units", 32, ""),
    CEBRAParameter("pad_before_transform", True, None, None,
                   "always padded: one embedding row per input row"),
    CEBRAParameter("hybrid", False, "hybrid", False,
                   "each objective normalises its own slice (CEBRA normalises the whole output "
                   "once)"),
    CEBRAParameter("optimizer_kwargs", CEBRA_DEFAULT_OPTIMIZER_KWARGS, None, None,
                   "Adam's defaults (CEBRA's too); not configurable"),
    CEBRAParameter("masking_kwargs", None, None, None, "no input masking"),
)

_BY_NAME = {p.cebra: p for p in CEBRA_PARAMETERS}

# What to do instead, for the CEBRA parameters that identica has no parameter for.
_NO_COUNTERPART = {
    "criterion": "identica always trains InfoNCE; leave criterion out",
    "optimizer": "identica always trains with Adam; leave optimizer out",
    "optimizer_kwargs": (
        "identica's Adam uses betas=(0.9, 0.999), eps=1e-8 and no weight decay (CEBRA's "
        "defaults); leave optimizer_kwargs out"
    ),
    "pad_before_transform": (
        "identica always pads, one embedding row per input row; for CEBRA's "
        "pad_before_transform=False keep Z[left:len(Z) - right + 1] with (left, right) = "
        "model.receptive_field_"
    ),
    "masking_kwargs": "identica has no input masking; leave masking_kwargs out",
}

# -- model_architecture -> encoder ----------------------------------------------------------

_CONV_FIELDS = {5: "conv5", 10: "conv10", 15: "conv15", 20: "conv20", 36: "conv36", 50: "conv50"}
# CEBRA keys whose receptive field is not in their name (the field, from cebra.models.init).
_NAMED_FIELDS = {"resample-model": 40, "resample5-model": 20, "resample1-model": 4}


@dataclasses.dataclass(frozen=True)
class EncoderMatch:
    """identica's nearest registry encoder for a CEBRA ``model_architecture``.

    ``exact`` is true when the network is the same (layers, widths, receptive field) given
    ``normalized``: whether CEBRA's model L2-normalises its output (names without ``-mse``),
    which identica does exactly when ``similarity="cosine"``. ``note`` says what differs.
    """

    encoder: str
    exact: bool
    normalized: bool
    note: str


def nearest_encoder(architecture: object) -> EncoderMatch | None:
    """identica's registry key nearest to a CEBRA ``model_architecture``, or None if none is.

    Parameters
    ----------
    architecture : str
        A key of ``cebra.models.get_options()`` (``"offset10-model"``, ``"offset1-model-mse"``,
        ``"offset40-model-4x-subsample"``, ...).

    Returns
    -------
    EncoderMatch or None
        None when ``architecture`` is not a CEBRA model name.

    Examples
    --------
    >>> from identica.estimator._cebra_names import nearest_encoder
    >>> nearest_encoder("offset10-model").encoder, nearest_encoder("offset40-model").encoder
    ('conv10', 'conv36')
    >>> match = nearest_encoder("offset1-model-mse")
    >>> match.encoder, match.exact, match.normalized
    ('mlp-clip', False, False)
    """
    if not isinstance(architecture, str):
        return None
    name = architecture.strip().lower()
    match = re.fullmatch(r"(?:offset|supervised)(\d+)-model(.*)", name)
    if match:
        field, suffix = int(match.group(1)), match.group(2)
    elif name in _NAMED_FIELDS:
        field, suffix = _NAMED_FIELDS[name], "-resampled"
    else:
        return None
    normalized = not suffix.startswith("-mse")
    if name.startswith("supervised"):
        suffix = "-supervised"
    if field <= 1:
        if suffix.startswith("-mse-clip"):
            exact = suffix == "-mse-clip-5-5"
            return EncoderMatch("mlp-clip", exact, False, "" if exact else (
                "identica's 'mlp-clip' clips its output at ±5"))
        if suffix.startswith("-mse"):
            return EncoderMatch("mlp-clip", False, False, (
                "the same widths (30, 30 and 10 times output_dimension), but identica's "
                "'mlp-clip' clips its output at ±5"))
        exact = suffix == ""
        return EncoderMatch("mlp", exact, normalized, "" if exact else (
            "identica's 'mlp' has hidden widths hidden_units, hidden_units, hidden_units / 2"))
    key = min(_CONV_FIELDS, key=lambda f: (abs(f - field), f))
    exact = key == field and suffix in ("", "-mse")
    note = ""
    if key != field:
        note = f"identica has no {field}-step encoder; {_CONV_FIELDS[key]!r} reads {key} steps"
    elif not exact:
        note = (f"the same {field}-step convolution without the {suffix.lstrip('-')!r} "
                "variation")
    return EncoderMatch(_CONV_FIELDS[key], exact, normalized, note)


# -- hints for values and names -------------------------------------------------------------

def _encoder_hint(value: object) -> str | None:
    match = nearest_encoder(value)
    if match is None:
        return None
    how = f"encoder={match.encoder!r}"
    if not match.normalized:
        how += " with similarity='euclidean' (or 'dot' for CEBRA's 'cosine'): unnormalised output"
    closeness = "the same network" if match.exact else f"the nearest; {match.note}"
    return f"{value!r} is CEBRA's model_architecture name; in identica use {how} ({closeness})."


def cebra_value_hint(name: str, value: object) -> str | None:
    """The fix for a CEBRA value given to an identica parameter, or None if it is none.

    Examples
    --------
    >>> from identica.estimator._cebra_names import cebra_value_hint
    >>> cebra_value_hint("device", "cuda_if_available")
    "'cuda_if_available' is CEBRA's spelling; identica's is device='auto'."
    """
    if name == "encoder":
        return _encoder_hint(value)
    if name == "device" and value == "cuda_if_available":
        return "'cuda_if_available' is CEBRA's spelling; identica's is device='auto'."
    if name == "conditional" and value is None:
        return ("None is CEBRA's default; identica's is conditional='auto' (chosen from the "
                "labels given to fit).")
    if name == "batch_size" and value is None:
        return ("batch_size=None is CEBRA's full-batch training; identica trains on "
                "mini-batches: pass an int (512 or more works well).")
    if name == "min_temperature" and value is None:
        return ("min_temperature=None (no floor) is CEBRA's; identica needs a positive floor "
                "for a learned temperature (default 0.1).")
    if name == "similarity" and value == "mse":
        return "for a squared distance use similarity='euclidean'."
    return None


def _value_in_identica(parameter: CEBRAParameter, value: object) -> str:
    """How ``parameter=value`` is written in identica (``encoder='conv10'``, ...)."""
    if parameter.cebra == "model_architecture":
        match = nearest_encoder(value)
        if match is not None:
            return f"encoder={match.encoder!r}"
    if parameter.cebra == "temperature_mode" and value in ("auto", "constant"):
        return f"learn_temperature={value == 'auto'}"
    if parameter.cebra == "device" and value == "cuda_if_available":
        return "device='auto'"
    if value is inspect.Parameter.empty:
        return f"{parameter.identica}=..."
    return f"{parameter.identica}={value!r}"


def cebra_name_hint(name: str, value: object = inspect.Parameter.empty) -> str | None:
    """The fix for a CEBRA parameter name given to :class:`~identica.Embedding`, or None."""
    parameter = _BY_NAME.get(name)
    if parameter is None or parameter.identica == name:
        return None
    if parameter.identica is None:
        return f"{name!r} is a CEBRA parameter: {_NO_COUNTERPART[name]}."
    return (f"{name!r} is CEBRA's name; identica calls it {parameter.identica!r}: write "
            f"{_value_in_identica(parameter, value)}.")


# Keyword arguments of CEBRA's methods that identica spells differently or does elsewhere.
METHOD_HINTS: dict[str, dict[str, str]] = {
    "transform": {
        "session_id": "'session_id' is CEBRA's name; identica's is transform(X, session=...).",
        "batch_size": ("'batch_size' of CEBRA's transform has no counterpart: identica embeds "
                       "in chunks by itself (the result is the same); leave it out."),
    },
    "fit": {
        "adapt": ("CEBRA's fit(X, y, adapt=True) is identica's model.adapt(X, y) on the fitted "
                  "model."),
        "callback": ("identica's fit takes no callback: use verbose=True for a progress bar, "
                     "or partial_fit in a loop to act between steps."),
        "callback_frequency": ("identica's fit takes no callback: use verbose=True for a "
                               "progress bar, or partial_fit in a loop."),
        "session_id": "identica fits sessions from a list X = [X1, X2, ...].",
    },
}
METHOD_HINTS["partial_fit"] = METHOD_HINTS["fit"]

TOO_MANY_LABELS = (
    "{owner}.{method}() takes X and y positionally and the discrete labels as a keyword: "
    "{method}(X, y, discrete=labels). CEBRA's {method}(X, y1, y2) is identica.compat.CEBRA."
)


# -- CEBRA checkpoints given to identica.load -------------------------------------------------

def checkpoint_refusal(name: str, what: str) -> str:
    """Why a pickled (CEBRA) checkpoint is not loaded, and what to do instead.

    ``what`` says what the file is (a pickle, a PyTorch zip checkpoint).

    Examples
    --------
    >>> from identica.estimator._cebra_names import checkpoint_refusal
    >>> "never unpickles" in checkpoint_refusal("model.pt", "a pickle")
    True
    """
    return (
        f"{name!r} is not a readable .safetensors model file: it is {what}, as CEBRA's "
        "CEBRA.save writes (a CEBRA .pt checkpoint). identica never unpickles files (a pickle "
        "can run code hidden in it) and does not convert CEBRA models. Instead: refit with "
        "identica.compat.CEBRA (CEBRA's parameter names) or identica.Embedding and save with "
        "model.save(path) (.safetensors); or, where CEBRA is installed, keep CEBRA's embedding "
        "as an array: np.save('embedding.npy', cebra_model.transform(X))."
    )
