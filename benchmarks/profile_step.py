# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Where one training step's time goes: sampling, gathering, encoder, loss, backward, optimiser.

Fits the default recording (``linear_track``, 10,000 bins x 120 neurons, first 80 %) with the
benchmark configuration (conv10, output 8, time_delta, offset 10, batch 512) for a few warm-up
steps, then times the phases of ``--steps`` further steps one by one with process CPU time
(1 thread by default) and prints the median of each phase and of the whole step, plus the
torch profiler's top operators. Reproduce the README/closing-note figures with::

    python benchmarks/profile_step.py --negatives independent
    python benchmarks/profile_step.py --negatives references
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--negatives", default="references", choices=("independent", "references"),
                        help="references: the estimator default (negatives=\"auto\")")
    parser.add_argument("--encoder", default="conv10")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--operators", type=int, default=12, help="profiler rows (0: none)")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))

    import torch

    import identica
    from identica.estimator import EmbeddingConfig, assemble, plan_fit
    from identica.training import SessionEncoders, freed_memory_kept

    torch.set_num_threads(args.threads)
    data = identica.synthetic.linear_track()
    X, y = data.neural[:8000], data.continuous[:8000]
    estimator = identica.Embedding(encoder=args.encoder, batch_size=args.batch_size,
                                   negatives=args.negatives, random_state=0, device="cpu")
    config = EmbeddingConfig.from_params(estimator.get_params())
    parts = assemble(config, plan_fit(config, X, y), "cpu",
                     init=torch.Generator().manual_seed(0))  # the parts fit would build
    sampler, gather, strategy = parts.sampler, parts.gathers[0], parts.negatives
    encoder, loss, optimizer = (parts.network.encoders[0], parts.network.loss,
                                parts.network.optimizer)
    embed = SessionEncoders([encoder], [gather], [0])  # as the Solver calls it
    n = args.batch_size
    generator = torch.Generator().manual_seed(0)
    phases: dict[str, list[float]] = {k: [] for k in
                                      ("sample", "encoder", "loss", "backward",
                                       "optimizer", "step")}

    def one_step(record: bool) -> None:
        marks = [time.process_time()]
        batch = sampler.sample(n, generator=generator)
        marks.append(time.process_time())
        emb = embed(batch.windows)  # the encoder reads its windows from the recording
        marks.append(time.process_time())
        negative, exclude_self = strategy.select(emb[:n], emb[2 * n:])
        parts = loss(emb[:n], emb[n:2 * n], negative, exclude_self=exclude_self)
        marks.append(time.process_time())
        optimizer.zero_grad(set_to_none=True)
        parts.total.backward()
        marks.append(time.process_time())
        optimizer.step()
        marks.append(time.process_time())
        if record:
            for name, a, b in zip(phases, marks[:-1], marks[1:]):
                phases[name].append(1000 * (b - a))
            phases["step"].append(1000 * (marks[-1] - marks[0]))

    with freed_memory_kept():  # as during a fit
        for _ in range(10):
            one_step(False)
        for _ in range(args.steps):
            one_step(True)
    step = statistics.median(phases["step"])
    print(f"batch {n}, {args.encoder}, negatives={args.negatives}, {args.threads} thread(s): "
          f"median step {step:.1f} ms CPU over {args.steps} steps")
    print("| phase | ms (median) | share |\n|---|---|---|")
    for name in list(phases)[:-1]:
        ms = statistics.median(phases[name])
        print(f"| {name} | {ms:.2f} | {100 * ms / step:.0f} % |")
    if args.operators:
        from torch.profiler import profile

        with profile() as prof, freed_memory_kept():
            for _ in range(20):
                one_step(False)
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=args.operators))


if __name__ == "__main__":
    main()
