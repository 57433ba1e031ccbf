"""OAuth2 client credentials (RFC 6749 section 4.4) as an ``httpx.Auth`` flow with a shared token cache.

One token request serves any number of concurrent callers on a cold cache:

* synchronous callers (threads driving ``httpx.Client``) serialise on one ``threading.Lock``;
* asynchronous callers (tasks driving ``httpx.AsyncClient``) serialise on an ``asyncio.Lock``
  created lazily for each running event loop (an ``asyncio.Lock`` belongs to one loop).

Both paths read the store, take their lock, and read the store again before fetching (double-checked),
so whoever wins fetches and stores the token and everyone queued behind finds it. The locks belong
to the (store, cache key) pair, not to the auth object: auth objects built afresh over one shared
store still fetch once (build the auth once per carrier, or pass a shared store). The two kinds of
lock never wait on each other: an event loop must not block on a thread lock that another thread
holds across network I/O. So in a process mixing both styles (or running several event loops) the
worst case on a cold cache is one token request per event loop plus one for all threads, each
stored in the same store; within one style it is exactly one. A short ``threading.Lock`` only guards
the creation of the per-loop ``asyncio.Lock``.

A token response is read under the same size limit as any carrier answer (``max_response_bytes``,
see :mod:`carriergate.protocols.limits`): a larger one is ``MalformedResponse(code="response_too_large")``.

On a 401 from the real request the token that failed is discarded (only if it is still the cached
one, so a burst of 401s refreshes once), a token is obtained the same way, and the request is
replayed once. A second 401 is returned to the caller as it is: never a loop.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import threading
import time
import weakref
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from typing import Any, ClassVar, Literal
from urllib.parse import urlencode

import httpx
import pydantic

from carriergate.core.contract import SIDE_REQUEST
from carriergate.core.errors import AuthenticationError, CarrierError, MalformedResponse
from carriergate.protocols.auth.tokens import MemoryTokenStore, Token, TokenStore, fingerprint_key, token_cache_key
from carriergate.protocols.http import error_for_status
from carriergate.protocols.limits import DEFAULT_MAX_RESPONSE_BYTES, BodyLimit

logger = logging.getLogger("carriergate.auth")

#: Lifetime assumed when a token response omits ``expires_in`` (RFC 6749 makes it optional).
DEFAULT_EXPIRES_IN = 300.0
#: OAuth2 error codes that mean "your client credentials are wrong".
CREDENTIAL_ERRORS = frozenset({"invalid_client", "unauthorized_client"})


def _first_error(data: Any) -> tuple[str | None, str | None]:
    """(code, message) from the usual token-endpoint error shapes, or (None, None)."""
    if not isinstance(data, dict):
        return None, None
    if isinstance(data.get("error"), str):
        description = data.get("error_description")
        return data["error"], description if isinstance(description, str) else None
    errors = data.get("errors")
    if errors is None and isinstance(data.get("response"), dict):
        errors = data["response"].get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        code, message = errors[0].get("code"), errors[0].get("message")
        return (str(code) if code is not None else None), (str(message) if message is not None else None)
    return None, None


def parse_token_error(response: httpx.Response, *, carrier: str) -> CarrierError:
    """The typed error for a failed token request: AuthenticationError for 401/403 and for
    ``invalid_client``; otherwise the status-mapped error, with the carrier's code and message."""
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        data = None
    code, message = _first_error(data)
    if code in CREDENTIAL_ERRORS:
        return AuthenticationError(message or code or "client authentication failed", carrier=carrier, code=code,
                                   http_status=response.status_code)
    if response.is_success:  # a 200 carrying an error body
        return AuthenticationError(message or "token endpoint returned no access token", carrier=carrier,
                                   code=code or "token_error", http_status=response.status_code)
    return error_for_status(response, carrier=carrier, code=code, message=message)


def _seconds(value: Any) -> float | None:
    """``expires_in`` as seconds: an int, a float or a string of digits; None when unusable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        try:
            seconds = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return seconds if seconds > 0 and seconds == seconds and seconds != float("inf") else None


class _FetchLocks:
    """The locks that serialise token fetches for one (store, cache key). Every auth object built over
    the same store and credentials shares them, so a carrier that builds its auth per call still makes
    one token request. Stores that cannot be weakly referenced get private locks."""

    _registry: ClassVar[weakref.WeakKeyDictionary[Any, dict[str, _FetchLocks]]] = weakref.WeakKeyDictionary()
    _registry_guard: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self) -> None:
        self.thread_lock = threading.Lock()
        self._loop_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary())
        self._guard = threading.Lock()

    @classmethod
    def for_store(cls, store: TokenStore, cache_key: str) -> _FetchLocks:
        with cls._registry_guard:
            try:
                by_key = cls._registry.setdefault(store, {})
            except TypeError:  # not hashable or not weakly referenceable
                return cls()
            return by_key.setdefault(cache_key, cls())

    def loop_lock(self) -> asyncio.Lock:
        """The asyncio.Lock of the running event loop, created on first use."""
        loop = asyncio.get_running_loop()
        with self._guard:
            lock = self._loop_locks.get(loop)
            if lock is None:
                lock = self._loop_locks[loop] = asyncio.Lock()
            return lock


class OAuth2ClientCredentials(httpx.Auth):
    """Bearer tokens from a client-credentials grant, cached in a :class:`TokenStore`.

    ``credentials_in="basic"`` sends ``client_id:client_secret`` as HTTP Basic (UPS);
    ``"form"`` sends them as form fields (FedEx). ``grant_type=client_credentials`` is always sent.
    """

    def __init__(
        self,
        *,
        carrier: str,
        token_url: str,
        client_id: str,
        client_secret: pydantic.SecretStr,
        credentials_in: Literal["basic", "form"] = "basic",
        extra_form: Mapping[str, str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        store: TokenStore | None = None,
        clock: Callable[[], float] = time.time,
        leeway: float = 60.0,
        error_parser: Callable[[httpx.Response], CarrierError] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        if credentials_in not in ("basic", "form"):
            raise ValueError("credentials_in must be 'basic' or 'form'")
        self.carrier = carrier
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.credentials_in = credentials_in
        self.extra_form = dict(extra_form or {})
        self.extra_headers = dict(extra_headers or {})
        self.store: TokenStore = store if store is not None else MemoryTokenStore()
        self.clock = clock
        self.leeway = leeway
        self.error_parser = error_parser
        self._body_limit = BodyLimit(max_response_bytes)
        self.cache_key = token_cache_key(carrier, token_url, client_id, self._fingerprint_source(),
                                         key=fingerprint_key(self.store))
        self._locks = _FetchLocks.for_store(self.store, self.cache_key)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(carrier={self.carrier!r}, token_url={self.token_url!r}, "
                f"client_id={self.client_id!r}, credentials_in={self.credentials_in!r})")

    # -- hooks for variants (client assertions) -------------------------------------------------

    def _fingerprint_source(self) -> str:
        """The secret whose fingerprint goes into the cache key."""
        return self._client_secret.get_secret_value()

    def _add_credentials(self, form: dict[str, str], headers: dict[str, str]) -> None:
        """Put the client's credentials on the token request."""
        secret = self._client_secret.get_secret_value()
        if self.credentials_in == "basic":
            pair = f"{self.client_id}:{secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        else:
            form["client_id"] = self.client_id
            form["client_secret"] = secret

    def secrets(self) -> list[str]:
        """Values to redact from logs, traces and errors: the secret, its Basic form, the cached token."""
        secret = self._client_secret.get_secret_value()
        basic = base64.b64encode(f"{self.client_id}:{secret}".encode()).decode("ascii")
        token = self.store.get(self.cache_key)
        return [s for s in (secret, basic, token.access_token if token else "") if s]

    # -- shared, I/O-free steps -----------------------------------------------------------------

    def cached_token(self) -> Token | None:
        """The stored token if it is still valid now, else None."""
        token = self.store.get(self.cache_key)
        return token if token is not None and token.valid_at(self.clock()) else None

    def invalidate(self, failed: Token | None = None) -> None:
        """Forget the cached token; with ``failed``, only if it is still the cached one."""
        if failed is not None:
            current = self.store.get(self.cache_key)
            if current is None or current.access_token != failed.access_token:
                return
        self.store.delete(self.cache_key)

    def build_token_request(self, request: httpx.Request | None = None) -> httpx.Request:
        form: dict[str, str] = {"grant_type": "client_credentials", **self.extra_form}
        headers: dict[str, str] = {"Content-Type": "application/x-www-form-urlencoded",
                                   "Accept": "application/json", **self.extra_headers}
        self._add_credentials(form, headers)
        extensions: dict[str, Any] = {SIDE_REQUEST: True}  # a side request: never the call itself
        if request is not None and "timeout" in request.extensions:
            extensions["timeout"] = request.extensions["timeout"]
        return httpx.Request("POST", self.token_url, content=urlencode(form).encode("ascii"), headers=headers,
                             extensions=extensions)

    def accept_token_response(self, response: httpx.Response) -> Token:
        """Read a token response (body already read), store and return the token, or raise."""
        if not response.is_success:
            raise self._error(response)
        try:
            data = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise MalformedResponse(f"token response is not JSON at HTTP {response.status_code}",
                                    carrier=self.carrier, http_status=response.status_code) from None
        access_token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(access_token, str) or not access_token:
            code, _ = _first_error(data)
            if code is not None:
                raise self._error(response)
            raise MalformedResponse("token response has no access_token", carrier=self.carrier,
                                    http_status=response.status_code)
        raw_expiry = data.get("expires_in")
        expires_in = DEFAULT_EXPIRES_IN if raw_expiry is None else _seconds(raw_expiry)
        if expires_in is None:
            raise MalformedResponse("token response has an unreadable expires_in", carrier=self.carrier,
                                    http_status=response.status_code)
        # Short-lived tokens keep at least half their life rather than expiring on arrival.
        lifetime = expires_in - self.leeway if expires_in > 2 * self.leeway else expires_in / 2
        token_type = data.get("token_type")
        token = Token(access_token=access_token, expires_at=self.clock() + lifetime,
                      token_type=token_type if isinstance(token_type, str) and token_type else "Bearer")
        self.store.set(self.cache_key, token)
        logger.debug("%s: access token cached for %.0fs", self.carrier, lifetime)
        return token

    def authorize(self, request: httpx.Request, token: Token) -> httpx.Request:
        request.headers["Authorization"] = f"Bearer {token.access_token}"
        return request

    def _error(self, response: httpx.Response) -> CarrierError:
        error: CarrierError | None = None
        if self.error_parser is not None:
            try:
                error = self.error_parser(response)
            except CarrierError as raised:
                error = raised
            except Exception as exc:  # a carrier parser bug must not hide the real failure
                logger.debug("%s: token error parser failed: %s", self.carrier, type(exc).__name__)
        if error is None:
            error = parse_token_error(response, carrier=self.carrier)
        if error.carrier is None:
            error.carrier = self.carrier
        return self._redacted(error)

    def _redacted(self, error: CarrierError) -> CarrierError:
        message, code = error.message, error.code
        for secret in self.secrets():
            message = message.replace(secret, "***")
            code = code.replace(secret, "***") if code else code
        error.message, error.code, error.args = message, code, (message,)
        return error

    # -- the flows ------------------------------------------------------------------------------

    # Both flows take the same steps, decided by the methods above and below; they differ only in the
    # lock they take and in awaiting the token response:
    #   1. a valid cached token (none after a 401)?  -> use it
    #   2. under the fetch lock: forget the failed token, look again (someone queued ahead may have
    #      fetched); still none -> send a token request, read its answer under the size limit, store
    #   3. send the request with the token; on a 401 go back to 1 once, with that token as failed.

    def _before_lock(self, failed: Token | None) -> Token | None:
        return None if failed is not None else self.cached_token()

    def _under_lock(self, failed: Token | None) -> Token | None:
        if failed is not None:
            self.invalidate(failed)
        return self.cached_token()

    def _token_request(self, request: httpx.Request) -> httpx.Request:
        logger.debug("%s: requesting an access token from %s", self.carrier, self.token_url)
        return self.build_token_request(request)

    def _replay(self, request: httpx.Request, response: httpx.Response, attempt: int) -> bool:
        """Whether to refresh the token and send ``request`` again (once, on a 401)."""
        if response.status_code != 401 or attempt > 0:
            return False
        logger.debug("%s: 401 from %s; refreshing the token once", self.carrier, request.url.path)
        return True

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        failed: Token | None = None
        for attempt in range(2):
            token = self._before_lock(failed)
            if token is None:
                with self._locks.thread_lock:
                    token = self._under_lock(failed)
                    if token is None:
                        answer = yield self._token_request(request)
                        self._body_limit.read(answer, operation="token", carrier=self.carrier)
                        token = self.accept_token_response(answer)
            response = yield self.authorize(request, token)
            if not self._replay(request, response, attempt):
                return
            failed = token

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        failed: Token | None = None
        for attempt in range(2):
            token = self._before_lock(failed)
            if token is None:
                async with self._locks.loop_lock():
                    token = self._under_lock(failed)
                    if token is None:
                        answer = yield self._token_request(request)
                        await self._body_limit.aread(answer, operation="token", carrier=self.carrier)
                        token = self.accept_token_response(answer)
            response = yield self.authorize(request, token)
            if not self._replay(request, response, attempt):
                return
            failed = token
