"""Shipping: create the order (``POST /v1/order/package/create``, the label write) and fetch its label
(``GET /v1/order/label/get``), which together make our Label.

The create answer names the waybill (``waybill_number``, YunExpress's ``YT...`` number, which every
query takes) and, where one is already assigned, the last-mile ``tracking_number``. The label is a
second, read-only exchange: its answer carries the PDF as base64 in ``label_string`` or a download
``url``; a URL is fetched as one more read, only from YunExpress's own hosts (or the account's API
host). The order exists once the create succeeded, so a failed label fetch raises its own error and
the label is found again by our reference (``find_label``).

Insurance is the extra service ``VAS_IP`` and a signature on delivery ``Ls0091``, both named by
YunExpress's extra-service table as public integrations quote it; how ``VAS_IP`` takes the insured
amount is not confirmed (sent as ``extra_value``, the amount in the declared currency), see
:func:`insurance_service`.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from carriergate.carriers.yunexpress import parties
from carriergate.carriers.yunexpress.account import LABEL_DOMAINS, YunExpressAccount
from carriergate.carriers.yunexpress.errors import envelope
from carriergate.carriers.yunexpress.services import checked_product
from carriergate.core.errors import FieldError, MalformedResponse, NotSupported, ValidationError
from carriergate.core.money import Money
from carriergate.core.results import Label
from carriergate.core.shipment import ShipRequest
from carriergate.protocols.http import json_request

CREATE_PATH = "/v1/order/package/create"
LABEL_PATH = "/v1/order/label/get"
#: Extra services (附加服务): insured value, signature on delivery.
INSURANCE, SIGNATURE = "VAS_IP", "Ls0091"
#: YunExpress keeps a customer order number of at most 50 characters.
MAX_REFERENCE = 50


def insurance_service(insured: Money) -> dict[str, Any]:
    """The extra service that insures the parcel. Unconfirmed: the amount's format in ``extra_value``."""
    return {"extra_code": INSURANCE, "extra_value": f"{insured.amount:f}"}


def _refuse_unsupported(request: ShipRequest, carrier: str) -> None:
    if request.pickup is not None:
        raise NotSupported("YunExpress orders book no courier pickup (parcels go to its warehouse)", carrier=carrier)
    if request.documents:
        raise NotSupported("YunExpress takes no trade document uploads with an order", carrier=carrier)
    if request.billing is not None:
        raise NotSupported("YunExpress bills the account that creates the order; no other payer", carrier=carrier)


def build_ship(request: ShipRequest, account: YunExpressAccount, *, base_url: str,
               carrier: str = "yunexpress") -> httpx.Request:
    _refuse_unsupported(request, carrier)
    problems: list[FieldError] = []
    product = checked_product(request.service)
    if len(request.reference) > MAX_REFERENCE:
        problems.append(FieldError("reference", f"YunExpress keeps at most {MAX_REFERENCE} characters"))
    if request.label_format != "PDF":
        problems.append(FieldError("label_format", "YunExpress labels are PDF"))
    body: dict[str, Any] = {
        "product_code": product,
        "customer_order_number": request.reference,
        "weight_unit": "KG",
        "size_unit": "CM",
        "packages": parties.packages(request.parcels),
        "receiver": parties.party(request.destination, "destination", problems, phone_required=True),
        "sender": parties.party(request.origin, "origin", problems, phone_required=False),
        "declaration_info": parties.declaration(request.customs, problems),
        "sensitive_type": account.sensitive_type,
        "label_type": "PDF",
    }
    if problems:
        raise ValidationError(problems, carrier=carrier)
    numbers = parties.customs_numbers(request.customs, request.destination, account)
    if numbers:
        body["customs_number"] = numbers
    if request.references:
        body["order_numbers"] = {"reference_numbers": [ref.value for ref in request.references]}
    extras = []
    if request.insurance is not None:
        extras.append(insurance_service(request.insurance))
    if request.signature != "none":
        extras.append({"extra_code": SIGNATURE})
    if extras:
        body["extra_services"] = extras
    if account.source_code:
        body["source_code"] = account.source_code
    return json_request("POST", base_url + CREATE_PATH, body, headers={"accept-language": account.language})


@dataclass(frozen=True)
class Order:
    """A created order: the waybill (the number to track and print), YunExpress's other numbers."""

    waybill_number: str
    reference: str | None
    tracking_number: str | None = None
    data: dict[str, str] = field(default_factory=dict)


def _text(value: Any) -> str | None:
    return str(value).strip() or None if isinstance(value, str | int) and not isinstance(value, bool) else None


def order_from(result: Any, *, carrier: str, http_status: int) -> Order:
    """An :class:`Order` from a create answer's or an order look-up's ``result``."""
    if not isinstance(result, dict) or not _text(result.get("waybill_number")):
        raise MalformedResponse("answer names no waybill_number", carrier=carrier, http_status=http_status)
    data = {key: text for key in ("waybill_number", "tracking_number", "track_type", "remote_area", "product_code",
                                  "status") if (text := _text(result.get(key))) is not None}
    if isinstance(result.get("remote_area"), bool):
        data["remote_area"] = "Y" if result["remote_area"] else "N"
    return Order(waybill_number=data["waybill_number"], reference=_text(result.get("customer_order_number")),
                 tracking_number=data.get("tracking_number"), data=data)


def parse_ship(response: httpx.Response, *, carrier: str = "yunexpress") -> Order:
    body = envelope(response, carrier=carrier)
    return order_from(body.get("result"), carrier=carrier, http_status=response.status_code)


def build_label(number: str, account: YunExpressAccount, *, base_url: str) -> httpx.Request:
    return httpx.Request("GET", f"{base_url}{LABEL_PATH}?{urlencode({'order_number': number})}",
                         headers={"accept": "application/json", "accept-language": account.language})


@dataclass(frozen=True)
class LabelFile:
    """What the label answer gave: the PDF itself, or where to download it."""

    content: bytes | None
    url: str | None


def parse_label(response: httpx.Response, *, carrier: str = "yunexpress") -> LabelFile:
    body = envelope(response, carrier=carrier)
    result = body.get("result")
    if isinstance(result, list):  # several numbers asked at once answer a list: ours is the first
        result = next((item for item in result if isinstance(item, dict)), None)
    if not isinstance(result, dict):
        raise MalformedResponse("label answer has no result", carrier=carrier, http_status=response.status_code)
    encoded, url = _text(result.get("label_string")), _text(result.get("url"))
    if encoded:
        try:
            return LabelFile(base64.b64decode(encoded, validate=True), url)
        except (ValueError, binascii.Error):
            raise MalformedResponse("label_string is not base64", carrier=carrier,
                                    http_status=response.status_code) from None
    if url:
        return LabelFile(None, url)
    raise MalformedResponse("label answer holds neither label_string nor url", carrier=carrier,
                            http_status=response.status_code)


def build_download(url: str, *, base_url: str, carrier: str = "yunexpress") -> httpx.Request:
    """The GET of a label file, refused unless it is on YunExpress's own hosts or the API host."""
    target, api = httpx.URL(url), httpx.URL(base_url)
    host = target.host.lower()
    ours = any(host == domain or host.endswith("." + domain) for domain in LABEL_DOMAINS)
    same = (target.scheme, target.host, target.port) == (api.scheme, api.host, api.port)
    if not (same or (ours and target.scheme == "https")):
        raise MalformedResponse(f"label URL on an unexpected host ({host or 'none'})", carrier=carrier,
                                code="label_url")
    return httpx.Request("GET", target, headers={"accept": "application/pdf"})


def parse_download(response: httpx.Response, *, carrier: str = "yunexpress") -> bytes:
    if response.status_code >= 400 or not response.content.startswith(b"%PDF"):
        raise MalformedResponse(f"label download is not a PDF (HTTP {response.status_code})", carrier=carrier,
                                http_status=response.status_code, code="label_download")
    return response.content


def label_from(order: Order, content: bytes, *, carrier: str) -> Label:
    numbers = [order.waybill_number] + ([order.tracking_number] if order.tracking_number and
                                        order.tracking_number != order.waybill_number else [])
    return Label(carrier=carrier, tracking_number=order.waybill_number, tracking_numbers=numbers, label=content,
                 label_format="PDF", reference=order.reference, carrier_data=dict(order.data))
