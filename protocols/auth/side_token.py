"""A second token fetched with the first: an ``httpx.Auth`` that adds a cached, single-flight token
(USPS's payment authorization) to requests already authorised by a bearer flow (OAuth2).

Some APIs want two credentials on one request: the OAuth2 bearer that says which application calls,
and a token of their own that the application fetches *with* that bearer (USPS labels carry
``X-Payment-Authorization-Token``, obtained from ``/payments/v3/payment-authorization``). This flow
wraps the bearer flow:

1. a valid cached side token (none after a rejection)? use it;
2. under the fetch lock (the same locks as :mod:`.oauth2`: one thread lock, one ``asyncio.Lock`` per
   event loop, shared by every flow over the same store and cache key), look again; still none: send
   the token request *through the bearer flow* (so it carries the bearer, fetches one on a cold cache
   and refreshes it on a 401), read its answer under the size limit, store the token;
3. send the request with the token through the bearer flow; when the answer says the side token was
   refused (``rejects``), forget it (only if it is still the cached one) and go back to 1, once.

The token request is a side request (``core.contract.SIDE_REQUEST``): when it fails, the call's own
request was never sent. The cache key holds a keyed fingerprint of ``identity`` (the credentials and
the parties the token is for), never the token or a secret.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncGenerator, Callable, Generator

import httpx

from carriergate.core.contract import SIDE_REQUEST
from carriergate.core.errors import CarrierError
from carriergate.protocols.auth.oauth2 import _FetchLocks
from carriergate.protocols.auth.tokens import (
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

#: Reads a token answer (body already read): the token and its lifetime in seconds (None: the
#: flow's ``lifetime``), or raises the typed CarrierError the answer describes.
Accept = Callable[[httpx.Response], tuple[str, float | None]]


class SideTokenAuth(CachedTokenSteps, httpx.Auth):
    """``bearer`` (an auth flow such as OAuth2ClientCredentials) plus a token sent in ``header``.

    ``token_request`` builds the (unauthorised) request that obtains the token; ``accept`` reads its
    answer; ``lifetime`` is how long a token lives when the answer does not say (USPS: eight hours),
    used less ``leeway``; ``rejects`` tells, from a response whose body has been read, that the side
    token (not the bearer) was refused. ``identity`` identifies what the token stands for (it goes
    into the cache key only as a keyed fingerprint)."""

    def __init__(self, *, carrier: str, bearer: httpx.Auth, header: str, token_url: str, client_id: str,
                 identity: str, token_request: Callable[[], httpx.Request], accept: Accept,
                 rejects: Callable[[httpx.Response], bool], lifetime: float, leeway: float = 300.0,
                 store: TokenStore | None = None, clock: Callable[[], float] = time.time,
                 max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES) -> None:
        if lifetime <= 0:
            raise ValueError("lifetime must be positive")
        self.carrier = carrier
        self.bearer = bearer
        self.header = header
        self.token_url = token_url
        self.client_id = client_id
        self._token_request = token_request
        self._accept = accept
        self._rejects = rejects
        self.lifetime = lifetime
        self.leeway = leeway
        # The gateway's store when it has one (Redis: every worker reuses a token one of them fetched).
        self.store: TokenStore = store if store is not None else (current_default_store() or MemoryTokenStore())
        self.clock = clock
        self._body_limit = BodyLimit(max_response_bytes)
        self.cache_key = token_cache_key(f"{carrier}:{header.lower()}", token_url, client_id, identity,
                                         key=fingerprint_key(self.store))
        self._locks = _FetchLocks.for_store(self.store, self.cache_key)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(carrier={self.carrier!r}, header={self.header!r}, token_url={self.token_url!r})"

    # -- shared, I/O-free steps -----------------------------------------------------------------

    def secrets(self) -> list[str]:
        """The bearer flow's secrets plus the cached side token, for redaction."""
        inner = getattr(self.bearer, "secrets", None)
        found = [s for s in (inner() if callable(inner) else []) if isinstance(s, str)]
        token = self.store.get(self.cache_key)
        return [*found, token.access_token] if token is not None and token.access_token else found

    def _side_request(self, request: httpx.Request) -> httpx.Request:
        side = self._token_request()
        side.extensions = {**side.extensions, SIDE_REQUEST: True}
        if "timeout" in request.extensions:
            side.extensions["timeout"] = request.extensions["timeout"]
        logger.debug("%s: requesting the %s token from %s", self.carrier, self.header, self.token_url)
        return side

    def _store(self, response: httpx.Response) -> Token:
        value, expires_in = self._accept(response)  # raises the typed error of a refusal
        life = self.lifetime if expires_in is None else expires_in
        usable = life - self.leeway if life > 2 * self.leeway else life / 2
        token = Token(access_token=value, expires_at=self.clock() + usable, token_type=self.header)
        self.store.set(self.cache_key, token)
        logger.debug("%s: the %s token cached for %.0fs", self.carrier, self.header, usable)
        return token

    def _with_token(self, request: httpx.Request, token: Token) -> httpx.Request:
        request.headers[self.header] = token.access_token
        return request

    def _retry(self, response: httpx.Response, attempt: int) -> bool:
        if attempt > 0 or response.status_code != 401:
            return False
        try:
            refused = self._rejects(response)
        except (CarrierError, ValueError, KeyError, TypeError):
            refused = False
        if refused:
            logger.debug("%s: the %s token was refused; fetching another once", self.carrier, self.header)
        return refused

    # -- driving the bearer flow ------------------------------------------------------------------

    def _through(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, httpx.Response]:
        """Send ``request`` through the bearer flow; the last answer."""
        flow = self.bearer.sync_auth_flow(request)
        try:
            outgoing = next(flow)
            while True:
                response = yield outgoing
                try:
                    outgoing = flow.send(response)
                except StopIteration:
                    return response
        finally:
            flow.close()

    async def _athrough(self, request: httpx.Request, last: list[httpx.Response]
                        ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """:meth:`_through` for async flows; the last answer is appended to ``last``."""
        flow = self.bearer.async_auth_flow(request)
        try:
            outgoing = await flow.__anext__()
            while True:
                response = yield outgoing
                last.append(response)
                try:
                    outgoing = await flow.asend(response)
                except StopAsyncIteration:
                    return
        finally:
            await flow.aclose()

    # -- the flows ------------------------------------------------------------------------------

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        failed: Token | None = None
        for attempt in range(2):
            token = self._before_lock(failed)
            if token is None:
                with self._locks.thread_lock:
                    token = self._under_lock(failed)
                    if token is None:
                        answer = yield from self._through(self._side_request(request))
                        self._body_limit.read(answer, operation="token", carrier=self.carrier)
                        token = self._store(answer)
            response = yield from self._through(self._with_token(request, token))
            if response.status_code == 401 and attempt == 0:
                self._body_limit.read(response, operation="auth", carrier=self.carrier)
            if not self._retry(response, attempt):
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
                        last: list[httpx.Response] = []
                        sub = self._athrough(self._side_request(request), last)
                        outgoing = await sub.__anext__()
                        while True:
                            answer = yield outgoing
                            try:
                                outgoing = await sub.asend(answer)
                            except StopAsyncIteration:
                                break
                        await self._body_limit.aread(last[-1], operation="token", carrier=self.carrier)
                        token = self._store(last[-1])
            answers: list[httpx.Response] = []
            sub = self._athrough(self._with_token(request, token), answers)
            outgoing = await sub.__anext__()
            while True:
                answer = yield outgoing
                try:
                    outgoing = await sub.asend(answer)
                except StopAsyncIteration:
                    break
            response = answers[-1]
            if response.status_code == 401 and attempt == 0:
                await self._body_limit.aread(response, operation="auth", carrier=self.carrier)
            if not self._retry(response, attempt):
                return
            failed = token


__all__ = ["Accept", "SideTokenAuth"]
