"""The sandbox matrix's checks: one per operation, each run sync and async, driven by capabilities.

:func:`run_case` runs one cell (carrier x operation x mode): the operation's check when the carrier's
``capabilities`` offer it, otherwise the NotSupported its first step must raise, before anything is
sent. The operations of issue 12 are here too: a return label (printable, marked ``is_return``,
trackable), ``find_label`` by our reference after a ship (and None for a reference never used), and
``track_many`` (two labels in one call, with an unknown number among them kept apart as NotFound,
in as many calls as the carrier's ``track_batch`` makes).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Awaitable, Callable

import pytest

import carriergate as cg
from carriergate.carriers.dhl_express import pickup_from_label
from carriergate.core.contract import Capability
from carriergate.core.registry import carrier_class
from carriergate.sandbox.registry import emulator_class

from support.sandbox_samples import (
    INSURANCE_MARK,
    Api,
    Sandbox,
    billing_currency,
    capabilities,
    pickup_request,
    printable,
    rate_request,
    return_request,
    sent_bodies,
    ship_request,
    unknown_number,
)

OPERATIONS = ["rate", "ship", "void", "pickup", "modify_pickup", "track", "return_label", "find_label", "track_many"]


def supported(carrier: str, operation: str) -> bool:
    caps = capabilities(carrier)
    needs = {"rate": {Capability.RATE}, "ship": {Capability.SHIP}, "void": {Capability.SHIP, Capability.VOID},
             "track": {Capability.TRACK},
             "return_label": {Capability.SHIP, Capability.RETURN_LABEL},
             "find_label": {Capability.SHIP, Capability.FIND_LABEL},
             "track_many": {Capability.TRACK},
             "modify_pickup": {Capability.SCHEDULE_PICKUP, Capability.MODIFY_PICKUP}}
    if operation == "pickup":  # scheduled on its own, or booked with the shipment and cancelled alone
        return Capability.CANCEL_PICKUP in caps and (Capability.SCHEDULE_PICKUP in caps or Capability.SHIP in caps)
    return needs[operation] <= caps


async def unsupported(api: Api, carrier: str, operation: str) -> cg.NotSupported:
    """The NotSupported the operation's first step raises (``track_many`` answers it for each number)."""
    if operation == "track_many":
        result = await api.track_many(["0000000000", "0000000001"], carrier)
        assert result.tracked == {}
        assert set(result.errors) == {"0000000000", "0000000001"}
        error = result.errors["0000000000"]
        assert isinstance(error, cg.NotSupported), error
        return error
    if operation == "rate":  # a named account that cannot rate has its NotSupported in the result
        rated = await api.rate(rate_request(carrier), [carrier])
        assert rated.quotes == []
        refusal = rated.errors[carrier]
        assert isinstance(refusal, cg.NotSupported), refusal
        return refusal
    probes: dict[str, Callable[[], Awaitable[object]]] = {
        "ship": lambda: api.ship(ship_request(carrier)),
        "void": lambda: api.ship(ship_request(carrier)),
        "pickup": lambda: api.schedule_pickup(pickup_request(carrier=carrier), carrier),
        "track": lambda: api.track("0000000000", carrier),
        "return_label": lambda: api.ship(return_request(carrier)),
        "find_label": lambda: api.find_label("E2E-NEVER-USED", carrier),
        "modify_pickup": lambda: api.modify_pickup(cg.Pickup(carrier=carrier, confirmation_number="E2E-NONE"),
                                                   pickup_request(days=4, carrier=carrier)),
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
    assert {q.total.currency for q in result.quotes} == {billing_currency(carrier)}
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
        assert label.total.currency == billing_currency(carrier)
        assert label.total.amount > 0
    emulator = box.emulators.get(carrier)
    if emulator is not None:
        assert emulator.labels_created() == 1
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
    if emulator is not None:
        assert emulator.is_voided(label.tracking_number)


async def check_pickup(api: Api, box: Sandbox, carrier: str) -> None:
    if Capability.SCHEDULE_PICKUP in capabilities(carrier):
        pickup = await api.schedule_pickup(pickup_request(carrier=carrier), carrier)
    else:
        with pytest.raises(cg.NotSupported):
            await api.schedule_pickup(pickup_request(carrier=carrier), carrier)
        label = await api.ship(ship_request(carrier, pickup=True))
        booked = pickup_from_label(label) if carrier == "dhl_express" else None
        assert booked is not None, f"{carrier}: no pickup booked with the shipment"
        pickup = booked
    assert pickup.carrier == carrier
    assert pickup.confirmation_number
    await api.cancel_pickup(pickup)
    with pytest.raises(cg.CarrierError):  # cancelled once: the carrier no longer knows it
        await api.cancel_pickup(pickup)


async def check_modify_pickup(api: Api, box: Sandbox, carrier: str) -> None:
    """A booked pickup moved to a later day and a second parcel keeps its number and carries the new
    window; it can then be cancelled as any pickup."""
    booked = await api.schedule_pickup(pickup_request(carrier=carrier), carrier)
    later = pickup_request(days=4, parcels=2, carrier=carrier)
    moved = await api.modify_pickup(booked, later)
    assert moved.carrier == carrier
    assert moved.confirmation_number == booked.confirmation_number
    assert moved.ready_at == later.window.start
    await api.cancel_pickup(moved)


async def trackable(api: Api, carrier: str) -> str:
    """A number to track: a label's, or (a carrier that makes no labels) one its emulator issues."""
    if Capability.SHIP in capabilities(carrier):
        return (await api.ship(ship_request(carrier))).tracking_number
    fresh = getattr(emulator_class(carrier), "fresh_number", None)
    if fresh is None:
        pytest.skip(f"{carrier} makes no labels and its emulator issues no numbers to track")
    number: str = fresh()
    return number


async def check_track(api: Api, box: Sandbox, carrier: str) -> None:
    number = await trackable(api, carrier)
    seen: list[cg.TrackingInfo] = []
    for _ in range(10):
        info = await api.track(number, carrier)
        seen.append(info)
        if info.status is cg.TrackingStatus.DELIVERED:
            break
    statuses = [i.status for i in seen]
    assert statuses[0] is not cg.TrackingStatus.DELIVERED
    assert statuses[-1] is cg.TrackingStatus.DELIVERED, statuses
    assert all(i.tracking_number == number and i.carrier == carrier for i in seen)
    events = seen[-1].events
    assert len(events) > len(seen[0].events)
    assert all(e.occurred_at.tzinfo is not None for e in events)
    assert events == sorted(events, key=lambda e: e.occurred_at, reverse=True)  # newest first


async def check_return_label(api: Api, box: Sandbox, carrier: str) -> None:
    """A return label is a label: printable, ours by reference, marked as a return, trackable."""
    request = return_request(carrier)
    label = await api.ship(request)
    assert label.is_return is True
    assert label.carrier == carrier
    assert label.tracking_number
    assert label.reference == request.reference
    assert printable(label), (label.label_format, label.label[:8])
    if label.total is not None:
        assert label.total.amount > 0
    emulator = box.emulators.get(carrier)
    if emulator is not None:
        assert emulator.labels_created() == 1
    if Capability.TRACK in capabilities(carrier):
        info = await api.track(label.tracking_number, carrier)
        assert (info.carrier, info.tracking_number) == (carrier, label.tracking_number)
        assert info.status is not cg.TrackingStatus.UNKNOWN


async def check_find_label(api: Api, box: Sandbox, carrier: str) -> None:
    """What ship made under a reference is found by it; a reference never used finds nothing."""
    request = ship_request(carrier)
    label = await api.ship(request)
    await api.ship(ship_request(carrier))  # another shipment, under another reference
    found = await api.find_label(request.reference, carrier)
    assert found is not None, f"{carrier}: nothing found under {request.reference}"
    assert (found.carrier, found.tracking_number) == (carrier, label.tracking_number)
    assert found.reference in (None, request.reference)
    assert await api.find_label(f"E2E-NONE-{uuid.uuid4().hex[:8].upper()}", carrier) is None


def _sent(box: Sandbox, carrier: str) -> int | None:
    emulator = box.emulators.get(carrier)
    return None if emulator is None else len(emulator.requests)


async def check_track_many(api: Api, box: Sandbox, carrier: str) -> None:
    """Two labels tracked in one track_many, then with an unknown number among them: that number has
    NotFound, the others are tracked. Where this process holds the emulator, the calls it received
    are those of the carrier's batches (a batch carries up to ``track_batch`` numbers at once)."""
    numbers = [await trackable(api, carrier) for _ in range(2)]
    before = _sent(box, carrier)
    await api.track(numbers[0], carrier)  # what one call of one number costs at the carrier
    after_one = _sent(box, carrier)
    result = await api.track_many(numbers, carrier)
    after_both = _sent(box, carrier)
    assert result.errors == {}, result.errors
    assert set(result.tracked) == set(numbers)
    for number, info in result.tracked.items():
        assert (info.carrier, info.tracking_number) == (carrier, number)
    unknown = unknown_number(numbers[0])
    mixed = await api.track_many([numbers[0], unknown, numbers[1]], carrier)
    after_mixed = _sent(box, carrier)
    assert set(mixed.tracked) == set(numbers), mixed.errors
    assert set(mixed.errors) == {unknown}, mixed.errors
    assert isinstance(mixed.errors[unknown], cg.NotFound), repr(mixed.errors[unknown])
    assert mixed.errors[unknown].carrier == carrier
    if before is not None and after_one is not None and after_both is not None and after_mixed is not None:
        per_call, batch = after_one - before, carrier_class(carrier).track_batch
        assert after_both - after_one == math.ceil(2 / batch) * per_call
        assert after_mixed - after_both == math.ceil(3 / batch) * per_call


CHECKS: dict[str, Callable[[Api, Sandbox, str], Awaitable[None]]] = {
    "rate": check_rate, "ship": check_ship, "void": check_void, "pickup": check_pickup, "track": check_track,
    "return_label": check_return_label, "find_label": check_find_label, "track_many": check_track_many,
    "modify_pickup": check_modify_pickup}


def run_case(box: Sandbox, carrier: str, operation: str, mode: str) -> str | None:
    """One cell of the matrix: the operation's check when the carrier's capabilities offer it; otherwise
    the NotSupported its first step must raise before anything is sent, and the reason to skip (None
    when the check ran)."""
    if not supported(carrier, operation):
        reasons: list[str] = []

        async def refused(api: Api) -> None:
            before = _sent(box, carrier)
            reasons.append((await unsupported(api, carrier, operation)).message)
            assert _sent(box, carrier) == before, f"{carrier}: {operation} was refused after sending"

        box.run(mode, refused)
        caps = ", ".join(sorted(c.value for c in capabilities(carrier)))
        return f"{carrier} does not support {operation} (capabilities: {caps}): {reasons[0]}"

    async def scenario(api: Api) -> None:
        await CHECKS[operation](api, box, carrier)

    box.run(mode, scenario)
    return None
