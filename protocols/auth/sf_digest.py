"""SF Express (顺丰, 丰桥 open platform) request signing: the ``msgDigest`` scheme.

Every call is a form POST (``application/x-www-form-urlencoded``, UTF-8) with the fields
``partnerID``, ``requestID``, ``serviceCode``, ``timestamp``, ``msgData`` and ``msgDigest``, where::

    msgDigest = base64( md5( quote_plus(msgData + timestamp + checkword).encode("utf-8") ).digest() )

That is SF's official Python demo (v2.0) byte for byte. SF's Java and JS demos URL-encode differently
(``URLEncoder``/``encodeURIComponent``): their digests agree for ordinary payloads but differ when
``msgData`` holds a space or one of ``* ~ ! ' ( )``. :func:`msg_digest` is the one encoder here.

:class:`SFDigestAuth` signs inside the executor's retry loop: each attempt gets a fresh ``timestamp``,
a fresh ``requestID`` and a new digest. A fresh requestID per attempt is deliberate: SF documents
requestID as a per-request UUID and its gateway answers ``A1007`` (重复请求, duplicate request) to a
repeated one, while what makes a repeated *order* harmless is its ``orderId`` (SF refuses a second
order with the same orderId with business code ``8016``), never the requestID.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from collections.abc import Callable, Generator, Mapping
from urllib.parse import parse_qsl, quote_plus, urlencode

import httpx
from pydantic import SecretStr

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded; charset=UTF-8"
#: Fields the adapter puts in the request; the auth flow adds ``timestamp``, ``msgDigest`` and a
#: fresh ``requestID``.
UNSIGNED_FIELDS = ("partnerID", "requestID", "serviceCode", "msgData")
SIGNED_FIELDS = ("timestamp", "msgDigest")

Clock = Callable[[], float]


def msg_digest(msg_data: str, timestamp: str, checkword: str) -> str:
    """SF's msgDigest for one message (SF's official Python demo v2.0, byte for byte)."""
    text = quote_plus(msg_data + timestamp + checkword)
    # MD5 is SF's choice, not ours; usedforsecurity=False also keeps FIPS-mode Pythons working.
    return base64.b64encode(hashlib.md5(text.encode("utf-8"), usedforsecurity=False).digest()).decode("ascii")


def _secret(checkword: SecretStr | str) -> str:
    return checkword.get_secret_value() if isinstance(checkword, SecretStr) else checkword


def timestamp_ms(clock: Clock = time.time) -> str:
    """SF's ``timestamp``: milliseconds since the epoch, as a string."""
    return str(int(clock() * 1000))


def sign_fields(fields: Mapping[str, str], checkword: SecretStr | str, *, timestamp: str,
                request_id: str) -> dict[str, str]:
    """The complete form for ``fields`` (partnerID, serviceCode, msgData): a new requestID,
    ``timestamp`` and ``msgDigest``; any old signature is dropped first."""
    form = {k: v for k, v in fields.items() if k not in SIGNED_FIELDS}
    form["requestID"] = request_id
    form["timestamp"] = timestamp
    form["msgDigest"] = msg_digest(form.get("msgData", ""), timestamp, _secret(checkword))
    return form


def encode_form(form: Mapping[str, str]) -> bytes:
    """``application/x-www-form-urlencoded`` UTF-8 body (the encoding ``requests``' ``data=`` uses)."""
    return urlencode(list(form.items()), encoding="utf-8").encode("ascii")


def decode_form(body: bytes | str) -> dict[str, str]:
    """A form body as a dict (last value wins), strictly UTF-8; bad bytes raise ValueError."""
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    return dict(parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict"))


def verify_push(form: Mapping[str, str], checkword: SecretStr | str) -> bool:
    """True when a pushed envelope (SF's route push uses the same fields as a request) carries the
    digest of its own ``msgData`` and ``timestamp`` under ``checkword``; compared in constant time."""
    digest = form.get("msgDigest")
    msg_data = form.get("msgData")
    stamp = form.get("timestamp")
    if not digest or msg_data is None or stamp is None:
        return False
    expected = msg_digest(msg_data, stamp, _secret(checkword))
    return hmac.compare_digest(expected.encode("ascii"), digest.encode("utf-8", "replace"))


class SFDigestAuth(httpx.Auth):
    """Signs an SF form request on every attempt.

    The adapter builds the request with the unsigned fields (``partnerID``, ``serviceCode``,
    ``msgData``, optionally ``requestID``); this flow rebuilds the body with our ``partnerID``, a
    fresh ``requestID`` and ``timestamp`` and the ``msgDigest``. Requests that are not SF forms (a
    label download, say) pass through untouched. The checkword never leaves this object: it is not
    in any header, log line or repr.
    """

    requires_request_body = True

    def __init__(self, partner_id: str, checkword: SecretStr, *, clock: Clock = time.time,
                 request_id: Callable[[], str] = lambda: uuid.uuid4().hex) -> None:
        self.partner_id = partner_id
        self._checkword = checkword
        self._clock = clock
        self._request_id = request_id

    def __repr__(self) -> str:
        return f"SFDigestAuth(partner_id={self.partner_id!r}, checkword=SecretStr('**********'))"

    def sign(self, request: httpx.Request) -> httpx.Request:
        if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            return request
        fields = decode_form(request.content)
        if "msgData" not in fields or "serviceCode" not in fields:
            return request
        fields["partnerID"] = self.partner_id
        form = sign_fields(fields, self._checkword, timestamp=timestamp_ms(self._clock),
                           request_id=self._request_id())
        body = encode_form(form)
        headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "content-length"]
        return httpx.Request(request.method, request.url, headers=headers, content=body,
                             extensions=request.extensions)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        yield self.sign(request)


__all__ = [
    "FORM_CONTENT_TYPE",
    "SFDigestAuth",
    "decode_form",
    "encode_form",
    "msg_digest",
    "sign_fields",
    "timestamp_ms",
    "verify_push",
]
