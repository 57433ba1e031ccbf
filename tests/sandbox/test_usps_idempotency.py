"""The USPS idempotency proof: a label write whose answer is lost is retried with the same
X-Idempotency-Key, and the sandbox holds exactly one label.

Through a real Gateway over the in-process sandbox with the fault ``lost_response`` on the first
label request (the emulator performs it, buys the label, then the answer is lost): ``gw.ship`` still
succeeds, because the USPS Call honours an idempotency key and so the executor may repeat it; the
emulator received two label requests carrying one key, holds ONE label, and the label returned is
that label. A different reference sends a different key and buys a second label. Sync and async.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import carriergate as cg
from carriergate.sandbox.faults import CarrierFaults, Faults, LostResponseRule
from carriergate.sandbox.registry import sandbox_gateway_kwargs
from carriergate.sandbox.usps import USPSEmulator

from support.timing import no_asleep, no_sleep
from support.usps_samples import ship_request, us_international_request

LABEL_PATHS = ["/labels/v3/label", "/international-labels/v3/international-label"]


def lossy(error: str = "read_timeout") -> dict[str, Any]:
    """Gateway arguments whose USPS emulator loses the answer to the first label request."""
    rule = LostResponseRule(first=1, paths=LABEL_PATHS, error=error)  # type: ignore[arg-type]
    return sandbox_gateway_kwargs(["usps"], Faults(carriers={"usps": CarrierFaults(lost_response=rule)}))


def ship(mode: str, kwargs: dict[str, Any], *requests: cg.ShipRequest) -> list[cg.Label]:
    if mode == "sync":
        with cg.Gateway(**kwargs, sleep=no_sleep) as gw:
            return [gw.ship(r, deadline=30.0) for r in requests]

    async def main() -> list[cg.Label]:
        async with cg.AsyncGateway(**kwargs, sleep=no_asleep) as agw:
            return [await agw.ship(r, deadline=30.0) for r in requests]

    return asyncio.run(main())


def emulator(kwargs: dict[str, Any]) -> USPSEmulator:
    found = kwargs["transport"].emulators["usps"]
    assert isinstance(found, USPSEmulator)
    return found


def label_requests(usps: USPSEmulator) -> list[Any]:
    return [r for r in usps.requests if r.method == "POST" and r.url.path.endswith(tuple(LABEL_PATHS))]


@pytest.mark.parametrize("error", ["read_timeout", "disconnect"])
@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_lost_label_answer_is_retried_with_the_same_key_and_one_label_exists(mode: str, error: str) -> None:
    kwargs = lossy(error)
    request = ship_request(reference="ORDER-LOST-1", ship_date=None)
    [label] = ship(mode, kwargs, request)
    usps = emulator(kwargs)
    sent = label_requests(usps)
    assert len(sent) == 2  # the first was performed and its answer lost; the retry
    keys = {r.headers["x-idempotency-key"] for r in sent}
    assert len(keys) == 1
    assert sent[0].content == sent[1].content  # "an identical request payload", as USPS requires
    assert len(usps.labels) == 1
    assert len(usps.by_key) == 1
    [made] = usps.labels.values()
    assert made.key in keys
    assert label.tracking_number == made.tracking
    assert label.reference == request.reference
    assert label.carrier_data["idempotency_key"] == made.key
    assert label.label == made.image


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_international_label_is_retried_the_same_way(mode: str) -> None:
    kwargs = lossy()
    request = ship_request(us_international_request(), service="PRIORITY_MAIL_INTERNATIONAL", reference="INT-LOST",
                           ship_date=None)
    [label] = ship(mode, kwargs, request)
    usps = emulator(kwargs)
    assert len(label_requests(usps)) == 2
    assert len(usps.labels) == 1
    assert label.tracking_number == next(iter(usps.labels))


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_different_reference_sends_a_different_key_and_buys_another_label(mode: str) -> None:
    kwargs = sandbox_gateway_kwargs(["usps"])
    first, second = ship(mode, kwargs, ship_request(reference="ORDER-A", ship_date=None),
                         ship_request(reference="ORDER-B", ship_date=None))
    usps = emulator(kwargs)
    keys = [r.headers["x-idempotency-key"] for r in label_requests(usps)]
    assert len(keys) == 2
    assert keys[0] != keys[1]
    assert first.tracking_number != second.tracking_number
    assert len(usps.labels) == 2


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_shipping_the_same_reference_again_returns_the_same_label(mode: str) -> None:
    """A caller who ships the same order twice (a crash, a double click) is given the label USPS
    already made: the same key, no second postage charge."""
    kwargs = sandbox_gateway_kwargs(["usps"])
    request = ship_request(reference="ORDER-TWICE", ship_date=None)
    first, again = ship(mode, kwargs, request, request)
    usps = emulator(kwargs)
    assert len(label_requests(usps)) == 2
    assert len(usps.labels) == 1
    assert first.tracking_number == again.tracking_number
