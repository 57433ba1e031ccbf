"""createShipmentRequest: a ShipRequest as DHL's shipment (label, customs, insurance and, when
``ShipRequest.pickup`` is set, the courier pickup booked with it), and DHL's reply as a Label.

A pickup travels with the shipment: ``DropOffType`` ``REQUEST_COURIER``, ``ShipTimestamp`` the start
of the window and ``PickupLocationCloseTime`` its end (local time of the window's zone). DHL answers
with a ``DispatchConfirmationNumber``, kept in ``Label.carrier_data`` with what cancelling it needs.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx

from carriergate.carriers.dhl_express.account import DHLExpressAccount
from carriergate.carriers.dhl_express.charges import charges, decimal, insurance_service
from carriergate.carriers.dhl_express.checks import Checks
from carriergate.carriers.dhl_express.customs import PAPERLESS, document_images, incoterm, international_detail
from carriergate.carriers.dhl_express.errors import raise_for_notes
from carriergate.carriers.dhl_express.measures import kilograms, noon_utc, ship_timestamp
from carriergate.carriers.dhl_express.parties import REQUESTOR, dimensions, ship_party
from carriergate.carriers.dhl_express.replies import ShipReply, read
from carriergate.carriers.dhl_express.services import RATE_BOOK, rate_book_url
from carriergate.core.errors import MalformedResponse
from carriergate.core.money import Money
from carriergate.core.quotes import Charge
from carriergate.core.results import Label
from carriergate.core.shipment import LabelFormat, ShipRequest

OPERATION = "createShipmentRequest"
#: carriergate label formats as DHL ``LabelType`` values (DHL's schema enumerates PDF, ZPL, EPL, LP2).
LABEL_TYPES: dict[str, str] = {"PDF": "PDF", "ZPL": "ZPL", "EPL": "EPL"}
REFERENCE = 35  # characters DHL keeps of a shipment or piece reference
MAX_PIECES = 99


@dataclass(frozen=True)
class ShipContext:
    """What the reply alone does not say but the Label must: taken from the request."""

    carrier: str
    label_format: LabelFormat
    reference: str
    ship_date: date
    pickup_country: str
    requestor_name: str
    created_at: datetime

    @classmethod
    def of(cls, request: ShipRequest, *, now: datetime, carrier: str) -> ShipContext:
        """The context of ``request`` built at ``now`` (the same moment :func:`build_ship` was given)."""
        return cls(carrier=carrier, label_format=request.label_format, reference=request.reference,
                   ship_date=_moment(request, now).date(), pickup_country=request.origin.country,
                   requestor_name=request.origin.name[:REQUESTOR], created_at=now)


def _moment(request: ShipRequest, now: datetime) -> datetime:
    if request.pickup is not None:
        return request.pickup.start
    return noon_utc(request.ship_date) if request.ship_date else now


def _currency(request: ShipRequest, account: DHLExpressAccount) -> str:
    if request.customs is not None and request.customs.currency:
        return request.customs.currency
    if request.insurance is not None:
        return request.insurance.currency
    return account.currency


def build_ship(request: ShipRequest, account: DHLExpressAccount, *, base_url: str, now: datetime,
               carrier: str) -> httpx.Request:
    """The createShipmentRequest for ``request`` (raises ValidationError before anything is sent). Its
    reply is read with the :meth:`ShipContext.of` the same request and ``now``."""
    checks = Checks(carrier)
    label_type = LABEL_TYPES.get(request.label_format)
    if label_type is None:
        checks.fail("label_format", f"DHL Express prints PDF, ZPL or EPL labels, not {request.label_format}")
    if request.signature != "none":
        checks.fail("signature", "signature options are not offered by carriergate's DHL Express adapter")
    if len(request.parcels) > MAX_PIECES:
        checks.fail("parcels", f"DHL Express accepts at most {MAX_PIECES} pieces per shipment")
    reference = checks.text("reference", request.reference, REFERENCE, required=True) or ""
    moment = _moment(request, now)
    info: dict[str, Any] = {
        "DropOffType": "REQUEST_COURIER" if request.pickup is not None else "REGULAR_PICKUP",
        "ServiceType": checks.text("service", request.service, 3, required=True),
        "Billing": {"ShipperAccountNumber": account.account_number, "ShippingPaymentType": "S"},
    }
    services = [s for s in [insurance_service(request)] if s is not None]
    images = document_images(checks, request)
    if images:
        services.append({"ServiceType": PAPERLESS})
    if services:
        info["SpecialServices"] = {"Service": services}
    if request.customs is not None and request.customs.incoterm == "DDP":
        info["Billing"]["DutyAndTaxPayerAccountNumber"] = account.account_number
    info.update({"Currency": _currency(request, account), "UnitOfMeasurement": "SI", "LabelType": label_type})
    if images:
        info.update({"PaperlessTradeEnabled": True, "DocumentImages": {"DocumentImage": images}})
    info["ShipmentReferences"] = {"ShipmentReference": [{"ShipmentReference": reference}]}
    shipment: dict[str, Any] = {"ShipmentInfo": info, "ShipTimestamp": ship_timestamp(moment)}
    if request.pickup is not None:
        shipment["PickupLocationCloseTime"] = request.pickup.end.astimezone(moment.tzinfo).strftime("%H:%M")
    shipment["PaymentInfo"] = incoterm(checks, request)
    shipment["InternationalDetail"] = international_detail(checks, request)
    shipment["Ship"] = {"Shipper": ship_party(checks, "origin", request.origin),
                        "Recipient": ship_party(checks, "destination", request.destination)}
    shipment["Packages"] = {"RequestedPackages": [
        {"number": i + 1, "Weight": kilograms(p.weight), "Dimensions": dimensions(checks, i, p),
         "CustomerReferences": checks.text(f"parcels[{i}].reference", p.reference, REFERENCE) or reference}
        for i, p in enumerate(request.parcels)]}
    checks.done()
    return RATE_BOOK.request(OPERATION, rate_book_url(base_url), RequestedShipment=shipment)


# -- reading the reply ----------------------------------------------------------------------------
def _image(data: str | None, what: str) -> bytes:
    try:
        return base64.b64decode("".join((data or "").split()), validate=True)
    except (binascii.Error, ValueError):
        raise MalformedResponse(f"DHL Express {what} is not base64") from None


def _format(raw: str | None, requested: LabelFormat) -> LabelFormat:
    value = (raw or "").strip().upper()
    for ours, theirs in LABEL_TYPES.items():
        if value == theirs:
            return ours  # type: ignore[return-value]
    return requested


def parse_ship(response: httpx.Response, *, context: ShipContext) -> Label:
    reply = read(ShipReply, RATE_BOOK.parse(OPERATION, response), what="shipment reply")
    raise_for_notes(reply.notes)
    awb = (reply.shipment_id or "").strip()
    if not awb:
        raise MalformedResponse("DHL Express shipment reply has no ShipmentIdentificationNumber")
    images = [label for label in reply.labels if label.image]
    if not images:
        raise MalformedResponse("DHL Express shipment reply has no label image")
    pieces = [p.tracking_number.strip() for p in reply.pieces if p.tracking_number]
    total: Money | None = None
    lines: list[Charge] = []
    price = next((t for t in reply.totals if t.amount and t.currency), None)
    if price is not None and price.currency:
        currency = price.currency.strip().upper()
        total = Money(decimal(price.amount, "shipment total"), currency)
        parts = [(c.code, c.name, c.amount) for c in (price.breakdown.charges if price.breakdown else [])]
        lines = charges(parts, currency)
    carrier_data = {"shipment_id": awb, "ship_date": context.ship_date.isoformat(),
                    "pickup_country": context.pickup_country, "requestor_name": context.requestor_name}
    dcn = (reply.dispatch_confirmation_number or "").strip()
    if dcn:
        carrier_data["dispatch_confirmation_number"] = dcn
    return Label(carrier=context.carrier, tracking_number=awb, tracking_numbers=[awb, *pieces],
                 label=_image(images[0].image, "label image"), label_format=_format(images[0].format,
                                                                                    context.label_format),
                 total=total, charges=lines, reference=context.reference,
                 package_labels=[_image(i.image, "label image") for i in images[1:]],
                 created_at=context.created_at, carrier_data=carrier_data)
