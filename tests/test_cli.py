# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""Tests of the ``identica`` command line, run through ``main([...])`` in ``tmp_path``."""

from __future__ import annotations

import contextlib
import io
import re
import signal
from pathlib import Path

import numpy as np
import pytest

import identica
from identica import cli
from identica.cli import main

TINY = ["--batch-size", "32", "--max-iterations", "5", "--random-state", "0", "--device", "cpu",
        "--num-threads", "1"]
DEMO_TINY = ["--max-iterations", "5", "--n-samples", "600", "--n-neurons", "20"]


@pytest.fixture(scope="module")
def recording() -> identica.data.Recording:
    return identica.synthetic.linear_track(n_samples=400, n_neurons=12, random_state=0)


@pytest.fixture
def data(tmp_path, recording) -> Path:
    path = tmp_path / "data.npz"
    np.savez(path, neural=recording.neural, behavior=recording.continuous,
             direction=recording.truth["direction"])
    return path


def run(capsys, *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def fit(capsys, data: Path, out: Path, *options: object) -> tuple[int, str, str]:
    return run(capsys, "fit", data, "--neural", "neural", "--out", out, *options)


# -- demo -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo_sequential(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo") / "out"
    stdout = io.StringIO()  # a module-scoped fixture cannot use capsys
    with contextlib.redirect_stdout(stdout):
        assert main(["demo", "--out", str(out), "--jobs", "1", *DEMO_TINY]) == 0
    return out, stdout.getvalue()


def test_demo_writes_files_and_prints_numbers(demo_sequential) -> None:
    out, stdout = demo_sequential
    names = {"embedding.npy", "embedding.png", "embedding.html", "loss.png", "summary.txt",
             "model.safetensors"}
    assert names <= {p.name for p in out.iterdir()}
    embedding = np.load(out / "embedding.npy")
    assert embedding.shape == (600, 8) and embedding.dtype == np.float32
    for text in ("600 bins x 20 neurons (train 480, test 120)", "seed 0: kNN R² (position, test)",
                 "seed 1: kNN R²", "seed 2: kNN R²", " cm",
                 "consistency (seeds 0 and 1, train embeddings) =",
                 "ensemble consistency (3 seeds, affine, train embeddings) =",
                 "time: data", "total"):
        assert text in stdout
    summary = (out / "summary.txt").read_text(encoding="utf-8").splitlines()
    assert len(summary) == 9 and all(line in stdout.splitlines() for line in summary)
    assert summary[-1].startswith(f"wrote {out}") and "embedding.html (interactive" in summary[-1]
    assert (out / "embedding.png").read_bytes()[:4] == b"\x89PNG"
    html = (out / "embedding.html").read_text(encoding="utf-8")
    assert "position (m)" in html and "<script src=" not in html  # plotly.js inside, offline


def test_demo_model_reproduces_embedding(demo_sequential) -> None:
    out, _ = demo_sequential
    model = identica.load(out / "model.safetensors")
    assert model.get_params()["output_dimension"] == 8 and model.n_iter_ == 5
    neural = identica.synthetic.linear_track(n_samples=600, n_neurons=20).neural
    np.testing.assert_array_equal(model.transform(neural), np.load(out / "embedding.npy"))


def test_demo_parallel_matches_sequential(tmp_path, capsys, demo_sequential) -> None:
    code, out, _ = run(capsys, "demo", "--out", tmp_path, "--jobs", "2", *DEMO_TINY)
    assert code == 0 and "in 2 processes" in out
    np.testing.assert_array_equal(np.load(tmp_path / "embedding.npy"),
                                  np.load(demo_sequential[0] / "embedding.npy"))


# -- fit and transform ----------------------------------------------------------------------------


def test_fit_transform_round_trip_matches_python_api(tmp_path, capsys, data, recording) -> None:
    model_path, emb_path = tmp_path / "model.safetensors", tmp_path / "emb.npy"
    code, out, err = fit(capsys, data, model_path, "--behavior", "behavior", *TINY,
                         "--output-dimension", "3", "--time-offset", "1,2,3")
    assert (code, err) == (0, "")
    assert "fitted 5 iterations (time_delta) on 400 x 12" in out and str(model_path) in out
    code, out, _ = run(capsys, "transform", model_path, data, "--neural", "neural",
                       "--out", emb_path)
    assert code == 0 and "(400, 3)" in out
    expected = identica.Embedding(
        batch_size=32, max_iterations=5, random_state=0, device="cpu", num_threads=1,
        output_dimension=3, time_offset=(1, 2, 3),
    ).fit(recording.neural, recording.continuous).transform(recording.neural)
    np.testing.assert_array_equal(np.load(emb_path), expected)


@pytest.mark.parametrize(
    ("options", "conditional"),
    [([], "time"), (["--discrete", "direction"], "discrete"),
     (["--behavior", "behavior", "--discrete", "direction"], "mixed")],
)
def test_fit_label_options(tmp_path, capsys, data, options, conditional) -> None:
    code, _, err = fit(capsys, data, tmp_path / "m.safetensors", *options, *TINY)
    assert code == 0, err
    assert identica.load(tmp_path / "m.safetensors").conditional_ == conditional


def test_config_is_base_and_options_override(tmp_path, capsys, data) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[estimator]\nmax_iterations = 3\noutput_dimension = 4\nbatch_size = 16\n'
                      'time_offset = [1, 2]\nencoder = "mlp"\nlearn_temperature = true\n')
    code, _, err = fit(capsys, data, tmp_path / "m.safetensors", "--config", config,
                       "--output-dimension", "5", "--no-learn-temperature", "--random-state", "1")
    assert code == 0, err
    model = identica.load(tmp_path / "m.safetensors")
    params = model.get_params()
    assert (params["max_iterations"], params["batch_size"], params["encoder"]) == (3, 16, "mlp")
    assert params["time_offset"] == (1, 2) and params["output_dimension"] == 5
    assert params["learn_temperature"] is False and params["random_state"] == 1
    assert model.n_iter_ == 3


@pytest.mark.parametrize(
    ("flags", "expected"),
    [([], False), (["--learn-temperature"], True), (["--learn-temperature=false"], False),
     (["--learn-temperature", "true"], True), (["--learn-temperature", "--no-learn-temperature"],
                                                False)],
)
def test_bool_options(tmp_path, capsys, data, flags, expected) -> None:
    code, _, err = fit(capsys, data, tmp_path / "m.safetensors", "--encoder", "mlp",
                       "--max-iterations", "1", "--batch-size", "8", *flags)
    assert code == 0, err
    assert identica.load(tmp_path / "m.safetensors").learn_temperature is expected


def test_none_values(tmp_path, capsys, data) -> None:
    code, _, err = fit(capsys, data, tmp_path / "m.safetensors", "--encoder", "mlp",
                       "--max-iterations", "1", "--batch-size", "8", "--num-negatives", "none",
                       "--random-state", "None", "--num-threads", "null")
    assert code == 0, err
    params = identica.load(tmp_path / "m.safetensors").get_params()
    assert params["num_negatives"] is None and params["random_state"] is None


def test_help_lists_every_estimator_parameter(capsys) -> None:
    code, out, _ = run(capsys, "fit", "--help")
    assert code == 0
    for name in identica.Embedding().get_params():
        if name != "objectives":  # a list of Objective: [[estimator.objectives]] in --config
            assert f"--{name.replace('_', '-')}" in out
    assert "--no-verbose" in out and "{cosine,euclidean,dot,l1}" in out
    assert "{auto,none,sphere,box}" in out


def test_generated_options_are_exactly_the_parameters() -> None:
    _, commands, bools = cli._build_parser()
    generated = {
        s for a in commands["fit"]._actions for s in a.option_strings
        if a.dest.startswith("estimator.")
    }
    names = {f"--{n.replace('_', '-')}" for n in identica.Embedding().get_params()}
    assert generated == (names - {"--objectives"}) | {f"--no-{flag}" for flag in bools}
    assert sorted(bools) == ["distributed", "hybrid", "learn-temperature", "verbose"]


def test_version(capsys) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"identica {identica.__version__}"


# -- errors ---------------------------------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["fit", "{data}", "--neural", "neural", "--out", "{m}", "--max-iteration", "3"],
         "unrecognized arguments: --max-iteration 3. Did you mean '--max-iterations'?"),
        (["fit", "{data}", "--neural", "spikes", "--out", "{m}"],
         "'spikes' (given by --neural). Available keys: neural, behavior, direction."),
        (["fit", "{data}", "--neural", "neural", "--behavior", "behaviour", "--out", "{m}"],
         "Did you mean 'behavior'?"),
        (["fit", "{data}", "--neural", "neural", "--out", "{m}", "--batch-size", "abc"],
         "argument --batch-size: expected INT; got 'abc'"),
        (["fit", "{data}", "--neural", "neural", "--out", "{m}", "--time-offset", "1,x"],
         "argument --time-offset: expected INT|INT[,INT...]; got '1,x'"),
        (["fit", "{data}", "--neural", "neural", "--out", "{m}", "--batch-size", "0"],
         "'batch_size' of Embedding must be an int in [1, inf]. Got 0."),
        (["fit", "{data}", "--neural", "neural", "--out", "{m}", "--similarity", "cosin"],
         "Did you mean 'cosine'?"),
        (["fit", "{data}", "--neural", "neural", "--out", "{m}", "--verbose=maybe"],
         "argument --verbose: expected true or false; got 'maybe'"),
        (["fit", "{data}", "--neural", "neural", "--out", "{m}", "--discrete", "behavior"],
         "discrete must be 1-D discrete labels"),
        (["fit", "{data}", "--out", "{m}"], "the following arguments are required: --neural"),
        (["fit", "{tmp}/none.npz", "--neural", "neural", "--out", "{m}"],
         "no such data file: '{tmp}/none.npz'"),
        (["fit", "{npy}", "--neural", "neural", "--out", "{m}"], "holds a single array"),
        (["fit", "{bad_toml}", "--neural", "neural", "--out", "{m}"], "could not read"),
        (["fit", "{data}", "--neural", "neural", "--out", "{tmp}/no/m.safetensors"],
         "folder '{tmp}/no' does not exist"),
        (["fit", "{data}", "--neural", "neural", "--out", "{m}", "--config", "{bad_toml}"],
         "is not valid TOML"),
        (["fit", "{data}", "--neural", "neural", "--out", "{m}", "--config", "{typo_toml}"],
         "unknown key 'max-iterations' in [estimator] of '{typo_toml}'. Did you mean "
         "'max_iterations'? Allowed keys: batch_size, behavior_dimension, checkpoint,"),
        (["fit", "{data}", "--neural", "neural", "--out", "{m}", "--config", "{table_toml}"],
         "must hold one [estimator] table of Embedding parameters; found ['model']"),
        (["fit", "{data}", "--neural", "neural", "--out", "{m}", "--config", "{tmp}/c.toml"],
         "no such config file"),
        (["transform", "{tmp}/none.safetensors", "{data}", "--neural", "neural", "--out", "{e}"],
         "No model file at"),
        (["transform", "{data}", "{data}", "--neural", "neural", "--out", "{e}"],
         "is not a readable .safetensors model file"),
        (["demo", "--jobs", "0"], "--jobs must be a positive int; got 0"),
        (["demo", "--max-iterations", "0", "--out", "{tmp}/d"],
         "'max_iterations' of Embedding must be an int in [1, inf]. Got 0."),
        (["fitt"], "argument COMMAND: invalid choice: 'fitt'"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_user_errors(tmp_path, capsys, data, argv, match) -> None:
    paths = {
        "data": data, "tmp": tmp_path, "m": tmp_path / "m.safetensors", "e": tmp_path / "e.npy",
        "npy": tmp_path / "x.npy",
        "bad_toml": _write(tmp_path / "bad.toml", "[estimator\nx = 1"),
        "typo_toml": _write(tmp_path / "typo.toml", "[estimator]\nmax-iterations = 3\n"),
        "table_toml": _write(tmp_path / "table.toml", "[estimator]\n[model]\nx = 1\n"),
    }
    np.save(paths["npy"], np.zeros((10, 2)))
    code, out, err = run(capsys, *[a.format(**paths) for a in argv])
    assert code == 2
    assert err.startswith("identica: error: ") and "Traceback" not in err
    assert match.format(**paths) in err
    assert not (tmp_path / "m.safetensors").exists() and not (tmp_path / "e.npy").exists()


def test_transform_feature_mismatch(tmp_path, capsys, data) -> None:
    assert fit(capsys, data, tmp_path / "m.safetensors", *TINY)[0] == 0
    np.savez(tmp_path / "other.npz", neural=np.zeros((50, 3), dtype=np.float32))
    code, _, err = run(capsys, "transform", tmp_path / "m.safetensors", tmp_path / "other.npz",
                       "--neural", "neural", "--out", tmp_path / "e.npy")
    assert code == 2 and "X has 3 features" in err and "12" in err


def test_interrupt_returns_130(monkeypatch, capsys, data, tmp_path) -> None:
    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_fit", interrupted)
    code, _, err = fit(capsys, data, tmp_path / "m.safetensors")
    assert code == 130 and err == "identica: interrupted\n"


def test_objectives_from_a_config_file(tmp_path, capsys, data) -> None:
    config = tmp_path / "objectives.toml"
    config.write_text(
        "[estimator]\nencoder = 'mlp'\nbatch_size = 16\nmax_iterations = 3\n"
        "output_dimension = 4\n"
        "[[estimator.objectives]]\ndims = [0, 1]\nconditional = 'time'\ntime_offset = 2\n"
        "[[estimator.objectives]]\ndims = [2, 3]\nconditional = 'time'\nweight = 0.5\n",
        encoding="utf-8",
    )
    model_path = tmp_path / "m.safetensors"
    code, out, err = run(capsys, "fit", data, "--neural", "neural", "--config", config,
                         "--out", model_path)
    assert (code, err) == (0, "")
    model = identica.load(model_path)
    assert model.objectives == [
        identica.Objective(dims=(0, 1), conditional="time", time_offset=2),
        identica.Objective(dims=(2, 3), conditional="time", weight=0.5),
    ]


def test_unknown_objective_key(tmp_path, capsys, data) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[estimator]\n[[estimator.objectives]]\nweigth = 1.0\n", encoding="utf-8")
    code, _, err = run(capsys, "fit", data, "--neural", "neural", "--config", config,
                       "--out", tmp_path / "m.safetensors")
    assert code == 2 and "unknown key 'weigth' in an objective" in err
    assert "Did you mean 'weight'?" in err


def test_attribute_writes_the_map(tmp_path, capsys, data, recording) -> None:
    model_path, map_path = tmp_path / "model.safetensors", tmp_path / "map.npy"
    assert fit(capsys, data, model_path, "--encoder", "mlp", *TINY)[0] == 0
    code, out, err = run(capsys, "attribute", model_path, data, "--neural", "neural",
                         "--out", map_path, "--method", "jacobian")
    assert (code, err) == (0, "") and "(8, 12)" in out
    expected = identica.attribution.attribute(identica.load(model_path), recording.neural,
                                              method="jacobian").summary
    np.testing.assert_allclose(np.load(map_path), expected, rtol=1e-6)


def test_attribute_refuses_an_unknown_method(tmp_path, capsys, data) -> None:
    code, _, err = run(capsys, "attribute", tmp_path / "m.safetensors", data, "--neural",
                       "neural", "--out", tmp_path / "map.npy", "--method", "shap")
    assert code == 2 and "invalid choice: 'shap'" in err


# -- seeds, progress, interrupts ------------------------------------------------------------------


def test_a_drawn_seed_is_printed_and_repeats_the_fit(tmp_path, capsys, data, recording) -> None:
    quick = ["--encoder", "mlp", "--batch-size", "16", "--max-iterations", "3"]
    code, out, err = fit(capsys, data, tmp_path / "a.safetensors", *quick)
    assert code == 0, err
    seed = int(re.search(r"^random_state (\d+) \(drawn; --random-state \1 repeats this fit\)$",
                         out, re.MULTILINE).group(1))
    first = identica.load(tmp_path / "a.safetensors")
    assert first.random_state == seed
    code, out, _ = fit(capsys, data, tmp_path / "b.safetensors", *quick, "--random-state", seed)
    assert code == 0 and "random_state" not in out
    again = identica.load(tmp_path / "b.safetensors")
    np.testing.assert_array_equal(again.transform(recording.neural),
                                  first.transform(recording.neural))


def test_quiet_prints_nothing(tmp_path, capsys, data, monkeypatch) -> None:
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    code, out, err = fit(capsys, data, tmp_path / "m.safetensors", "--quiet", "--encoder", "mlp",
                         "--batch-size", "16", "--max-iterations", "3")
    assert (code, out, err) == (0, "", "")
    model = identica.load(tmp_path / "m.safetensors")
    assert model.verbose is False and isinstance(model.random_state, int)


def test_a_progress_bar_when_stderr_is_a_terminal(tmp_path, capsys, data, monkeypatch) -> None:
    monkeypatch.setattr(cli, "_interactive", lambda: True)
    code, _, err = fit(capsys, data, tmp_path / "m.safetensors", *TINY)
    assert code == 0 and "identica on cpu, 1 thread" in err and "step" in err  # tqdm's bar
    assert identica.load(tmp_path / "m.safetensors").verbose is True
    code, _, err = fit(capsys, data, tmp_path / "m.safetensors", *TINY, "--no-verbose")
    assert (code, err) == (0, "")
    monkeypatch.setattr(cli, "_interactive", lambda: False)  # a pipe or a file: no bar
    code, _, err = fit(capsys, data, tmp_path / "m.safetensors", *TINY)
    assert (code, err) == (0, "")


def test_quiet_and_verbose_contradict(tmp_path, capsys, data) -> None:
    code, _, err = fit(capsys, data, tmp_path / "m.safetensors", "--quiet", "--verbose")
    assert code == 2 and "--quiet and --verbose contradict" in err


def test_ctrl_c_saves_the_steps_done(tmp_path, capsys, data, recording, monkeypatch) -> None:
    original = identica.training.Solver.step

    def step(solver):
        if solver.steps_done == 2:
            signal.raise_signal(signal.SIGINT)  # Ctrl-C during the third step
        return original(solver)

    monkeypatch.setattr(identica.training.Solver, "step", step)
    model_path = tmp_path / "m.safetensors"
    code, out, err = fit(capsys, data, model_path, "--behavior", "behavior", *TINY)
    assert code == 130 and "fitted" not in out
    assert err == (f"identica: interrupted after 3 of 5 iterations; wrote the model trained so "
                   f"far to {model_path} (identica.load it and partial_fit to train on)\n")
    monkeypatch.setattr(identica.training.Solver, "step", original)
    saved = identica.load(model_path)
    expected = identica.Embedding(batch_size=32, max_iterations=3, random_state=0, device="cpu",
                                  num_threads=1).fit(recording.neural, recording.continuous)
    assert saved.n_iter_ == 3
    np.testing.assert_array_equal(saved.transform(recording.neural),
                                  expected.transform(recording.neural))


def test_checkpoint_options_and_config(tmp_path, capsys, data) -> None:
    checkpoint = tmp_path / "c.safetensors"
    code, _, err = fit(capsys, data, tmp_path / "m.safetensors", *TINY, "--checkpoint",
                       checkpoint, "--checkpoint-every", "2")
    assert code == 0, err
    assert identica.load(checkpoint).n_iter_ == 5
    assert identica.load(tmp_path / "m.safetensors").checkpoint_every == 2
    config = _write(tmp_path / "c.toml", f'[estimator]\ncheckpoint = "{tmp_path}/t.safetensors"'
                                         '\ncheckpoint_every = 3\n')
    code, _, err = fit(capsys, data, tmp_path / "m.safetensors", *TINY, "--config", config)
    assert code == 0, err
    model = identica.load(tmp_path / "t.safetensors")
    assert model.checkpoint_every == 3 and model.checkpoint == f"{tmp_path}/t.safetensors"
    code, _, err = fit(capsys, data, tmp_path / "m.safetensors", *TINY, "--checkpoint",
                       tmp_path / "no" / "c.safetensors")
    assert code == 2 and f"folder '{tmp_path}/no' does not exist" in err


def test_another_suffix_is_warned_about(tmp_path, capsys, data) -> None:
    code, _, err = fit(capsys, data, tmp_path / "m.pt", *TINY)
    assert code == 0
    assert err.startswith(f"identica: warning: '{tmp_path}/m.pt' does not end in .safetensors")
    assert identica.load(tmp_path / "m.pt").n_iter_ == 5


# -- sessions and trials --------------------------------------------------------------------------


@pytest.fixture
def two_animals(tmp_path) -> tuple[list[identica.data.Recording], Path, Path]:
    animals = identica.synthetic.linear_track(n_samples=300, n_neurons=[10, 14], n_sessions=2,
                                              random_state=0)
    paths = []
    for i, animal in enumerate(animals):
        paths.append(tmp_path / f"animal{i}.npz")
        np.savez(paths[-1], neural=animal.neural, behavior=animal.continuous)
    np.savez(tmp_path / "both.npz", n0=animals[0].neural, n1=animals[1].neural,
             y0=animals[0].continuous, y1=animals[1].continuous)
    return animals, *paths


def _multi_expected(animals) -> identica.Embedding:
    return identica.Embedding(batch_size=32, max_iterations=5, random_state=0, device="cpu",
                              num_threads=1).fit([a.neural for a in animals],
                                                 [a.continuous for a in animals])


@pytest.mark.parametrize("layout", ["files", "keys"])
def test_multi_session_fit(tmp_path, capsys, two_animals, layout) -> None:
    animals, first, second = two_animals
    model_path = tmp_path / "m.safetensors"
    if layout == "files":
        argv = ["fit", first, second, "--neural", "neural", "--behavior", "behavior"]
    else:
        argv = ["fit", tmp_path / "both.npz", "--neural", "n0,n1", "--behavior", "y0,y1"]
    code, out, err = run(capsys, *argv, "--out", model_path, *TINY)
    assert code == 0, err
    assert "on 2 sessions (300 x 10, 300 x 14)" in out
    model = identica.load(model_path)
    assert model.n_features_per_session_ == [10, 14]
    expected = _multi_expected(animals)
    for s, animal in enumerate(animals):
        np.testing.assert_array_equal(model.transform(animal.neural, session=s),
                                      expected.transform(animal.neural, session=s))


def test_transform_a_session(tmp_path, capsys, two_animals) -> None:
    animals, first, second = two_animals
    model_path, emb = tmp_path / "m.safetensors", tmp_path / "e.npy"
    assert run(capsys, "fit", first, second, "--neural", "neural", "--behavior", "behavior",
               "--out", model_path, *TINY)[0] == 0
    code, out, err = run(capsys, "transform", model_path, second, "--neural", "neural",
                         "--session", "1", "--out", emb)
    assert (code, err) == (0, "") and "(300, 8)" in out
    np.testing.assert_array_equal(
        np.load(emb), _multi_expected(animals).transform(animals[1].neural, session=1))
    code, _, err = run(capsys, "transform", model_path, second, "--neural", "neural",
                       "--out", emb)
    assert code == 2 and "was fitted on 2 sessions with one encoder each: pass --session N " \
                         "(0 to 1)" in err


def test_label_keys_per_session_must_match(tmp_path, capsys, two_animals) -> None:
    code, _, err = run(capsys, "fit", tmp_path / "both.npz", "--neural", "n0,n1", "--behavior",
                       "y0,y1,y0", "--out", tmp_path / "m.safetensors")
    assert code == 2 and "--behavior names 3 keys and --neural 2: give one key" in err


def test_trial_starts(tmp_path, capsys, recording) -> None:
    starts = np.array([0, 150, 290])
    path = tmp_path / "trials.npz"
    np.savez(path, neural=recording.neural, behavior=recording.continuous, starts=starts)
    code, _, err = run(capsys, "fit", path, "--neural", "neural", "--behavior", "behavior",
                       "--trial-starts", "starts", "--out", tmp_path / "m.safetensors", *TINY)
    assert code == 0, err
    expected = identica.Embedding(batch_size=32, max_iterations=5, random_state=0, device="cpu",
                                  num_threads=1)
    expected.fit(recording.neural, recording.continuous, trial_starts=starts)
    np.testing.assert_array_equal(
        identica.load(tmp_path / "m.safetensors").loss_history_, expected.loss_history_)
    unsplit = identica.Embedding(batch_size=32, max_iterations=5, random_state=0, device="cpu",
                                 num_threads=1).fit(recording.neural, recording.continuous)
    assert not np.array_equal(unsplit.loss_history_, expected.loss_history_)
