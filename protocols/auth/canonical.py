"""The canonical string that HMAC and RSA request signers sign.

Four lines joined by ``\\n``: the upper-case method, the path with its raw query (as sent),
the timestamp, and the hex SHA-256 of the body (of the empty string when there is none)::

    POST
    /v1/orders?dry=1
    1714550400
    e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Generator

import httpx

logger = logging.getLogger("carriergate.auth")


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical_string(method: str, path_and_query: str, timestamp: str, body: bytes) -> str:
    return "\n".join([method.upper(), path_and_query, timestamp, body_sha256(body)])


def canonical_request(request: httpx.Request, timestamp: str) -> str:
    """The canonical string of an ``httpx.Request`` whose body has been read."""
    return canonical_string(request.method, request.url.raw_path.decode("ascii"), timestamp, request.content)


class CanonicalSigner(httpx.Auth):
    """Signs the canonical string of every attempt afresh into headers: ``timestamp``, ``signature``
    and optionally ``key id`` (names configurable). Subclasses say how to sign (:meth:`signature`)."""

    requires_request_body = True
    scheme = "signed"

    def __init__(self, *, key_id: str | None, clock: Callable[[], float], signature_header: str,
                 timestamp_header: str, key_id_header: str) -> None:
        self.key_id = key_id
        self.clock = clock
        self.signature_header = signature_header
        self.timestamp_header = timestamp_header
        self.key_id_header = key_id_header

    def signature(self, canonical: str) -> str:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(key_id={self.key_id!r}, signature_header={self.signature_header!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        for name in (self.signature_header, self.timestamp_header, self.key_id_header):
            request.headers.pop(name, None)  # a retried request starts unsigned
        timestamp = str(int(self.clock()))
        request.headers[self.timestamp_header] = timestamp
        if self.key_id is not None:
            request.headers[self.key_id_header] = self.key_id
        request.headers[self.signature_header] = self.signature(canonical_request(request, timestamp))
        logger.debug("%s: signed %s %s", self.scheme, request.method, request.url.path)
        yield request

