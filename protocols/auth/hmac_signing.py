"""HMAC-SHA256 request signing and webhook signature verification.

:class:`HMACSigner` signs the canonical string (see :mod:`.canonical`) on every attempt, replacing
any signature headers a previous attempt left. :func:`verify_webhook` checks a carrier's webhook
signature over the raw body in constant time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Literal

import pydantic

from carriergate.protocols.auth.canonical import CanonicalSigner

Encoding = Literal["hex", "base64"]


def _secret_bytes(secret: pydantic.SecretStr | str | bytes) -> bytes:
    if isinstance(secret, pydantic.SecretStr):
        return secret.get_secret_value().encode("utf-8")
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def hmac_sha256(secret: pydantic.SecretStr | str | bytes, message: bytes) -> bytes:
    return hmac.new(_secret_bytes(secret), message, hashlib.sha256).digest()


def encode_signature(raw: bytes, encoding: Encoding) -> str:
    return raw.hex() if encoding == "hex" else base64.b64encode(raw).decode("ascii")


def _decode_signature(signature: str, encoding: Encoding) -> bytes | None:
    text = signature.strip()
    try:
        if encoding == "hex":
            return bytes.fromhex(text)
        return base64.b64decode(text, validate=True)
    except (ValueError, binascii.Error):
        return None


def verify_webhook(body: bytes, signature: str, secret: pydantic.SecretStr | str | bytes, *,
                   encoding: Encoding = "hex") -> bool:
    """True when ``signature`` is the HMAC-SHA256 of ``body`` under ``secret`` (constant-time compare)."""
    if encoding not in ("hex", "base64"):
        raise ValueError("encoding must be 'hex' or 'base64'")
    provided = _decode_signature(signature, encoding)
    expected = hmac_sha256(secret, body)
    if provided is None:
        hmac.compare_digest(expected, expected)  # keep the timing of a failed comparison
        return False
    return hmac.compare_digest(provided, expected)


class HMACSigner(CanonicalSigner):
    """Adds ``timestamp``, ``signature`` (and ``key id``) headers: ``signature = HMAC-SHA256(secret,
    canonical string)`` in hex or base64. Header names are configurable."""

    scheme = "hmac"

    def __init__(
        self,
        *,
        secret: pydantic.SecretStr,
        key_id: str | None = None,
        clock: Callable[[], float] = time.time,
        encoding: Encoding = "hex",
        signature_header: str = "X-Signature",
        timestamp_header: str = "X-Timestamp",
        key_id_header: str = "X-Key-Id",
    ) -> None:
        super().__init__(key_id=key_id, clock=clock, signature_header=signature_header,
                         timestamp_header=timestamp_header, key_id_header=key_id_header)
        self._secret = secret
        self.encoding: Encoding = encoding

    def secrets(self) -> list[str]:
        """Values to redact from logs and traces."""
        return [s for s in (self._secret.get_secret_value(),) if s]

    def signature(self, canonical: str) -> str:
        return encode_signature(hmac_sha256(self._secret, canonical.encode("utf-8")), self.encoding)
