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
    from identica.training import keep_freed_memory

    torch.set_num_threads(args.threads)
    keep_freed_memory()
    data = identica.synthetic.linear_track()
    X, y = data.neural[:8000], data.continuous[:8000]
    model = identica.Embedding(encoder=args.encoder, batch_size=args.batch_size,
                               negatives=args.negatives, max_iterations=20, random_state=0,
                               device="cpu").fit(X, y)
    from identica import _build
    from identica.data import Dataset, WindowGatherer, as_recording

    recording = as_recording(X, y)
    field = model.receptive_field_
    shared = args.negatives == "references"
    n = args.batch_size
    dataset = Dataset([recording])
    sampler = _build.make_sampler(model.conditional_, dataset,
                                  dataset.valid_runs(field), time_offset=10,
                                  delta=None, prior=None, num_negatives=0 if shared else n)
    gather = WindowGatherer(torch.from_numpy(recording.neural), field)
    generator = torch.Generator().manual_seed(0)
    encoder, loss, optimizer = model.encoder_, model.loss_, model.optimizer_
    phases: dict[str, list[float]] = {k: [] for k in
                                      ("sample", "gather", "encoder", "loss", "backward",
                                       "optimizer", "step")}

    def one_step(record: bool) -> None:
        marks = [time.process_time()]
        batch = sampler.sample(n, generator=generator)
        marks.append(time.process_time())
        windows = gather(torch.cat(batch))
        marks.append(time.process_time())
        emb = encoder(windows)
        marks.append(time.process_time())
        negative = emb[:n] if shared else emb[2 * n:]
        parts = loss(emb[:n], emb[n:2 * n], negative, exclude_self=shared)
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

        with profile() as prof:
            for _ in range(20):
                one_step(False)
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=args.operators))


if __name__ == "__main__":
    main()
