"""createShipmentRequest: a ShipRequest as DHL's shipment (label, customs, insurance and, when
``ShipRequest.pickup`` is set, the courier pickup booked with it), and DHL's reply as a Label.

A pickup travels with the shipment: ``DropOffType`` ``REQUEST_COURIER``, ``ShipTimestamp`` the start
of the window and ``PickupLocationCloseTime`` its end (local time of the window's zone). DHL answers
with a ``DispatchConfirmationNumber``, kept in ``Label.carrier_data`` with what cancelling it needs.

Who pays (``Billing``) and the references travel in ``ShipmentInfo`` (billing.py); for a dutiable
shipment without an invoice of the shop's own, DHL is asked for its customs invoice
(``LabelOptions/RequestDHLCustomsInvoice``), which comes back in ``Documents`` as a
:class:`ShippingDocument`. The label's format is the one DHL states (``LabelImageFormat``).

A return label (``ShipRequest.return_shipment``) is a createShipmentRequest like any other: the
rate book has no return product or flag, only the pieces a return is made of, which it documents:
the customer (``origin``) as Shipper, the shop as Recipient, billed to the receiver (billing.py) and
its goods declared with ``ExportReasonType`` RETURN (customs.py). Its Label says ``is_return``.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx

from carriergate.carriers.dhl_express.account import DHLExpressAccount
from carriergate.carriers.dhl_express.billing import billing, label_options, references
from carriergate.carriers.dhl_express.charges import charges, decimal, insurance_service
from carriergate.carriers.dhl_express.checks import Checks
from carriergate.carriers.dhl_express.customs import PAPERLESS, document_images, incoterm, international_detail
from carriergate.carriers.dhl_express.errors import notices
from carriergate.carriers.dhl_express.measures import kilograms, noon_utc, ship_timestamp
from carriergate.carriers.dhl_express.parties import REQUESTOR, dimensions, ship_party
from carriergate.carriers.dhl_express.replies import ShipReply, read
from carriergate.carriers.dhl_express.services import RATE_BOOK, rate_book_url
from carriergate.core.errors import MalformedResponse
from carriergate.core.money import Money
from carriergate.core.notices import Notice
from carriergate.core.quotes import Charge
from carriergate.core.results import DocumentKind, Label, ShippingDocument
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
    is_return: bool = False

    @classmethod
    def of(cls, request: ShipRequest, *, now: datetime, carrier: str) -> ShipContext:
        """The context of ``request`` built at ``now`` (the same moment :func:`build_ship` was given)."""
        return cls(carrier=carrier, label_format=request.label_format, reference=request.reference,
                   ship_date=_moment(request, now).date(), pickup_country=request.origin.country,
                   requestor_name=request.origin.name[:REQUESTOR], created_at=now,
                   is_return=request.return_shipment)


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
        "Billing": billing(checks, request, account),
    }
    services = [s for s in [insurance_service(request)] if s is not None]
    images = document_images(checks, request)
    if images:
        services.append({"ServiceType": PAPERLESS})
    if services:
        info["SpecialServices"] = {"Service": services}
    info.update({"Currency": _currency(request, account), "UnitOfMeasurement": "SI", "LabelType": label_type})
    if images:
        info.update({"PaperlessTradeEnabled": True, "DocumentImages": {"DocumentImage": images}})
    options = label_options(request, account)
    if options:
        info["LabelOptions"] = options
    info["ShipmentReferences"] = {"ShipmentReference": references(checks, request, reference)}
    shipment: dict[str, Any] = {"ShipmentInfo": info, "ShipTimestamp": ship_timestamp(moment)}
    if request.pickup is not None:
        shipment["PickupLocationCloseTime"] = request.pickup.end.astimezone(moment.tzinfo).strftime("%H:%M")
    shipment["PaymentInfo"] = incoterm(checks, request)
    shipment["InternationalDetail"] = international_detail(checks, request)
    latin = request.international  # a domestic label is read at home: its own script is fine
    shipment["Ship"] = {"Shipper": ship_party(checks, "origin", request.origin, latin=latin),
                        "Recipient": ship_party(checks, "destination", request.destination, latin=latin)}
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


#: Our label formats as DHL may state them in ``LabelImageFormat`` (a token of three letters).
STATED_FORMATS: dict[str, LabelFormat] = {"PDF": "PDF", "ZPL": "ZPL", "EPL": "EPL", "PNG": "PNG", "GIF": "GIF"}


def _format(raw: str | None, requested: LabelFormat) -> tuple[LabelFormat, list[Notice]]:
    """The format DHL states for the label, the requested one when DHL states none. A format
    carriergate has no name for (DHL's ``LP2``) keeps the requested one and says so."""
    value = (raw or "").strip().upper()
    if not value:
        return requested, []
    known = STATED_FORMATS.get(value)
    if known is not None:
        return known, []
    return requested, [Notice(message=f"DHL Express states the label format {value!r}, which carriergate does not "
                                      f"know; reported as the requested {requested}", code="label_format")]


def _document_kind(name: str) -> DocumentKind:
    upper = name.upper()
    if "PROFORMA" in upper:
        return "proforma_invoice"
    if "INVOICE" in upper:
        return "commercial_invoice"
    return "other"


def documents(reply: ShipReply) -> list[ShippingDocument]:
    """The papers DHL made with the label (``Documents``), each under our kind and DHL's own name."""
    out = []
    for i, document in enumerate(reply.documents):
        if not document.image:
            continue
        name = (document.name or "").strip()
        out.append(ShippingDocument(kind=_document_kind(name), content=_image(document.image, f"document {i + 1}"),
                                    format=(document.format or "PDF").strip().upper(), carrier_kind=name or None))
    return out


def parse_ship(response: httpx.Response, *, context: ShipContext) -> Label:
    reply = read(ShipReply, RATE_BOOK.parse(OPERATION, response), what="shipment reply")
    awb = (reply.shipment_id or "").strip()
    warnings = notices(reply.notes, reply.warnings, answered=bool(awb))
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
        lines, skipped = charges(parts, currency)
        warnings.extend(skipped)
    carrier_data = {"shipment_id": awb, "ship_date": context.ship_date.isoformat(),
                    "pickup_country": context.pickup_country, "requestor_name": context.requestor_name}
    dcn = (reply.dispatch_confirmation_number or "").strip()
    if dcn:
        carrier_data["dispatch_confirmation_number"] = dcn
    label_format, said = _format(images[0].format, context.label_format)
    return Label(carrier=context.carrier, tracking_number=awb, tracking_numbers=[awb, *pieces],
                 label=_image(images[0].image, "label image"), label_format=label_format,
                 total=total, charges=lines, reference=context.reference,
                 package_labels=[_image(i.image, "label image") for i in images[1:]],
                 created_at=context.created_at, carrier_data=carrier_data, documents=documents(reply),
                 warnings=[*warnings, *said], is_return=context.is_return)
