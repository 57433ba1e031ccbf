"""Electronic waybill (电子面单下单, label/order method ``order``) and the label image it links to.

Request (api.kuaidi100.com/document/dianzimiandanV2; the official SDK's ``OrderReq``): ``param``
``{"printType": "IMAGE", "kuaidicom", "partnerId", "partnerKey", "partnerSecret", "partnerName",
"net", "code", "checkMan" (the courier's waybill account, as configured), "recMan", "sendMan"
({"name", "mobile" or "tel", "printAddr", "company"?}), "cargo", "count", "weight" (kg), "expType",
"orderId" (our reference), "valinsPay" (insured value, CNY), "payType", "tempId"}``. ``IMAGE``
makes Kuaidi100 render the label and answer a short link to the image (图片短链); the other print
types print on Kuaidi100's cloud printers or give HTML, which carriergate does not use.

Answer: ``data`` ``{"kuaidinum", "childNum" (more numbers, comma-separated), "returnNum", "label"
(the short link), "taskId", "kdComOrderNum" (the courier's order number, which a cancel needs)}``.
The label is then fetched from the link (a read): an absolute https link as given, or one on the
account's own ``base_url`` host (a proxy, the sandbox; a relative link is resolved against it).
``ShipRequest.service`` is a courier code, or a quote's ``company:业务类型`` service code.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from carriergate.carriers.kuaidi100.account import Kuaidi100Account
from carriergate.carriers.kuaidi100.companies import checked_company
from carriergate.carriers.kuaidi100.labelapi import label_data, label_request
from carriergate.carriers.kuaidi100.parties import kilograms, man, problems
from carriergate.core.errors import FieldError, MalformedResponse, ValidationError
from carriergate.core.shipment import LabelFormat, ShipRequest
from carriergate.protocols.json_reading import text

PRINT_TYPE = "IMAGE"
PAY_TYPES = {"sender": "SHIPPER", "recipient": "CONSIGNEE", "third_party": "THIRDPARTY"}
#: How a label image's bytes begin, by the format carriergate names it.
MAGIC: list[tuple[bytes, LabelFormat]] = [(b"\x89PNG", "PNG"), (b"GIF8", "GIF"), (b"%PDF", "PDF")]


@dataclass(frozen=True)
class Waybill:
    """What the order answer says: the number, more numbers, the label link and the order ids."""

    tracking_number: str
    more_numbers: list[str]
    label_url: str | None
    task_id: str | None
    courier_order: str | None


def service_of(service: str, account: Kuaidi100Account) -> tuple[str, str]:
    """(courier code, 业务类型) of ``ShipRequest.service``: ``yuantong`` or ``yuantong:标准快递``."""
    company, _, kind = service.partition(":")
    return checked_company(company, field="service"), kind.strip() or account.service_type


def partner_fields(account: Kuaidi100Account, company: str) -> dict[str, str]:
    waybill = account.waybill(company)
    pairs = [("partnerId", waybill.partner_id),
             ("partnerKey", waybill.partner_key.get_secret_value() if waybill.partner_key else None),
             ("partnerSecret", waybill.partner_secret.get_secret_value() if waybill.partner_secret else None),
             ("partnerName", waybill.partner_name), ("net", waybill.net), ("code", waybill.code),
             ("checkMan", waybill.check_man)]
    return {k: v for k, v in pairs if v}


def build_ship(request: ShipRequest, account: Kuaidi100Account, *, base_url: str, carrier: str) -> httpx.Request:
    """The (unsigned) order of a label for ``request``; bad input refused before sending, naming it."""
    found = [*problems(request.origin, "origin"), *problems(request.destination, "destination")]
    if request.label_format != "PNG":
        found.append(FieldError("label_format", "Kuaidi100 renders its labels as images: ask for PNG"))
    if request.insurance is not None and request.insurance.currency != "CNY":
        found.append(FieldError("insurance.currency", "Kuaidi100 insures in CNY"))
    if request.return_shipment:
        found.append(FieldError("return_shipment", "Kuaidi100 makes no return labels here"))
    if request.pickup is not None:
        found.append(FieldError("pickup", "Kuaidi100 labels book no courier: use schedule_pickup (商家寄件)"))
    if found:
        raise ValidationError(found, carrier=carrier)
    company, kind = service_of(request.service, account)
    param: dict[str, Any] = {"printType": PRINT_TYPE, "kuaidicom": company, **partner_fields(account, company),
                             "recMan": man(request.destination), "sendMan": man(request.origin)}
    cargo = request.description or (request.customs.items[0].description if request.customs and
                                    request.customs.items else None)
    if cargo:
        param["cargo"] = cargo
    param.update({"count": len(request.parcels), "weight": kilograms(request.parcels), "expType": kind,
                  "orderId": request.reference})
    if request.insurance is not None:
        param["valinsPay"] = f"{request.insurance.amount.quantize(Decimal('0.01')):f}"
    if request.billing is not None:
        param["payType"] = PAY_TYPES[request.billing.party]
    temp_id = account.waybill(company).temp_id or account.temp_id
    if temp_id:
        param["tempId"] = temp_id
    return label_request(base_url, "order", param)


def parse_ship(response: httpx.Response, *, carrier: str) -> Waybill:
    data = label_data(response, carrier=carrier)
    number = text(data.get("kuaidinum"))
    if not number:
        raise MalformedResponse("Kuaidi100 order answer has no data.kuaidinum", carrier=carrier)
    more = [n.strip() for n in (text(data.get("childNum")) or "").split(",") if n.strip()]
    return Waybill(tracking_number=number, more_numbers=more, label_url=text(data.get("label")),
                   task_id=text(data.get("taskId")), courier_order=text(data.get("kdComOrderNum")))


def label_link(link: str, *, base_url: str, carrier: str) -> str:
    """The URL to fetch a label from: https anywhere, or anything on the account's own host."""
    resolved = urljoin(base_url.rstrip("/") + "/", link.strip())
    own, target = urlsplit(base_url), urlsplit(resolved)
    if target.scheme == "https" or (target.scheme, target.netloc) == (own.scheme, own.netloc):
        return resolved
    raise MalformedResponse("Kuaidi100 label link is neither https nor on the account's host", carrier=carrier)


def build_label_image(link: str, *, base_url: str, carrier: str) -> httpx.Request:
    return httpx.Request("GET", label_link(link, base_url=base_url, carrier=carrier),
                         headers={"accept": "image/png, image/*, application/pdf"})


def parse_label_image(response: httpx.Response, *, carrier: str) -> tuple[bytes, LabelFormat]:
    """The image's bytes and format, told by its first bytes (its content type is not trusted)."""
    if response.status_code >= 400:
        raise MalformedResponse(f"Kuaidi100 label link answered HTTP {response.status_code}", carrier=carrier,
                                http_status=response.status_code)
    content = response.content
    for magic, kind in MAGIC:
        if content.startswith(magic):
            return content, kind
    raise MalformedResponse("Kuaidi100 label link gave no PNG, GIF or PDF image", carrier=carrier)
