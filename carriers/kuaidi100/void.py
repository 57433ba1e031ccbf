"""Cancelling an electronic waybill (电子面单取消, label/order method ``cancel``), for a label not yet
handed to the courier.

Request (api.kuaidi100.com/document/dianzimiandanquxiao): ``param`` ``{"kuaidicom", "kuaidinum",
"orderId" (the courier's order number ``kdComOrderNum``, required when the order answered one), the
waybill account's ``partnerId``/``partnerKey``/... (required when the order sent them), "reason"}``.
Answer: the label/order envelope; ``data`` may be absent.
"""

from __future__ import annotations

import httpx

from carriergate.carriers.kuaidi100.account import Kuaidi100Account
from carriergate.carriers.kuaidi100.companies import checked_company
from carriergate.carriers.kuaidi100.labelapi import label_data, label_request
from carriergate.carriers.kuaidi100.ship import partner_fields
from carriergate.core.errors import FieldError, ValidationError
from carriergate.core.results import Label

REASON = "暂时不寄了"


def build_void(label: Label, account: Kuaidi100Account, *, base_url: str, carrier: str) -> httpx.Request:
    company = label.carrier_data.get("company")
    if not company:
        raise ValidationError(FieldError("carrier_data.company", "the label's courier code is needed to cancel it"),
                              carrier=carrier)
    code = checked_company(company, field="carrier_data.company")
    param = {**partner_fields(account, code), "kuaidicom": code, "kuaidinum": label.tracking_number}
    if label.carrier_data.get("courier_order"):
        param["orderId"] = label.carrier_data["courier_order"]
    param["reason"] = REASON
    return label_request(base_url, "cancel", param)


def parse_void(response: httpx.Response, *, carrier: str) -> None:
    label_data(response, carrier=carrier, required=False)
