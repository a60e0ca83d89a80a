# SPDX-License-Identifier: Apache-2.0
# SPDX-FileCopyrightText: identica developers
"""The layer rules of the architecture, read from the import statements of every module.

Every ``import`` counts (module level or inside a function), except those under
``if TYPE_CHECKING:``, which never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "identica"
ENGINE = ("data", "io", "sampling", "nn", "losses", "training")
LEAVES = ("metrics", "plot", "synthetic", "decoders")
FAMILIES = ("attribution", "dynamics", "equivariance", "adaptation", "report", "distributed",
            "compat")
CHECKS = ("_checks", "exceptions", "_version")


def _layer(module: str) -> str:
    """The top-level part of ``identica.x.y`` (``x``), or ``identica`` for the package root."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "identica"


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    """identica modules imported by ``path`` (relative imports resolved)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST, depth: int) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                for sub in child.orelse:
                    visit(sub, depth)
                continue
            if isinstance(child, ast.Import):
                found.update(a.name for a in child.names if a.name.startswith("identica"))
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.rsplit(".", child.level - 1)[0] if child.level > 1 else package
                    module = f"{base}.{child.module}" if child.module else base
                else:
                    module = child.module or ""
                if module.startswith("identica"):
                    found.add(module)
                    found.update(f"{module}.{a.name}" for a in child.names
                                 if (SRC.parent / f"{module}.{a.name}".replace(".", "/")).exists()
                                 or (SRC.parent / (f"{module}.{a.name}".replace(".", "/")
                                                   + ".py")).exists())
            if top_level_only and isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            visit(child, depth + 1)

    visit(tree, 0)
    return found


MODULES = sorted(SRC.rglob("*.py"))


def _in(layer_names: tuple[str, ...]) -> list[Path]:
    return [p for p in MODULES if _layer(_module_name(p)) in layer_names]


@pytest.mark.parametrize("path", _in(ENGINE), ids=lambda p: _module_name(p))
def test_engine_imports_only_the_engine_and_the_checks(path):
    allowed = {*ENGINE, *CHECKS, "_runtime"}
    bad = sorted(m for m in _imports(path) if _layer(m) not in allowed)
    assert not bad, f"{_module_name(path)} imports {bad}"


@pytest.mark.parametrize("path", _in(LEAVES), ids=lambda p: _module_name(p))
def test_metrics_plot_synthetic_decoders_import_only_data_and_the_checks(path):
    own = _layer(_module_name(path))
    allowed = {"data", own, *CHECKS}
    bad = sorted(m for m in _imports(path) if _layer(m) not in allowed)
    assert not bad, f"{_module_name(path)} imports {bad}"


@pytest.mark.parametrize("path", _in(("estimator",)), ids=lambda p: _module_name(p))
def test_estimator_never_imports_a_family_or_a_workflow(path):
    bad = sorted(m for m in _imports(path) if _layer(m) in (*FAMILIES, "workflows", "cli"))
    assert not bad, f"{_module_name(path)} imports {bad}"


@pytest.mark.parametrize("path", _in((*FAMILIES, "workflows")), ids=lambda p: _module_name(p))
def test_families_and_workflows_never_import_the_cli(path):
    bad = sorted(m for m in _imports(path) if _layer(m) == "cli")
    assert not bad, f"{_module_name(path)} imports {bad}"


@pytest.mark.parametrize("top_level_only", [True, False], ids=["module-level", "all"])
def test_no_import_cycle_at_run_time(top_level_only):
    """Imports between identica modules form no cycle: neither those run on import, nor the
    ones inside functions (which would make a cycle at call time)."""
    names = {_module_name(p): p for p in MODULES}
    graph = {name: {m for m in _imports(path, top_level_only=top_level_only)
                    if m in names and m != name}
             for name, path in names.items()}
    # A package's __init__ importing its own submodules is how re-exports work, not a cycle
    # through the package: drop the edge from a submodule up to its own package.
    for name, targets in graph.items():
        graph[name] = {t for t in targets if not name.startswith(t + ".")}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycle = stack[stack.index(target):] + [target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)


def test_the_rules_see_imports():
    """The reader finds imports in functions and skips TYPE_CHECKING blocks."""
    imports = _imports(SRC / "metrics" / "_goodness_of_fit.py")
    assert "identica.estimator" not in imports  # only under TYPE_CHECKING
    assert "identica.estimator._evaluate" in _imports(SRC / "estimator" / "_attributes.py")

