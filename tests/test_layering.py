"""The house stands: every module imports, arrows point down, and no import cycle.

The packages of vlab are levels (ARCHITECTURE.md): a package may import its own modules
and the packages of *lower* rank, never a higher or an equal one (hardware and os are
both level-2 neighbours and stay independent of each other).  Course infrastructure
(vlab.course) may use the chapter helpers (vlab.lab); the command line sits on top.
Imports are read with ``ast`` from the source, so an import hidden inside a function
counts too: it is how a cycle usually hides.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import vlab

RANK = {"__main__": 8, "host": 0, "isa": 1, "hardware": 2, "os": 2, "library": 3, "application": 3,
        "hosted": 3, "datacenter": 4, "lab": 5, "course": 6, "cli": 7}
ROOT = Path(vlab.__file__).parent


def modules() -> dict[str, Path]:
    """Every module of vlab: dotted name -> source file."""
    found = {"vlab": ROOT / "__init__.py"}
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


MODULES = modules()


def imports_of(name: str, path: Path) -> set[str]:
    """The vlab modules that ``name`` imports (anywhere in its source)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:          # `from pkg import submodule` imports it
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in MODULES else base)
    return {target for target in found if target in MODULES and target != name}


GRAPH = {name: imports_of(name, path) for name, path in MODULES.items()}


def level_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n != "vlab.__main__"))
def test_every_module_imports(name):
    importlib.import_module(name)


def test_every_subpackage_has_a_rank():
    top = {info.name for info in pkgutil.iter_modules([str(ROOT)]) if info.ispkg}
    assert top == set(RANK) - {"__main__"}, "give each new package a rank (ARCHITECTURE.md)"


def test_arrows_point_down():
    wrong = []
    for source, targets in GRAPH.items():
        mine = level_of(source)
        for target in targets:
            theirs = level_of(target)
            if mine is None or theirs is None or theirs == mine:
                continue
            if RANK[theirs] >= RANK[mine]:
                wrong.append(f"{source} -> {target}")
    assert wrong == []


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, 1972)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def is_package_edge(source: str, target: str) -> bool:
    """A module importing the package that contains it (its ``__init__``) is no cycle
    of the code's logic: Python runs the package first in any case."""
    return source.startswith(target + ".")


def test_no_import_cycles():
    graph = {source: {t for t in targets if not is_package_edge(source, t)}
             for source, targets in GRAPH.items()}
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
