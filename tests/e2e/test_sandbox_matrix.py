"""End to end through the sandbox: every carrier x every operation x (Gateway, AsyncGateway).

Operations: rate; ship (international with customs and insurance where the carrier ships abroad,
SF Express domestic with insurance in CNY); void; pickup and its cancellation (DHL Express books the
courier with the shipment, ``ShipRequest.pickup``); track until delivered. An operation a carrier
does not offer must raise NotSupported, then the case is skipped with the reason.

Three backends run the same cases:

- ``in-process``: fresh emulators behind the in-process transport, no sockets;
- ``conformant``: the same with the carriers' official schemas checked on every request the
  emulators receive (../shared/specs via the ``specs`` fixture); zero violations are asserted;
- ``cli``: ``python -m carriergate.cli.app sandbox serve --port N`` in a subprocess, with the
  gateway configuration it prints, over loopback HTTP (no transport given to the gateway).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import carriergate as cg
from carriergate.sandbox.registry import sandbox_gateway_kwargs

from support.paths import ROOT
from support.sandbox_samples import (
    CARRIERS,
    CHECKS,
    MODES,
    OPERATIONS,
    Api,
    Sandbox,
    capabilities,
    read_config,
    supported,
    unsupported,
)
from support.shipments import customs, international_request

#: carrier -> (service, label format) for the ship cases.
#: How each emulator's sent ship request shows insurance.


# -- requests -------------------------------------------------------------------------------------


# -- one surface over Gateway and AsyncGateway ------------------------------------------------------


# -- the command-line sandbox server ----------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_server() -> Iterator[dict[str, dict[str, Any]]]:
    """``carriergate sandbox serve --port 0`` in a subprocess; yields the configuration it printed."""
    env = {**{k: v for k, v in os.environ.items() if k != "CARRIERGATE_SPECS_DIR"}, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-m", "carriergate.cli.app", "sandbox", "serve",
                                "--port", "0"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        yield read_config(process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()


@pytest.fixture(params=["in-process", "conformant", "cli"])
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    if request.param == "cli":
        yield Sandbox(request.getfixturevalue("cli_server"))
        return
    specs: Path | None = request.getfixturevalue("specs") if request.param == "conformant" else None
    kwargs = sandbox_gateway_kwargs(specs_dir=specs)
    box = Sandbox(kwargs["config"], kwargs["transport"], kwargs["transport"].emulators)
    yield box
    if specs is not None:
        violations = [str(v) for e in box.emulators.values() for v in e.violations]
        assert violations == [], "requests the real carriers would reject:\n" + "\n".join(violations)
        assert all(e.conformance is not None for e in box.emulators.values())


# -- emulator state ---------------------------------------------------------------------------------


# -- the cases --------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("carrier", CARRIERS)
def test_operation(sandbox: Sandbox, carrier: str, operation: str, mode: str) -> None:
    if not supported(carrier, operation):
        reasons: list[str] = []

        async def refused(api: Api) -> None:
            reasons.append((await unsupported(api, carrier, operation)).message)

        sandbox.run(mode, refused)
        caps = ", ".join(sorted(c.value for c in capabilities(carrier)))
        pytest.skip(f"{carrier} does not support {operation} (capabilities: {caps}): {reasons[0]}")

    async def scenario(api: Api) -> None:
        await CHECKS[operation](api, sandbox, carrier)

    sandbox.run(mode, scenario)


def test_rate_shopping_compares_like_with_like(sandbox: Sandbox) -> None:
    """One CN -> US rate-shopping run: every carrier that ships abroad quotes, all in CNY, and
    prices differ by carrier and service; SF says why it has none."""
    results: list[cg.RateResult] = []

    async def shop(api: Api) -> None:
        results.append(await api.rate(international_request(), CARRIERS))

    sandbox.run("sync", shop)
    [result] = results
    assert {q.carrier for q in result.quotes} == {"ups", "fedex", "dhl_express", "table"}
    assert {q.total.currency for q in result.quotes} == {"CNY"}
    assert len({q.total.amount for q in result.quotes}) > len({q.carrier for q in result.quotes})
    assert list(result.errors) == ["sf_express"]
    assert isinstance(result.errors["sf_express"], cg.NotSupported)
    heavier = international_request().model_copy(update={"parcels": [
        cg.Parcel(weight=cg.Weight("10", "kg"), dimensions=cg.Dimensions(30, 20, 10, "cm"))],
        "customs": customs()})
    heavy: list[cg.RateResult] = []

    async def shop_heavy(api: Api) -> None:
        heavy.append(await api.rate(heavier, ["ups", "fedex", "dhl_express"]))

    sandbox.run("async", shop_heavy)
    light = {(q.carrier, q.service_code): q.total.amount for q in result.quotes}
    for quote in heavy[0].quotes:  # chargeable weight drives the price
        assert quote.total.amount > light[(quote.carrier, quote.service_code)]
