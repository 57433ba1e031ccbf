"""The shape of the package: no import cycles between modules, carrier adapters that import no
transport or clock-driven I/O of their own, and modules small enough to read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DIRS = ("core", "adapters", "carriers")
MAX_LINES = 400


def modules() -> dict[str, Path]:
    found = {"carriergate": ROOT / "__init__.py"}
    for top in PACKAGE_DIRS:
        for path in (ROOT / top).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(("carriergate", *parts))
            found[name.removesuffix(".__init__")] = path
    return found


def _resolve(current: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = current.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def top_level_imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Modules of ours imported when ``name`` is imported (function-level imports are lazy: skipped)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in tree.body:
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(name, path.name == "__init__.py", node)
            targets = [target, *(f"{target}.{alias.name}" for alias in node.names)]
        # A module importing its own parent package is not a cycle: the parent is initialised first.
        out.update(t for t in targets if t in known and t != name and not name.startswith(t + "."))
    return out


def test_no_import_cycles() -> None:
    known = modules()
    graph = {name: top_level_imports(name, path, known) for name, path in known.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt):], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name)


def test_carrier_adapters_do_no_io_of_their_own() -> None:
    """Adapters build and parse; the executor sends. No socket, HTTP client, sleep or thread in carriers/."""
    forbidden = ("socket", "requests", "urllib.request", "http.client", "asyncio", "threading", "subprocess")
    offenders = []
    for path in (ROOT / "carriers").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: imports {n}" for n in names if n.split(".")[0] in forbidden
                          or n in forbidden]
        for call in ("httpx.Client(", "httpx.AsyncClient(", "time.sleep(", ".send("):
            if call in source:
                offenders.append(f"{path.relative_to(ROOT)}: calls {call}")
    assert offenders == []


def test_modules_stay_small() -> None:
    long = {str(p.relative_to(ROOT)): n for p in modules().values()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
