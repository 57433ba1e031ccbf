"""YunExpress open-platform auth: an access token bought with the app id and secret, and an
HMAC-SHA256 signature of every request.

The recipe, as public YunExpress integrations and SDKs agree on it (no official page was reachable,
so each choice that could differ is one constant below):

* token: ``POST /openapi/oauth2/token`` with the JSON body ``{"grantType": "client_credentials",
  "appId", "appSecret", "sourceKey"}``; the answer carries ``accessToken`` and ``expiresIn`` (seconds,
  usually 7200).
* every request carries three headers: ``token`` (the access token as it is, no scheme), ``date``
  (the epoch time in milliseconds) and ``sign``;
* ``sign = base64(HMAC-SHA256(app secret, "body={body}&date={date}&method={METHOD}&uri={path}"))``:
  the fields in alphabetical order joined by ``&``, ``body=`` left out when the request has no body,
  the body as the exact text sent, the path without its query string.

The token is cached and fetched once for any number of concurrent callers by the shared OAuth2
machinery (:class:`~carriergate.protocols.auth.oauth2.OAuth2ClientCredentials`); each attempt is
signed afresh with a new ``date``, and a 401 buys a new token and replays once.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

import httpx
import pydantic

from carriergate.core.contract import SIDE_REQUEST
from carriergate.core.errors import AuthenticationError, CarrierError, MalformedResponse
from carriergate.protocols.auth.hmac_signing import encode_signature, hmac_sha256
from carriergate.protocols.auth.oauth2 import OAuth2ClientCredentials
from carriergate.protocols.auth.tokens import Token, TokenStore
from carriergate.protocols.http import error_for_status

logger = logging.getLogger("carriergate.auth")

#: Header names of the signed request (lower case, as the integrations send them).
TOKEN_HEADER, DATE_HEADER, SIGN_HEADER = "token", "date", "sign"
#: Whether ``uri`` in the signed string carries the query string: every public client signs the path
#: alone, also for GETs with a query (``/v1/order/info/get?order_number=...`` signs ``/v1/order/info/get``).
URI_WITH_QUERY = False
#: Lifetime assumed when the token answer gives none (YunExpress's usual two hours).
DEFAULT_TOKEN_SECONDS = 7200.0


def seconds(value: Any) -> float | None:
    """``expiresIn`` as seconds (a number or a string of digits); None when unusable."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if 0 < number < float("inf") else None


def string_to_sign(method: str, uri: str, date: str, body: str = "") -> str:
    """``body=...&date=...&method=...&uri=...`` (``body=`` only when there is one): the fields sorted
    by name, as YunExpress signs them."""
    fields = {"date": date, "method": method.upper(), "uri": uri}
    if body:
        fields["body"] = body
    return "&".join(f"{name}={fields[name]}" for name in sorted(fields))


def signature(secret: pydantic.SecretStr | str, text: str) -> str:
    """base64 of the HMAC-SHA256 of ``text`` under ``secret``."""
    return encode_signature(hmac_sha256(secret, text.encode("utf-8")), "base64")


def signed_uri(request: httpx.Request) -> str:
    raw = request.url.raw_path.decode("ascii")
    return raw if URI_WITH_QUERY else raw.partition("?")[0]


def token_error(response: httpx.Response, *, carrier: str) -> CarrierError:
    """A refused token request: YunExpress's own ``code``/``msg`` when it gives them; a refusal at
    HTTP 200 (``success: false``) or 400/401/403 is an AuthenticationError (wrong app id or secret)."""
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        data = None
    body = data if isinstance(data, dict) else {}
    code = body.get("code")
    message = body.get("msg") or body.get("message")
    code_text = str(code) if code not in (None, "") else None
    text = str(message) if isinstance(message, str) and message else None
    if response.status_code in (200, 400, 401, 403):
        return AuthenticationError(text or "YunExpress refused the app credentials", carrier=carrier,
                                   code=code_text or "token_refused", http_status=response.status_code)
    return error_for_status(response, carrier=carrier, code=code_text, message=text)


class YunExpressAuth(OAuth2ClientCredentials):
    """The access token (cached, single-flight) and the per-attempt ``token``/``date``/``sign`` headers."""

    def __init__(self, *, carrier: str, token_url: str, app_id: str, app_secret: pydantic.SecretStr,
                 source_key: pydantic.SecretStr | None = None, source_key_field: str = "sourceKey",
                 store: TokenStore | None = None, clock: Callable[[], float] = time.time,
                 leeway: float = 60.0) -> None:
        super().__init__(carrier=carrier, token_url=token_url, client_id=app_id, client_secret=app_secret,
                         credentials_in="form", store=store, clock=clock, leeway=leeway,
                         error_parser=lambda response: token_error(response, carrier=carrier))
        self._app_secret = app_secret
        self._source_key = source_key
        self.source_key_field = source_key_field

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(carrier={self.carrier!r}, token_url={self.token_url!r}, "
                f"app_id={self.client_id!r})")

    def secrets(self) -> list[str]:
        extra = self._source_key.get_secret_value() if self._source_key is not None else ""
        return [s for s in (*super().secrets(), extra) if s]

    def build_token_request(self, request: httpx.Request | None = None) -> httpx.Request:
        body: dict[str, str] = {"grantType": "client_credentials", "appId": self.client_id,
                                "appSecret": self._app_secret.get_secret_value()}
        if self._source_key is not None:
            body[self.source_key_field] = self._source_key.get_secret_value()
        extensions: dict[str, Any] = {SIDE_REQUEST: True}
        if request is not None and "timeout" in request.extensions:
            extensions["timeout"] = request.extensions["timeout"]
        return httpx.Request("POST", self.token_url, content=json.dumps(body).encode("utf-8"),
                             headers={"content-type": "application/json", "accept": "application/json"},
                             extensions=extensions)

    def read_token_response(self, response: httpx.Response) -> Token:
        """The token of YunExpress's answer (``accessToken``, ``expiresIn``), not stored; or the error."""
        data = self.token_json(response)
        body: dict[str, Any] = data if isinstance(data, dict) else {}
        # The token sits at the top level; some gateways wrap it in the usual ``result`` envelope.
        wrapped = body.get("result")
        holder: dict[str, Any] = wrapped if isinstance(wrapped, dict) else body
        access_token = holder.get("accessToken") or holder.get("access_token")
        if not isinstance(access_token, str) or not access_token:
            raise self._error(response)
        raw = holder.get("expiresIn", holder.get("expires_in"))
        expires_in = DEFAULT_TOKEN_SECONDS if raw in (None, "") else seconds(raw)
        if expires_in is None:
            raise MalformedResponse("token response has an unreadable expiresIn", carrier=self.carrier,
                                    http_status=response.status_code)
        return self.token_for(access_token, expires_in, "token")  # the header's name, not a secret

    def authorize(self, request: httpx.Request, token: Token) -> httpx.Request:
        for name in (TOKEN_HEADER, DATE_HEADER, SIGN_HEADER, "authorization"):
            request.headers.pop(name, None)  # a retried or replayed request starts unsigned
        self._seen = token  # the token a log line of this request may hold (redaction)
        body = request.read().decode("utf-8")
        date = str(int(self.clock() * 1000))
        request.headers[TOKEN_HEADER] = token.access_token
        request.headers[DATE_HEADER] = date
        request.headers[SIGN_HEADER] = signature(self._app_secret,
                                                 string_to_sign(request.method, signed_uri(request), date, body))
        return request
