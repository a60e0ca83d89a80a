# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The ``identica`` command: ``demo``, ``fit``, ``transform``, ``attribute``, ``report`` and
``inspect``.

``fit`` takes every :class:`~identica.Embedding` parameter as a kebab-case option generated from
``Embedding().get_params()`` (``max_iterations`` is ``--max-iterations``), on top of an optional
TOML file whose ``[estimator]`` table holds the same names. Several files, or several
comma-separated ``--neural`` keys, are several sessions. Without ``--random-state`` a seed is
drawn and printed, so every fit can be repeated. User errors (bad options, files or parameters)
print one line ``identica: error: ...`` on stderr and return exit code 2; warnings print as
``identica: warning: ...``. Ctrl-C during ``fit`` saves the steps done to ``--out`` and returns
130. ``fit --nproc K`` starts the fit as K data-parallel processes of one ``torchrun`` job
(:mod:`identica.distributed`); ``--resume`` continues the run held by ``--checkpoint``.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import os
import secrets
import sys
import time
import typing
import warnings
from collections.abc import Iterator

import numpy as np

from identica._cli_data import UserError as _UserError
from identica._cli_data import check_output as _check_output
from identica._cli_data import load_data as _load_data
from identica._cli_data import sessions as _sessions
from identica._cli_options import PREFIX as _PREFIX
from identica._cli_options import add_estimator_options as _add_estimator_options
from identica._cli_options import expand_bools as _expand_bools
from identica._cli_report import add_report_arguments
from identica._cli_report import report as _report
from identica._version import __version__
from identica.distributed import fit_or_resume, launch
from identica.estimator import Embedding, EmbeddingConfig, load
from identica.exceptions import IdenticaError
from identica.io import inspect as inspect_file
from identica.workflows import read_config, run_demo

__all__ = ["main"]

_PROG = "identica"
_DATA_HELP = ("recording: an .npz archive of named arrays, or any file identica.io.read reads "
              "(.nwb, .mat, HDF5, a suite2p or phy folder); 'identica inspect' lists its streams")
_NEURAL_HELP = "array key or stream name (NWB: units; suite2p: F-neuropil|F|spks; phy: spikes)"
_KEYS_HELP = ("; several comma-separated keys are several sessions of each file, and the label "
              "options then take one key for all or one per --neural key")
_BIN_HELP = "bin width in seconds for spike times (NWB units, phy, .mat spike trains)"


class _Parser(argparse.ArgumentParser):
    """An argument parser that raises instead of exiting, so ``main`` returns the code."""

    def error(self, message: str) -> typing.NoReturn:
        raise _UserError(message, self.prog)


def _interactive() -> bool:
    """Whether stderr is a terminal (then ``fit`` shows a progress bar unless ``--quiet``)."""
    return sys.stderr.isatty()


@contextlib.contextmanager
def _warnings_as_lines() -> Iterator[None]:
    """Show warnings as ``identica: warning: ...`` lines on stderr, whatever the filters."""
    def show(message: Warning | str, *args: object, **kwargs: object) -> None:
        sys.stderr.write(f"{_PROG}: warning: {message}\n")

    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = show
        yield


# -- subcommands ---------------------------------------------------------------------------------


def _fit(args: argparse.Namespace) -> int:
    params = read_config(args.config) if args.config else {}
    params.update({k[len(_PREFIX):]: v for k, v in vars(args).items() if k.startswith(_PREFIX)})
    if args.quiet and params.get("verbose"):
        raise _UserError("--quiet and --verbose contradict each other; pass one of them")
    params.setdefault("verbose", not args.quiet and _interactive())
    drawn = "random_state" not in params
    if drawn:
        params["random_state"] = secrets.randbits(32)
    say = (lambda text: None) if args.quiet else (lambda text: print(text, flush=True))
    model = Embedding(**params)
    config = EmbeddingConfig.from_params(model.get_params())  # errors before data is read
    for path in (args.out, config.checkpoint):
        if path is not None:
            _check_output(path)
    if args.nproc < 1 or args.max_restarts < 0:
        raise _UserError(f"--nproc must be at least 1 and --max-restarts at least 0; got "
                         f"{args.nproc} and {args.max_restarts}")
    if args.resume and config.checkpoint is None:
        raise _UserError("--resume continues the run of --checkpoint FILE; pass --checkpoint")
    if args.nproc > 1:  # this process only starts the job: torchrun runs the fit K times
        if drawn:
            seed = params["random_state"]
            say(f"random_state {seed} (drawn; --random-state {seed} repeats this fit)")
        worker = [*_without_launch_options(args.argv), "--distributed",
                  "--random-state", str(params["random_state"])]
        return launch(worker, args.nproc, max_restarts=args.max_restarts)
    rank = int(os.environ.get("RANK", "0"))
    if rank != 0:
        say = lambda text: None  # noqa: E731 - rank 0 reports for the job
    sessions = _sessions(args)
    if drawn:
        seed = params["random_state"]
        say(f"random_state {seed} (drawn; --random-state {seed} repeats this fit)")
    data = {option: [s.get(option) for s in sessions]
            for option in ("--neural", "--behavior", "--discrete", "--trial-starts")}
    if len(sessions) == 1:
        data = {option: values[0] for option, values in data.items()}
    else:
        data = {o: v if o == "--neural" or any(x is not None for x in v) else None
                for o, v in data.items()}
    if args.resume and os.path.exists(config.checkpoint):
        say(f"resuming the run held by {config.checkpoint}")
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=r"Embedding\.fit was interrupted")
            train = fit_or_resume if args.resume else type(model).fit
            model = train(model, data["--neural"], data["--behavior"],
                          discrete=data["--discrete"], trial_starts=data["--trial-starts"])
    except KeyboardInterrupt:
        if not model.__sklearn_is_fitted__():
            raise
        if rank == 0:
            model.save(args.out)
        sys.stderr.write(
            f"{_PROG}: interrupted after {model.n_iter_} of {config.max_iterations} iterations; "
            f"wrote the model trained so far to {args.out} (identica.load it and partial_fit "
            "to train on)\n")
        return 130
    seconds = time.perf_counter() - start
    _leave_process_group()
    if rank != 0:
        return 0
    model.save(args.out)
    final = float(np.mean(model.loss_history_[-50:]))
    shapes = ", ".join(f"{x.shape[0]} x {x.shape[1]}" for x in (s["--neural"] for s in sessions))
    where = shapes if len(sessions) == 1 else f"{len(sessions)} sessions ({shapes})"
    say(f"fitted {model.n_iter_} iterations ({model.conditional_}) on {where} in "
        f"{seconds:.1f} s; final loss {final:.4f}")
    say(f"wrote {args.out}")
    return 0


def _without_launch_options(argv: list[str]) -> list[str]:
    """The ``fit`` command line without the options that only the launching process reads."""
    out, skip = [], False
    for item in argv:
        if skip:
            skip = False
        elif item in ("--nproc", "--max-restarts"):
            skip = True
        elif not item.startswith(("--nproc=", "--max-restarts=")):
            out.append(item)
    return out


def _leave_process_group() -> None:
    """End this process's part in a torchrun job (a no-op outside one)."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def _demo(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        raise _UserError(f"--jobs must be a positive int; got {args.jobs}")
    return run_demo(args.out, max_iterations=args.max_iterations, num_threads=args.num_threads,
                    jobs=args.jobs, device=args.device, n_samples=args.n_samples,
                    n_neurons=args.n_neurons)


def _check_session(model: Embedding, args: argparse.Namespace) -> None:
    n = model.n_sessions_
    if len(model.encoders_) > 1 and args.session is None:
        raise _UserError(f"{args.model!r} was fitted on {n} sessions with one encoder each: pass "
                         f"--session N (0 to {n - 1}) to choose the encoder for {args.data!r}")


def _transform(args: argparse.Namespace) -> int:
    model = load(args.model)
    _check_output(args.out)
    _check_session(model, args)
    neural = _load_data(args.data, {"--neural": args.neural}, args.bin)["--neural"]
    embedding = model.transform(neural, session=args.session)
    with open(args.out, "wb") as file:
        np.save(file, embedding)
    print(f"wrote {args.out}: embedding of shape {embedding.shape}")
    return 0


def _attribute(args: argparse.Namespace) -> int:
    from identica.attribution import attribute

    model = load(args.model)
    _check_output(args.out)
    neural = _load_data(args.data, {"--neural": args.neural}, args.bin)["--neural"]
    summary = attribute(model, neural, method=args.method, inverse=args.inverse,
                        session=args.session, return_per_sample=False).summary
    with open(args.out, "wb") as file:
        np.save(file, summary)
    print(f"wrote {args.out}: {args.method} map of shape {summary.shape} "
          "(embedding dimensions x neurons)")
    return 0


def _inspect(args: argparse.Namespace) -> int:
    print(inspect_file(args.data))
    return 0


# -- entry point ---------------------------------------------------------------------------------


def _build_parser() -> tuple[_Parser, dict[str, argparse.ArgumentParser], list[str]]:
    parser = _Parser(prog=_PROG, description="Contrastive embeddings of neural recordings.",
                     allow_abbrev=False)
    parser.add_argument("--version", action="version", version=f"{_PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sub = {}

    def command(name: str, text: str) -> argparse.ArgumentParser:
        sub[name] = commands.add_parser(name, help=text, description=text, allow_abbrev=False)
        return sub[name]

    demo = command("demo", "fit the synthetic linear-track recording (three seeds) and report "
                           "decoding and consistency")
    demo.add_argument("--out", default="demo-output", metavar="DIR",
                      help="output folder (default: demo-output)")
    demo.add_argument("--max-iterations", type=int, default=1000, metavar="N",
                      help="training steps per seed (default: 1000)")
    demo.add_argument("--num-threads", type=int, default=1, metavar="N",
                      help="torch threads per training process (default: 1)")
    demo.add_argument("--jobs", type=int, default=2, metavar="N",
                      help="processes training the seeds; 1 trains them in turn (default: 2)")
    demo.add_argument("--device", default="cpu", help="torch device (default: cpu)")
    demo.add_argument("--n-samples", type=int, default=10_000, help=argparse.SUPPRESS)
    demo.add_argument("--n-neurons", type=int, default=120, help=argparse.SUPPRESS)

    fit = command("fit", "fit an Embedding on recording files (several files or --neural keys: "
                         "one session each) and save the model")
    fit.add_argument("data", metavar="DATA", nargs="+",
                     help=_DATA_HELP + "; several files are several sessions")
    fit.add_argument("--neural", required=True, metavar="KEY[,KEY...]",
                     help=_NEURAL_HELP + _KEYS_HELP)
    fit.add_argument("--bin", type=float, metavar="SECONDS", help=_BIN_HELP)
    fit.add_argument("--behavior", metavar="KEY[,KEY...]",
                     help="labels y (float: continuous, int: discrete)")
    fit.add_argument("--discrete", metavar="KEY[,KEY...]",
                     help="integer labels added to --behavior")
    fit.add_argument("--trial-starts", metavar="KEY[,KEY...]",
                     help="trials, whose borders no window crosses: in an .npz, the first row "
                          "of every trial; in other files, an interval table such as 'trials' "
                          "(rows outside its intervals are dropped)")
    fit.add_argument("--config", metavar="FILE.toml", help="TOML file with an [estimator] table")
    fit.add_argument("--out", required=True, metavar="MODEL", help="model file (.safetensors)")
    fit.add_argument("--quiet", action="store_true",
                     help="print nothing but errors and warnings: no progress bar (shown by "
                          "default when stderr is a terminal), no drawn seed (it is saved in "
                          "the model as random_state), no summary")
    fit.add_argument("--nproc", type=int, default=1, metavar="K",
                     help="train data-parallel in K processes of one torchrun job on this "
                          "machine (one per GPU on a K-GPU machine; default: 1, this process)")
    fit.add_argument("--max-restarts", type=int, default=0, metavar="N",
                     help="with --nproc: restart the job up to N times after a process failed "
                          "(pair with --resume)")
    fit.add_argument("--resume", action="store_true",
                     help="continue the run held by --checkpoint if that file exists (the "
                          "steps still missing to --max-iterations), else fit from scratch")
    bools = _add_estimator_options(fit)

    transform = command("transform", "embed the neural data of a recording file with a saved "
                                     "model")
    transform.add_argument("model", metavar="MODEL", help="model file written by fit")
    transform.add_argument("data", metavar="DATA", help=_DATA_HELP)
    transform.add_argument("--neural", required=True, metavar="KEY", help=_NEURAL_HELP)
    transform.add_argument("--bin", type=float, metavar="SECONDS", help=_BIN_HELP)
    transform.add_argument("--out", required=True, metavar="EMB.npy", help="embedding file (.npy)")
    transform.add_argument("--session", type=int, default=None, metavar="N",
                           help="session whose encoder embeds DATA (models fitted on several "
                                "sessions with one encoder each)")

    from identica.attribution import INVERSES, METHODS

    attribute = command("attribute", "which neurons drive which embedding dimension: write the "
                                     "mean absolute attribution map of a saved model")
    attribute.add_argument("model", metavar="MODEL", help="model file written by fit")
    attribute.add_argument("data", metavar="DATA", help=_DATA_HELP)
    attribute.add_argument("--neural", required=True, metavar="KEY", help=_NEURAL_HELP)
    attribute.add_argument("--bin", type=float, metavar="SECONDS", help=_BIN_HELP)
    attribute.add_argument("--out", required=True, metavar="MAP.npy", help="map file (.npy)")
    attribute.add_argument("--method", default="inverted-jacobian", choices=METHODS,
                           help="attribution method (default: inverted-jacobian)")
    attribute.add_argument("--inverse", default="lstsq", choices=INVERSES,
                           help="pseudo-inverse route of inverted methods (default: lstsq)")
    attribute.add_argument("--session", type=int, default=None,
                           help="session of a multi-session model")
    report = command("report", "quality report of a saved model's configuration on a recording: "
                               "refits over seeds on training blocks, scores a held-out block, "
                               "runs shuffle controls; writes one self-contained HTML file")
    add_report_arguments(report, data_help=_DATA_HELP, neural_help=_NEURAL_HELP,
                         bin_help=_BIN_HELP)
    inspect = command("inspect", "list the streams of a recording file (names, shapes, rates, "
                                 "time spans) to know what to pass as --neural/--behavior")
    inspect.add_argument("data", metavar="DATA", help=_DATA_HELP)
    return parser, sub, bools


def _suggest(extras: list[str], parser: argparse.ArgumentParser | None) -> str:
    options = [s for a in parser._actions for s in a.option_strings] if parser else []
    for token in extras:
        close = difflib.get_close_matches(token.split("=")[0], options, n=1)
        if token.startswith("--") and close:
            return f" Did you mean {close[0]!r}?"
    return ""


def main(argv: list[str] | None = None) -> int:
    """Run the ``identica`` command line and return its exit code.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 2 on a usage or data error (reported on stderr as
        ``identica: error: ...``, without a traceback), 130 when interrupted (``fit`` then
        saves the steps done to ``--out``).

    Examples
    --------
    >>> import numpy as np, pathlib, tempfile
    >>> from identica.cli import main
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> np.savez(folder / "data.npz", X=np.random.default_rng(0).poisson(1, (300, 5)))
    >>> main(["fit", str(folder / "data.npz"), "--neural", "X", "--out",
    ...       str(folder / "model.safetensors"), "--encoder", "mlp", "--time-offset", "1,2",
    ...       "--batch-size", "16", "--max-iterations", "3", "--random-state", "0"])
    ... # doctest: +ELLIPSIS
    fitted 3 iterations (time) on 300 x 5 in ... s; final loss ...
    wrote .../model.safetensors
    0
    """
    parser, sub, bools = _build_parser()
    args_in = sys.argv[1:] if argv is None else list(argv)
    try:
        args, extras = parser.parse_known_args(_expand_bools(args_in, bools))
        args.argv = args_in
        if extras:
            raise _UserError(f"unrecognized arguments: {' '.join(extras)}."
                             f"{_suggest(extras, sub.get(args.command))}", sub[args.command].prog)
        commands = {"demo": _demo, "fit": _fit, "transform": _transform, "attribute": _attribute,
                    "report": _report, "inspect": _inspect}
        with _warnings_as_lines():
            return commands[args.command](args)
    except (_UserError, IdenticaError, OSError) as error:
        sys.stderr.write(f"{_PROG}: error: {error}\n")
        if getattr(error, "command", None):
            sys.stderr.write(f"Run '{error.command} --help' to list the options.\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write(f"{_PROG}: interrupted\n")
        return 130
    except SystemExit as exit_:  # --help and --version
        return exit_.code if isinstance(exit_.code, int) else 0


if __name__ == "__main__":
    raise SystemExit(main())
