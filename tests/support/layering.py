"""The import graph of a package tree, every import counted: module level, inside functions and
under ``TYPE_CHECKING``. Used by test_layering.py on carriergate itself and on synthetic trees."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Edge:
    source: str  # importing module
    target: str  # imported module
    line: int
    lazy: bool  # inside a function (runs on first call, not on import)

    def __str__(self) -> str:
        return f"{self.source}:{self.line} imports {self.target}{' (in a function)' if self.lazy else ''}"


def modules(root: Path, package: str, folders: tuple[str, ...]) -> dict[str, Path]:
    """Module name -> file for ``root/__init__.py`` (the package itself) and every file under ``folders``."""
    found = {package: root / "__init__.py"}
    for top in folders:
        for path in sorted((root / top).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join((package, *parts))
            found[name.removesuffix(".__init__")] = path
    return found


def _resolve(current: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = current.split(".") if is_package else current.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _walk(tree: ast.AST, in_function: bool = False) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, in_function
        yield from _walk(node, in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda))


def _owner(name: str, known: Mapping[str, Path]) -> str | None:
    """The known module ``name`` denotes (a module, or the package of an imported attribute)."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def edges(known: Mapping[str, Path]) -> list[Edge]:
    """Every import of one known module by another. ``from pkg import mod`` counts as importing
    ``pkg.mod`` when that is a module, else ``pkg``. A module importing its own parent package is
    left out: the parent is initialised first, it is no dependency of the child's own."""
    out: list[Edge] = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, lazy in _walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = _resolve(name, path.name == "__init__.py", node)
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                           for alias in node.names]
            for target in targets:
                owner = _owner(target, known)
                if owner is None or owner == name or name.startswith(owner + "."):
                    continue
                out.append(Edge(name, owner, node.lineno, lazy))
    return out


def layer_of(module: str, package: str) -> str:
    """``carriergate.gateway.shopping`` -> ``gateway``; the package itself -> ``""`` (the public face)."""
    rest = module.removeprefix(package).lstrip(".")
    return rest.split(".")[0]


def upward(all_edges: list[Edge], package: str, allowed: Mapping[str, frozenset[str]],
           lazy_exceptions: frozenset[tuple[str, str]] = frozenset()) -> list[Edge]:
    """Edges from one layer into a layer it may not import. A module may import its own layer and
    the layers ``allowed`` names for it; ``lazy_exceptions`` are (source, target) pairs let through
    only when the import sits inside a function."""
    bad = []
    for edge in all_edges:
        src, dst = layer_of(edge.source, package), layer_of(edge.target, package)
        if src == dst or dst in allowed.get(src, frozenset()):
            continue
        if edge.lazy and (edge.source, edge.target) in lazy_exceptions:
            continue
        bad.append(edge)
    return bad


def cycle(all_edges: list[Edge]) -> list[str] | None:
    """One import cycle (function-level imports included), or None."""
    graph: dict[str, set[str]] = {}
    for edge in all_edges:
        graph.setdefault(edge.source, set()).add(edge.target)
        graph.setdefault(edge.target, set())
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None
