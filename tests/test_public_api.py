# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""``__all__`` is exactly the public surface of every public module."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import subprocess
import sys
import types

import pytest

MODULES = [
    "identica",
    "identica.data",
    "identica.io",
    "identica.sampling",
    "identica.nn",
    "identica.losses",
    "identica.training",
    "identica.metrics",
    "identica.synthetic",
    "identica.decoders",
    "identica.exceptions",
    "identica.plot",
    "identica.attribution",
    "identica.compat",
    "identica.dynamics",
    "identica.equivariance",
    "identica.report",
    "identica.adaptation",
    "identica.distributed",
]


def _owned(module: types.ModuleType, obj: object) -> bool:
    origin = getattr(obj, "__module__", None) or ""
    return origin == module.__name__ or origin.startswith(module.__name__ + "._")


@pytest.mark.parametrize("name", MODULES)
def test_all_is_the_public_namespace(name):
    module = importlib.import_module(name)
    defined_here = {
        k for k, v in vars(module).items()
        if not k.startswith("_") and not isinstance(v, types.ModuleType) and _owned(module, v)
    }
    declared = set(module.__all__)
    assert defined_here <= declared, f"public but not in __all__: {defined_here - declared}"
    assert declared <= set(dir(module)), f"in __all__ but missing: {declared - set(dir(module))}"
    assert len(module.__all__) == len(declared), "duplicates in __all__"


@pytest.mark.parametrize("name", MODULES)
def test_every_public_name_is_documented(name):
    module = importlib.import_module(name)
    assert module.__doc__ and len(module.__doc__.split()) > 15
    for attr in module.__all__:
        obj = getattr(module, attr)
        if callable(obj) and not isinstance(obj, types.ModuleType):
            assert obj.__doc__, f"{name}.{attr} has no docstring"


def test_contract_names_exist():
    import identica

    assert callable(identica.Embedding) and callable(identica.load)
    assert callable(identica.metrics.consistency)
    assert callable(identica.metrics.goodness_of_fit)
    assert callable(identica.metrics.mcc)
    assert callable(identica.metrics.identifiability)
    assert list(inspect.signature(identica.metrics.mcc).parameters)[:2] == ["z_true", "z_pred"]
    parameters = inspect.signature(identica.metrics.identifiability).parameters
    assert list(parameters)[:3] == ["z_true", "z_pred", "indeterminacy"]
    assert parameters["indeterminacy"].default == "affine"
    # additions after the fixed three are keyword-only (held-out scoring)
    assert all(p.kind is p.KEYWORD_ONLY for p in list(parameters.values())[3:])
    assert callable(identica.decoders.KNNDecoder)
    assert callable(identica.synthetic.linear_track)
    assert callable(identica.io.read)


def test_report_names_exist():
    import identica

    parameters = list(inspect.signature(identica.report.quality_report).parameters)
    assert parameters[:3] == ["models_or_configs", "X", "y"]
    assert callable(identica.report.QualityReport.to_html)


def _parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_dynamics_names_exist():
    """The DCL generators and metrics that the dynamics family is built against."""
    import identica

    synthetic, metrics = identica.synthetic, identica.metrics
    assert _parameters(synthetic.random_rotation) == [
        "n_dims", "min_angle", "max_angle", "random_state"]
    assert _parameters(synthetic.mode_transitions) == [
        "n_modes", "switch_probability", "random_state"]
    for generator in (synthetic.lds, synthetic.slds):
        assert _parameters(generator)[:4] == ["n_trials", "n_steps", "n_latents", "n_observed"]
    assert _parameters(synthetic.lorenz)[:3] == ["n_trials", "n_steps", "n_observed"]
    for name in ("max_angle", "min_angle", "noise", "n_mixing_layers", "n_controls", "initial",
                 "random_state"):
        assert name in _parameters(synthetic.lds)
    for name in ("n_modes", "switch_probability"):
        assert name in _parameters(synthetic.slds)
    assert "dt" in _parameters(synthetic.lorenz)
    fields = [f.name for f in dataclasses.fields(synthetic.LatentDynamics)]
    assert fields == ["kind", "matrices", "control_matrix", "transition", "dt", "noise"]
    assert _parameters(synthetic.LatentDynamics.step) == ["self", "x", "modes", "controls"]
    assert _parameters(synthetic.LatentDynamics.best_modes)[:3] == ["self", "x", "x_next"]
    fields = [f.name for f in dataclasses.fields(synthetic.DynamicsData)]
    assert fields == ["observed", "latents", "trial", "time", "trial_starts", "modes",
                      "controls", "dynamics", "mixing"]
    assert _parameters(metrics.dynamics_r2) == [
        "z_true", "z_pred", "z_pred_next_predicted", "true_step", "test_size"]
    assert _parameters(metrics.lds_error) == [
        "z_true", "z_pred", "true_matrices", "learned_matrices"]
    assert _parameters(metrics.control_error) == [
        "z_true", "z_pred", "true_control", "learned_control"]
    assert _parameters(metrics.mode_accuracy) == ["true_modes", "predicted_modes"]
    assert _parameters(metrics.predictive_mse) == ["z_next", "z_next_predicted"]


def test_import_identica_leaves_the_io_extras_unloaded():
    # pandas is left out: it is already imported through a core dependency, not through io.
    code = ("import sys, identica; heavy = {'h5py', 'pynwb', 'tables', 'pynapple'}; "
            "print(sorted(heavy & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_import_identica_does_not_import_matplotlib():
    code = "import identica, sys; assert 'matplotlib' not in sys.modules"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
