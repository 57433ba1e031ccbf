"""Shipping: create the order (EXP_RECE_CREATE_ORDER, which also books the courier), look it up
(EXP_RECE_SEARCH_ORDER_RESP) and fetch its label (COM_RECE_CLOUD_PRINT_WAYBILLS).

The look-up serves the ship flow alone: SF refuses a repeated ``orderId`` (business code 8016,
:class:`DuplicateOrder`), and a create whose outcome is unknown may have made the order, so in both
cases the flow asks for the order by our reference instead of creating it again. It answers in the
create's own shape, so both are read by one parser.

A return label (``ShipRequest(return_shipment=True)``) is an ordinary create order whose sender is the
customer (the request's origin) and whose receiver is the shop, billed to the shop's monthly card
(``payMethod`` 1 with ``monthlyCard``): the freight of an order placed through the shop's API account
is settled on the card it names, whoever hands the parcel over. SF also documents a dedicated reverse
order (EXP_RECE_CREATE_REVERSE_ORDER), which needs a per-customer ``bizTemplateCode`` that SF issues on
request and whose answer no source available to us describes; it is not used. Judgement call: move to
it once its answer format is confirmed.

Labels come from cloud print 2.0 in synchronous mode, as ``obj.files[]``. A file that carries its
PDF as base64 ``content`` is decoded here. A file that carries only a download ``url`` (with a
``token``) would need a second, authenticated download from SF's file host; this adapter does not
perform it and raises a clear :class:`NotSupported` naming the waybill, so the caller can print
through SF's own tools. (Follow-up: yield the download as one more Call.)
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from carriergate.carriers.sf_express.account import SFExpressAccount
from carriergate.carriers.sf_express.address import RECEIVER, SENDER, china_time, contact, problems
from carriergate.carriers.sf_express.envelope import service_request
from carriergate.carriers.sf_express.errors import business_result, payload
from carriergate.carriers.sf_express.services import is_service_code
from carriergate.core.errors import CarrierError, FieldError, MalformedResponse, NotSupported, ValidationError
from carriergate.core.notices import Notice
from carriergate.core.results import Label
from carriergate.core.shipment import ShipRequest
from carriergate.protocols.http import json_number as number

CREATE_ORDER = "EXP_RECE_CREATE_ORDER"
SEARCH_ORDER = "EXP_RECE_SEARCH_ORDER_RESP"
CLOUD_PRINT = "COM_RECE_CLOUD_PRINT_WAYBILLS"
PAY_BY_SENDER, PAY_BY_RECIPIENT, PAY_BY_THIRD_PARTY = 1, 2, 3
TAX_BY_SENDER, TAX_BY_RECIPIENT = 1, 2
#: Our reference kinds SF's create order has a field for: ``custReferenceNo`` (客户参考编码, "such as
#: the customer's original order number"). The others (purchase order, RMA, department, invoice,
#: customer) have none and are refused before sending rather than dropped.
REFERENCE_FIELDS = {"order": "custReferenceNo"}
INSURE = "INSURE"
#: filterResult: 1 manual review, 2 serviceable, 3 not serviceable.
MANUAL_REVIEW, NOT_SERVICEABLE = "1", "3"


@dataclass(frozen=True)
class Order:
    """SF's answer to an order create or look-up: the waybill numbers, master first."""

    order_id: str
    waybills: list[str] = field(default_factory=list)
    filter_result: str | None = None
    #: SF's ``remark``: why it cannot serve (filterResult 3) or a peak-season notice (高峰管控提示信息).
    remark: str | None = None

    @property
    def master(self) -> str:
        return self.waybills[0]

    @property
    def warnings(self) -> list[Notice]:
        """What SF said beside a successful order: manual review (filterResult 1) and its remark."""
        found = []
        if self.filter_result == MANUAL_REVIEW:
            found.append(Notice(message="SF routes this order to manual review (filterResult 1) before it is "
                                "confirmed", code="filter_1"))
        if self.remark:
            found.append(Notice(message=self.remark, code="remark"))
        return found


# -- create order -----------------------------------------------------------------------------------
def _weight_kg(value: Decimal) -> int | float:
    return number(value.quantize(Decimal("0.001")))


def _cargo(request: ShipRequest) -> list[dict[str, Any]]:
    customs = request.customs
    if customs is not None and customs.items:
        unit = "件" if not request.international else "piece"
        lines = []
        for item in customs.items:
            line: dict[str, Any] = {
                "name": item.description, "count": item.quantity, "unit": unit,
                "weight": _weight_kg(item.unit_weight.kg), "amount": number(item.unit_value.amount),
                "currency": item.unit_value.currency, "sourceArea": item.origin_country,
            }
            if request.international:
                line["hsCode"] = item.hs_code
            lines.append(line)
        return lines
    line = {"name": request.description or "商品", "count": 1, "unit": "件",
            "weight": _weight_kg(request.total_weight.kg)}
    if request.insurance is not None:
        line.update(amount=number(request.insurance.amount), currency=request.insurance.currency)
    return [line]


def _customs_info(request: ShipRequest) -> dict[str, Any]:
    """``customsInfo``: who pays duties (``taxPayMethod`` 1 寄付 sender, 2 到付 recipient, with the
    recipient's account as ``taxSettleAccounts`` where given) and the declared value."""
    customs = request.customs
    if customs is None or not request.international:
        return {}
    duty_payer = customs.duties_paid_by
    info: dict[str, Any] = {"taxPayMethod": TAX_BY_SENDER if duty_payer.party == "sender" else TAX_BY_RECIPIENT}
    if duty_payer.party == "recipient" and duty_payer.account_number:
        info["taxSettleAccounts"] = duty_payer.account_number
    declared = customs.total_value
    if declared is not None:
        info.update(declaredValue=number(declared.amount), declaredValueCurrency=declared.currency)
    return info


def validate_ship(request: ShipRequest, account: SFExpressAccount) -> list[FieldError]:
    """What SF refuses, or this adapter cannot send, found before anything is sent."""
    found = problems(request.origin, "origin") + problems(request.destination, "destination")
    if not is_service_code(request.service):
        found.append(FieldError("service", f"{request.service!r} is not an SF product code (expressTypeId)"))
    if request.label_format != "PDF":
        found.append(FieldError("label_format", "SF cloud print delivers PDF labels only"))
    if request.insurance is not None and request.insurance.currency != "CNY":
        found.append(FieldError("insurance.currency", "SF insures (INSURE) in CNY"))
    if request.signature != "none":
        found.append(FieldError("signature", "signature options are not offered through this SF adapter"))
    if request.documents:
        found.append(FieldError("documents", "SF Express paperless trade documents are not supported"))
    for i, ref in enumerate(request.references):
        if ref.kind not in REFERENCE_FIELDS:
            found.append(FieldError(f"references[{i}].kind", f"SF's create order has no field for a {ref.kind!r} "
                                    f"reference (only {', '.join(sorted(REFERENCE_FIELDS))})"))
    if request.return_shipment and request.billing is None and not account.monthly_card:
        found.append(FieldError("billing", "an SF return is billed to the shop's monthly card: set monthly_card "
                                "(月结卡号) on the account, or name the payer in billing"))
    customs = request.customs
    if request.international and customs is not None and customs.duties_paid_by.party == "third_party":
        found.append(FieldError("customs.duty_payer", "SF's taxPayMethod knows only the sender (1) and the "
                                "recipient (2) as duty payers"))
    return found


def _payment(request: ShipRequest, account: SFExpressAccount) -> dict[str, Any]:
    """``payMethod`` (1 寄方付 sender, 2 收方付 recipient, 3 第三方付 third party) and the monthly card
    billed: ours when we pay, the third party's when it pays. SF's create order has no field for a
    recipient's card, so a recipient pays at delivery and no card is sent."""
    payer = request.billing
    if payer is None or payer.party == "sender":
        return {"payMethod": PAY_BY_SENDER, **({"monthlyCard": account.monthly_card} if account.monthly_card else {})}
    if payer.party == "recipient":
        return {"payMethod": PAY_BY_RECIPIENT}
    return {"payMethod": PAY_BY_THIRD_PARTY, "monthlyCard": payer.account_number}


def _create_msg(request: ShipRequest, account: SFExpressAccount) -> dict[str, Any]:
    """``msgData`` of EXP_RECE_CREATE_ORDER; ``orderId`` is our reference, which makes a repeat harmless."""
    msg: dict[str, Any] = {
        "language": account.language,
        "orderId": request.reference,
        "contactInfoList": [contact(request.origin, SENDER), contact(request.destination, RECEIVER)],
        "cargoDetails": _cargo(request),
        "expressTypeId": int(request.service),
        "payMethod": PAY_BY_SENDER,
        "parcelQty": len(request.parcels),
        "totalWeight": _weight_kg(request.total_weight.kg),
        "isReturnRoutelabel": 0,
    }
    msg.update(_payment(request, account))
    for kind, value in request.reference_of.items():
        msg[REFERENCE_FIELDS[kind]] = value
    if request.insurance is not None:
        msg["serviceList"] = [{"name": INSURE, "value": f"{request.insurance.rounded().amount:f}"}]
    if request.international:
        msg["customsInfo"] = _customs_info(request)
    if request.pickup is not None:
        msg["isDocall"] = 1
        msg["sendStartTm"] = china_time(request.pickup.start)
    if request.description:
        msg["remark"] = request.description
    return msg


def build_ship(request: ShipRequest, account: SFExpressAccount, *, base_url: str, carrier: str) -> httpx.Request:
    """The create-order request. Raises ValidationError, naming the field, before anything is sent."""
    found = validate_ship(request, account)
    if found:
        raise ValidationError(found, carrier=carrier)
    return service_request(base_url, account.partner_id, CREATE_ORDER, _create_msg(request, account))


def order_of(data: dict[str, Any], *, carrier: str) -> Order:
    """The order in a create or look-up ``msgData``, its waybills master first (possibly none)."""
    infos = data.get("waybillNoInfoList") or []
    if not isinstance(infos, list):
        raise MalformedResponse("SF waybillNoInfoList is not a list", carrier=carrier)
    entries = [i for i in infos if isinstance(i, dict) and i.get("waybillNo")]
    entries.sort(key=lambda i: str(i.get("waybillType", "1")) != "1")  # master (type 1) first
    filter_result = str(data["filterResult"]) if data.get("filterResult") is not None else None
    remark = str(data.get("remark") or "").strip() or None
    return Order(order_id=str(data.get("orderId") or ""), waybills=[str(i["waybillNo"]) for i in entries],
                 filter_result=filter_result, remark=remark)


def parse_ship(response: httpx.Response, *, carrier: str) -> Order:
    """A create-order (or look-up) answer as an :class:`Order` with at least one waybill."""
    data = payload(business_result(response, carrier=carrier), response, carrier=carrier)
    order = order_of(data, carrier=carrier)
    if not order.waybills:
        if order.filter_result == NOT_SERVICEABLE:
            raise CarrierError(order.remark or "SF cannot serve these addresses (filterResult 3)",
                               carrier=carrier, code="filter_3")
        raise MalformedResponse("SF order answer has no waybill number", carrier=carrier)
    return order


# -- order look-up ----------------------------------------------------------------------------------
def build_lookup(order_id: str, account: SFExpressAccount, *, base_url: str) -> httpx.Request:
    """EXP_RECE_SEARCH_ORDER_RESP, searchType 1: a forward order by our orderId."""
    msg = {"searchType": "1", "orderId": order_id, "language": account.language}
    return service_request(base_url, account.partner_id, SEARCH_ORDER, msg)


#: The look-up answers exactly as the create does (``waybillNoInfoList``, ``filterResult``).
parse_lookup = parse_ship


# -- label ------------------------------------------------------------------------------------------
def build_label(waybill: str, account: SFExpressAccount, *, base_url: str) -> httpx.Request:
    """The cloud-print request for the master waybill's PDF, with the account's template."""
    msg = {"templateCode": account.template_code, "version": "2.0", "fileType": "pdf", "sync": True,
           "documents": [{"masterWaybillNo": waybill}]}
    return service_request(base_url, account.partner_id, CLOUD_PRINT, msg)


def _pdf(response: httpx.Response, *, carrier: str) -> bytes:
    """The first file's PDF bytes."""
    obj = payload(business_result(response, carrier=carrier), response, carrier=carrier, key="obj")
    files = obj.get("files")
    if not isinstance(files, list) or not files or not isinstance(files[0], dict):
        raise MalformedResponse("SF cloud print answer has no files", carrier=carrier)
    first = files[0]
    content = first.get("content")
    if isinstance(content, str) and content:
        try:
            pdf = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedResponse("SF label content is not base64", carrier=carrier) from None
        if not pdf.startswith(b"%PDF"):
            raise MalformedResponse("SF label content is not a PDF", carrier=carrier)
        return pdf
    if first.get("url"):
        raise NotSupported(f"SF returned the label of {first.get('waybillNo') or 'the waybill'} only as a download "
                           "URL; carriergate reads base64 label content only", carrier=carrier,
                           code="label_url_only")
    raise MalformedResponse("SF cloud print file has neither content nor url", carrier=carrier)


def parse_label(response: httpx.Response, *, carrier: str, order: Order, reference: str,
                is_return: bool = False) -> Label:
    """The finished label: the cloud-print PDF of ``order``, which the answer itself does not name.
    ``carrier_data.order_id`` is what a void cancels by."""
    pdf = _pdf(response, carrier=carrier)
    return Label(carrier=carrier, tracking_number=order.master, tracking_numbers=order.waybills,
                 label=pdf, label_format="PDF", reference=reference,
                 carrier_data={"order_id": order.order_id or reference}, warnings=order.warnings,
                 is_return=is_return)
