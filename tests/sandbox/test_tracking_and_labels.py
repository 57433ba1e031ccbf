"""What each emulator's labels and tracking look like through the gateway: a label is a real document
of the format asked (the PDF opened by a PDF reader, with the tracking number in its text); tracking
never dates an event after the emulator's clock, keeps events strictly in order, and stops after a
void, as each carrier shows it (UPS "MV" voided, FedEx "CA" cancelled, DHL no checkpoint once the
pickup is cancelled, SF no route at all)."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime

import pypdf
import pytest

import carriergate as cg
from carriergate.sandbox import barcode, documents
from carriergate.sandbox.base import SANDBOX_HOST, SandboxTransport
from carriergate.sandbox.fedex import FedExEmulator
from carriergate.sandbox.registry import sandbox_gateway_kwargs
from carriergate.sandbox.ups import UPSEmulator

from support.sandbox_samples import ship_request

EMULATED = ["ups", "fedex", "dhl_express", "sf_express"]
#: A frozen emulator clock: a journey cannot run ahead of it.
FROZEN = datetime(2031, 3, 4, 9, 30, tzinfo=UTC)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text()


@pytest.mark.parametrize("carrier", ["fedex", "dhl_express", "sf_express"])
def test_a_pdf_label_opens_and_carries_its_tracking_number(carrier: str) -> None:
    with cg.Gateway(**sandbox_gateway_kwargs([carrier])) as gw:
        label = gw.ship(ship_request(carrier).model_copy(update={"label_format": "PDF"}), deadline=10)
    assert label.label_format == "PDF"
    text = pdf_text(label.label)
    assert label.tracking_number in text
    assert "From: " in text
    assert "?" not in text  # Chinese place names printed in pinyin, never as glyphs Helvetica lacks


@pytest.mark.parametrize(("carrier", "image"), [("ups", "ZPL"), ("fedex", "ZPL"), ("dhl_express", "ZPL")])
def test_a_zpl_label_holds_a_code_128_of_the_tracking_number(carrier: str, image: str) -> None:
    with cg.Gateway(**sandbox_gateway_kwargs([carrier])) as gw:
        label = gw.ship(ship_request(carrier).model_copy(update={"label_format": image}), deadline=10)
    text = label.label.decode("ascii")
    assert text.startswith("^XA")
    assert text.rstrip().endswith("^XZ")
    assert f"^FD{label.tracking_number}^FS" in text.split("^BC", 1)[1]


@pytest.mark.parametrize("carrier", ["ups", "fedex", "dhl_express"])
def test_an_epl_label_draws_the_barcode(carrier: str) -> None:
    with cg.Gateway(**sandbox_gateway_kwargs([carrier])) as gw:
        label = gw.ship(ship_request(carrier).model_copy(update={"label_format": "EPL"}), deadline=10)
    assert f',B,"{label.tracking_number}"' in label.label.decode("ascii")


def test_ups_gif_and_fedex_png_are_barcode_images_of_the_number() -> None:
    with cg.Gateway(**sandbox_gateway_kwargs(["ups", "fedex"])) as gw:
        gif = gw.ship(ship_request("ups").model_copy(update={"label_format": "GIF"}), deadline=10)
        png = gw.ship(ship_request("fedex").model_copy(update={"label_format": "PNG"}), deadline=10)
    assert gif.label == documents.gif(barcode.modules(gif.tracking_number))
    assert png.label == documents.png(barcode.modules(png.tracking_number))


def test_ups_international_forms_are_a_real_pdf() -> None:
    emulator = UPSEmulator()
    with cg.Gateway({"ups": {**UPSEmulator.account, "base_url": SANDBOX_HOST + "/ups"}},
                    transport=SandboxTransport({"ups": emulator})) as gw:
        label = gw.ship(ship_request("ups"), deadline=10)
        recovered = emulator.recover({"LabelRecoveryRequest": {"TrackingNumber": label.tracking_number,
                                                               "LabelSpecification": {"LabelImageFormat":
                                                                                      {"Code": "PDF"}}}})
    assert recovered.status_code == 200
    body = recovered.json()["LabelRecoveryResponse"]
    assert label.tracking_number in pdf_text(base64.b64decode(body["LabelResults"][0]["LabelImage"]["GraphicImage"]))
    assert label.tracking_number in pdf_text(base64.b64decode(body["Form"]["Image"]["GraphicImage"]))


def events_in_order(info: cg.TrackingInfo, now: datetime) -> None:
    times = [e.occurred_at for e in info.events]
    assert all(t <= now for t in times), (times, now)
    assert times == sorted(times, reverse=True)
    assert len(set(times)) == len(times), times  # strictly in order, even within one second


@pytest.mark.parametrize("carrier", EMULATED)
def test_tracking_never_dates_an_event_after_now(carrier: str) -> None:
    with cg.Gateway(**sandbox_gateway_kwargs([carrier])) as gw:
        label = gw.ship(ship_request(carrier), deadline=10)
        for _ in range(8):
            info = gw.track(label.tracking_number, carrier=carrier, deadline=10)
            events_in_order(info, datetime.now(UTC))
    assert info.status is cg.TrackingStatus.DELIVERED
    if info.delivered_at is not None:
        assert info.delivered_at <= datetime.now(UTC)


def test_a_frozen_clock_holds_every_event_at_or_before_it() -> None:
    emulators = {"ups": UPSEmulator(clock=lambda: FROZEN), "fedex": FedExEmulator(now=FROZEN)}
    config = {name: {**type(e).account, "base_url": f"{SANDBOX_HOST}/{name}"} for name, e in emulators.items()}
    with cg.Gateway(config, transport=SandboxTransport(emulators)) as gw:
        for carrier in emulators:
            label = gw.ship(ship_request(carrier), deadline=10)
            infos = [gw.track(label.tracking_number, carrier=carrier, deadline=10) for _ in range(7)]
            assert infos[-1].status is cg.TrackingStatus.DELIVERED
            events_in_order(infos[-1], FROZEN)
            assert infos[-1].delivered_at == FROZEN


@pytest.mark.parametrize(("carrier", "after_void"), [("ups", cg.TrackingStatus.CANCELLED),
                                                     ("fedex", cg.TrackingStatus.CANCELLED)])
def test_a_voided_label_tracks_as_cancelled_and_moves_no_more(carrier: str, after_void: cg.TrackingStatus) -> None:
    with cg.Gateway(**sandbox_gateway_kwargs([carrier])) as gw:
        label = gw.ship(ship_request(carrier), deadline=10)
        before = [gw.track(label.tracking_number, carrier=carrier, deadline=10) for _ in range(2)][-1]
        gw.void(label, deadline=10)
        after = [gw.track(label.tracking_number, carrier=carrier, deadline=10) for _ in range(4)]
    assert before.status is not cg.TrackingStatus.CANCELLED
    assert all(info.status is after_void for info in after)
    assert all(info.events == after[0].events for info in after)  # nothing moves after the void
    assert len(after[0].events) == len(before.events) + 1  # the cancellation, newest
    assert after[0].events[0].status is cg.TrackingStatus.CANCELLED
    assert after[0].events[1:] == before.events
    assert after[0].delivered_at is None
    for info in after:
        events_in_order(info, datetime.now(UTC))


def test_dhl_collects_nothing_once_the_pickup_is_cancelled() -> None:
    with cg.Gateway(**sandbox_gateway_kwargs(["dhl_express"])) as gw:
        label = gw.ship(ship_request("dhl_express", pickup=True), deadline=10)
        gw.void(label, deadline=10)
        infos = [gw.track(label.tracking_number, carrier="dhl_express", deadline=10) for _ in range(4)]
    assert all(info.events == [] for info in infos)
    assert all(info.status is cg.TrackingStatus.PRE_TRANSIT for info in infos)


def test_dhl_checkpoints_carry_their_offset_and_stop_at_the_cancelled_pickup() -> None:
    with cg.Gateway(**sandbox_gateway_kwargs(["dhl_express"])) as gw:
        label = gw.ship(ship_request("dhl_express", pickup=True), deadline=10)
        seen = [gw.track(label.tracking_number, carrier="dhl_express", deadline=10) for _ in range(2)][-1]
        gw.void(label, deadline=10)
        later = [gw.track(label.tracking_number, carrier="dhl_express", deadline=10) for _ in range(3)]
    assert len(seen.events) == 2
    assert all(e.zone_known for e in seen.events)
    assert all(info.events == seen.events for info in later)
    events_in_order(later[-1], datetime.now(UTC))


def test_sf_has_no_route_for_a_cancelled_waybill() -> None:
    with cg.Gateway(**sandbox_gateway_kwargs(["sf_express"])) as gw:
        label = gw.ship(ship_request("sf_express"), deadline=10)
        gw.track(label.tracking_number, carrier="sf_express", deadline=10)
        gw.void(label, deadline=10)
        with pytest.raises(cg.NotFound):
            gw.track(label.tracking_number, carrier="sf_express", deadline=10)
