# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The DCL reference implementation on identica's benchmark data, at the same budget.

Trains the published implementation of dynamics contrastive learning (github
dynamical-inference/dcl: its ``Offset1ModelMLP`` encoder, ``GumbelSLDS`` dynamics with
identity-initialised ``LinearDynamicsModel``, ``MseInfoNCE`` with the full denominator, its
Adam with separate encoder / dynamics rates and its contrastive loader) on the data set
``benchmarks/dynamics.py`` generates for a case and seed, with the same batch, negatives, steps
and learning rates, and scores the embedding with ``identica.metrics.identifiability``. It
answers one question: is a number of the identica benchmark a property of the method at this
budget, or of identica's implementation?

The reference is not a dependency of identica and nothing of it is copied here: point
``--reference`` at a checkout of that repository (its own requirements: ``jaxtyping`` and
``typeguard==2.13.3``; its database module is not needed and is replaced by an empty module
before import). Prints one JSON line per run with the keys of ``benchmarks/dynamics.py``
that apply (``data``, ``model``, ``seed``, ``r2``, ``cpu_s``) and ``implementation:
"reference"``. One thread, jaxtyping checks off; a 5000-step run of 512 / 4096 took 10-11
CPU-minutes on a shared 2-core machine (load 4-9; a cost estimate, not a speed comparison)::

    python benchmarks/dynamics_reference.py --reference ../dcl --cases lds --seeds 1
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import types
from pathlib import Path
from typing import Any

import numpy as np
import torch

from identica.metrics import identifiability
from identica.synthetic import lds, slds

MODELS = {"lds": ("identity", "linear"), "slds": ("identity", "slds")}


def make_data(case: str, seed: int, *, n_trials: int = 100, n_steps: int = 1000,
              n_latents: int = 6, n_observed: int = 50, mixing_pool: int = 10_000) -> Any:
    """The data set of ``benchmarks/dynamics.py`` for ``case`` and ``seed`` (its default sizes)."""
    sizes = dict(n_trials=n_trials, n_steps=n_steps, n_latents=n_latents, n_observed=n_observed,
                 mixing_pool=mixing_pool, random_state=seed)
    if case == "slds":
        return slds(n_modes=5, switch_probability=0.1, max_angle=10.0, noise=1e-4, **sizes)
    return lds(max_angle=5.0, noise=0.01, **sizes)


# name -> module of the reference package that defines it
REFERENCE_NAMES = {
    "MseInfoNCE": "dcl.criterions.contrastive",
    "TensorDatasetWithLatents": "dcl.datasets.timeseries",
    "OffsetTimeDistribution": "dcl.distributions.time_distributions",
    "UniformDiscreteTimeDistribution": "dcl.distributions.time_distributions",
    "DiscreteTimeContrastiveDataLoader": "dcl.loader.contrastive",
    "LinearDynamicsModel": "dcl.models.dynamics.linear_dynamics",
    "GumbelSLDS": "dcl.models.dynamics.slds",
    "MSESwitchingModel": "dcl.models.dynamics.switching_dynamics",
    "IdentityLDSParameters": "dcl.models.dynamics.utils",
    "Offset1ModelMLP": "dcl.models.encoder",
    "SLDSContrastiveLearningSolver": "dcl.solver.contrastive_solver",
    "DCLAdamOptimizer": "dcl.solver.optimizer",
    "disable_jaxtyping": "dcl.utils.jaxtyping",
}


def _import_reference(path: Path) -> dict[str, Any]:
    """The reference's classes by name, imported from the checkout at ``path``."""
    sys.path.insert(0, str(path))
    sys.modules.setdefault("dcl.datajoint", types.ModuleType("dcl.datajoint"))
    return {name: getattr(importlib.import_module(module), name)
            for name, module in REFERENCE_NAMES.items()}


def run(ref: dict[str, Any], case: str, model: str, seed: int,
        args: argparse.Namespace) -> dict[str, Any]:
    """Train the reference on one data set; the embedding's in-sample R² backward."""
    data = make_data(case, seed)
    n_trials, n_steps = data.n_trials, data.n_steps
    dataset = ref["TensorDatasetWithLatents"](
        data=torch.as_tensor(data.observed, dtype=torch.float32),
        trial_id=torch.as_tensor(np.repeat(np.arange(n_trials), n_steps)),
        trial_time=torch.as_tensor(np.tile(np.arange(n_steps), n_trials)),
        latents=torch.as_tensor(data.latents, dtype=torch.float32),
    )
    modes = 5 if model == "slds" else 1
    dimension = data.latents.shape[1]
    solver = ref["SLDSContrastiveLearningSolver"](
        freeze_dynamics_model=model == "identity",
        model=ref["Offset1ModelMLP"](input_dim=data.observed.shape[1], output_dim=dimension,
                                     hidden_dim=180, num_layers=3, normalize=False,
                                     seed=3242 + seed),
        dynamics_model=ref["GumbelSLDS"](
            linear_dynamics=ref["LinearDynamicsModel"](
                dim=dimension, num_systems=modes, initializer=ref["IdentityLDSParameters"]()),
            switching_model=ref["MSESwitchingModel"](num_modes=modes),
        ),
        optimizer=ref["DCLAdamOptimizer"](encoder_learning_rate=args.learning_rate,
                                          dynamics_learning_rate=args.dynamics_learning_rate),
        criterion=ref["MseInfoNCE"](temperature=1.0, infonce_type="infonce_full_denominator"),
    )
    solver.seed = 42 + seed
    loader = ref["DiscreteTimeContrastiveDataLoader"](
        num_iterations=args.iterations, batch_size=args.batch_size,
        batch_size_neg=args.num_negatives,
        reference_distribution=ref["UniformDiscreteTimeDistribution"](),
        positive_distribution=ref["OffsetTimeDistribution"](offset=1),
        negative_distribution=ref["UniformDiscreteTimeDistribution"](),
    )
    loader.lazy_init(dataset)
    cpu = time.process_time()
    with ref["disable_jaxtyping"]():
        solver.fit(train_loader=loader)
    cpu = time.process_time() - cpu
    solver.model.eval()
    with torch.no_grad():
        observed = torch.as_tensor(data.observed, dtype=torch.float32).unsqueeze(1)
        z = solver.model(observed).numpy().astype(np.float64)
    return {"implementation": "reference", "data": case, "model": model, "seed": seed,
            "r2": round(identifiability(data.latents, z), 5), "cpu_s": round(cpu, 1),
            "iterations": args.iterations}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, required=True,
                        help="checkout of github.com/dynamical-inference/dcl")
    parser.add_argument("--cases", default="lds,slds")
    parser.add_argument("--models", default=None, help="comma-separated; default: both")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--iterations", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--num-negatives", type=int, default=4096)
    parser.add_argument("--learning-rate", type=float, default=3e-3)
    parser.add_argument("--dynamics-learning-rate", type=float, default=1e-2)
    args = parser.parse_args(argv)
    cases = args.cases.split(",")
    unknown = sorted(set(cases) - set(MODELS))
    if unknown:
        parser.error(f"--cases: unknown {unknown}; allowed: {sorted(MODELS)}")
    if not (args.reference / "dcl" / "__init__.py").is_file():
        parser.error(f"--reference: no dcl package under {args.reference}")
    torch.set_num_threads(1)
    ref = _import_reference(args.reference)
    wanted = None if args.models is None else set(args.models.split(","))
    for case in cases:
        for seed in (int(s) for s in args.seeds.split(",")):
            for model in MODELS[case]:
                if wanted is None or model in wanted:
                    print(json.dumps(run(ref, case, model, seed, args)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
