"""The package's folders are its layers, and every import points down.

    core        models, errors, validation, the Carrier contract, deadline, registry   (nothing of ours)
    protocols   auth and signing flows, SOAP, JSON helpers, XML safety, body limits   (core)
    carriers    one package per carrier: pure build/parse                             (core, protocols)
    adapters    the request pipeline: executor, retry, breaker, clients, redaction    (core, protocols)
    sandbox     carrier emulators, independent oracles                                (core, protocols)
    stores      state shared between processes: Redis tokens, locks, quotas, breakers (+ adapters)
    gateway     Gateway/AsyncGateway, fan-out, shopping, rate cache, fallback         (+ adapters, stores)
    checkout    fee policy and the checkout ASGI app                                  (+ gateway)
    workers     bulk tracking as tasks on a queue                                     (+ gateway)
    cli         the command line                                                      (+ checkout, workers, sandbox)

The one allowed upward edge is ``Gateway.sandbox()``: the gateway imports the sandbox's registry
inside that function, so a gateway that never asks for the sandbox never loads it. Carriers never
import each other, and no module imports the sandbox's emulators from carriers/ or the reverse.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.layering import Edge, cycle, edges, layer_of, modules, upward

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "carriergate"
_BELOW_GATEWAY = frozenset({"core", "protocols", "adapters", "stores"})
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "fixtures": frozenset(),
    "protocols": frozenset({"core"}),
    "carriers": frozenset({"core", "protocols"}),
    "adapters": frozenset({"core", "protocols"}),
    "sandbox": frozenset({"core", "protocols"}),
    "stores": frozenset({"core", "protocols", "adapters"}),
    "gateway": _BELOW_GATEWAY,
    "checkout": _BELOW_GATEWAY | {"gateway"},
    "workers": _BELOW_GATEWAY | {"gateway"},
    "cli": _BELOW_GATEWAY | {"gateway", "checkout", "workers", "sandbox"},
    "": frozenset({"core", "protocols", "adapters", "gateway", "checkout"}),  # the public face
}
LAYERS = tuple(name for name in ALLOWED if name)
#: The one upward edge, and only from inside a function: ``Gateway.sandbox()``.
LAZY_UPWARD = frozenset({("carriergate.gateway.gateways", "carriergate.sandbox.registry")})


def _graph() -> list[Edge]:
    return edges(modules(ROOT, PACKAGE, LAYERS))


def test_every_folder_of_the_package_is_a_layer() -> None:
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")}
    assert packages == set(LAYERS)


def test_imports_point_down() -> None:
    assert [str(e) for e in upward(_graph(), PACKAGE, ALLOWED, LAZY_UPWARD)] == []


def test_the_allowed_upward_edge_exists_and_is_lazy() -> None:
    found = [e for e in _graph() if (e.source, e.target) in LAZY_UPWARD]
    assert found
    assert all(e.lazy for e in found)


def test_no_import_cycles_even_through_function_level_imports() -> None:
    assert cycle(_graph()) is None


def test_carriers_never_import_each_other() -> None:
    crossing = [str(e) for e in _graph() if layer_of(e.source, PACKAGE) == layer_of(e.target, PACKAGE) == "carriers"
                and e.source.split(".")[2:3] != e.target.split(".")[2:3]]
    assert crossing == []


# -- the checks themselves, on a synthetic tree ---------------------------------------------------

def _tree(tmp_path: Path, files: dict[str, str]) -> dict[str, Path]:
    for rel, source in {"__init__.py": "", "core/__init__.py": "", "gateway/__init__.py": "", **files}.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return modules(tmp_path, "pkg", ("core", "gateway"))


SYNTHETIC = {"core": frozenset[str](), "gateway": frozenset({"core"})}


def test_a_deliberate_upward_import_is_caught(tmp_path: Path) -> None:
    known = _tree(tmp_path, {"core/models.py": "X = 1\n", "gateway/run.py": "from pkg.core.models import X\n",
                             "core/leak.py": "def f():\n    from ..gateway import run\n    return run\n"})
    bad = upward(edges(known), "pkg", SYNTHETIC)
    assert [(e.source, e.target, e.lazy) for e in bad] == [("pkg.core.leak", "pkg.gateway.run", True)]


def test_a_lazy_exception_lets_only_its_own_function_level_edge_through(tmp_path: Path) -> None:
    known = _tree(tmp_path, {"gateway/run.py": "", "core/a.py": "def f():\n    import pkg.gateway.run\n",
                             "core/b.py": "import pkg.gateway.run\n"})
    exceptions = frozenset({("pkg.core.a", "pkg.gateway.run"), ("pkg.core.b", "pkg.gateway.run")})
    bad = upward(edges(known), "pkg", SYNTHETIC, exceptions)
    assert [e.source for e in bad] == ["pkg.core.b"]  # b imports it at module level: not let through


@pytest.mark.parametrize("lazy", [False, True])
def test_a_cycle_is_caught_through_function_level_imports(tmp_path: Path, lazy: bool) -> None:
    second = "def g():\n    from .a import A\n" if lazy else "from .a import A\n"
    known = _tree(tmp_path, {"core/a.py": "from pkg.core.b import B\nA = 1\n", "core/b.py": "B = 2\n" + second})
    assert cycle(edges(known)) == ["pkg.core.a", "pkg.core.b", "pkg.core.a"]
