"""4PX open-platform (FOP, open.4px.com) request signatures.

Every API is one POST to the router (``/router/api/service``) with the system parameters in the URL
query and the business parameters as a JSON body. The recipe, as 4PX's "generalized API request"
page states it:

- take the system parameters ``app_key``, ``format``, ``method``, ``timestamp`` and ``v`` (``sign``
  itself, ``access_token`` and ``language`` are left out), sorted by name;
- write each name directly followed by its value, with no ``=`` or ``&``;
- append the body exactly as sent (compact JSON), then the app secret;
- ``sign`` is the lower-case hex MD5 of that string (UTF-8).

``timestamp`` is the time in milliseconds. :class:`FourPXAuth` signs every attempt afresh (a new
timestamp), so a retried request is never sent with a stale signature.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Generator, Mapping

import httpx
import pydantic

logger = logging.getLogger("carriergate.auth")

#: System parameters that never enter the signature (4PX: "access_token and language are not
#: included"; ``sign`` is the result).
UNSIGNED = frozenset({"sign", "access_token", "language"})
#: The only business-data format 4PX accepts.
FORMAT = "json"


def sign_string(params: Mapping[str, str], body: str, secret: str) -> str:
    """The string 4PX hashes: sorted ``name + value`` pairs, then the body, then the secret."""
    pairs = "".join(name + params[name] for name in sorted(params) if name not in UNSIGNED)
    return pairs + body + secret


def signature(params: Mapping[str, str], body: str, secret: str) -> str:
    """``lower(hex(md5(sign_string)))``."""
    text = sign_string(params, body, secret)
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # noqa: S324 - the carrier's scheme


class FourPXAuth(httpx.Auth):
    """Adds ``app_key``, ``format``, ``timestamp``, ``sign`` (and ``language``, ``access_token`` when
    configured) to a router request whose URL already names ``method`` and ``v``."""

    requires_request_body = True

    def __init__(self, *, app_key: str, app_secret: pydantic.SecretStr, language: str | None = None,
                 access_token: pydantic.SecretStr | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.app_key = app_key
        self._secret = app_secret
        self._token = access_token
        self.language = language
        self.clock = clock

    def __repr__(self) -> str:
        return f"FourPXAuth(app_key={self.app_key!r}, language={self.language!r})"

    def secrets(self) -> list[str]:
        """Values to redact from logs and traces."""
        values = [self._secret.get_secret_value(), self._token.get_secret_value() if self._token else ""]
        return [v for v in values if v]

    def signed_params(self, method: str, version: str, body: str) -> list[tuple[str, str | int | float | bool | None]]:
        """The query parameters of one attempt, in the order 4PX's examples show them."""
        params = {"method": method, "app_key": self.app_key, "v": version,
                  "timestamp": str(int(self.clock() * 1000)), "format": FORMAT}
        params["sign"] = signature(params, body, self._secret.get_secret_value())
        out: list[tuple[str, str | int | float | bool | None]] = list(params.items())
        if self.language:
            out.append(("language", self.language))
        if self._token is not None:
            out.append(("access_token", self._token.get_secret_value()))
        return out

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        query = request.url.params
        method, version = query.get("method"), query.get("v")
        if not method or not version:  # not a router call (a label download): sent as it is
            yield request
            return
        body = request.content.decode("utf-8")
        params = self.signed_params(method, version, body)
        url = request.url.copy_with(params=httpx.QueryParams(params))
        headers = httpx.Headers(request.headers)
        headers.pop("content-length", None)
        logger.debug("4px: signed %s (v%s)", method, version)
        yield httpx.Request(request.method, url, headers=headers, content=request.content,
                            extensions=dict(request.extensions))


__all__ = ["FORMAT", "UNSIGNED", "FourPXAuth", "sign_string", "signature"]
