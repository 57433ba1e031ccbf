"""Courier pickup through merchant shipping (商家寄件, ``POST order/borderapi.do``): ``bOrder`` books
a courier of ``kuaidicom`` to collect at the sender's address, ``cancel`` cancels the booking.

bOrder (apifox 商家寄件下单接口, project 514987; python demo ``border_create``): ``param``
``{"kuaidicom", "recManName", "recManMobile", "recManPrintAddr", "sendManName", "sendManMobile",
"sendManPrintAddr", "callBackUrl" (required), "cargo" (required for jd and yuantong), "payment":
"SHIPPER", "serviceType", "weight" (kg), "remark", "dayType" (今天/明天/后天), "pickupStartTime",
"pickupEndTime" (HH:mm; required for SF)}``. The window is China time, so a PickupRequest's window
is turned into those three fields and refused (naming ``window.start``) when it starts before today,
after 后天 (the day after tomorrow), or ends on another day. Answer: ``data`` ``{"taskId", "orderId",
"kuaidinum"}``; the Pickup's confirmation is the ``orderId``, the ``taskId`` kept beside it.

cancel (商家寄件下单取消接口): ``param`` ``{"taskId", "orderId", "cancelMsg"}``, answered
``{"result": true, "returnCode": "200", "data": {}}``.
"""

from __future__ import annotations

from datetime import datetime

import httpx

from carriergate.carriers.kuaidi100.account import Kuaidi100Account
from carriergate.carriers.kuaidi100.companies import checked_company
from carriergate.carriers.kuaidi100.envelope import CHINA, dumps, form_request
from carriergate.carriers.kuaidi100.errors import BORDER_CANCEL_ERRORS, BORDER_ERRORS, body_of, refusal
from carriergate.carriers.kuaidi100.parties import flat, phone_fields, problems
from carriergate.carriers.kuaidi100.price import BORDER_PATH
from carriergate.core.errors import ConfigurationError, FieldError, MalformedResponse, ValidationError
from carriergate.core.results import Pickup
from carriergate.core.shipment import PickupRequest
from carriergate.protocols.json_reading import obj, text

DAY_TYPES = ("今天", "明天", "后天")
NEEDS_CARGO = frozenset({"jd", "yuantong"})
CANCEL_MESSAGE = "暂时不寄件了"


def day_fields(request: PickupRequest, now: datetime, *, carrier: str) -> dict[str, str]:
    """``dayType``, ``pickupStartTime`` and ``pickupEndTime`` of the window, in China time."""
    start, end = request.window.start.astimezone(CHINA), request.window.end.astimezone(CHINA)
    offset = (start.date() - now.astimezone(CHINA).date()).days
    if not 0 <= offset < len(DAY_TYPES):
        raise ValidationError(FieldError("window.start", "Kuaidi100 books pickups for today, tomorrow or the day "
                                                         "after (China time)"), carrier=carrier)
    if end.date() != start.date():
        raise ValidationError(FieldError("window.end", "the window must end on the day it starts (China time)"),
                              carrier=carrier)
    return {"dayType": DAY_TYPES[offset], "pickupStartTime": start.strftime("%H:%M"),
            "pickupEndTime": end.strftime("%H:%M")}


def build_pickup(request: PickupRequest, account: Kuaidi100Account, *, base_url: str, now: datetime,
                 carrier: str) -> httpx.Request:
    """The (unsigned) booking; refused before sending when the account or the request lacks what
    Kuaidi100 requires."""
    company = account.pickup_company or account.company
    missing = [name for name, value in (("pickup_company", company), ("pickup_to_name", account.pickup_to_name),
                                        ("pickup_to_phone", account.pickup_to_phone),
                                        ("pickup_to_address", account.pickup_to_address),
                                        ("order_callback_url", account.order_callback_url)) if not value]
    if company in NEEDS_CARGO and not account.pickup_cargo:
        missing.append("pickup_cargo")
    if missing:
        raise ConfigurationError(f"Kuaidi100 pickups need the account's {', '.join(missing)}", carrier=carrier)
    found = problems(request.address, "address")
    if found:
        raise ValidationError(found, carrier=carrier)
    code = checked_company(company or "", field="pickup_company")
    phone = phone_fields(account.pickup_to_phone or "")
    param = {"kuaidicom": code, "recManName": account.pickup_to_name or "",
             "recManMobile": phone.get("mobile") or phone["tel"], "recManPrintAddr": account.pickup_to_address or "",
             **flat(request.address, "sendMan"), "callBackUrl": account.order_callback_url or ""}
    if account.pickup_cargo:
        param["cargo"] = account.pickup_cargo
    param.update({"payment": "SHIPPER", "serviceType": account.service_type,
                  "weight": f"{request.total_weight.kg.normalize():f}"})
    remark = "; ".join(p for p in (request.instructions, f"{request.parcel_count} parcel(s)",
                                   f"ref {request.reference}") if p)
    param["remark"] = remark[:100]
    param.update(day_fields(request, now, carrier=carrier))
    return form_request(base_url + BORDER_PATH, [("method", "bOrder"), ("param", dumps(param))])


def parse_pickup(response: httpx.Response, *, request: PickupRequest, carrier: str) -> Pickup:
    body = body_of(response, carrier=carrier)
    error = refusal(body, BORDER_ERRORS, carrier=carrier, http_status=response.status_code)
    if error is not None:
        raise error
    data = obj(body.get("data")) if isinstance(body, dict) else {}
    order_id, task_id = text(data.get("orderId")), text(data.get("taskId"))
    if not order_id or not task_id:
        raise MalformedResponse("Kuaidi100 bOrder answer has no data.orderId or data.taskId", carrier=carrier)
    extra = {"task_id": task_id, "reference": request.reference}
    number = text(data.get("kuaidinum"))
    if number:
        extra["tracking_number"] = number
    return Pickup(carrier=carrier, confirmation_number=order_id, ready_at=request.window.start,
                  close_at=request.window.end, carrier_data=extra)


def build_cancel_pickup(pickup: Pickup, *, base_url: str, carrier: str) -> httpx.Request:
    task_id = pickup.carrier_data.get("task_id")
    if not task_id:
        raise ValidationError(FieldError("carrier_data.task_id", "Kuaidi100 cancels a pickup by its taskId"),
                              carrier=carrier)
    param = {"taskId": task_id, "orderId": pickup.confirmation_number, "cancelMsg": CANCEL_MESSAGE}
    return form_request(base_url + BORDER_PATH, [("method", "cancel"), ("param", dumps(param))])


def parse_cancel_pickup(response: httpx.Response, *, carrier: str) -> None:
    body = body_of(response, carrier=carrier)
    error = refusal(body, BORDER_CANCEL_ERRORS, carrier=carrier, http_status=response.status_code)
    if error is not None:
        raise error
    if not isinstance(body, dict) or body.get("result") is not True:
        raise MalformedResponse("Kuaidi100 cancel answer has no result", carrier=carrier)
