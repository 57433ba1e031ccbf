"""Shipping: create the direct-shipment order (ds.xms.order.create v1.1.0), ask for its label
(ds.xms.label.get v1.1.0) and download the label PDF from the link 4PX answers.

The order create is the write: it books the parcel under our reference (``ref_no``, unique per
4PX account). Asking for the label of an existing order and downloading it change nothing at 4PX,
so both are reads, retried freely. 4PX answers the label as a download link
(``label_url_info.logistics_label``), never inline.

Weights travel in grams (whole numbers: 4PX refuses decimals), dimensions in centimetres. 4PX's
insurance (``is_insure``/``insurance_info``) is priced in USD only, so an insured value in another
currency is refused before sending. One parcel per order here: our customs lines cannot be split
between several parcels. A signature asks for 4PX's ``signature_service`` (Y; its example shows N),
a pickup window for collection at the sender's address; other references and third-party billing
have no field and are refused rather than dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_CEILING, Decimal
from typing import Any

import httpx

from carriergate.carriers.fourpx import customs as c
from carriergate.carriers.fourpx.account import FourPXAccount
from carriergate.carriers.fourpx.envelope import data_object, router_request
from carriergate.carriers.fourpx.services import is_service_code
from carriergate.core.errors import FieldError, MalformedResponse, NotFound, NotServed, ValidationError
from carriergate.core.results import Label
from carriergate.core.shipment import ShipRequest
from carriergate.core.units import Weight
from carriergate.protocols.http import json_number as number
from carriergate.protocols.json_reading import dig, text

CREATE_ORDER, CREATE_VERSION = "ds.xms.order.create", "1.1.0"
GET_LABEL, LABEL_VERSION = "ds.xms.label.get", "1.1.0"
PDF = "PDF"
COLLECTED = "1"  # deliver_type: collected by 4PX
MAX_GRAMS = 1_000_000  # 4PX: "weight under 1000000 g"


def grams(weight: Weight) -> int:
    """A weight as 4PX's whole grams, rounded up."""
    return int(weight.to("g").value.to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True)
class Order:
    """4PX's answer to an order create."""

    tracking_number: str  # 4px_tracking_no: 4PX's number, tracked by tr.order.tracking.get
    reference: str  # ref_no, ours
    consignment_no: str | None = None  # ds_consignment_no
    channel_number: str | None = None  # logistics_channel_no: the last-mile carrier's number, once known
    channel_name: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def carrier_data(self) -> dict[str, str]:
        data = {"4px_tracking_no": self.tracking_number, "ref_no": self.reference}
        if self.consignment_no:
            data["ds_consignment_no"] = self.consignment_no
        if self.channel_number:
            data["logistics_channel_no"] = self.channel_number
        if self.channel_name:
            data["logistics_channel_name"] = self.channel_name
        return {**data, **self.extra}


def _problems(request: ShipRequest) -> list[FieldError]:
    found: list[FieldError] = []
    if len(request.parcels) != 1:
        found.append(FieldError("parcels", "a 4PX order carries one parcel here"))
    elif grams(request.parcels[0].weight) >= MAX_GRAMS:
        found.append(FieldError("parcels[0].weight", "4PX takes parcels under 1000 kg"))
    if not is_service_code(request.service):
        found.append(FieldError("service", f"{request.service!r} is not a 4PX logistics product code"))
    if request.label_format != PDF:
        found.append(FieldError("label_format", "4PX labels are PDF"))
    if request.customs is None or not request.customs.items:
        found.append(FieldError("customs.items", "4PX declares every parcel item by item"))
    if request.insurance is not None and request.insurance.currency != "USD":
        found.append(FieldError("insurance.currency", "4PX insurance is in USD"))
    if request.return_shipment:
        found.append(FieldError("return_shipment", "4PX makes no return labels here"))
    if request.references:
        found.append(FieldError("references", "a 4PX order carries our reference (ref_no) only"))
    if request.billing is not None:
        found.append(FieldError("billing", "4PX bills the account's own contract"))
    return found


def _ms(moment: datetime) -> str:
    return str(int(moment.timestamp() * 1000))


def _deliver_type(request: ShipRequest, account: FourPXAccount, sender: dict[str, Any]) -> dict[str, Any]:
    """``deliver_type_info``: the account's way to 4PX; a pickup window asks for collection (type 1)
    at the sender's address within it (times in milliseconds, as 4PX's example writes them)."""
    if request.pickup is None:
        return {"deliver_type": account.deliver_type}
    return {"deliver_type": COLLECTED, "pick_up_info": {
        "expect_pick_up_earliest_time": _ms(request.pickup.start),
        "expect_pick_up_latest_time": _ms(request.pickup.end), "pick_up_address_info": sender}}


def _parcel(request: ShipRequest, lines: list[dict[str, Any]]) -> dict[str, Any]:
    parcel = request.parcels[0]
    out: dict[str, Any] = {"weight": grams(parcel.weight)}
    if parcel.dimensions is not None:
        cm = parcel.dimensions.to("cm")
        for name in ("length", "width", "height"):
            out[name] = number(getattr(cm, name).quantize(Decimal("0.01")))
    declared = request.customs.total_value if request.customs else None
    if declared is not None:
        out.update(parcel_value=number(declared.amount), currency=declared.currency)
    out["include_battery"] = "N"
    out["declare_product_info"] = lines
    return out


def order_body(request: ShipRequest, account: FourPXAccount, *, carrier: str) -> dict[str, Any]:
    """The ds.xms.order.create body; bad input is refused here, naming every field. 4PX carries
    parcels across borders only: a domestic shipment is a lane it does not serve."""
    if not request.international:
        raise NotServed("4PX direct shipments are cross-border only", carrier=carrier, code="domestic")
    found = _problems(request)
    sender, sender_problems = c.party(request.origin, "origin")
    recipient, recipient_problems = c.party(request.destination, "destination")
    declaration = request.customs
    lines, line_problems = c.declared_lines(declaration) if declaration else ([], [])
    found += sender_problems + recipient_problems + line_problems
    if found:
        raise ValidationError(found, carrier=carrier)
    assert declaration is not None  # checked by _problems
    body: dict[str, Any] = {"ref_no": request.reference, "business_type": account.business_type,
                            "duty_type": c.duty_type(declaration), "cargo_type": c.cargo_type(declaration)}
    body.update(c.registrations(account, request.destination.country, request.customs))
    service: dict[str, Any] = {"logistics_product_code": request.service}
    if request.signature != "none":
        service["signature_service"] = "Y"
    body["logistics_service_info"] = service
    back = c.returned(declaration)
    body["return_info"] = {"is_return_on_domestic": back, "is_return_on_oversea": back}
    body["parcel_list"] = [_parcel(request, lines)]
    if request.insurance is not None:
        body["is_insure"] = "Y"
        body["insurance_info"] = {"insure_type": account.insurance_type,
                                  "insure_value": number(request.insurance.amount), "currency": "USD"}
    else:
        body["is_insure"] = "N"
    body["sender"] = sender
    body["recipient_info"] = recipient
    body["deliver_type_info"] = _deliver_type(request, account, sender)
    return body


def build_ship(request: ShipRequest, account: FourPXAccount, *, base_url: str, carrier: str) -> httpx.Request:
    """ds.xms.order.create for ``request`` (see :func:`order_body`)."""
    return router_request(base_url, CREATE_ORDER, CREATE_VERSION, order_body(request, account, carrier=carrier))


def parse_ship(response: httpx.Response, *, carrier: str, reference: str) -> Order:
    """The created order: 4PX's tracking number at least, else MalformedResponse."""
    data = data_object(response, carrier=carrier, what="order create")
    number = text(data.get("4px_tracking_no"))
    if number is None:
        raise MalformedResponse("4PX order create answered no 4px_tracking_no", carrier=carrier,
                                http_status=response.status_code)
    oda = text(data.get("oda_result_sign"))
    return Order(tracking_number=number, reference=text(data.get("ref_no")) or reference,
                 consignment_no=text(data.get("ds_consignment_no")),
                 channel_number=text(data.get("logistics_channel_no")),
                 channel_name=text(data.get("logistics_channel_name")),
                 extra={"oda_result_sign": oda} if oda else {})


# -- the label ------------------------------------------------------------------------------------
def build_label(order: Order, account: FourPXAccount, *, base_url: str) -> httpx.Request:
    """ds.xms.label.get for the order (by 4PX's number), as a PDF link."""
    body = {"request_no": order.tracking_number, "response_label_format": PDF, "label_size": account.label_size}
    return router_request(base_url, GET_LABEL, LABEL_VERSION, body)


def parse_label(response: httpx.Response, *, carrier: str, base_url: str) -> str:
    """The label's download link (``label_url_info.logistics_label``): an http(s) URL, or a path,
    taken on 4PX's own host (``base_url``)."""
    data = data_object(response, carrier=carrier, what="label")
    link = text(dig(data, "label_url_info", "logistics_label"))
    if link is None:
        raise NotFound("4PX answered no label link for this order", carrier=carrier, code="no_label")
    if link.startswith("/") and not link.startswith("//"):
        return str(httpx.URL(base_url).join(link))
    if not link.lower().startswith(("https://", "http://")):
        raise MalformedResponse("4PX label link is not an http(s) URL", carrier=carrier,
                                http_status=response.status_code)
    return link


def build_download(link: str) -> httpx.Request:
    """The label PDF itself: a plain GET of 4PX's link (not a router call, so it is not signed)."""
    return httpx.Request("GET", link, headers={"accept": "application/pdf"})


def parse_download(response: httpx.Response, *, carrier: str, order: Order, link: str) -> Label | str:
    """The Label: the downloaded PDF with 4PX's numbers (the link kept in ``carrier_data``); or, when
    the link redirects (a file host may), the http(s) address to download from instead."""
    location = response.headers.get("location")
    if response.status_code in (301, 302, 303, 307, 308) and location:
        target = str(httpx.URL(link).join(location))
        if target.lower().startswith(("https://", "http://")):
            return target
    if response.status_code == 404:
        raise NotFound("4PX label link answered 404", carrier=carrier, code="404", http_status=404)
    if response.status_code >= 400 or not response.content.startswith(b"%PDF"):
        raise MalformedResponse(f"4PX label download is not a PDF (HTTP {response.status_code})", carrier=carrier,
                                http_status=response.status_code)
    numbers = [order.tracking_number] + ([order.channel_number] if order.channel_number else [])
    return Label(carrier=carrier, tracking_number=order.tracking_number, tracking_numbers=numbers,
                 label=response.content, label_format=PDF, reference=order.reference,
                 carrier_data={**order.carrier_data, "label_url": link})


__all__ = ["Order", "build_download", "build_label", "build_ship", "grams", "order_body",
           "parse_download", "parse_label", "parse_ship"]
