"""A static API key sent in a request header (header name and optional scheme prefix configurable)."""

from __future__ import annotations

from collections.abc import Generator

import httpx
import pydantic


class APIKeyAuth(httpx.Auth):
    """Sets ``<header>: <prefix><key>`` on every request, e.g. ``X-API-Key: ...`` or
    ``Authorization: Bearer ...`` (``prefix="Bearer "``)."""

    def __init__(self, key: pydantic.SecretStr, *, header: str = "X-API-Key", prefix: str = "") -> None:
        if not header or any(c in header for c in ":\r\n "):
            raise ValueError("header must be a plain HTTP header name")
        self._key = key
        self.header = header
        self.prefix = prefix

    def __repr__(self) -> str:
        return f"APIKeyAuth(header={self.header!r})"

    def secrets(self) -> list[str]:
        """Values to redact from logs and traces."""
        return [s for s in (self._key.get_secret_value(),) if s]

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self.header] = f"{self.prefix}{self._key.get_secret_value()}"
        yield request
