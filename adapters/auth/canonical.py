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

import httpx


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical_string(method: str, path_and_query: str, timestamp: str, body: bytes) -> str:
    return "\n".join([method.upper(), path_and_query, timestamp, body_sha256(body)])


def canonical_request(request: httpx.Request, timestamp: str) -> str:
    """The canonical string of an ``httpx.Request`` whose body has been read."""
    return canonical_string(request.method, request.url.raw_path.decode("ascii"), timestamp, request.content)
