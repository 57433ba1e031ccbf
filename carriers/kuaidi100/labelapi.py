"""The label/order family of Kuaidi100's business APIs (``POST api.kuaidi100.com/label/order``):
electronic waybills (电子面单 ``order`` and ``cancel``) and the delivery-time estimate (``time``).

Request: form fields ``method`` and ``param`` (compact JSON), then ``key``, ``t`` (milliseconds) and
``sign = upper(md5(param + t + key + secret))``, the last three added on every attempt by
:class:`carriergate.protocols.auth.md5_form.Kuaidi100Auth` in business mode (the recipe is the
document's: api.kuaidi100.com/document/dianzimiandanV2). Answer: ``{"success": true, "code": 200,
"message", "time", "data"}`` (the official SDK's ``Result``); any other code is a refusal
(:func:`carriergate.carriers.kuaidi100.errors.label_refusal`).
"""

from __future__ import annotations

from typing import Any

import httpx

from carriergate.carriers.kuaidi100.envelope import dumps, form_request
from carriergate.carriers.kuaidi100.errors import body_of, label_refusal
from carriergate.core.errors import MalformedResponse

LABEL_PATH = "/label/order"


def label_request(base_url: str, method: str, param: dict[str, Any]) -> httpx.Request:
    """The (unsigned) label/order request of ``method`` with ``param``."""
    return form_request(base_url + LABEL_PATH, [("method", method), ("param", dumps(param))])


def label_data(response: httpx.Response, *, carrier: str, required: bool = True) -> dict[str, Any]:
    """The ``data`` object of an accepted answer; a refusal is its typed error. ``required`` False:
    an accepted answer without data (a cancel) is an empty dict."""
    body = body_of(response, carrier=carrier)
    error = label_refusal(body, carrier=carrier, http_status=response.status_code)
    if error is not None:
        raise error
    if not isinstance(body, dict):
        raise MalformedResponse("Kuaidi100 label/order answer is not an object", carrier=carrier)
    data = body.get("data")
    if isinstance(data, dict):
        return data
    if required:
        raise MalformedResponse("Kuaidi100 label/order answer has no data object", carrier=carrier)
    return {}
