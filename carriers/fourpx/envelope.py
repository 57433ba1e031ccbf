"""The router envelope every 4PX API shares.

A call is ``POST {host}/router/api/service?method=...&v=...`` with the business parameters as a
compact JSON body; :class:`carriergate.protocols.auth.fourpx.FourPXAuth` adds ``app_key``,
``format``, ``timestamp`` and ``sign`` (and ``language``) on every attempt.

Every answer is JSON ``{"result", "msg", "errors", "data"}``: ``result`` "1" success, "2" partial
success, "0" failure with ``errors`` ``[{"error_code", "error_msg", "reference_code"}]``. ``data``
may arrive as a JSON object, an array, or a JSON document in a string; it is decoded here.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx

from carriergate.carriers.fourpx.errors import refusal
from carriergate.core.errors import MalformedResponse
from carriergate.protocols.http import decimal_json, error_for_status, json_request

ROUTER_PATH = "/router/api/service"
SUCCESS, PARTIAL = "1", "2"


def router_request(base_url: str, method: str, version: str, body: dict[str, Any]) -> httpx.Request:
    """The unsigned router call of ``method`` (API version ``version``) carrying ``body``."""
    url = httpx.URL(base_url.rstrip("/") + ROUTER_PATH, params={"method": method, "v": version})
    return json_request("POST", str(url), body)


def _decoded(value: Any) -> Any:
    if isinstance(value, str) and value.strip()[:1] in ("{", "["):
        try:
            return json.loads(value, parse_float=Decimal)
        except ValueError:
            return value
    return value


def data_of(response: httpx.Response, *, carrier: str) -> Any:
    """The ``data`` of a successful answer (None when 4PX sent none); a refusal is its typed error."""
    body = decimal_json(response, carrier=carrier)
    if not isinstance(body, dict):
        raise MalformedResponse("4PX answer is not a JSON object", carrier=carrier,
                                http_status=response.status_code)
    result = str(body.get("result") if body.get("result") is not None else "")
    if result in (SUCCESS, PARTIAL) and response.status_code < 400:
        return _decoded(body.get("data"))
    error = refusal(body, http_status=response.status_code, carrier=carrier)
    if error is None:
        if response.status_code >= 400:
            raise error_for_status(response, carrier=carrier)
        raise MalformedResponse(f"4PX answer has no result (got {result or 'none'!r})", carrier=carrier,
                                http_status=response.status_code)
    raise error


def data_object(response: httpx.Response, *, carrier: str, what: str) -> dict[str, Any]:
    """``data`` that must be an object (the first of an array is taken)."""
    data = data_of(response, carrier=carrier)
    if isinstance(data, list) and data and isinstance(data[0], dict):
        data = data[0]
    if not isinstance(data, dict):
        raise MalformedResponse(f"4PX {what} answer has no data object", carrier=carrier,
                                http_status=response.status_code)
    return data
