"""Sample requests, accounts and helpers for the sandbox e2e suite tests, shared by several test modules.

The matrix's carriers come from the registry (:func:`matrix_carriers`), their operations from each
class's ``capabilities``: a carrier registered with an emulator is exercised with no edit here. What
is known of one carrier alone (its services, how its emulator shows insurance, where it keeps its
labels) is keyed by carrier name; a carrier not named falls back to the generic checks.
"""

from __future__ import annotations

import asyncio
import json
import selectors
import subprocess
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

import pytest

import carriergate as cg
from carriergate.carriers.dhl_express import pickup_from_label
from carriergate.core.contract import Capability
from carriergate.core.registry import available, carrier_class
from carriergate.sandbox.base import Emulator
from carriergate.sandbox.dhl_express import DHLExpressEmulator
from carriergate.sandbox.fedex import FedExEmulator
from carriergate.sandbox.sf_express import SFExpressEmulator
from carriergate.sandbox.ups import UPSEmulator

from support.shipments import domestic_request, international_request, los_angeles

OPERATIONS = ["rate", "ship", "void", "pickup", "track"]


MODES = ["sync", "async"]


DEADLINE = 10.0  # generous: the sandbox answers in milliseconds


SHANGHAI = timezone(timedelta(hours=8))


#: carrier -> (service, label format) for the ship cases; another carrier ships SERVICE in its usual format.
SHIPPING = {"ups": ("65", "ZPL"), "fedex": ("INTERNATIONAL_ECONOMY", "PDF"), "dhl_express": ("P", "PDF"),
            "sf_express": ("1", "PDF"), "table": ("economy", "PDF")}


#: How each emulator's sent ship request shows insurance (a carrier not named here is not checked for it).
INSURANCE_MARK = {"ups": b'"DeclaredValue"', "fedex": b'"declaredValue"',
                  "dhl_express": b"<ServiceType>II</ServiceType>", "sf_express": b"INSURE"}


#: The service a carrier not in SHIPPING is asked to ship with.
SERVICE = "standard"


def matrix_carriers() -> list[str]:
    """Every registered carrier the sandbox can run: it names an emulator or does no I/O at all."""
    classes = {name: carrier_class(name) for name in available()}
    return [name for name, cls in classes.items() if cls.offline or cls.emulator is not None]


def shipping(carrier: str) -> tuple[str, str]:
    """(service, label format) for ``carrier``'s ship cases."""
    return SHIPPING.get(carrier) or (SERVICE, carrier_class(carrier).label_formats[0])


def weekday_window(days: int = 2) -> cg.PickupWindow:
    """10:00-16:00 Shanghai time on a weekday at least ``days`` ahead (DHL refuses Sunday pickups)."""
    day = datetime.now(SHANGHAI).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    start = datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)
    return cg.PickupWindow(start=start, end=start + timedelta(hours=6))


def rate_request(carrier: str) -> cg.RateRequest:
    if carrier == "sf_express":  # SF quotes mainland China: domestic, insured in CNY
        return domestic_request().model_copy(update={"insurance": cg.Money("1500", "CNY")})
    return international_request()  # Shanghai -> Los Angeles, customs, 200 USD insured


def ship_request(carrier: str, *, pickup: bool = False) -> cg.ShipRequest:
    service, label_format = shipping(carrier)
    fields = rate_request(carrier).model_dump()
    fields.update(carrier=carrier, service=service, label_format=label_format,
                  reference=f"E2E-{uuid.uuid4().hex[:12].upper()}", description="Cotton T-shirts")
    if pickup:
        fields["pickup"] = weekday_window()
    return cg.ShipRequest(**fields)


def pickup_request() -> cg.PickupRequest:
    return cg.PickupRequest(address=los_angeles(), window=weekday_window(), parcel_count=1,
                            total_weight=cg.Weight("2.5", "kg"))


class Api(Protocol):
    async def rate(self, request: cg.RateRequest, carriers: list[str]) -> cg.RateResult: ...
    async def ship(self, request: cg.ShipRequest) -> cg.Label: ...
    async def void(self, label: cg.Label) -> None: ...
    async def schedule_pickup(self, request: cg.PickupRequest, carrier: str) -> cg.Pickup: ...
    async def cancel_pickup(self, pickup: cg.Pickup) -> None: ...
    async def track(self, number: str, carrier: str) -> cg.TrackingInfo: ...


class SyncApi:
    """The synchronous Gateway, called directly (blocking) from the async scenario."""

    def __init__(self, gw: cg.Gateway) -> None:
        self.gw = gw

    async def rate(self, request: cg.RateRequest, carriers: list[str]) -> cg.RateResult:
        return self.gw.rate(request, carriers=carriers, deadline=DEADLINE)

    async def ship(self, request: cg.ShipRequest) -> cg.Label:
        return self.gw.ship(request, deadline=DEADLINE)

    async def void(self, label: cg.Label) -> None:
        self.gw.void(label, deadline=DEADLINE)

    async def schedule_pickup(self, request: cg.PickupRequest, carrier: str) -> cg.Pickup:
        return self.gw.schedule_pickup(request, carrier=carrier, deadline=DEADLINE)

    async def cancel_pickup(self, pickup: cg.Pickup) -> None:
        self.gw.cancel_pickup(pickup, deadline=DEADLINE)

    async def track(self, number: str, carrier: str) -> cg.TrackingInfo:
        return self.gw.track(number, carrier=carrier, deadline=DEADLINE)


class AsyncApi:
    def __init__(self, gw: cg.AsyncGateway) -> None:
        self.gw = gw

    async def rate(self, request: cg.RateRequest, carriers: list[str]) -> cg.RateResult:
        return await self.gw.rate(request, carriers=carriers, deadline=DEADLINE)

    async def ship(self, request: cg.ShipRequest) -> cg.Label:
        return await self.gw.ship(request, deadline=DEADLINE)

    async def void(self, label: cg.Label) -> None:
        await self.gw.void(label, deadline=DEADLINE)

    async def schedule_pickup(self, request: cg.PickupRequest, carrier: str) -> cg.Pickup:
        return await self.gw.schedule_pickup(request, carrier=carrier, deadline=DEADLINE)

    async def cancel_pickup(self, pickup: cg.Pickup) -> None:
        await self.gw.cancel_pickup(pickup, deadline=DEADLINE)

    async def track(self, number: str, carrier: str) -> cg.TrackingInfo:
        return await self.gw.track(number, carrier=carrier, deadline=DEADLINE)


@dataclass
class Sandbox:
    """Where the gateways go: a config, an in-process transport (None over loopback) and, when this
    process holds them, the emulators (their state is checked too)."""

    config: dict[str, dict[str, Any]]
    transport: Any = None
    emulators: dict[str, Emulator] = field(default_factory=dict)

    def run(self, mode: str, scenario: Callable[[Api], Awaitable[None]]) -> None:
        async def main() -> None:
            if mode == "sync":
                with cg.Gateway(self.config, transport=self.transport) as gw:
                    await scenario(SyncApi(gw))
            else:
                async with cg.AsyncGateway(self.config, transport=self.transport) as agw:
                    await scenario(AsyncApi(agw))

        asyncio.run(main())


def read_config(process: subprocess.Popen[str], timeout: float = 60.0) -> dict[str, dict[str, Any]]:
    """The configuration the server prints once its socket is bound (so it accepts connections from
    then on); waits on the pipe with a bounded timeout, never by sleeping."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):  # the first byte, bounded; the JSON is written in one go
            raise RuntimeError(f"the sandbox server printed no configuration within {timeout}s")
    text = ""
    while True:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"the sandbox server exited early with {process.wait(timeout=10)}")
        text += line
        try:
            config: dict[str, dict[str, Any]] = json.loads(text)
        except json.JSONDecodeError:
            continue
        return config


#: Carriers whose emulator's state (labels made, voided) :func:`labels_in` and :func:`voided_in` read.
STATE_KNOWN = frozenset({"ups", "fedex", "dhl_express", "sf_express"})


def labels_in(emulator: Emulator) -> int:
    """How many shipments (SF: orders) the emulator created."""
    if isinstance(emulator, UPSEmulator):
        return len(emulator.state.shipments)
    if isinstance(emulator, FedExEmulator | DHLExpressEmulator):
        return len(emulator.shipments)
    assert isinstance(emulator, SFExpressEmulator)
    return len(emulator.orders)


def voided_in(emulator: Emulator, label: cg.Label) -> bool:
    number = label.tracking_number
    if isinstance(emulator, UPSEmulator):
        return emulator.state.shipments[number].voided
    if isinstance(emulator, FedExEmulator):
        return emulator.shipments[number].cancelled
    if isinstance(emulator, DHLExpressEmulator):  # DHL voids by cancelling the courier pickup
        return emulator.shipments[number].pickup_cancelled
    assert isinstance(emulator, SFExpressEmulator)
    return emulator.by_waybill[number].cancelled


def sent_bodies(emulator: Emulator) -> bytes:
    return b"\n".join(r.content for r in emulator.requests)


def capabilities(carrier: str) -> frozenset[Capability]:
    return carrier_class(carrier).capabilities


def supported(carrier: str, operation: str) -> bool:
    caps = capabilities(carrier)
    needs = {"rate": {Capability.RATE}, "ship": {Capability.SHIP}, "void": {Capability.SHIP, Capability.VOID},
             "track": {Capability.SHIP, Capability.TRACK}}
    if operation == "pickup":  # scheduled on its own, or booked with the shipment and cancelled alone
        return Capability.CANCEL_PICKUP in caps and (Capability.SCHEDULE_PICKUP in caps or Capability.SHIP in caps)
    return needs[operation] <= caps


async def unsupported(api: Api, carrier: str, operation: str) -> cg.NotSupported:
    """The NotSupported the operation's first step raises."""
    probes: dict[str, Callable[[], Awaitable[object]]] = {
        "rate": lambda: api.rate(rate_request(carrier), [carrier]),
        "ship": lambda: api.ship(ship_request(carrier)),
        "void": lambda: api.ship(ship_request(carrier)),
        "pickup": lambda: api.schedule_pickup(pickup_request(), carrier),
        "track": lambda: api.track("0000000000", carrier),
    }
    with pytest.raises(cg.NotSupported) as caught:
        await probes[operation]()
    return caught.value


async def check_rate(api: Api, box: Sandbox, carrier: str) -> None:
    result = await api.rate(rate_request(carrier), [carrier])
    assert result.errors == {}
    assert result.quotes
    assert {q.carrier for q in result.quotes} == {carrier}
    # a Shanghai account is billed in CNY by every carrier, so quotes compare like with like
    assert {q.total.currency for q in result.quotes} == {"CNY"}
    assert all(q.total.amount > 0 for q in result.quotes)
    assert len({q.service_code for q in result.quotes}) == len(result.quotes)


async def check_ship(api: Api, box: Sandbox, carrier: str) -> None:
    request = ship_request(carrier)
    label = await api.ship(request)
    assert label.carrier == carrier
    assert label.tracking_number
    assert label.label
    assert label.reference == request.reference
    if label.total is not None:
        assert label.total.currency == "CNY"
        assert label.total.amount > 0
    emulator = box.emulators.get(carrier)
    if emulator is not None:
        if carrier in STATE_KNOWN:
            assert labels_in(emulator) == 1
        sent = sent_bodies(emulator)
        if carrier in INSURANCE_MARK:
            assert INSURANCE_MARK[carrier] in sent
        if request.international:
            assert b"610910" in sent  # the customs item's HS code travelled


async def check_void(api: Api, box: Sandbox, carrier: str) -> None:
    # DHL voids by cancelling the courier pickup booked with the shipment (no pickup: nothing to send)
    label = await api.ship(ship_request(carrier, pickup=carrier == "dhl_express"))
    await api.void(label)
    emulator = box.emulators.get(carrier)
    if emulator is not None and carrier in STATE_KNOWN:
        assert voided_in(emulator, label)


async def check_pickup(api: Api, box: Sandbox, carrier: str) -> None:
    if Capability.SCHEDULE_PICKUP in capabilities(carrier):
        pickup = await api.schedule_pickup(pickup_request(), carrier)
    else:
        with pytest.raises(cg.NotSupported):
            await api.schedule_pickup(pickup_request(), carrier)
        label = await api.ship(ship_request(carrier, pickup=True))
        booked = pickup_from_label(label) if carrier == "dhl_express" else None
        assert booked is not None, f"{carrier}: no pickup booked with the shipment"
        pickup = booked
    assert pickup.carrier == carrier
    assert pickup.confirmation_number
    await api.cancel_pickup(pickup)
    with pytest.raises(cg.CarrierError):  # cancelled once: the carrier no longer knows it
        await api.cancel_pickup(pickup)


async def check_track(api: Api, box: Sandbox, carrier: str) -> None:
    label = await api.ship(ship_request(carrier))
    seen: list[cg.TrackingInfo] = []
    for _ in range(10):
        info = await api.track(label.tracking_number, carrier)
        seen.append(info)
        if info.status is cg.TrackingStatus.DELIVERED:
            break
    statuses = [i.status for i in seen]
    assert statuses[0] is not cg.TrackingStatus.DELIVERED
    assert statuses[-1] is cg.TrackingStatus.DELIVERED, statuses
    assert all(i.tracking_number == label.tracking_number and i.carrier == carrier for i in seen)
    events = seen[-1].events
    assert len(events) > len(seen[0].events)
    assert all(e.occurred_at.tzinfo is not None for e in events)
    assert events == sorted(events, key=lambda e: e.occurred_at, reverse=True)  # newest first


CHECKS: dict[str, Callable[[Api, Sandbox, str], Awaitable[None]]] = {
    "rate": check_rate, "ship": check_ship, "void": check_void, "pickup": check_pickup, "track": check_track}


def run_case(box: Sandbox, carrier: str, operation: str, mode: str) -> str | None:
    """One cell of the matrix: the operation's check when the carrier's capabilities offer it; otherwise
    the NotSupported its first step must raise, and the reason to skip (None when the check ran)."""
    if not supported(carrier, operation):
        reasons: list[str] = []

        async def refused(api: Api) -> None:
            reasons.append((await unsupported(api, carrier, operation)).message)

        box.run(mode, refused)
        caps = ", ".join(sorted(c.value for c in capabilities(carrier)))
        return f"{carrier} does not support {operation} (capabilities: {caps}): {reasons[0]}"

    async def scenario(api: Api) -> None:
        await CHECKS[operation](api, box, carrier)

    box.run(mode, scenario)
    return None
