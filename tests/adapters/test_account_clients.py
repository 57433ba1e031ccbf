"""One HTTP client, and so one connection pool, per carrier account (adapters/clients.py).

The behaviour that matters is the bulkhead: a carrier that holds its connections (slow or hung)
cannot starve another carrier of connections. It is shown over loopback against the sandbox server,
with a pool of one connection, side by side with one shared pool of the same size.
"""

from __future__ import annotations

import asyncio
import ssl
import threading

import httpx
import pytest

import carriergate as cg
from carriergate.adapters.clients import DEFAULT_TIMEOUT, AccountClients, aclients, clients
from carriergate.sandbox.faults import CarrierFaults, Decision, FaultInjector, Faults
from carriergate.sandbox.server import running_server

from support.shipments import domestic_request, international_request

ONE = httpx.Limits(max_connections=1, max_keepalive_connections=1)


def test_each_account_gets_its_own_client_made_once() -> None:
    made: list[ssl.SSLContext] = []

    def make(tls: ssl.SSLContext) -> httpx.Client:
        made.append(tls)
        return httpx.Client(verify=tls)

    clients = AccountClients(make)
    ups, fedex = clients.get("ups"), clients.get("fedex")
    assert ups is not fedex
    assert clients.get("ups") is ups
    assert len(made) == 2
    assert made[0] is made[1]
    assert made[0].verify_mode is ssl.CERT_REQUIRED
    assert made[0].check_hostname
    assert set(map(id, clients.opened())) == {id(ups), id(fedex)}
    for client in clients.opened():
        client.close()


def test_a_shared_client_serves_every_account() -> None:
    with httpx.Client() as client:
        clients = AccountClients(shared=client)
        assert clients.get("ups") is client
        assert clients.get("dhl_express") is client
        assert clients.opened() == [client]


def test_a_gateways_clients_sync_and_async_are_made_the_same_way() -> None:
    sync_mock = httpx.MockTransport(lambda request: httpx.Response(200))
    shared = clients(sync_mock, None)
    assert isinstance(shared.get("ups"), httpx.Client)
    assert shared.get("ups") is shared.get("fedex")
    per_account = aclients(None, ONE)
    ups, fedex = per_account.get("ups"), per_account.get("fedex")
    assert isinstance(ups, httpx.AsyncClient)
    assert ups is not fedex
    own_pools = clients(None, None)
    for pool in (own_pools, per_account):
        assert all(not client.follow_redirects and client.timeout == DEFAULT_TIMEOUT
                   for client in [pool.get("dhl_express"), *pool.opened()])
    with pytest.raises(cg.ConfigurationError, match="limits or a transport") as info:
        aclients(httpx.AsyncHTTPTransport(), ONE)
    assert info.value.code == "configuration"
    for client in (*shared.closing(), *own_pools.closing()):
        client.close()
    asyncio.run(_close_all(per_account.closing()))


async def _close_all(opened: list[httpx.AsyncClient]) -> None:
    for client in opened:
        await client.aclose()


def test_make_or_shared_exactly_one() -> None:
    with pytest.raises(TypeError):
        AccountClients()
    with httpx.Client() as client, pytest.raises(TypeError):
        AccountClients(lambda tls: client, shared=client)


def test_the_gateway_closes_every_account_client() -> None:
    config = {"ups": {"client_id": "id", "client_secret": "s", "account_number": "A1"},
              "fedex": {"client_id": "id", "client_secret": "s", "account_number": "740561073"}}
    gateway = cg.Gateway(config, limits=ONE)
    clients = [gateway._clients.get("ups"), gateway._clients.get("fedex")]
    gateway.close()
    assert all(c.is_closed for c in clients)
    with pytest.raises(RuntimeError, match="closed"):  # no new pool is opened after close
        gateway._clients.get("dhl_express")


def test_limits_with_a_transport_of_ones_own_are_refused() -> None:
    with pytest.raises(cg.ConfigurationError, match="limits or a transport"):
        cg.Gateway({"table": {}}, transport=httpx.MockTransport(lambda r: httpx.Response(200)), limits=ONE)
    with pytest.raises(cg.ConfigurationError, match="limits or a transport"):
        cg.AsyncGateway({"table": {}}, transport=httpx.AsyncHTTPTransport(), limits=ONE)


class Arrivals(FaultInjector):
    """The server's fault injector, signalling when a request of ``carrier`` has reached the server."""

    def __init__(self, faults: Faults, carrier: str) -> None:
        super().__init__(faults)
        self.carrier = carrier
        self.arrived = threading.Event()

    def decide(self, carrier: str, path: str) -> Decision:
        decision = super().decide(carrier, path)
        if carrier == self.carrier:
            self.arrived.set()
        return decision


async def _fedex_while_ups_holds_its_connection(**gateway_options: object) -> cg.RateResult:
    """UPS answers after 2 s (its token request holds UPS's one connection); FedEx is asked, with a
    0.5 s deadline, once UPS's request has reached the server."""
    faults = Faults(carriers={"ups": CarrierFaults(latency=2.0)})
    with running_server(carriers=["ups", "fedex"], faults=faults) as sandbox:
        arrivals = sandbox.server.injector = Arrivals(faults, "ups")
        async with cg.AsyncGateway(sandbox.config, **gateway_options) as gateway:  # type: ignore[arg-type]
            ups = asyncio.create_task(gateway.carrier("ups").rate(domestic_request(), deadline=3.0))
            try:
                assert await asyncio.to_thread(arrivals.arrived.wait, 5.0)  # UPS is on its connection
                return await gateway.rate(international_request(), carriers=["fedex"], deadline=0.5)
            finally:
                ups.cancel()
                await asyncio.gather(ups, return_exceptions=True)


def test_a_slow_carrier_does_not_starve_another_of_connections() -> None:
    result = asyncio.run(_fedex_while_ups_holds_its_connection(limits=ONE))
    assert result.errors == {}
    assert {q.carrier for q in result.quotes} == {"fedex"}


def test_one_shared_pool_of_the_same_size_would_starve_it() -> None:
    """The contrast: a caller's own transport is one pool for every account."""
    result = asyncio.run(_fedex_while_ups_holds_its_connection(transport=httpx.AsyncHTTPTransport(limits=ONE)))
    assert result.quotes == []
    assert set(result.errors) == {"fedex"}
