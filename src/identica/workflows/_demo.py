# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The main job: fit the built-in synthetic recording, report decoding and consistency."""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from identica.decoders import KNNDecoder, decode
from identica.estimator import Embedding, EmbeddingConfig, load
from identica.metrics import consistency
from identica.synthetic import linear_track

__all__ = ["run_demo"]

_DEMO = {"encoder": "conv10", "output_dimension": 8, "hidden_units": 32,
         "conditional": "time_delta", "time_offset": 10, "similarity": "cosine",
         "temperature": 1.0, "batch_size": 512, "learning_rate": 3e-4}
_SEEDS = (0, 1, 2)
_FILES = ("embedding.npy", "embedding.png", "embedding.html (interactive 3-D, opens offline)",
          "loss.png", "model.safetensors", "summary.txt")
_TRAIN_FRACTION = 0.8


def _init_worker(num_threads: int) -> None:
    import torch

    torch.set_num_threads(num_threads)


def _train_seed(seed: int, neural: np.ndarray, labels: np.ndarray, n_train: int,
                params: dict[str, Any], verbose: bool, model_path: str | None) -> dict[str, Any]:
    """Fit one seed of the demo on the first ``n_train`` bins; return its embeddings."""
    start = time.perf_counter()
    model = Embedding(**params, random_state=seed, verbose=verbose)
    model.fit(neural[:n_train], labels[:n_train])
    result = {"seconds": time.perf_counter() - start,
              "train": model.transform(neural[:n_train]),
              "test": model.transform(neural[n_train:]),
              "final_loss": float(np.mean(model.loss_history_[-50:]))}
    if model_path is not None:
        model.save(model_path)
        result["full"] = model.transform(neural)
    return result


def run_demo(
    out: str | os.PathLike[str] = "demo-output",
    *,
    max_iterations: int = 1000,
    num_threads: int = 1,
    jobs: int = 2,
    device: str = "cpu",
    n_samples: int = 10_000,
    n_neurons: int = 120,
) -> int:
    """Fit the default recording with two seeds, print and write the results; return 0.

    The recording is :func:`identica.synthetic.linear_track`; the embedding is fitted on its
    first 80 % of bins with the benchmark configuration (conv10, output 8, time_delta, offset
    10, batch 512), for seeds 0, 1 and 2 in ``jobs`` processes. Printed: held-out kNN R² and
    median error of position per seed, the consistency of seeds 0 and 1, and the consistency of
    the three-seed ensemble (mean pairwise affine R², as ``ConsistencyEnsemble`` reports it).
    Written to ``out``:
    ``embedding.npy``, ``embedding.png``, ``embedding.html`` (the same 3-D scatter, interactive,
    a self-contained plotly file that opens offline), ``loss.png``, ``model.safetensors``,
    ``summary.txt`` (the printed lines, the list of files last).
    """
    start = time.perf_counter()
    lines: list[str] = []

    def say(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    params = {**_DEMO, "max_iterations": max_iterations, "num_threads": num_threads,
              "device": device}
    EmbeddingConfig.from_params(Embedding(**params).get_params())  # errors before any work
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    recording = linear_track(n_samples=n_samples, n_neurons=n_neurons)
    n_train = int(_TRAIN_FRACTION * recording.n_samples)
    data_seconds = time.perf_counter() - start
    say(f"identica demo: linear_track, {recording.n_samples} bins x {recording.n_neurons} neurons "
        f"(train {n_train}, test {recording.n_samples - n_train})")
    say("Embedding(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")")
    jobs = min(jobs, len(_SEEDS))
    print(f"training seeds {', '.join(map(str, _SEEDS))} "
          + ("one after the other" if jobs == 1 else f"in {jobs} processes")
          + f", {num_threads} thread(s) each ...", flush=True)
    model_path = str(out / "model.safetensors")
    tasks = [(seed, recording.neural, recording.continuous, n_train, params,
              jobs == 1 or seed == _SEEDS[0], model_path if seed == _SEEDS[0] else None)
             for seed in _SEEDS]
    train_start = time.perf_counter()
    if jobs == 1:
        results = [_train_seed(*task) for task in tasks]
    else:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=_init_worker, initargs=(num_threads,)) as pool:
            results = [f.result() for f in [pool.submit(_train_seed, *t) for t in tasks]]
    train_seconds = time.perf_counter() - train_start

    evaluation_start = time.perf_counter()
    position = recording.continuous[:, 0]
    decoder = KNNDecoder(n_neighbors=36, metric="cosine")
    for seed, result in zip(_SEEDS, results):
        scores = decode(result["train"], position[:n_train], result["test"], position[n_train:],
                        decoder=decoder)
        say(f"seed {seed}: kNN R² (position, test) = {scores['r2']:.4f}, median error = "
            f"{100 * scores['median_abs_error']:.2f} cm, final loss = {result['final_loss']:.4f}"
            f" (fit {result['seconds']:.1f} s)")
    score = consistency([result["train"] for result in results[:2]])
    say(f"consistency (seeds {_SEEDS[0]} and {_SEEDS[1]}, train embeddings) = {score:.4f}")
    ensemble = consistency([result["train"] for result in results])
    say(f"ensemble consistency ({len(_SEEDS)} seeds, affine, train embeddings) = {ensemble:.4f}")
    _write_demo_files(out, results[0]["full"], position, load(model_path))
    evaluation_seconds, total_seconds = (time.perf_counter() - t for t in (evaluation_start, start))
    say(f"time: data {data_seconds:.1f} s, training {train_seconds:.1f} s, evaluation and files "
        f"{evaluation_seconds:.1f} s, total {total_seconds:.1f} s")
    say(f"wrote {out}{os.sep}: {', '.join(_FILES)}")
    (out / "summary.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


def _write_demo_files(out: Path, embedding: np.ndarray, position: np.ndarray,
                      model: Embedding) -> None:
    from matplotlib.figure import Figure  # noqa: I001

    # identica.plot first: its install hint if matplotlib is missing
    from identica.plot import plot_embedding, plot_embedding_html, plot_loss

    np.save(out / "embedding.npy", embedding)
    title = "identica embedding (seed 0), dims 0-2"
    figure = Figure(figsize=(6.5, 5.5))
    plot_embedding(embedding, position, ax=figure.add_subplot(projection="3d"), title=title,
                   color_label="position (m)")
    figure.savefig(out / "embedding.png", dpi=120)
    plot_embedding_html(embedding, position, out / "embedding.html", title=title,
                        color_label="position (m)")
    figure = Figure(figsize=(6.0, 4.0), layout="constrained")
    plot_loss(model, ax=figure.add_subplot()).set_title("training loss (seed 0)")
    figure.savefig(out / "loss.png", dpi=120)
