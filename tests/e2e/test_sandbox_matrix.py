"""End to end through the sandbox: every carrier x every operation x (Gateway, AsyncGateway).

The carriers are the registry's (every one with an emulator, or offline), their operations their
classes' ``capabilities``: a carrier added by one folder and one entry point runs here with no edit
(tests/e2e/test_new_carrier.py shows it).

Operations: rate; ship (international with customs and insurance where the carrier ships abroad,
SF Express domestic with insurance in CNY); void; pickup and its cancellation (DHL Express books the
courier with the shipment, ``ShipRequest.pickup``); track until delivered; a return label
(``return_shipment=True``: printable, ``is_return``, trackable); ``find_label`` by the reference a
label was shipped under (None for one never used); ``track_many`` of two labels, then with an
unknown number among them (NotFound for it alone), in the carrier's ``track_batch`` sized calls. An
operation a carrier does not offer must raise NotSupported before sending anything, then the case
is skipped with the reason. The checks live in support/sandbox_checks.py.

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
from carriergate.core.contract import Capability
from carriergate.core.registry import carrier_class
from carriergate.sandbox.registry import sandbox_gateway_kwargs

from support.paths import ROOT
from support.sandbox_checks import OPERATIONS, run_case
from support.sandbox_samples import (
    INSURANCE_MARK,
    MODES,
    Api,
    Sandbox,
    capabilities,
    matrix_carriers,
    read_config,
)
from support.shipments import customs, international_request

CARRIERS = matrix_carriers()
RATING = [c for c in CARRIERS if Capability.RATE in capabilities(c)]
#: What the built-in carriers do with a CN -> US request (a carrier not named here is only checked to
#: quote in CNY or say why it has none).
SHIPS_ABROAD = frozenset({"ups", "fedex", "dhl_express", "table", "yunexpress", "4px"})
DOMESTIC_ONLY = frozenset({"sf_express"})
#: Carriers whose price follows chargeable weight.
BY_WEIGHT = ["ups", "fedex", "dhl_express"]


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


# -- the cases --------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("carrier", CARRIERS)
def test_operation(sandbox: Sandbox, carrier: str, operation: str, mode: str) -> None:
    skipped = run_case(sandbox, carrier, operation, mode)
    if skipped is not None:
        pytest.skip(skipped)


def test_every_built_in_carrier_is_in_the_matrix() -> None:
    """Discovery lost none of them; every emulated carrier that ships says how its request shows the
    insurance the matrix's shipments carry (none may drop it silently), and its emulator counts its
    labels (and voids them where the carrier voids)."""
    assert set(CARRIERS) >= SHIPS_ABROAD | DOMESTIC_ONLY | {"usps", "kuaidi100"}
    emulated = {c for c in CARRIERS if not carrier_class(c).offline}
    assert set(INSURANCE_MARK) == {c for c in emulated if Capability.SHIP in capabilities(c)}
    emulators = sandbox_gateway_kwargs(sorted(emulated))["transport"].emulators
    for name in emulated:
        if Capability.SHIP in capabilities(name):
            assert emulators[name].labels_created() == 0, name
        if Capability.VOID in capabilities(name):
            with pytest.raises(KeyError):
                emulators[name].is_voided("NO-SUCH-LABEL")


def test_rate_shopping_compares_like_with_like(sandbox: Sandbox) -> None:
    """One CN -> US rate-shopping run: every carrier that ships abroad quotes, all in CNY, and
    prices differ by carrier and service; SF says it does not serve the lane."""
    results: list[cg.RateResult] = []

    async def shop(api: Api) -> None:
        results.append(await api.rate(international_request(), RATING))

    sandbox.run("sync", shop)
    [result] = results
    quoted = {q.carrier for q in result.quotes}
    assert quoted & (SHIPS_ABROAD | DOMESTIC_ONLY) == SHIPS_ABROAD
    assert quoted | set(result.errors) == set(RATING)  # a quote or a reason from every carrier
    assert not quoted & set(result.errors)
    assert {q.total.currency for q in result.quotes} == {"CNY"}
    built_in = [q for q in result.quotes if q.carrier in SHIPS_ABROAD]
    assert len({q.total.amount for q in built_in}) > len({q.carrier for q in built_in})
    assert [c for c in result.errors if c in SHIPS_ABROAD | DOMESTIC_ONLY] == ["sf_express"]
    assert isinstance(result.errors["sf_express"], cg.NotServed)  # not a failure: the lane is not SF's
    assert result.errors["sf_express"].code == "lane_not_supported"
    heavier = international_request().model_copy(update={"parcels": [
        cg.Parcel(weight=cg.Weight("10", "kg"), dimensions=cg.Dimensions(30, 20, 10, "cm"))],
        "customs": customs()})
    heavy: list[cg.RateResult] = []

    async def shop_heavy(api: Api) -> None:
        heavy.append(await api.rate(heavier, BY_WEIGHT))

    sandbox.run("async", shop_heavy)
    light = {(q.carrier, q.service_code): q.total.amount for q in result.quotes}
    for quote in heavy[0].quotes:  # chargeable weight drives the price
        assert quote.total.amount > light[(quote.carrier, quote.service_code)]
