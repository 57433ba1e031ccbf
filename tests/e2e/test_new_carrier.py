"""A new carrier is one folder and one entry point: no other edit puts it in the registry, the sandbox
(and so the e2e matrix) and the command line's ``carriers`` list.

The test writes, in a temporary directory, a package ``dummy_courier/`` (a tiny carrier whose
``emulator`` names the emulator beside it, as docs/writing-a-carrier.md says) and the
``dummy_courier-1.0.dist-info`` that an installed distribution would have, with one
``carriergate.carriers`` entry point; then it puts the directory on ``sys.path``. Nothing of
carriergate is edited, patched or told about the dummy except through :func:`registry.refresh`,
which every process does implicitly once at its first look at the entry points.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

import carriergate as cg
from carriergate.core import registry
from carriergate.sandbox.base import SANDBOX_HOST
from carriergate.sandbox.registry import sandbox_accounts, sandbox_gateway_kwargs

from support.sandbox_checks import OPERATIONS, run_case
from support.sandbox_samples import MODES, Sandbox, matrix_carriers, rate_request
from support.shipments import domestic_request

NAME = "dummy_courier"

CARRIER = '''"""The Dummy Courier: rates with one POST, quotes in CNY."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

import httpx
from pydantic import SecretStr

from carriergate.core.contract import Account, Capability, Carrier, Flow
from carriergate.core.errors import MalformedResponse
from carriergate.core.money import Money
from carriergate.core.quotes import Quote
from carriergate.core.shipment import RateRequest
from carriergate.protocols.http import error_for_status


class DummyCourierAccount(Account):
    api_key: SecretStr


class DummyCourier(Carrier[DummyCourierAccount]):
    name: ClassVar[str] = "dummy_courier"
    title: ClassVar[str] = "Dummy Courier"
    hosts: ClassVar[dict[str, str]] = {"production": "https://api.dummy-courier.invalid"}
    capabilities = frozenset({Capability.RATE})
    account_model = DummyCourierAccount
    emulator = "dummy_courier.emulator:DummyCourierEmulator"

    def rate(self, request: RateRequest) -> Flow[list[Quote]]:
        http = httpx.Request("POST", f"{self.base_url}/rates", json={"kg": str(request.total_weight.kg)},
                             headers={"x-api-key": self.account.api_key.get_secret_value()})
        quotes: list[Quote] = yield self.read(http, self._quotes, operation="rate")
        return quotes

    def _quotes(self, response: httpx.Response) -> list[Quote]:
        if response.status_code != 200:
            raise error_for_status(response, carrier=self.alias)
        try:
            services: list[dict[str, Any]] = response.json()["services"]
            return [Quote(carrier=self.alias, service_code=s["code"], service_name=s["name"],
                          total=Money(Decimal(s["price"]), "CNY")) for s in services]
        except (ValueError, KeyError, TypeError, InvalidOperation):
            raise MalformedResponse("unreadable rates", carrier=self.alias) from None
'''

EMULATOR = '''"""The Dummy Courier's API, for the sandbox: two services priced by weight."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import ClassVar

import httpx

from carriergate.sandbox.base import Emulator, json_response


class DummyCourierEmulator(Emulator):
    name: ClassVar[str] = "dummy_courier"
    account: ClassVar[dict[str, str]] = {"api_key": "dummy-sandbox-key"}

    def handle(self, request: httpx.Request, path: str) -> httpx.Response:
        if request.headers.get("x-api-key") != self.account["api_key"]:
            return json_response(401, {"error": "bad api key"})
        if request.method != "POST" or path != "/rates":
            return json_response(404, {"error": f"no {request.method} {path}"})
        kg = Decimal(json.loads(request.content)["kg"])
        return json_response(200, {"services": [
            {"code": "EXP", "name": "Express", "price": str(Decimal("30.00") + 12 * kg)},
            {"code": "ECO", "name": "Economy", "price": str(Decimal("20.00") + 5 * kg)},
        ]})
'''


def expected(request: cg.RateRequest) -> list[tuple[str, cg.Money]]:
    """The dummy emulator's prices for ``request``, cheapest first."""
    kg = request.total_weight.kg
    return [("ECO", cg.Money(Decimal("20.00") + 5 * kg, "CNY")), ("EXP", cg.Money(Decimal("30.00") + 12 * kg, "CNY"))]


def install(root: Path) -> None:
    """One folder (the carrier's package) and one entry point (an installed distribution's metadata)."""
    package = root / NAME
    package.mkdir()
    (package / "__init__.py").write_text(f"from {NAME}.carrier import DummyCourier, DummyCourierAccount\n\n"
                                         '__all__ = ["DummyCourier", "DummyCourierAccount"]\n', encoding="utf-8")
    (package / "carrier.py").write_text(CARRIER, encoding="utf-8")
    (package / "emulator.py").write_text(EMULATOR, encoding="utf-8")
    info = root / f"{NAME}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {NAME}\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[carriergate.carriers]\n{NAME} = {NAME}:DummyCourier\n",
                                           encoding="utf-8")


@pytest.fixture
def dummy(tmp_path: Path) -> Iterator[Path]:
    """The dummy installed on ``sys.path`` for one test; afterwards gone from sys.path, sys.modules and
    the registry."""
    install(tmp_path)
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(tmp_path))
        registry.refresh()
        try:
            yield tmp_path
        finally:
            for module in [m for m in sys.modules if m == NAME or m.startswith(f"{NAME}.")]:
                del sys.modules[module]
    registry.refresh()
    assert NAME not in registry.available()


def test_the_registry_finds_it_by_its_entry_point(dummy: Path) -> None:
    assert NAME in registry.available()
    cls = registry.carrier_class(NAME)
    assert (cls.__module__, cls.__name__) == (f"{NAME}.carrier", "DummyCourier")
    assert cls.capabilities == frozenset({cg.Capability.RATE})


def test_the_sandbox_serves_it_through_its_emulator(dummy: Path) -> None:
    accounts = sandbox_accounts()
    assert accounts[NAME] == {"api_key": "dummy-sandbox-key", "base_url": f"{SANDBOX_HOST}/{NAME}"}
    assert {"ups", "fedex", "dhl_express", "sf_express", "table"} <= set(accounts)  # beside the built-ins
    request = domestic_request()
    with cg.Gateway.sandbox() as gw:
        result = gw.rate(request, carriers=[NAME], deadline=10.0)
    assert result.errors == {}
    assert [(q.carrier, q.service_code, q.total) for q in result.quotes] == [
        (NAME, code, total) for code, total in expected(request)]


def test_the_e2e_matrix_runs_it(dummy: Path) -> None:
    """The matrix (tests/e2e/test_sandbox_matrix.py) would list it, and each of its cells passes: the
    rate check for what it offers, NotSupported for every other operation."""
    assert NAME in matrix_carriers()
    kwargs = sandbox_gateway_kwargs([NAME])
    box = Sandbox(kwargs["config"], kwargs["transport"], kwargs["transport"].emulators)
    skipped = {(operation, mode): run_case(box, NAME, operation, mode) for operation in OPERATIONS for mode in MODES}
    assert [cell for cell, reason in skipped.items() if reason is None] == [("rate", mode) for mode in MODES]
    assert all(f"{NAME} does not support" in str(reason) for cell, reason in skipped.items() if cell[0] != "rate")
    emulator = box.emulators[NAME]
    sent = [json.loads(r.content) for r in emulator.requests]
    assert sent[0] == {"kg": str(rate_request(NAME).total_weight.kg)}
    assert len(sent) == len(MODES)  # one rate per mode; the unsupported operations sent nothing


def test_the_command_line_lists_it(dummy: Path) -> None:
    path = [str(dummy), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    done = subprocess.run([sys.executable, "-m", "carriergate.cli.app", "carriers", "--json"], capture_output=True,
                          text=True, timeout=120, cwd=dummy, env=env, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = {row["name"]: row for row in json.loads(done.stdout)["carriers"]}
    assert rows[NAME] == {"name": NAME, "available": True, "title": "Dummy Courier", "capabilities": ["rate"],
                          "reason": None}
    assert {"ups", "fedex", "dhl_express", "sf_express", "table"} <= set(rows)
