# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""CL-ICA identifiability benchmark: does contrastive learning invert a known mixing?

The reduced cases of Zimmermann et al., "Contrastive learning inverts the data generating
process" (ICML 2021), sized for a CPU (specs/clica.md §8). Latents ``z`` are uniform on a box
``[0, 1]^5`` or the sphere ``S^4``; the positive ``z̃`` is drawn from a conditional around ``z``;
the observations are ``x = g(z)``, ``g`` the invertible leaky-ReLU mixing MLP
(``identica.synthetic.mixing_mlp``, 3 layers, a new one per seed):

=====  ====================  =====================  ==========  ===========
case   space                 conditional            similarity  output
=====  ====================  =====================  ==========  ===========
A      box [0, 1]^5          Laplace, scale 0.05    l1          none
B      sphere S^4            vMF, κ = 1             dot         sphere
C      box [0, 1]^5          normal, σ = 0.05       euclidean   none
D      box [0, 1]^5          Laplace, scale 0.05    euclidean   none (mismatched control)
=====  ====================  =====================  ==========  ===========

Matched cases are identifiable: A up to a permutation with per-dimension scale and sign (MCC
→ 1), B up to an orthogonal map and C up to an affine one (R² → 1). D's squared distance is
rotation invariant, so its embedding is the latents up to an unknown rotation: R² can be high,
MCC stays below A's.

How the pairs reach the estimator: positive pairs here are not time neighbours. Each training
set is ``identica.synthetic.observed_pairs``: rows ``2i`` and ``2i + 1`` hold ``x_i`` and
``x̃_i``, and every pair is its own two-row trial. ``identica.Embedding`` with
``conditional="time"``, ``time_offset=1`` and those ``trial_starts`` then samples exactly the
pairs (a reference can only be row ``2i``: its positive must lie one row later in the same
trial), and the other references of the batch — independent draws of ``z`` — are the
negatives (``denominator="full"``: the positive also enters the denominator, as in the
reference). Nothing in the engine is specialised for this benchmark. The one departure from the
reference is a finite training set (``--n-pairs`` pairs) instead of fresh samples every step;
all scores are on fresh data the encoder never saw.

Encoder: the ``"mlp"`` registry network (5 → 256 → 256 → 128 → 5, GELU), Adam from 1e-3,
temperature 1, one thread. Each case has its own budget and rate (``--steps``, ``--n-pairs``,
``--batch-size`` and ``--lr-schedule`` override them for every case); ``cosine`` lowers the
rate to ``--final-learning-rate`` (1e-5) along a cosine over the run (:class:`CosineDecay`,
passed to ``fit``/``partial_fit`` as a callback):

=====  =======  ==========  =====  ========  =========================================
case   steps    pairs       batch  rate      why
=====  =======  ==========  =====  ========  =========================================
A C D  3,000    50,000      512    constant  enough for A and C; a cosine over 3,000
                                             steps stalls A on seed 1 (MCC 0.88)
B      48,000   2,000,000   256    cosine    vMF κ = 1 barely ties a positive to its
                                             reference: the weak signal needs many
                                             steps, many pairs (R² stays near 0.95 on
                                             50,000) and a falling rate (0.987-0.990
                                             at a constant one)
=====  =======  ==========  =====  ========  =========================================

Scores on 4,096 fresh pairs' references: ``mcc`` (Pearson, Hungarian-matched), ``r2`` (affine
R², in-sample as in the reference), ``r2_heldout`` and ``mcc_heldout`` (map fitted on another
4,096 fresh samples), and the same scores of the untrained encoder (same architecture, drawn
from the seed) as ``*_untrained``; ``curve`` lists the scores every ``--eval-every`` steps
(default: six points per run); ``r2_aligned`` is the R² under the case's own class
(``alignment``: scaled permutation for A and D, orthogonal for B, affine for C); ``cpu_s`` is
the process CPU time of training alone.

Prints one JSON line per run, then one summary line per case (mean, sd, min over seeds); with
``--out DIR`` also writes ``identifiability.json`` and ``identifiability_latents.png`` (true
against recovered latents, seed 0 of every case, after the case's alignment). Reproduce the
README table::

    python benchmarks/identifiability.py --out results/identifiability

Case B alone (about 8 CPU-minutes per seed): ``--cases B``; the spec's n = 10 for case B:
``--cases B --n-latents 10`` (not calibrated).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

import identica
from identica.metrics import fit_alignment, identifiability, mcc
from identica.nn import make_encoder, reset_parameters
from identica.synthetic import PairConfig, mixing_mlp, observed_pairs
from identica.training import AbstractCallback

CASES = {
    "A": {"pairs": {"space": "box", "conditional": "laplace", "scale": 0.05},
          "similarity": "l1", "output_constraint": "none", "alignment": "scaled-permutation",
          "steps": 3000, "n_pairs": 50_000, "batch_size": 512, "lr_schedule": "constant"},
    "B": {"pairs": {"space": "sphere", "conditional": "vmf", "concentration": 1.0},
          "similarity": "dot", "output_constraint": "sphere", "alignment": "orthogonal",
          "steps": 48_000, "n_pairs": 2_000_000, "batch_size": 256, "lr_schedule": "cosine"},
    "C": {"pairs": {"space": "box", "conditional": "normal", "scale": 0.05},
          "similarity": "euclidean", "output_constraint": "none", "alignment": "affine",
          "steps": 3000, "n_pairs": 50_000, "batch_size": 512, "lr_schedule": "constant"},
    "D": {"pairs": {"space": "box", "conditional": "laplace", "scale": 0.05},
          "similarity": "euclidean", "output_constraint": "none",
          "alignment": "scaled-permutation", "steps": 3000, "n_pairs": 50_000,
          "batch_size": 512, "lr_schedule": "constant"},
}
SCORES = ("mcc", "r2", "mcc_heldout", "r2_heldout", "mcc_untrained", "r2_untrained", "cpu_s")


class CosineDecay(AbstractCallback):
    """Sets the optimiser's learning rate after every step: a cosine from ``start`` to ``end``.

    The rate of step ``t`` (counted over every ``fit``/``partial_fit`` call, ``n_iter_``) is
    ``end + (start - end) (1 + cos(pi t / total)) / 2``, and ``end`` after ``total`` steps.
    """

    every = 1

    def __init__(self, start: float, end: float, total: int) -> None:
        self.start, self.end, self.total = start, end, total

    def rate(self, step: int) -> float:
        done = min(step, self.total) / self.total
        return self.end + 0.5 * (self.start - self.end) * (1.0 + math.cos(math.pi * done))

    def __call__(self, solver, iteration: int, history: torch.Tensor) -> bool:
        rate = self.rate(solver.steps_done)
        for group in solver.optimizer.param_groups:
            group["lr"] = rate
        return False


def _list(text: str, cast=str) -> list:
    return [cast(v) for v in text.split(",") if v]


def _scores(z: np.ndarray, h: np.ndarray, z_fit: np.ndarray, h_fit: np.ndarray) -> dict:
    """In-sample MCC and affine R² on (z, h); held out: matched/fitted on the other batch."""
    both_z, both_h = np.vstack([z_fit, z]), np.vstack([h_fit, h])
    return {
        "mcc": mcc(z, h), "r2": identifiability(z, h),
        "mcc_heldout": mcc(both_z, both_h, test_size=0.5),
        "r2_heldout": identifiability(both_z, both_h, test_size=0.5),
    }


def _untrained(args: argparse.Namespace, case: dict, seed: int, x: np.ndarray) -> np.ndarray:
    encoder = make_encoder("mlp", args.n_latents, args.n_latents, hidden_units=args.hidden_units,
                           output_constraint=case["output_constraint"])
    reset_parameters(encoder, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        return encoder(torch.from_numpy(x)[:, :, None]).numpy()


def run(args: argparse.Namespace, name: str, seed: int) -> tuple[dict, dict]:
    """Train one case on one seed; return its JSON record and the arrays for the plot."""
    case = CASES[name]
    config = PairConfig(n_latents=args.n_latents, **case["pairs"])
    mix_rng, train_rng, eval_rng = (np.random.default_rng(s)
                                    for s in np.random.SeedSequence(seed).spawn(3))
    mixing = mixing_mlp(args.n_latents, pool=args.pool, random_state=mix_rng)
    n_steps, n_pairs = args.steps or case["steps"], args.n_pairs or case["n_pairs"]
    batch_size = args.batch_size or case["batch_size"]
    lr_schedule = args.lr_schedule or case["lr_schedule"]
    every = args.eval_every or max(n_steps // 6, 1)
    train = observed_pairs(config, n_pairs, mixing=mixing, random_state=train_rng)
    fresh = observed_pairs(config, 2 * args.eval_samples, mixing=mixing, random_state=eval_rng)
    x_eval, z_eval = fresh.neural[0::2], fresh.truth["latents"][0::2]  # 4096 x 2 references
    half = args.eval_samples
    z, z_fit, x, x_fit = z_eval[:half], z_eval[half:], x_eval[:half], x_eval[half:]

    model = identica.Embedding(
        encoder="mlp", output_dimension=args.n_latents, hidden_units=args.hidden_units,
        conditional="time", time_offset=1, similarity=case["similarity"],
        output_constraint=case["output_constraint"], temperature=1.0, denominator="full",
        batch_size=batch_size, learning_rate=args.learning_rate, device="cpu",
        num_threads=1, random_state=seed,
    )
    untrained = _scores(z, _untrained(args, case, seed, x), z_fit,
                        _untrained(args, case, seed, x_fit))
    schedule = [] if lr_schedule == "constant" else [
        CosineDecay(args.learning_rate, args.final_learning_rate, n_steps)]
    curve, cpu_s, steps = [{"steps": 0, "mcc": untrained["mcc"], "r2": untrained["r2"]}], 0.0, 0
    while steps < n_steps:
        model.set_params(max_iterations=min(every, n_steps - steps))
        start = time.process_time()
        if steps == 0:
            model.fit(train.neural, trial_starts=train.trial_starts, callbacks=schedule)
        else:
            model.partial_fit(train.neural, trial_starts=train.trial_starts, callbacks=schedule)
        cpu_s += time.process_time() - start
        steps = model.n_iter_
        h = model.transform(x)
        curve.append({"steps": steps, "mcc": mcc(z, h), "r2": identifiability(z, h)})
    h = model.transform(x)
    record = {"case": name, "seed": seed, **_scores(z, h, z_fit, model.transform(x_fit)),
              "steps": steps, "cpu_s": round(cpu_s, 2),
              **{f"{k}_untrained": v for k, v in untrained.items()},
              "alignment": case["alignment"],
              "r2_aligned": identifiability(z, h, case["alignment"]),
              "similarity": case["similarity"], "n_latents": args.n_latents,
              "n_pairs": n_pairs, "batch_size": batch_size,
              "lr_schedule": lr_schedule, "curve": curve}
    return record, {"z": z, "h": h, "alignment": case["alignment"]}


def summary(records: list[dict], name: str) -> dict:
    line: dict = {"case": name, "summary": True, "n_seeds": len(records)}
    for key in SCORES:
        values = [r[key] for r in records]
        line[f"{key}_mean"] = statistics.fmean(values)
        line[f"{key}_sd"] = statistics.stdev(values) if len(values) > 1 else 0.0
        line[f"{key}_min"] = min(values)
    return line


def plot(examples: dict, path: Path) -> None:
    """True latent k against its recovered counterpart, for every case (matplotlib, lazily)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = next(iter(examples.values()))["z"].shape[1]
    fig, axes = plt.subplots(len(examples), n, figsize=(2.0 * n, 2.0 * len(examples)),
                             squeeze=False)
    for row, (name, ex) in zip(axes, examples.items()):
        aligned = fit_alignment(ex["h"], ex["z"], ex["alignment"]).apply(ex["h"])
        for k, ax in enumerate(row):
            ax.scatter(ex["z"][:, k], aligned[:, k], s=1, alpha=0.3)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(f"{name}: z{k}", fontsize=8)
        row[0].set_ylabel(f"recovered ({ex['alignment']})", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="A,B,C,D")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--steps", type=int, default=None,
                        help="training steps of every case (default: the case's own)")
    parser.add_argument("--eval-every", type=int, default=None,
                        help="steps between points of the curve (default: a sixth of the run)")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="pairs per step of every case (default: the case's own)")
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--lr-schedule", choices=("constant", "cosine"), default=None,
                        help="learning rate over the run (default: the case's own)")
    parser.add_argument("--final-learning-rate", type=float, default=1e-5,
                        help="the rate after --steps steps with --lr-schedule cosine")
    parser.add_argument("--hidden-units", type=int, default=256)
    parser.add_argument("--n-latents", type=int, default=5)
    parser.add_argument("--n-pairs", type=int, default=None,
                        help="training pairs of every case (default: the case's own)")
    parser.add_argument("--eval-samples", type=int, default=4096)
    parser.add_argument("--pool", type=int, default=25_000, help="mixing candidates")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--no-plot", action="store_true")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    records, examples = [], {}
    for name in _list(args.cases):
        if name not in CASES:
            parser.error(f"--cases takes letters of {list(CASES)}. Got {name!r}.")
        case_records = []
        for seed in _list(args.seeds, int):
            record, arrays = run(args, name, seed)
            print(json.dumps(record), flush=True)
            case_records.append(record)
            examples.setdefault(name, arrays)
        records += case_records
        if len(case_records) > 1:
            print(json.dumps(summary(case_records, name)), flush=True)
    if args.out is not None:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "identifiability.json").write_text(json.dumps(
            {"config": {k: str(v) for k, v in vars(args).items()}, "runs": records}, indent=1))
        if not args.no_plot:
            plot(examples, args.out / "identifiability_latents.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
