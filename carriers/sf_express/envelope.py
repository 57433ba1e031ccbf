"""The request envelope every SF service shares: one form POST to the service URL, told apart by
``serviceCode``.

The builders put the unsigned fields in the body (``partnerID``, ``serviceCode``, ``msgData``);
:class:`carriergate.protocols.auth.sf_digest.SFDigestAuth` adds ``requestID``, ``timestamp`` and
``msgDigest`` on every attempt, so a retried request is signed afresh.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from carriergate.protocols.auth.sf_digest import FORM_CONTENT_TYPE, encode_form


def dumps(msg_data: Any) -> str:
    """``msgData`` exactly as signed and sent: compact JSON, non-ASCII kept as UTF-8."""
    return json.dumps(msg_data, ensure_ascii=False, separators=(",", ":"))


def service_request(url: str, partner_id: str, service_code: str, msg_data: Any) -> httpx.Request:
    """The finished (not yet signed) request of one SF service call."""
    body = encode_form({"partnerID": partner_id, "serviceCode": service_code, "msgData": dumps(msg_data)})
    return httpx.Request("POST", url, content=body,
                         headers={"content-type": FORM_CONTENT_TYPE, "accept": "application/json"})
