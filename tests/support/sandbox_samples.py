"""Sample requests, accounts and helpers for the sandbox e2e suite tests, shared by several test modules.

The matrix's carriers come from the registry (:func:`matrix_carriers`), their operations from each
class's ``capabilities`` (the checks themselves: :mod:`support.sandbox_checks`): a carrier registered
with an emulator is exercised with no edit here. What is known of one carrier alone (its services,
how its emulator shows insurance, where it keeps its labels) is keyed by carrier name; a carrier not
named falls back to the generic checks.
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

import carriergate as cg
from carriergate.core.contract import Capability
from carriergate.core.registry import available, carrier_class
from carriergate.sandbox.base import Emulator

from support.shipments import domestic_request, international_request, los_angeles, shanghai
from support.usps_samples import us_domestic_request

MODES = ["sync", "async"]


DEADLINE = 10.0  # generous: the sandbox answers in milliseconds


SHANGHAI = timezone(timedelta(hours=8))


#: carrier -> (service, label format) for the ship cases; another carrier ships SERVICE in its usual format.
SHIPPING = {"ups": ("65", "ZPL"), "fedex": ("INTERNATIONAL_ECONOMY", "PDF"), "dhl_express": ("P", "PDF"),
            "sf_express": ("1", "PDF"), "table": ("economy", "PDF"),
            "kuaidi100": ("yuantong:标准快递", "PNG")}
SHIPPING["4px"] = ("PY", "PDF")  # a 4PX logistics product code the 4PX emulator serves
SHIPPING["yunexpress"] = ("THZXR", "PDF")  # a YunExpress product code its emulator sells
SHIPPING["usps"] = ("USPS_GROUND_ADVANTAGE", "PDF")  # a USPS domestic mail class


#: How each emulator's sent ship request shows insurance (a carrier not named here is not checked for it).
INSURANCE_MARK = {"ups": b'"DeclaredValue"', "fedex": b'"declaredValue"',
                  "dhl_express": b"<ServiceType>II</ServiceType>", "sf_express": b"INSURE"}
INSURANCE_MARK["4px"] = b'"is_insure":"Y"'
INSURANCE_MARK["yunexpress"] = b'"extra_code":"VAS_IP"'  # YunExpress's insured-value extra service
INSURANCE_MARK["kuaidi100"] = b"valinsPay"  # Kuaidi100's insured value (保价额度) in the form-encoded param
INSURANCE_MARK["usps"] = b'"extraServices":[930]'  # USPS extra service 930: insurance up to 500 USD


#: The currency a carrier's sandbox account is billed in, where it is not CNY (the Shanghai accounts'):
#: USPS takes parcels mailed in the US only, from a US account billed in USD.
BILLING_CURRENCY = {"usps": "USD"}


def billing_currency(carrier: str) -> str:
    """What ``carrier``'s quotes and label totals in the matrix are in."""
    return BILLING_CURRENCY.get(carrier, "CNY")


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
    if carrier == "usps":  # USPS takes parcels mailed in the US: Washington DC -> St. Louis, insured in USD
        return us_domestic_request()
    if carrier == "kuaidi100":  # Kuaidi100's couriers serve mainland China: domestic, insured in CNY
        return domestic_request().model_copy(update={"insurance": cg.Money("500", "CNY")})
    return international_request()  # Shanghai -> Los Angeles, customs, 200 USD insured


def ship_request(carrier: str, *, pickup: bool = False) -> cg.ShipRequest:
    service, label_format = shipping(carrier)
    fields = rate_request(carrier).model_dump()
    fields.update(carrier=carrier, service=service, label_format=label_format,
                  reference=f"E2E-{uuid.uuid4().hex[:12].upper()}", description="Cotton T-shirts")
    if pickup:
        fields["pickup"] = weekday_window()
    return cg.ShipRequest(**fields)


def return_request(carrier: str) -> cg.ShipRequest:
    """A return label for :func:`ship_request`'s shipment: the customer (its destination) sends the parcel
    back to the shop (its origin), whose account pays; abroad, the goods are declared as a return."""
    outbound = ship_request(carrier)
    update: dict[str, object] = {"origin": outbound.destination, "destination": outbound.origin,
                                 "return_shipment": True, "reference": f"E2E-RET-{uuid.uuid4().hex[:8].upper()}"}
    if outbound.customs is not None:
        update["customs"] = outbound.customs.model_copy(update={"contents_type": "return"})
    return cg.ShipRequest(**{**outbound.model_dump(), **update})


def unknown_number(known: str) -> str:
    """A tracking number of ``known``'s shape that no emulator has issued (they count up from 1)."""
    return known[:-6] + "999999" if len(known) > 8 else "0000000000"


#: How each label format's bytes begin (a format not named is only checked to be non-empty).
MAGIC = {"PDF": b"%PDF", "PNG": b"\x89PNG", "GIF": b"GIF8", "ZPL": b"^XA"}


def printable(label: cg.Label) -> bool:
    """The label's bytes are an image of its stated format."""
    return bool(label.label) and label.label.startswith(MAGIC.get(label.label_format, b""))


def pickup_request(days: int = 2, parcels: int = 1, carrier: str | None = None) -> cg.PickupRequest:
    if carrier == "kuaidi100":  # Chinese couriers collect in mainland China, today to the day after tomorrow
        return cg.PickupRequest(address=shanghai(), window=china_window(min(days, 2) - 1), parcel_count=parcels,
                                total_weight=cg.Weight("2.5", "kg"))
    return cg.PickupRequest(address=los_angeles(), window=weekday_window(days), parcel_count=parcels,
                            total_weight=cg.Weight("2.5", "kg"))


def china_window(days: int = 1) -> cg.PickupWindow:
    """10:00-16:00 Shanghai time ``days`` ahead (weekends included: Chinese couriers collect then)."""
    day = datetime.now(SHANGHAI).date() + timedelta(days=days)
    start = datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)
    return cg.PickupWindow(start=start, end=start + timedelta(hours=6))


class Api(Protocol):
    async def rate(self, request: cg.RateRequest, carriers: list[str]) -> cg.RateResult: ...
    async def ship(self, request: cg.ShipRequest) -> cg.Label: ...
    async def void(self, label: cg.Label) -> None: ...
    async def schedule_pickup(self, request: cg.PickupRequest, carrier: str) -> cg.Pickup: ...
    async def cancel_pickup(self, pickup: cg.Pickup) -> None: ...
    async def track(self, number: str, carrier: str) -> cg.TrackingInfo: ...
    async def track_many(self, numbers: list[str], carrier: str) -> cg.TrackingResult: ...
    async def find_label(self, reference: str, carrier: str) -> cg.Label | None: ...
    async def modify_pickup(self, pickup: cg.Pickup, request: cg.PickupRequest) -> cg.Pickup: ...


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

    async def track_many(self, numbers: list[str], carrier: str) -> cg.TrackingResult:
        return self.gw.track_many(numbers, carrier=carrier, deadline=DEADLINE)

    async def find_label(self, reference: str, carrier: str) -> cg.Label | None:
        return self.gw.find_label(reference, carrier=carrier, deadline=DEADLINE)

    async def modify_pickup(self, pickup: cg.Pickup, request: cg.PickupRequest) -> cg.Pickup:
        return self.gw.modify_pickup(pickup, request, deadline=DEADLINE)


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

    async def track_many(self, numbers: list[str], carrier: str) -> cg.TrackingResult:
        return await self.gw.track_many(numbers, carrier=carrier, deadline=DEADLINE)

    async def find_label(self, reference: str, carrier: str) -> cg.Label | None:
        return await self.gw.find_label(reference, carrier=carrier, deadline=DEADLINE)

    async def modify_pickup(self, pickup: cg.Pickup, request: cg.PickupRequest) -> cg.Pickup:
        return await self.gw.modify_pickup(pickup, request, deadline=DEADLINE)


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


def sent_bodies(emulator: Emulator) -> bytes:
    return b"\n".join(r.content for r in emulator.requests)


def capabilities(carrier: str) -> frozenset[Capability]:
    return carrier_class(carrier).capabilities


