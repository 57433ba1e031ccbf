"""Orders: create (EXP_RECE_CREATE_ORDER, which also books the courier), look up
(EXP_RECE_SEARCH_ORDER_RESP) and cancel (EXP_RECE_UPDATE_ORDER with dealType 2).

Build functions return ``msgData`` documents (pure, no I/O); parse functions read SF's answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx

from carriergate.carriers.sf_express.account import SFExpressAccount
from carriergate.carriers.sf_express.address import RECEIVER, SENDER, china_time, contact, problems
from carriergate.carriers.sf_express.errors import business_result, payload
from carriergate.carriers.sf_express.services import is_service_code
from carriergate.core.errors import CarrierError, FieldError, MalformedResponse, ValidationError
from carriergate.core.shipment import ShipRequest
from carriergate.protocols.http import json_number as number

CREATE_ORDER = "EXP_RECE_CREATE_ORDER"
SEARCH_ORDER = "EXP_RECE_SEARCH_ORDER_RESP"
UPDATE_ORDER = "EXP_RECE_UPDATE_ORDER"
CANCEL = 2  # dealType: 1 confirm, 2 cancel
PAY_BY_SENDER = 1
INSURE = "INSURE"
#: filterResult: 1 manual review, 2 serviceable, 3 not serviceable.
NOT_SERVICEABLE = "3"


@dataclass(frozen=True)
class Order:
    """SF's answer to an order create or query: the waybill numbers, master first."""

    order_id: str
    waybills: list[str] = field(default_factory=list)
    filter_result: str | None = None

    @property
    def master(self) -> str:
        return self.waybills[0]


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
    customs = request.customs
    if customs is None or not request.international:
        return {}
    info: dict[str, Any] = {"taxPayMethod": 1 if customs.incoterm == "DDP" else 2}
    declared = customs.total_value
    if declared is not None:
        info.update(declaredValue=number(declared.amount), declaredValueCurrency=declared.currency)
    return info


def validate_ship(request: ShipRequest) -> list[FieldError]:
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
    return found


def build_create_order(request: ShipRequest, account: SFExpressAccount) -> dict[str, Any]:
    """``msgData`` of EXP_RECE_CREATE_ORDER. Raises ValidationError before anything is sent."""
    found = validate_ship(request)
    if found:
        raise ValidationError(found)
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
    if account.monthly_card:
        msg["monthlyCard"] = account.monthly_card
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


def build_search_order(order_id: str, account: SFExpressAccount) -> dict[str, Any]:
    """``msgData`` of EXP_RECE_SEARCH_ORDER_RESP (searchType 1: a forward order by our orderId)."""
    return {"searchType": "1", "orderId": order_id, "language": account.language}


def build_cancel_order(order_id: str) -> dict[str, Any]:
    """``msgData`` of EXP_RECE_UPDATE_ORDER cancelling an order."""
    return {"dealType": CANCEL, "orderId": order_id}


def parse_order(response: httpx.Response, *, carrier: str) -> Order:
    """A create-order or order-query answer as an :class:`Order` with at least one waybill."""
    data = payload(business_result(response, carrier=carrier), response, carrier=carrier)
    infos = data.get("waybillNoInfoList") or []
    if not isinstance(infos, list):
        raise MalformedResponse("SF waybillNoInfoList is not a list", carrier=carrier, code="malformed")
    entries = [i for i in infos if isinstance(i, dict) and i.get("waybillNo")]
    entries.sort(key=lambda i: str(i.get("waybillType", "1")) != "1")  # master (type 1) first
    filter_result = str(data["filterResult"]) if data.get("filterResult") is not None else None
    if not entries:
        if filter_result == NOT_SERVICEABLE:
            raise CarrierError(str(data.get("remark") or "SF cannot serve these addresses (filterResult 3)"),
                               carrier=carrier, code="filter_3")
        raise MalformedResponse("SF order answer has no waybill number", carrier=carrier, code="malformed")
    return Order(order_id=str(data.get("orderId") or ""), waybills=[str(i["waybillNo"]) for i in entries],
                 filter_result=filter_result)


def parse_cancel(response: httpx.Response, *, carrier: str) -> None:
    """A cancel answer: ``resStatus`` 2 is done; 1 means the order and waybill did not match."""
    data = payload(business_result(response, carrier=carrier), response, carrier=carrier)
    status = data.get("resStatus")
    if status is not None and str(status) != "2":
        raise CarrierError(f"SF did not cancel the order (resStatus {status})", carrier=carrier,
                           code=f"resStatus_{status}")
