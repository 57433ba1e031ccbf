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

Across processes, a store that offers a lease (:class:`~carriergate.protocols.auth.tokens.TokenLease`,
the Redis store does) adds a third step under the in-process lock: take the store's lease for the cache
key (a lock with an expiry and a fencing token), look once more, fetch, and store the token only while
the fence is still the latest (:meth:`TokenLease.set_fenced`). A process that finds the lease held waits,
looking at the store after each short pause, until the token appears or the lease comes free (its
holder finished, failed or crashed: the lease expires), bounded by its request's timeout (already
clamped to the call's deadline) and the store's ``max_wait``; past that it fails with
``CarrierUnavailable(code="token_wait")``. A holder whose lease expired while fetching keeps using the
token it got but cannot overwrite a newer one. A store that offers awaitable I/O
(:class:`~carriergate.protocols.auth.tokens.AsyncTokenStore`) is awaited on the async path.

On a 401 from the real request the token that failed is discarded (only if it is still the cached
one, so a burst of 401s refreshes once), a token is obtained the same way, and the request is
replayed once. A second 401 is returned to the caller as it is: never a loop.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from typing import Any, Literal
from urllib.parse import urlencode

import httpx
import pydantic

from carriergate.core.contract import SIDE_REQUEST
from carriergate.core.errors import CarrierError, MalformedResponse
from carriergate.protocols.auth.single_flight import LeaseWait
from carriergate.protocols.auth.single_flight import _FetchLocks as _FetchLocks  # re-exported: side_token
from carriergate.protocols.auth.token_replies import CREDENTIAL_ERRORS as CREDENTIAL_ERRORS
from carriergate.protocols.auth.token_replies import DEFAULT_EXPIRES_IN, _first_error
from carriergate.protocols.auth.token_replies import _seconds as _seconds  # re-exported: yunexpress
from carriergate.protocols.auth.token_replies import parse_token_error as parse_token_error
from carriergate.protocols.auth.tokens import (
    AsyncTokenStore,
    CachedTokenSteps,
    MemoryTokenStore,
    Token,
    TokenStore,
    current_default_store,
    fingerprint_key,
    token_cache_key,
)
from carriergate.protocols.limits import DEFAULT_MAX_RESPONSE_BYTES, BodyLimit

logger = logging.getLogger("carriergate.auth")


class OAuth2ClientCredentials(CachedTokenSteps, httpx.Auth):
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
        chosen = store if store is not None else current_default_store()
        self.store: TokenStore = chosen if chosen is not None else MemoryTokenStore()
        self._async_store = self.store if isinstance(self.store, AsyncTokenStore) else None
        self._seen: Token | None = None  # the last token this flow put on a request (for redaction)
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
        # A store with awaitable I/O is not read here (this may run on an event loop): the token this
        # flow last sent is the one a log line or trace of its requests can hold.
        token = self._seen if self._async_store is not None else self.store.get(self.cache_key)
        return [s for s in (secret, basic, token.access_token if token else "") if s]

    # -- shared, I/O-free steps -----------------------------------------------------------------

    async def acached_token(self) -> Token | None:
        """:meth:`cached_token`, awaiting a store that offers awaitable I/O."""
        if self._async_store is None:
            return self.cached_token()
        token = await self._async_store.aget(self.cache_key)
        return token if token is not None and token.valid_at(self.clock()) else None

    async def ainvalidate(self, failed: Token | None = None) -> None:
        """:meth:`invalidate`, awaiting a store that offers awaitable I/O."""
        if self._async_store is None:
            self.invalidate(failed)
            return
        if failed is not None:
            current = await self._async_store.aget(self.cache_key)
            if current is None or current.access_token != failed.access_token:
                return
        await self._async_store.adelete(self.cache_key)

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
        token = self.read_token_response(response)
        self.store.set(self.cache_key, token)
        logger.debug("%s: access token cached for %.0fs", self.carrier, token.expires_at - self.clock())
        return token

    def token_json(self, response: httpx.Response) -> Any:
        """A successful token answer's JSON (body already read), or the typed error of a refusal."""
        if not response.is_success:
            raise self._error(response)
        try:
            return json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            raise MalformedResponse(f"token response is not JSON at HTTP {response.status_code}",
                                    carrier=self.carrier, http_status=response.status_code) from None

    def token_for(self, access_token: str, expires_in: float, token_type: str = "Bearer") -> Token:  # noqa: S107 - a scheme
        """The token to cache: it expires ``leeway`` early, and a short-lived one keeps at least half
        its life rather than expiring on arrival."""
        lifetime = expires_in - self.leeway if expires_in > 2 * self.leeway else expires_in / 2
        return Token(access_token=access_token, expires_at=self.clock() + lifetime, token_type=token_type)

    def read_token_response(self, response: httpx.Response) -> Token:
        """The token of a token response (body already read), not stored; or the typed error."""
        data = self.token_json(response)
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
        token_type = data.get("token_type")
        return self.token_for(access_token, expires_in,
                              token_type if isinstance(token_type, str) and token_type else "Bearer")

    def authorize(self, request: httpx.Request, token: Token) -> httpx.Request:
        self._seen = token
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

    # Both flows take the same steps (1 and 2 are tokens.CachedTokenSteps', the rest below); they differ only in the
    # lock they take and in awaiting the token response (and a store that offers awaitable I/O):
    #   1. a valid cached token (none after a 401)?  -> use it
    #   2. under the fetch lock: forget the failed token, look again (someone queued ahead may have
    #      fetched); still none -> with a shared store, claim its lease (or wait for the holder's
    #      token); send a token request, read its answer under the size limit, store (fenced)
    #   3. send the request with the token; on a 401 go back to 1 once, with that token as failed.

    def _claim(self, request: httpx.Request) -> tuple[Token | None, int | None]:
        """Across processes: (the token another process stored meanwhile, None) or (None, the fence
        of the lease this process now holds); (None, None) when the store offers no lease."""
        lease = self._locks.shared
        if lease is None:
            return None, None
        wait = LeaseWait(lease, request)
        while True:
            fence = lease.try_lock(self.cache_key)
            if fence is not None:
                token = self.cached_token()  # stored by the holder this process waited for
                if token is None:
                    return None, fence
                lease.unlock(self.cache_key, fence)
                return token, None
            wait.pause(self.carrier)
            token = self.cached_token()
            if token is not None:
                return token, None

    async def _aclaim(self, request: httpx.Request) -> tuple[Token | None, int | None]:
        """:meth:`_claim`, awaited."""
        lease = self._locks.shared
        if lease is None:
            return None, None
        wait = LeaseWait(lease, request)
        while True:
            fence = await lease.atry_lock(self.cache_key)
            if fence is not None:
                token = await self.acached_token()
                if token is None:
                    return None, fence
                await lease.aunlock(self.cache_key, fence)
                return token, None
            await wait.apause(self.carrier)
            token = await self.acached_token()
            if token is not None:
                return token, None

    def _fenced(self, stored: bool, token: Token) -> Token:
        if not stored:
            logger.debug("%s: lease lost while fetching; token used, a newer one is kept", self.carrier)
        return token

    def _keep(self, answer: httpx.Response, fence: int | None) -> Token:
        """The token of ``answer``, stored: plainly, or only under a still-current ``fence``."""
        if fence is None or self._locks.shared is None:
            return self.accept_token_response(answer)
        token = self.read_token_response(answer)
        return self._fenced(self._locks.shared.set_fenced(self.cache_key, token, fence), token)

    async def _akeep(self, answer: httpx.Response, fence: int | None) -> Token:
        lease = self._locks.shared
        if self._async_store is None and (fence is None or lease is None):
            return self.accept_token_response(answer)
        token = self.read_token_response(answer)
        if fence is None or lease is None:
            assert self._async_store is not None
            await self._async_store.aset(self.cache_key, token)
            return token
        return self._fenced(await lease.aset_fenced(self.cache_key, token, fence), token)

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
                        token, fence = self._claim(request)
                    if token is None:
                        try:
                            answer = yield self._token_request(request)
                            self._body_limit.read(answer, operation="token", carrier=self.carrier)
                            token = self._keep(answer, fence)
                        finally:
                            if fence is not None and self._locks.shared is not None:
                                self._locks.shared.unlock(self.cache_key, fence)
            response = yield self.authorize(request, token)
            if not self._replay(request, response, attempt):
                return
            failed = token

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        failed: Token | None = None
        for attempt in range(2):
            token = None if failed is not None else await self.acached_token()
            if token is None:
                async with self._locks.loop_lock():
                    if failed is not None:
                        await self.ainvalidate(failed)
                    token = await self.acached_token()
                    if token is None:
                        token, fence = await self._aclaim(request)
                    if token is None:
                        try:
                            answer = yield self._token_request(request)
                            await self._body_limit.aread(answer, operation="token", carrier=self.carrier)
                            token = await self._akeep(answer, fence)
                        finally:
                            if fence is not None and self._locks.shared is not None:
                                await self._locks.shared.aunlock(self.cache_key, fence)
            response = yield self.authorize(request, token)
            if not self._replay(request, response, attempt):
                return
            failed = token
