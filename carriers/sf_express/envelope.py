"""Building SF requests: one form POST per service, told apart by ``serviceCode``.

The adapter puts the unsigned fields in the body (``partnerID``, ``serviceCode``, ``msgData``);
:class:`carriergate.protocols.auth.sf_digest.SFDigestAuth` adds ``requestID``, ``timestamp`` and
``msgDigest`` on every attempt.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from carriergate.core.contract import Call, Kind
from carriergate.protocols.auth.sf_digest import FORM_CONTENT_TYPE, encode_form

T = TypeVar("T")


def dumps(msg_data: Any) -> str:
    """``msgData`` exactly as signed and sent: compact JSON, non-ASCII kept as UTF-8."""
    return json.dumps(msg_data, ensure_ascii=False, separators=(",", ":"))


def service_request(url: str, partner_id: str, service_code: str, msg_data: Any) -> httpx.Request:
    body = encode_form({"partnerID": partner_id, "serviceCode": service_code, "msgData": dumps(msg_data)})
    return httpx.Request("POST", url, content=body,
                         headers={"content-type": FORM_CONTENT_TYPE, "accept": "application/json"})


def service_call(url: str, partner_id: str, service_code: str, msg_data: Any, parse: Callable[[httpx.Response], T],
                 *, operation: str, kind: Kind, idempotent: bool, reference: str | None = None) -> Call[T]:
    return Call(request=service_request(url, partner_id, service_code, msg_data), parse=parse,
                operation=operation, kind=kind, idempotent=idempotent, reference=reference)
