# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""One fit of ``benchmarks/vs_cebra.py``, in a fresh process: ``_vs_cebra_worker.py --worker JSON``.

The parent (``vs_cebra.py``) starts one such process per fit with the thread variables already
set. The worker imports torch, identica, CEBRA (for a CEBRA fit) and ``torch._dynamo`` and reads
the data before the timed ``fit`` call, fits, embeds the train and test parts, decodes the
position on the test part, computes the goodness of fit and the seed consistency, and prints its
measurements as one ``_protocol.RESULT_MARK`` JSON line. See ``vs_cebra.py`` for what is measured.
"""

from __future__ import annotations

import json
import sys
import time

import _protocol

INSTALL_HINT = (
    "CEBRA 0.6.1 is needed for this benchmark but could not be imported ({error}).\n"
    "Install the benchmark extra with torch pinned first, so pip keeps this torch build:\n"
    "    pip install torch==2.13.0 'cebra==0.6.1'\n"
    "(equivalently: pip install 'identica[bench]' after pinning torch), or run with "
    "--skip-cebra to measure identica alone."
)
LOSS_TAIL = 50
TRAIN_FRACTION = 0.8
DATA_SEED = 1234


def _recording(data: dict):
    """``(neural, label, position)``: float32 arrays to train on and the float64 decoding target."""
    import numpy as np

    if data["kind"] == "npz":
        with np.load(data["path"], allow_pickle=False) as z:
            neural = np.asarray(z[data["neural_key"]], dtype=np.float32)
            label = np.asarray(z[data["label_key"]], dtype=np.float32)
        label = label.reshape(len(label), -1)
        return neural, label, label[:, 0].astype(np.float64)
    import identica

    rec = identica.synthetic.linear_track(
        n_samples=data["n_samples"], n_neurons=data["n_neurons"], random_state=DATA_SEED
    )
    return rec.neural, rec.continuous, np.asarray(rec.truth["position"], dtype=np.float64)


def _fit_identica(config: dict, X, y):
    import identica
    from identica.estimator import EmbeddingConfig

    kwargs = dict(
        encoder="conv10",
        output_dimension=8,
        hidden_units=32,
        conditional="time_delta",
        time_offset=10,
        similarity="cosine",
        temperature=1.0,
        learning_rate=3e-4,
        batch_size=config["batch_size"],
        max_iterations=config["iterations"],
        device="cpu",
        num_threads=config["threads"],
        random_state=config["seed"],
    )
    if config.get("identica_negatives"):
        kwargs["negatives"] = config["identica_negatives"]
    model = identica.Embedding(**kwargs)
    cpu, wall = time.process_time(), time.perf_counter()
    model.fit(X, y)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    # The negatives actually used ("auto" resolved), which fix the windows per step.
    resolved = EmbeddingConfig.from_params(model.get_params())
    info = {"negatives": resolved.negatives, "num_negatives": resolved.num_negatives,
            "version": identica.__version__}
    return model, cpu, wall, model.loss_history_, info


def _fit_cebra(config: dict, X, y):
    import cebra
    import numpy as np
    import torch

    torch.manual_seed(config["seed"])
    np.random.seed(config["seed"])
    model = cebra.CEBRA(
        model_architecture="offset10-model",
        batch_size=config["batch_size"],
        learning_rate=3e-4,
        temperature=1.0,
        output_dimension=8,
        num_hidden_units=32,
        max_iterations=config["iterations"],
        distance="cosine",
        conditional="time_delta",
        device="cpu",
        verbose=False,
        time_offsets=10,
    )
    cpu, wall = time.process_time(), time.perf_counter()
    model.fit(X, y)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    history = None
    solver = getattr(model, "solver_", None)
    log = getattr(solver, "log", None)
    if isinstance(log, dict) and len(log.get("total", [])):
        history = np.asarray(log["total"], dtype=np.float64)
    else:
        try:
            history = np.asarray(model.state_dict_["loss"], dtype=np.float64)
        except Exception:  # noqa: BLE001 - a missing history must not fail the benchmark
            history = None
    return model, cpu, wall, history, {"version": cebra.__version__}


def _gof_bits(tool: str, model, X, y, n_batches: int) -> float | None:
    if n_batches <= 0:
        return None
    if tool == "identica":
        from identica.metrics import goodness_of_fit

        return float(goodness_of_fit(model, X, y, n_batches=n_batches))
    from cebra.integrations.sklearn.metrics import goodness_of_fit_score

    return float(goodness_of_fit_score(model, X, y, num_batches=n_batches))


def worker(config: dict) -> dict:
    """Fit one tool once; return the measurements (embeddings go to ``config['embedding']``)."""
    _protocol.limit_threads(config["threads"])
    import numpy as np
    import torch

    torch.set_num_threads(config["threads"])
    from identica.decoders import KNNDecoder, decode
    from identica.metrics import consistency

    if config["tool"] == "cebra":
        try:
            import cebra  # noqa: F401 - imported before the data so its cost is not in the fit
        except Exception as error:  # noqa: BLE001 - any import failure means "not usable"
            print(INSTALL_HINT.format(error=f"{type(error).__name__}: {error}"), file=sys.stderr)
            sys.exit(2)
    # torch.optim imports torch._dynamo on first use (seconds of CPU time): do it here, for both
    # tools alike, so the timed fit holds training only.
    import torch._dynamo  # noqa: F401

    neural, label, position = _recording(config["data"])
    split = int(round(TRAIN_FRACTION * len(neural)))
    X_train, X_test = neural[:split], neural[split:]
    y_train = label[:split]
    rss_before = _protocol.max_rss_mb()

    fit = _fit_identica if config["tool"] == "identica" else _fit_cebra
    before = _protocol.machine_state()
    model, cpu, wall, history, info = fit(config, X_train, y_train)
    load_after = _protocol.load_average()
    rss_fit = _protocol.max_rss_mb()

    Z_train = np.asarray(model.transform(X_train), dtype=np.float32)
    Z_test = np.asarray(model.transform(X_test), dtype=np.float32)
    scores = decode(
        Z_train, position[:split], Z_test, position[split:],
        decoder=KNNDecoder(n_neighbors=36, metric="cosine"),
    )
    gof = _gof_bits(config["tool"], model, X_train, y_train, config["gof_batches"])
    np.save(config["embedding"], Z_train)
    # Seeds run in order: the last seed compares itself with the saved earlier ones.
    seeds_consistency = None
    if config.get("compare_with"):
        others = [np.load(path) for path in config["compare_with"]]
        seeds_consistency = float(consistency([*others, Z_train]))

    loss = None if history is None or len(history) == 0 else np.asarray(history, np.float64)
    return {
        "tool": config["tool"],
        "seed": config["seed"],
        "repeat": config["repeat"],
        "pair": config["pair"],
        "iterations": config["iterations"],
        "batch_size": config["batch_size"],
        "cpu_s": cpu,
        "cpu_s_per_iter": cpu / config["iterations"],
        "wall_s": wall,
        "wall_s_per_iter": wall / config["iterations"],
        "peak_rss_mb": _protocol.max_rss_mb(),
        "rss_before_fit_mb": rss_before,
        "peak_rss_fit_mb": rss_fit,
        "knn_r2": float(scores["r2"]),
        "median_error_cm": 100.0 * float(scores["median_abs_error"]),
        "gof_bits": gof,
        "loss_first": None if loss is None else float(loss[0]),
        "loss_final": None if loss is None else float(loss[-LOSS_TAIL:].mean()),
        "consistency": seeds_consistency,
        "torch_threads": torch.get_num_threads(),
        "load_before": before["load"],
        "load_after": load_after,
        "cpu_model": before["cpu_model"],
        **info,
    }


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "--worker":
        sys.exit("usage: _vs_cebra_worker.py --worker JSON (started by vs_cebra.py)")
    print(_protocol.RESULT_MARK + json.dumps(worker(json.loads(sys.argv[2]))), flush=True)
