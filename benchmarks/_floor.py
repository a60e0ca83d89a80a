# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The compute floor of one training step of identica's residual conv encoder.

:class:`ConvStep` counts the step's matrix-product FLOPs and lists the matrix products
identica's fused step runs; :func:`measure_floor` times those products on their own shapes and
layouts (process CPU time, median of blocks) and divides: floor = FLOPs / measured rate. The
floor is what one thread can do at best on this machine, so ``step / floor`` says how much of
the step is overhead (sampling, gathering, element-wise work, the optimiser, bookkeeping).

Run it as a worker in a fresh 1-thread process, as ``vs_cebra.py`` does::

    python benchmarks/_floor.py --worker '{"step": {"batch_size": 512, "n_features": 120}}'

or call :func:`floor_worker` inside a worker (``scaling.py``). It imports torch only inside
:func:`measure_floor` and :func:`floor_worker`.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import time
from dataclasses import asdict, dataclass

import _protocol

__all__ = ["ConvStep", "Product", "floor_worker", "measure_floor"]


@dataclass(frozen=True)
class Product:
    """``count`` matrix products ``(m x k) @ (k x n)``; a transposed operand is a transposed view.
    """

    name: str
    m: int
    k: int
    n: int
    transpose_a: bool = False
    transpose_b: bool = False
    count: int = 1

    @property
    def flops(self) -> int:
        """FLOPs of all ``count`` products."""
        return 2 * self.m * self.k * self.n * self.count


@dataclass(frozen=True)
class ConvStep:
    """One training step of ``ConvEncoder`` (first conv → residual blocks → last conv) + InfoNCE.

    The encoder is Conv1d(N, H, ``first_kernel``) → ``n_blocks`` x Conv1d(H, H,
    ``block_kernel``) → Conv1d(H, d, ``last_kernel``) over windows of its receptive field (10
    rows for conv10). Each step embeds 2 x batch windows (reference and positive) when the
    negatives are the batch's references (identica's default), plus ``num_negatives`` (default:
    batch) more when they are drawn.

    :meth:`flops` counts the matrix-product FLOPs a convolution needs: forward 2 x outputs x
    kernel x in x out per layer; backward twice that for every layer except the first, whose
    input needs no gradient (its weight gradient only, 1x); the loss's similarity matrix
    (batch x negatives x d) and its two gradients. Bias, GELU, residual adds, normalisation,
    the softmax and the optimiser are left out (element-wise, a few % at most).
    :meth:`products` lists the matrix products identica's per-window step runs, with their
    layouts: the fused conv stack (its first layer multiplies all window rows by both kernel
    taps, so it does slightly more than :meth:`flops` counts) and the loss, which works through
    the references in blocks of ``loss_block_elements`` logits (one block at batch 512, 64
    blocks of 64 rows at batch 4096). :func:`measure_floor` times them to get the rate;
    ``tests/benchmarks`` checks the list against the products a real fit runs on a recording
    long enough for the windows not to overlap. Where windows overlap (recordings of up to
    ~10⁵ rows), identica computes each distinct row once and runs fewer FLOPs than counted
    here: the floor stays that of the conventional per-window step, the work the step stands
    for.

    Examples
    --------
    >>> step = ConvStep(batch_size=512, n_features=120)
    >>> step.window, step.n_windows
    (10, 1024)
    >>> round(step.flops()["encoder"] / 1e9, 3)
    0.571
    """

    batch_size: int
    n_features: int
    hidden_units: int = 32
    output_dimension: int = 8
    first_kernel: int = 2
    n_blocks: int = 3
    block_kernel: int = 3
    last_kernel: int = 3
    negatives: str = "references"
    num_negatives: int | None = None
    loss_block_elements: int = 1 << 18

    @property
    def window(self) -> int:
        """Rows per window: the receptive field."""
        return (self.first_kernel + self.n_blocks * (self.block_kernel - 1)
                + self.last_kernel - 1)

    @property
    def n_negatives(self) -> int:
        """Columns of the similarity matrix."""
        if self.negatives == "references":
            return self.batch_size
        return self.num_negatives or self.batch_size

    @property
    def n_windows(self) -> int:
        """Windows through the encoder per step."""
        drawn = 0 if self.negatives == "references" else self.n_negatives
        return 2 * self.batch_size + drawn

    def _block_lengths(self) -> list[int]:
        """Output rows of each residual block."""
        length = self.window - self.first_kernel + 1
        out = []
        for _ in range(self.n_blocks):
            length -= self.block_kernel - 1
            out.append(length)
        return out

    def flops(self) -> dict:
        """Matrix-product FLOPs of one step: encoder forward / backward, loss, total."""
        w, n, h, d = self.n_windows, self.n_features, self.hidden_units, self.output_dimension
        first = 2 * w * (self.window - self.first_kernel + 1) * self.first_kernel * n * h
        blocks = sum(2 * w * lo * self.block_kernel * h * h for lo in self._block_lengths())
        last = 2 * w * 1 * self.last_kernel * h * d
        forward = first + blocks + last
        backward = first + 2 * (blocks + last)
        loss = 3 * 2 * self.batch_size * self.n_negatives * d
        return {"encoder_forward": forward, "encoder_backward": backward,
                "encoder": forward + backward, "loss": loss, "total": forward + backward + loss}

    def _loss_products(self) -> list[Product]:
        """The loss's products: it runs over blocks of references of ``loss_block_elements``
        logits (forward and gradients at once, as ``identica.losses`` does)."""
        b, m, d = self.batch_size, self.n_negatives, self.output_dimension
        block = max(1, self.loss_block_elements // m)
        sizes = [(block, b // block), (b % block, 1)]
        out = []
        for rows, count in sizes:
            if rows and count:
                # gradients accumulate transposed: (d x m) @ (m x rows), (d x rows) @ (rows x m)
                out += [Product("loss similarity", rows, d, m, count=count),
                        Product("loss reference gradient", d, m, rows, transpose_b=True,
                                count=count),
                        Product("loss negatives gradient", d, rows, m, transpose_a=True,
                                count=count)]
        return out

    def products(self) -> list[Product]:
        """The matrix products of identica's fused conv step and its loss, with their layouts."""
        w, n, h, d = self.n_windows, self.n_features, self.hidden_units, self.output_dimension
        kb, kl, k0 = self.block_kernel, self.last_kernel, self.first_kernel
        lengths = self._block_lengths()
        out = [Product("first forward", w * self.window, n, k0 * h, transpose_b=True)]
        out += [Product(f"block {i} forward", w * lo, kb * h, h, transpose_b=True)
                for i, lo in enumerate(lengths)]
        out += [
            Product("last forward", w, kl * h, d, transpose_b=True),
            *self._loss_products(),
            Product("last weight gradient", d, w, kl * h, transpose_a=True),
            Product("last input gradient", w, d, kl * h),
        ]
        for i, lo in reversed(list(enumerate(lengths))):
            out += [Product(f"block {i} weight gradient", h, w * lo, kb * h, transpose_a=True),
                    Product(f"block {i} input gradient", w * lo, h, kb * h)]
        out.append(Product("first weight gradient", k0 * h, w * self.window, n, transpose_a=True))
        return out


def measure_floor(step: ConvStep, *, repeats: int = 5, min_block_s: float = 0.02,
                  seed: int = 0) -> dict:
    """Time ``step.products()`` on this thread count and turn the rate into a floor.

    Each product runs into a preallocated output on random float32 operands laid out as in
    the step (a transposed operand is a transposed view), in blocks of at least
    ``min_block_s`` CPU seconds, ``repeats`` blocks per product taken round-robin over the
    products; the per-call time of a product is the median over its blocks (process CPU
    time). The rate is the products' FLOPs over the sum of their times; the floor is
    ``step.flops()["total"]`` at that rate. Call it in a fresh process with one torch thread.
    """
    import torch

    generator = torch.Generator().manual_seed(seed)
    products = step.products()
    calls = []
    for p in products:
        a = (torch.randn(p.k, p.m, generator=generator).T if p.transpose_a
             else torch.randn(p.m, p.k, generator=generator))
        b = (torch.randn(p.n, p.k, generator=generator).T if p.transpose_b
             else torch.randn(p.k, p.n, generator=generator))
        out = torch.empty(p.m, p.n)

        def call(a=a, b=b, out=out) -> None:
            torch.mm(a, b, out=out)

        call()
        start = time.process_time()
        call()
        single = max(time.process_time() - start, 1e-6)
        calls.append((call, max(1, math.ceil(min_block_s / single))))
    times: list[list[float]] = [[] for _ in products]
    for _ in range(repeats):
        for i, (call, per_block) in enumerate(calls):
            start = time.process_time()
            for _ in range(per_block):
                call()
            times[i].append((time.process_time() - start) / per_block)
    # seconds of all `count` products of each entry
    seconds = [statistics.median(t) * p.count for t, p in zip(times, products)]
    matmul_flops = sum(p.flops for p in products)
    rate = matmul_flops / sum(seconds)  # FLOP per CPU second
    flops = step.flops()
    return {
        "step": asdict(step),
        "floor_gflop": flops["total"] / 1e9,
        "floor_gflop_encoder": flops["encoder"] / 1e9,
        "floor_gflop_loss": flops["loss"] / 1e9,
        "floor_ms": 1e3 * flops["total"] / rate,
        "matmul_rate_gflops": rate / 1e9,
        "matmul_ms": 1e3 * sum(seconds),
        "matmul_ms_loss": 1e3 * sum(t for t, p in zip(seconds, products)
                                    if p.name.startswith("loss")),
        "matmul_gflop": matmul_flops / 1e9,
        "products": [
            {"name": p.name, "shape": [p.m, p.k, p.n], "transpose": [p.transpose_a, p.transpose_b],
             "count": p.count, "gflop": p.flops / 1e9, "ms": 1e3 * s, "gflops": p.flops / s / 1e9}
            for p, s in zip(products, seconds)
        ],
        "repeats": repeats,
        "torch_threads": torch.get_num_threads(),
    }


def floor_worker(step: dict, repeats: int = 5) -> dict:
    """:func:`measure_floor` of ``ConvStep(**step)`` on 1 thread, with the machine state around it.

    Sets torch to 1 thread for the measurement and restores the previous count.
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        before = _protocol.machine_state()
        floor = measure_floor(ConvStep(**step), repeats=repeats)
        after = _protocol.load_average()
    finally:
        torch.set_num_threads(threads)
    return {**floor, "load_before": before["load"], "load_after": after,
            "cpu_model": before["cpu_model"]}


def _main(argv: list[str]) -> int:
    """Worker mode: ``_floor.py --worker '{"step": {...}, "floor_repeats": 5}'``."""
    if len(argv) != 2 or argv[0] != "--worker":
        print("usage: _floor.py --worker JSON (a compute-floor worker for the benchmarks)",
              file=sys.stderr)
        return 2
    config = json.loads(argv[1])
    _protocol.limit_threads(1)
    result = floor_worker(config["step"], repeats=config.get("floor_repeats", 5))
    result = {"tool": "floor", "when": config.get("when"), **result}
    print(_protocol.RESULT_MARK + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
