"""The HTTP clients a gateway sends through: one per carrier account, each with its own pool.

Why one per account and not one for the gateway:

- **Bulkhead.** A carrier that hangs holds connections of its own pool only; the other carriers'
  requests never queue behind it for a connection.
- **Cost.** httpcore's pool re-checks every connection it holds each time a request starts or ends
  (a scan whose cost grows with the square of the connections in one pool). Under a checkout burst
  of four carriers, one shared pool of a few hundred connections spent most of the event loop's time
  in that scan; four pools of a quarter the size each spend a sixteenth.

Every client gets the same timeouts, limits (per account) and redirect policy, and one TLS context
(built once, verifying as httpx does by default). A caller that passes its own ``transport`` gets
exactly one client over it, shared by every account: the transport is theirs to pool (so ``limits``
and a ``transport`` together are refused).
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import httpx

from carriergate.core.errors import ConfigurationError

#: Every carrier client's timeouts (the executor clamps each request's to what is left of its deadline).
DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
#: The connection pool of each carrier account.
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
_SETTINGS: dict[str, Any] = {"timeout": DEFAULT_TIMEOUT, "follow_redirects": False}

ClientT = TypeVar("ClientT", httpx.Client, httpx.AsyncClient)


class AccountClients(Generic[ClientT]):
    """``clients.get(alias)``: the client of carrier account ``alias``.

    ``AccountClients(make)`` makes one client per account on first use, with ``make(tls_context)``;
    ``AccountClients(shared=client)`` answers ``client`` for every account.
    """

    def __init__(self, make: Callable[[ssl.SSLContext], ClientT] | None = None, *,
                 shared: ClientT | None = None) -> None:
        if (make is None) == (shared is None):
            raise TypeError("AccountClients takes either make or shared, exactly one")
        self._make: Callable[[ssl.SSLContext], ClientT] | None = make
        self._shared: ClientT | None = shared
        self._lock = threading.Lock()
        self._clients: dict[str, ClientT] = {}
        self._tls: ssl.SSLContext | None = None
        self._closed = False

    def get(self, alias: str) -> ClientT:
        if self._shared is not None:
            return self._shared
        client = self._clients.get(alias)
        if client is not None:
            return client
        with self._lock:
            if self._closed:  # as httpx does for a closed client: never open a new pool after close
                raise RuntimeError("the gateway is closed: it sends no more requests")
            client = self._clients.get(alias)
            if client is None:
                assert self._make is not None  # set whenever no shared client is
                if self._tls is None:
                    self._tls = httpx.create_ssl_context()  # verifies certificates, like httpx's default
                client = self._clients[alias] = self._make(self._tls)
        return client

    def opened(self) -> list[ClientT]:
        """Every client made so far (the shared one, if any)."""
        with self._lock:
            made = list(self._clients.values())
        return [self._shared] if self._shared is not None else made

    def closing(self) -> list[ClientT]:
        """Every client made so far, for the caller to close; no new one is made from now on."""
        with self._lock:
            self._closed = True
        return self.opened()


def _limits(transport: object, limits: httpx.Limits | None) -> httpx.Limits:
    if transport is not None and limits is not None:
        raise ConfigurationError("give limits or a transport, not both: a transport has its own pool")
    return limits or DEFAULT_LIMITS


def _account_clients(client: Callable[..., ClientT], transport: object,
                     limits: httpx.Limits | None) -> AccountClients[ClientT]:
    """One ``client`` (``httpx.Client`` or ``httpx.AsyncClient``) per account, or one over ``transport``."""
    pool = _limits(transport, limits)
    if transport is not None:
        return AccountClients(shared=client(transport=transport, **_SETTINGS))
    return AccountClients(lambda tls: client(verify=tls, limits=pool, **_SETTINGS))


def clients(transport: httpx.BaseTransport | None, limits: httpx.Limits | None) -> AccountClients[httpx.Client]:
    """A gateway's clients: one per account with ``limits`` each, or one over the caller's ``transport``."""
    return _account_clients(httpx.Client, transport, limits)


def aclients(transport: httpx.AsyncBaseTransport | None,
             limits: httpx.Limits | None) -> AccountClients[httpx.AsyncClient]:
    """:func:`clients` for an async gateway (``httpx.AsyncClient``)."""
    return _account_clients(httpx.AsyncClient, transport, limits)


__all__ = ["DEFAULT_LIMITS", "DEFAULT_TIMEOUT", "AccountClients", "aclients", "clients"]
