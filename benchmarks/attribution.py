# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""xCEBRA attribution benchmark: does the inverted neuron gradient recover which latent drives
which neuron?

Trains the configuration of the xCEBRA synthetic demo through the public API (spec xcebra §2):
encoder ``mlp-clip`` (output 6), two objectives sharing references and 512 independent
negatives — time (all 6 dims, time offset 1) and time_delta on the behaviour label Z2 (dims 3-5,
time offset 1) — squared-euclidean similarity, temperature 1, batch 512, Adam 3e-4, 2000 steps,
1 thread. Then maps ``mean_t |J|`` and ``mean_t |J⁺ᵀ|`` (lstsq) on the training data are scored
against the ground-truth map by ROC-AUC, and the in-sample affine R² from the true latents to
the embedding is reported (all six dimensions, and per block: Z1 → dims 0-2, Z2 → dims 3-5 and
the two cross terms), and the fraction of embedding entries at the encoder's output bound
(``at_bound``). ``--regularize`` trains 6000 steps with a Jacobian penalty ramped from 0
at step 2500 to ``--reg-weight`` at 5000. ``--baselines`` adds the AUC of every method of
``identica.attribution.METHODS`` (gradient SHAP with zero and with shuffled baselines).
``--clip C`` changes the encoder's output bound (Hardtanh(-C, C); the spec's 5), e.g. 1000 to
see what the bound costs.

``--tool cebra`` (or ``both``) trains the same configuration with CEBRA 0.6.1's multi-objective
solver (``offset1-model-mse-clip-5-5``, ``FixedEuclideanInfoNCE``, ``time`` and ``time_delta``
distributions, its ``JacobianReg`` and ``LinearRampUp``), scored by the same attribution code;
CEBRA is an optional extra (``pip install torch==2.13.0 'cebra==0.6.1'``). Its seed sets only
the network initialisation: CEBRA's samplers seed themselves from fresh entropy.

Prints one JSON line per run, then, for more than one seed, one summary line per tool with the
mean, standard deviation and minimum of every score over the seeds.

The data: an ``.npz`` with ``neural`` (T, D), ``latents`` (T, 6) and ``attribution_truth``
(6, D); the behaviour label is ``latents[:, 3:6]``. Default: ``../shared/data/xcebra_synthetic.npz``
beside the repository; ``--generator`` uses ``identica.synthetic.attribution_benchmark`` with
``random_state`` = the seed instead (a new recording per seed). Reproduce the README figures::

    python benchmarks/attribution.py --seeds 0-7 --tool both
    python benchmarks/attribution.py --seeds 0-2 --generator --tool both
    python benchmarks/attribution.py --seeds 0-2 --regularize --reg-weight 0.01 --baselines
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / (
    "xcebra_synthetic.npz"
)
SCORES = ("auc_inverted", "auc_jacobian", "r2_latents", "r2_z1_to_dims02", "r2_z2_to_dims35",
          "seconds")
RAMP = {"on": 2500, "off": 5000}


def _seeds(text: str) -> list[int]:
    """``"0,2,5"`` or ``"0-7"`` (inclusive) → list of ints."""
    seeds: list[int] = []
    for part in text.split(","):
        low, _, high = part.partition("-")
        seeds.extend(range(int(low), int(high or low) + 1))
    return seeds


def _load(args: argparse.Namespace, seed: int):
    import numpy as np

    import identica

    if args.generator:
        rec = identica.synthetic.attribution_benchmark(random_state=seed)
        return rec.neural, rec.truth["latents"], rec.truth["attribution"]
    with np.load(args.data, allow_pickle=False) as data:
        return (data["neural"].astype(np.float32), data["latents"].astype(np.float32),
                data["attribution_truth"])


def _fit_identica(args, seed, iterations, neural, latents):
    import numpy as np
    import torch

    import identica
    from identica import Objective
    from identica.losses import LinearRamp

    regularization = (LinearRamp(**RAMP, start=0.0, end=args.reg_weight)
                      if args.regularize else None)
    encoder = "mlp-clip"
    if args.clip != 5.0:  # the same network with another output bound, seeded from the seed
        encoder = identica.nn.reset_parameters(
            identica.nn.ClippedMLPEncoder(neural.shape[1], 6, clip=args.clip),
            generator=torch.Generator().manual_seed(seed))
    model = identica.Embedding(
        encoder=encoder, output_dimension=6, batch_size=512, num_negatives=512,
        learning_rate=3e-4, temperature=1.0, max_iterations=iterations, device="cpu",
        num_threads=args.threads, random_state=seed, jacobian_regularization=regularization,
        objectives=[
            Objective(dims=(0, 1, 2, 3, 4, 5), conditional="time", time_offset=1,
                      similarity="euclidean"),
            Objective(dims=(3, 4, 5), conditional="time_delta", label="z2", time_offset=1,
                      similarity="euclidean"),
        ],
    )
    start = time.process_time()
    model.fit(neural, {"z2": np.ascontiguousarray(latents[:, 3:6])})
    return model, time.process_time() - start


def _wrap_cebra(module, n_features: int):
    """A CEBRA single-step model with the encoder attributes ``attribute`` reads."""
    import torch

    from identica.data import Offset

    class CebraEncoder(torch.nn.Module):
        receptive_field = Offset(0, 1)
        n_features_in = n_features
        output_dimension = 6

        def __init__(self) -> None:
            super().__init__()
            self.module = module

        def forward(self, windows: torch.Tensor) -> torch.Tensor:
            return self.module(windows)

    return CebraEncoder()


def _fit_cebra(args, seed, iterations, neural, latents):
    import torch
    from cebra.data import ContrastiveMultiObjectiveLoader, DatasetxCEBRA
    from cebra.models import init as init_model
    from cebra.models.jacobian_regularizer import JacobianReg
    from cebra.solver import MultiObjectiveConfig
    from cebra.solver import init as init_solver
    from cebra.solver.schedulers import LinearRampUp

    torch.manual_seed(seed)
    dataset = DatasetxCEBRA(torch.from_numpy(neural), z2=torch.from_numpy(latents[:, 3:6]))
    loader = ContrastiveMultiObjectiveLoader(dataset=dataset, num_steps=iterations,
                                             batch_size=512)
    config = MultiObjectiveConfig(loader)
    for (a, b), distribution, kwargs in (((0, 6), "time", {"time_offset": 1}),
                                         ((3, 6), "time_delta",
                                          {"time_delta": 1, "label_name": "z2"})):
        config.set_slice(a, b)
        config.set_loss("FixedEuclideanInfoNCE", temperature=1.0)
        config.set_distribution(distribution, **kwargs)
        config.push()
    config.finalize()
    module = init_model("offset1-model-mse-clip-5-5", num_neurons=neural.shape[1],
                        num_units=256, num_output=6)
    dataset.configure_for(module)
    optimizer = torch.optim.Adam(
        list(module.parameters()) + list(config.criterion.parameters()), lr=3e-4)
    solver = init_solver("multiobjective-solver", model=module,
                         feature_ranges=config.feature_ranges, regularizer=JacobianReg(),
                         renormalize=False, use_sam=False, criterion=config.criterion,
                         optimizer=optimizer, tqdm_on=False)
    scheduler = (LinearRampUp(n_splits=2, step_to_switch_on_reg=RAMP["on"],
                              step_to_switch_off_reg=RAMP["off"], start_weight=0.0,
                              end_weight=args.reg_weight) if args.regularize else None)
    start = time.process_time()
    solver.fit(loader=loader, valid_loader=None, log_frequency=None,
               scheduler_regularizer=scheduler, scheduler_loss=None)
    return _wrap_cebra(module, neural.shape[1]), time.process_time() - start


def _embed(model, neural):
    import torch

    if hasattr(model, "transform"):
        return model.transform(neural)
    model.eval()
    with torch.no_grad():
        return model(torch.from_numpy(neural)[:, :, None]).numpy()


def _r2(source, target) -> float:
    from sklearn.linear_model import LinearRegression

    return float(LinearRegression().fit(source, target).score(source, target))


def _run(args, tool: str, seed: int) -> dict:
    import identica

    neural, latents, truth = _load(args, seed)
    iterations = args.iterations or (6000 if args.regularize else 2000)
    fit = _fit_identica if tool == "identica" else _fit_cebra
    with contextlib.redirect_stdout(sys.stderr):  # CEBRA prints its configuration steps
        model, seconds = fit(args, seed, iterations, neural, latents)
    embedding = _embed(model, neural)
    start = time.process_time()
    inverted = identica.attribution.attribute(model, neural, method="inverted-jacobian",
                                              inverse="lstsq", return_per_sample=False)
    attribution_seconds = time.process_time() - start
    auc = identica.metrics.attribution_auc
    result = {
        "tool": tool,
        "data": "generator" if args.generator else str(args.data),
        "seed": seed,
        "regularize": args.reg_weight if args.regularize else None,
        "iterations": iterations,
        "clip": args.clip if tool == "identica" else 5.0,
        "auc_inverted": auc(inverted.summary, truth),
        "auc_jacobian": auc(identica.attribution.attribute(
            model, neural, method="jacobian", return_per_sample=False).summary, truth),
        "r2_latents": _r2(latents, embedding),
    }
    bound = args.clip if tool == "identica" else 5.0
    result["at_bound"] = float((abs(embedding) >= bound * (1 - 1e-6)).mean())
    for src, s in (("z1", slice(0, 3)), ("z2", slice(3, 6))):
        for dims, d in (("02", slice(0, 3)), ("35", slice(3, 6))):
            result[f"r2_{src}_to_dims{dims}"] = _r2(latents[:, s], embedding[:, d])
    if args.baselines:
        for method in identica.attribution.METHODS:
            maps = identica.attribution.attribute(model, neural, method=method,
                                                  return_per_sample=False)
            result[f"auc_{method}"] = auc(maps.summary, truth)
            if method.endswith("gradient-shap"):
                shuffled = identica.attribution.attribute(
                    model, neural, method=method, baseline="shuffled", return_per_sample=False)
                result[f"auc_{method}-shuffled"] = auc(shuffled.summary, truth)
    result["seconds"] = seconds
    result["attribution_seconds"] = attribution_seconds
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}


def _summary(runs: list[dict]) -> dict:
    out: dict = {"tool": runs[0]["tool"], "seeds": [r["seed"] for r in runs]}
    for key in [k for k in runs[0] if k.startswith(("auc_", "r2_")) or k in SCORES]:
        values = [r[key] for r in runs]
        out[key] = {"mean": round(statistics.fmean(values), 4),
                    "sd": round(statistics.stdev(values), 4), "min": round(min(values), 4)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--generator", action="store_true",
                        help="use identica.synthetic.attribution_benchmark(random_state=seed)")
    parser.add_argument("--seed", type=int, default=None, help="one seed (default 0)")
    parser.add_argument("--seeds", type=_seeds, default=None,
                        help="several seeds, e.g. 0,1,2 or 0-7")
    parser.add_argument("--tool", choices=("identica", "cebra", "both"), default="identica")
    parser.add_argument("--iterations", type=int, default=None,
                        help="default 2000, or 6000 with --regularize")
    parser.add_argument("--regularize", action="store_true")
    parser.add_argument("--reg-weight", type=float, default=0.1)
    parser.add_argument("--baselines", action="store_true",
                        help="also score every method of identica.attribution.METHODS")
    parser.add_argument("--clip", type=float, default=5.0,
                        help="output bound of the mlp-clip encoder (identica only; spec: 5)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if args.clip != 5.0 and args.tool != "identica":
        parser.error("--clip applies to --tool identica only")
    if args.seed is not None and args.seeds is not None:
        parser.error("give --seed or --seeds, not both")
    seeds = args.seeds or [0 if args.seed is None else args.seed]
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))

    import torch

    torch.set_num_threads(args.threads)
    tools = ("identica", "cebra") if args.tool == "both" else (args.tool,)
    runs: dict[str, list[dict]] = {tool: [] for tool in tools}
    for seed in seeds:
        for tool in tools:  # alternate the tools, so drifting machine speed hits both alike
            runs[tool].append(_run(args, tool, seed))
            print(json.dumps(runs[tool][-1]), flush=True)
    if len(seeds) > 1:
        for tool in tools:
            print(json.dumps(_summary(runs[tool])), flush=True)


if __name__ == "__main__":
    main()
