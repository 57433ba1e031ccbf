"""Tracking subscriptions: ``POST /v1/track-service/subscribe-by-order`` (按运单号订阅轨迹) with
``waybill_numbers`` (at most 50), ``subscribe_type`` and optionally ``query_type``.

YunExpress takes no callback URL with a subscription: it pushes every subscribed parcel to the one
URL registered for the application on its open platform. So a subscription is only made for the URL
the account says is registered there (``push_url``); any other URL is refused before sending, rather
than subscribed to somewhere the caller did not ask for. The pushes (``{"data_code": "tisPushData",
"data": {...}}``) are not read by this adapter: how YunExpress signs them could not be confirmed, and
an unverifiable push is not accepted (see docs: PushReceiver). Unconfirmed as well: the meaning of the
subscribe types (A, F, L, N, EL, ANC); ``L`` is the one public examples use, and the account chooses.
The SDK whose paths these are also documents ``/v1/track-service/subscription/waybill/add``; the
path below is the one its code calls, isolated in :data:`SUBSCRIBE_PATH`.
"""

from __future__ import annotations

from typing import Any

import httpx

from carriergate.carriers.yunexpress.account import YunExpressAccount
from carriergate.carriers.yunexpress.errors import envelope
from carriergate.core.errors import FieldError, ValidationError
from carriergate.core.subscriptions import Subscription
from carriergate.protocols.http import json_request

SUBSCRIBE_PATH = "/v1/track-service/subscribe-by-order"


def build_subscribe(number: str, callback_url: str, account: YunExpressAccount, *, base_url: str,
                    carrier: str = "yunexpress") -> httpx.Request:
    if account.push_url is None:
        raise ValidationError(FieldError("push_url", "set the account's push_url: the callback URL registered "
                                                     "for the application on YunExpress's open platform"),
                              carrier=carrier)
    if callback_url.rstrip("/") != account.push_url.rstrip("/"):
        raise ValidationError(FieldError("callback_url", "YunExpress pushes only to the URL registered on its "
                                                         f"open platform ({account.push_url})"), carrier=carrier)
    body: dict[str, Any] = {"waybill_numbers": [number], "subscribe_type": account.subscribe_type}
    return json_request("POST", base_url + SUBSCRIBE_PATH, body, headers={"accept-language": account.language})


def parse_subscribe(response: httpx.Response, *, number: str, url: str, carrier: str = "yunexpress") -> Subscription:
    body = envelope(response, carrier=carrier)
    message = body.get("msg")
    return Subscription(carrier=carrier, tracking_number=number, callback_url=url,
                        message=message if isinstance(message, str) else "")
