"""Reading USPS's default label answer: ``multipart/form-data`` with a ``labelMetadata`` JSON part
and ``labelImage`` / ``receiptImage`` parts.

domestic-labels.yaml says to ignore the image parts' Content-Encoding and Content-Transfer-Encoding
headers: their contents are always Base64, never compressed. So the parts are split by the boundary
(the stdlib MIME parser, never decoding by those headers) and each image is Base64-decoded here.
"""

from __future__ import annotations

import base64
import binascii
import json
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import httpx

from carriergate.core.errors import MalformedResponse


def parts(response: httpx.Response, *, carrier: str) -> dict[str, bytes]:
    """Each part's raw content by its form-data name."""
    content_type = response.headers.get("content-type", "")
    if "boundary=" not in content_type:
        raise MalformedResponse("multipart label answer without a boundary", carrier=carrier,
                                http_status=response.status_code)
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + response.content)
    found: dict[str, bytes] = {}
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise MalformedResponse("label answer is not multipart", carrier=carrier, http_status=response.status_code)
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        raw = part.get_payload(decode=False)
        if isinstance(raw, str):
            found[name] = raw.encode("latin-1", "replace")
    return found


def image(raw: bytes | None, *, carrier: str, what: str) -> bytes | None:
    """A Base64 part decoded (line breaks allowed), None when absent."""
    if raw is None:
        return None
    try:
        return base64.b64decode(b"".join(raw.split()), validate=True)
    except (binascii.Error, ValueError):
        raise MalformedResponse(f"{what} part is not Base64", carrier=carrier) from None


def metadata(raw: bytes | None, *, carrier: str) -> dict[str, Any]:
    if raw is None:
        raise MalformedResponse("multipart label answer has no labelMetadata part", carrier=carrier)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise MalformedResponse("labelMetadata part is not JSON", carrier=carrier) from None
    if not isinstance(data, dict):
        raise MalformedResponse("labelMetadata part is not a JSON object", carrier=carrier)
    return data
