"""Kuaidi100's error answers as typed errors.

A refused call answers HTTP 200 with ``{"result": false, "returnCode": "...", "message": "..."}``; a
successful query has no ``returnCode`` (or ``result`` true). Codes differ by interface:

- real-time query (``poll/query.do``): 400 incomplete data or unknown courier, 408 the phone number
  did not match, 500 no result yet (查询无结果: NotFound), 501 server error and 502 server busy
  (CarrierUnavailable, retried), 503 signature check failed and 601 key expired or out of credit
  (AuthenticationError). This table could not be re-checked against an official excerpt (the
  searchable copies of the query document stop before it); the phone mismatch is documented as
  "快递公司参数异常：验证码错误" (api.kuaidi100.com/document/cha-xun-bao-cuo1), its code unconfirmed.
- subscription (``poll``; unconfirmed in the same way): 200 accepted, 501 already subscribed (not an
  error: ``Subscription.already``), 600 not a valid subscriber (bad key) and 601 key expired
  (AuthenticationError), 700 bad subscription data or callback URL, 701 courier refused for
  subscriptions (NotSupported), 702 the courier of the number could not be detected, 500 server error
  (CarrierUnavailable).
- business APIs on ``order/borderapi.do`` (商家寄件 ``bOrder``, ``cancel``, ``price``; the same
  ``result``/``returnCode`` shape): 400 bad parameters, 500 server error (also answered to a cancel of
  an order already cancelled, per the C端寄件 cancel document: so a cancel's 500 is not retried), 501
  submitted twice, 503 signature check failed, 600 bad key or no credit and 601 key expired
  (AuthenticationError), per the apifox documents of 商家寄件下单/取消/价格 (project 514987).
- the label/order family (电子面单 ``order``/``cancel``, 时效预估 ``time``, on api.kuaidi100.com)
  answers ``{"success", "code": 200, "message", "time", "data"}`` instead; its codes (电子面单复打
  document): -1 server error (CarrierUnavailable), 30001 bad parameters, 30002 signature check failed
  and 30003 wrong account (AuthenticationError), 30004 no credit left, 30009 no such order (NotFound).
  The older eorderapi cancel documented 201 "取消失败" (a plain CarrierError here); whether v2 keeps
  it is unconfirmed.
"""

from __future__ import annotations

from typing import Any

import httpx

from carriergate.core.errors import (
    AuthenticationError,
    CarrierError,
    CarrierUnavailable,
    NotFound,
    NotSupported,
)
from carriergate.protocols.http import decimal_json, error_for_status
from carriergate.protocols.json_reading import text

QUERY_ERRORS: dict[str, type[CarrierError]] = {
    "500": NotFound, "501": CarrierUnavailable, "502": CarrierUnavailable,
    "503": AuthenticationError, "601": AuthenticationError,
}
SUBSCRIBE_ERRORS: dict[str, type[CarrierError]] = {
    "500": CarrierUnavailable, "600": AuthenticationError, "601": AuthenticationError, "701": NotSupported,
}
BORDER_ERRORS: dict[str, type[CarrierError]] = {
    "500": CarrierUnavailable, "503": AuthenticationError, "600": AuthenticationError, "601": AuthenticationError,
}
#: A cancel's 500 may mean "already cancelled" (documented), so it is a plain, final refusal.
BORDER_CANCEL_ERRORS: dict[str, type[CarrierError]] = {**BORDER_ERRORS, "500": CarrierError}
LABEL_ERRORS: dict[str, type[CarrierError]] = {
    "-1": CarrierUnavailable, "30002": AuthenticationError, "30003": AuthenticationError, "30009": NotFound,
}
#: The subscription answer for a number already subscribed (重复订阅).
ALREADY_SUBSCRIBED = "501"


def body_of(response: httpx.Response, *, carrier: str) -> Any:
    """The decoded JSON answer; an HTTP failure or a body that is not JSON is the typed error it means."""
    body = decimal_json(response, carrier=carrier)
    if response.status_code >= 400:
        message = text(body.get("message")) if isinstance(body, dict) else None
        raise error_for_status(response, carrier=carrier, message=message)
    return body


def refusal(body: Any, table: dict[str, type[CarrierError]], *, carrier: str, http_status: int,
            accepted: frozenset[str] = frozenset({"200"})) -> CarrierError | None:
    """The error an answer carries (None: it is no refusal). ``result`` false or a ``returnCode``
    outside ``accepted`` is a refusal; its class comes from ``table``, else a plain CarrierError."""
    if not isinstance(body, dict):
        return None
    code = text(body.get("returnCode"))
    refused = body.get("result") is False or (code is not None and code not in accepted)
    if not refused:
        return None
    code = code or "unknown"
    message = text(body.get("message")) or f"Kuaidi100 refused the call ({code})"
    cls = table.get(code, CarrierError)
    return cls(message, carrier=carrier, code=code, http_status=http_status)


def label_refusal(body: Any, *, carrier: str, http_status: int) -> CarrierError | None:
    """The error a label/order answer carries (``code`` other than 200, or ``success`` false)."""
    if not isinstance(body, dict):
        return None
    code = text(body.get("code"))
    if code == "200" and body.get("success") is not False:
        return None
    code = code or "unknown"
    message = text(body.get("message")) or f"Kuaidi100 refused the call ({code})"
    cls = LABEL_ERRORS.get(code, CarrierError)
    return cls(message, carrier=carrier, code=code, http_status=http_status)
