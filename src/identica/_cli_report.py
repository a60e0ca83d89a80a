# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The ``identica report`` subcommand: its options and what it runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from identica._cli_data import UserError, check_output, load_data
from identica.estimator import load

__all__ = ["add_report_arguments", "report"]


def add_report_arguments(report: argparse.ArgumentParser, *, data_help: str, neural_help: str,
                         bin_help: str) -> None:
    """The options of ``identica report``."""
    report.add_argument("model", metavar="MODEL", help="model file written by fit; its "
                        "parameters are refitted, and it is the previous version for the "
                        "update-compatibility measure")
    report.add_argument("data", metavar="DATA", help=data_help)
    report.add_argument("--neural", required=True, metavar="KEY", help=neural_help)
    report.add_argument("--behavior", metavar="KEY",
                        help="labels y (float: continuous, int: discrete)")
    report.add_argument("--discrete", metavar="KEY", help="integer labels (instead of "
                        "--behavior)")
    report.add_argument("--bin", type=float, metavar="SECONDS", help=bin_help)
    report.add_argument("--out", required=True, metavar="REPORT.html", help="HTML report file")
    report.add_argument("--seeds", type=int, default=3, metavar="N",
                        help="fits of the configuration, seeds 0..N-1 (default: 3)")
    report.add_argument("--max-iterations", type=int, default=None, metavar="N",
                        help="training steps of every fit (default: the model's)")
    report.add_argument("--no-controls", action="store_true",
                        help="skip the shuffled-label, time-shifted and time-shuffled fits")
    report.add_argument("--no-reference", action="store_true",
                        help="no reference fits: score only the measures with fixed anchors "
                             "(default: the demo configuration, fitted with the same seeds)")
    report.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="processes running the fits, one thread each (default: 1)")
    report.add_argument("--quiet", action="store_true", help="print only the file written")


def report(args: argparse.Namespace) -> int:
    """``identica report``: refit a saved model's configuration over seeds, write the HTML."""
    from sklearn.base import clone

    from identica.report import quality_report

    model = load(args.model)
    check_output(args.out)
    if args.seeds < 1 or args.jobs < 1:
        raise UserError(f"--seeds and --jobs must be positive ints; got {args.seeds} and "
                         f"{args.jobs}")
    if args.behavior and args.discrete:
        raise UserError("give --behavior or --discrete, not both: the report scores one label")
    keys = {"--neural": args.neural, "--behavior": args.behavior, "--discrete": args.discrete}
    data = load_data(args.data, keys, args.bin)
    labels = data["--behavior"] if args.behavior else data["--discrete"]
    config = clone(model)
    if args.max_iterations is not None:
        config.set_params(max_iterations=args.max_iterations)
    name = Path(args.model).stem
    report = quality_report({name: config}, data["--neural"], labels,
                            seeds=list(range(args.seeds)), previous=model,
                            controls=not args.no_controls,
                            reference=None if args.no_reference else "auto",
                            n_jobs=args.jobs, verbose=not args.quiet)
    report.to_html(args.out)
    if not args.quiet:
        overall = report.overall[name]
        print(f"{name}: overall score {'-' if overall is None else f'{overall:.3f}'} "
              f"(reference: {report.anchor_names['reference']})")
        print(f"{name}: {report.verdicts[name]}")
    print(f"wrote {args.out}")
    return 0
