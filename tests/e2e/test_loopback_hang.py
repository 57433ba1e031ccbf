"""A carrier that accepts the connection and never answers costs its deadline, never more.

A real socket on 127.0.0.1 (no MockTransport): that is the point, so the 0.3 s deadline really
elapses. The server thread accepts and holds connections without a byte of reply, stops itself
after a bounded lifetime, and is always stopped (and checked stopped) by the fixture. The only
timing assertion is a generous hang guard; no assertion depends on how fast the machine is.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

import carriergate as cg

from support.fake_carrier import Exchange, fake_carrier, registered
from support.shipments import domestic_request
from support.timing import no_asleep

HANG_GUARD = 10.0  # seconds: a generous bound proving the call returned, not a timing assertion
DEADLINE = 0.3  # seconds: really waited (a real socket), never asserted on


class SilentServer:
    """Accepts connections on 127.0.0.1:<free port> and never answers. Bounded: gives up by itself."""

    def __init__(self, lifetime: float = 20.0) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.05)  # this socket only; never the process default
        self.port: int = self.sock.getsockname()[1]
        self.accepted = 0
        self.connected = threading.Event()  # set at the first accepted connection
        self._stop = threading.Event()
        self._deadline = time.monotonic() + lifetime
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, name="silent-server", daemon=True)

    def _serve(self) -> None:
        try:
            while not self._stop.is_set() and time.monotonic() < self._deadline:
                try:
                    conn, _ = self.sock.accept()
                except TimeoutError:
                    continue
                except OSError:
                    break
                self.accepted += 1
                self._held.append(conn)  # keep it open, say nothing
                self.connected.set()
        finally:
            for conn in self._held:
                conn.close()

    def __enter__(self) -> SilentServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=HANG_GUARD)  # the accept loop polls every 0.05 s: this is quick
        self.sock.close()
        assert not self._thread.is_alive(), "the silent server thread did not stop"


#: Rates with one POST and never gets an answer to parse.
SilentCarrier = fake_carrier("silent", rate=Exchange(lambda turn: httpx.Request("POST", turn.url("/rate"), json={}),
                                                     lambda turn, response: []))


@pytest.fixture
def server() -> Iterator[SilentServer]:
    with registered(SilentCarrier), SilentServer() as srv:
        yield srv


def config(server: SilentServer) -> dict[str, dict[str, object]]:
    return {"silent": {"base_url": f"http://127.0.0.1:{server.port}", "timeout": 30, "connect_timeout": 30}}


def test_sync_rate_against_a_silent_carrier_returns_unavailable(server: SilentServer) -> None:
    sleeps: list[float] = []
    started = time.monotonic()
    with cg.Gateway(config(server), sleep=sleeps.append) as gw:
        result = gw.rate(domestic_request(), deadline=DEADLINE)
        with pytest.raises(cg.CarrierUnavailable) as info:
            gw.carrier("silent").rate(domestic_request(), deadline=DEADLINE)
    assert time.monotonic() - started < HANG_GUARD
    assert result.quotes == []
    assert isinstance(result.errors["silent"], cg.CarrierUnavailable)
    assert isinstance(info.value, cg.DeadlineExceeded)
    assert info.value.carrier == "silent"
    assert server.connected.wait(HANG_GUARD)  # it really reached the socket (accept may lag on a busy host)
    assert sleeps == []  # no retry sleep once the deadline is spent


def test_async_rate_against_a_silent_carrier_returns_unavailable(server: SilentServer) -> None:
    async def go() -> tuple[cg.RateResult, cg.CarrierError]:
        async with cg.AsyncGateway(config(server), sleep=no_asleep) as gw:
            result = await gw.rate(domestic_request(), deadline=DEADLINE)
            try:
                await gw.carrier("silent").rate(domestic_request(), deadline=DEADLINE)
            except cg.CarrierError as err:
                return result, err
            raise AssertionError("a silent carrier produced an answer")

    started = time.monotonic()
    result, error = asyncio.run(go())
    assert time.monotonic() - started < HANG_GUARD
    assert result.quotes == []
    assert isinstance(result.errors["silent"], cg.CarrierUnavailable)
    assert isinstance(error, cg.DeadlineExceeded)
    assert server.connected.wait(HANG_GUARD)
