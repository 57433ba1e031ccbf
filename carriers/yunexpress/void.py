"""Voiding a label: cancel the order (``POST /v1/order/cancel`` with its ``waybill_number``, 撤销运单).

YunExpress cancels only orders its warehouse has not received yet; later it refuses, with its own
code and message. Cancelling twice is harmless (the second is refused, nothing more is cancelled).
"""

from __future__ import annotations

import httpx

from carriergate.carriers.yunexpress.account import YunExpressAccount
from carriergate.carriers.yunexpress.errors import envelope
from carriergate.core.contract import tracking_number
from carriergate.core.results import Label
from carriergate.protocols.http import json_request

CANCEL_PATH = "/v1/order/cancel"


def build_void(label: Label, account: YunExpressAccount, *, base_url: str) -> httpx.Request:
    number = tracking_number(label.tracking_number)
    return json_request("POST", base_url + CANCEL_PATH, {"waybill_number": number},
                        headers={"accept-language": account.language})


def parse_void(response: httpx.Response, *, carrier: str = "yunexpress") -> None:
    envelope(response, carrier=carrier)
