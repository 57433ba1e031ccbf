"""The shape of the package: carrier adapters that import no transport or clock-driven I/O of their
own, and modules small enough to read (the layers and cycles: test_layering.py)."""

from __future__ import annotations

import ast

from support.layering import modules
from support.paths import ROOT

MAX_LINES = 400
PACKAGE_FOLDERS = tuple(sorted(p.parent.name for p in ROOT.glob("*/__init__.py")))


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
    long = {str(p.relative_to(ROOT)): n for p in modules(ROOT, "carriergate", PACKAGE_FOLDERS).values()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
