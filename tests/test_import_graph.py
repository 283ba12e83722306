"""The packages' import graph, read from the source with ``ast`` (module-level and function-level
imports alike): no cycle anywhere, ``curriculum`` (the lowest layer) knows nothing of ``lms`` or
``certificates``, and a function-level import of the project's own modules is never used to hide
a cycle: only a module that needs an optional dependency (Celery, Redis) is imported late."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("lms", "curriculum", "certificates")
#: third-party packages that are extras, not requirements: what imports them is imported late
OPTIONAL = {"celery", "redis", "kombu"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if package == "curriculum" and "packs" in path.relative_to(ROOT / package).parts:
                continue  # curriculum content, not code
            found[_module_name(path)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module, module: str, is_package: bool, known: set[str]):
    """(imported module, line, inside a function) for each import of a project module."""
    found = []

    def resolve(target: str) -> str | None:
        while target and target not in known:
            target = target.rpartition(".")[0]
        return target or None

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue  # never run
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if (target := resolve(alias.name)) is not None:
                        found.append((target, child.lineno, in_function))
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = module if is_package else module.rpartition(".")[0]
                    for _ in range(child.level - 1):
                        anchor = anchor.rpartition(".")[0]
                    base = f"{anchor}.{base}" if base else anchor
                for alias in child.names:
                    target = resolve(f"{base}.{alias.name}") or resolve(base)
                    if target is not None and target != module:
                        found.append((target, child.lineno, in_function))
            visit(child, nested)

    visit(tree, False)
    return found


def _needs_optional(tree: ast.Module) -> bool:
    """The module imports an optional dependency at its top level."""
    for node in tree.body:
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            names = [node.module or ""]
        if any(name.split(".")[0] in OPTIONAL for name in names):
            return True
    return False


def _graph():
    sources = _sources()
    known = set(sources)
    trees = {
        name: ast.parse(path.read_text(encoding="utf-8"), str(path))
        for name, path in sources.items()
    }
    optional = {name for name, tree in trees.items() if _needs_optional(tree)}
    edges: dict[str, set[str]] = {name: set() for name in sources}
    late: list[str] = []
    for name, path in sources.items():
        found = _imports(trees[name], name, path.name == "__init__.py", known)
        for target, line, in_function in found:
            edges[name].add(target)
            if in_function and target not in optional:
                late.append(f"{path.relative_to(ROOT)}:{line}: imports {target} inside a function")
    return edges, late


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def connect(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                connect(target)
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

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return found


def test_the_import_graph_has_no_cycle():
    edges, _late = _graph()
    assert _cycles(edges) == []


def test_curriculum_knows_nothing_of_people_or_certificates():
    edges, _late = _graph()
    wrong = sorted(
        f"{name} imports {target}"
        for name, targets in edges.items()
        if name.split(".")[0] == "curriculum"
        for target in targets
        if target.split(".")[0] in ("lms", "certificates")
    )
    assert wrong == []


def test_no_function_level_import_of_the_projects_own_modules():
    _edges, late = _graph()
    assert late == []


@pytest.mark.parametrize(
    "source, expected",
    [
        ("import lms.b\n", [["lms.a", "lms.b"]]),
        ("def f():\n    from . import b\n", [["lms.a", "lms.b"]]),
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from lms import b\n", []),
    ],
)
def test_the_checker_sees_cycles_through_either_kind_of_import(source, expected):
    known = {"lms", "lms.a", "lms.b"}
    edges = {"lms": set(), "lms.b": {"lms.a"}}
    edges["lms.a"] = {t for t, _line, _late in _imports(ast.parse(source), "lms.a", False, known)}
    assert _cycles(edges) == expected
