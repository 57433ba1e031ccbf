"""Hostile answers that try to exhaust memory: tens of MB of body, gzip bombs, XML bombs.

Oversized bodies are produced lazily (1 MiB chunks from a generator) so the test itself never holds
them; the executor must stop pulling chunks once the cap is crossed. XML bombs go through the DHL
parse path (xml_safety, then zeep) and must be refused fast, with peak memory well under 50 MB.
"""

from __future__ import annotations

import asyncio
import gzip
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.adapters.executor import AsyncExecutor, Executor
from carriergate.carriers.dhl_express import DHLExpress
from carriergate.carriers.dhl_express.account import DHLExpressAccount
from carriergate.core.contract import Call
from carriergate.core.deadline import Deadline
from carriergate.protocols.limits import DEFAULT_MAX_RESPONSE_BYTES, TOO_LARGE, BodyLimit
from carriergate.protocols.xml_safety import parse_untrusted

from support.fake_carrier import Exchange, FakeCarrier, Turn, fake_carrier
from support.timing import never_asleep, never_sleep

MiB = 1024 * 1024
CHUNK = MiB
BIG = 50  # chunks: a 50 MB answer


class Lazy:
    """A 50 MB body made on demand; counts the chunks anyone pulled."""

    def __init__(self, chunks: int = BIG) -> None:
        self.chunks = chunks
        self.pulled = 0

    def sync(self) -> Iterator[bytes]:
        for _ in range(self.chunks):
            self.pulled += 1
            yield b"{" * CHUNK

    async def asynchronous(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            self.pulled += 1
            yield b"{" * CHUNK


def _parse_blob(turn: Turn, response: httpx.Response) -> cg.TrackingInfo:
    if len(response.content) > 1000:
        raise AssertionError("an oversized body reached the parser")
    raise cg.NotFound("nothing", carrier=turn.alias, code="not_found")


#: One idempotent GET whose parse reads the whole body (as every real parser does).
Blob = fake_carrier("blob", hosts={"production": "https://blob.test"}, track=Exchange(
    lambda turn: httpx.Request("GET", turn.url(f"/t/{turn.argument}")), _parse_blob))


def blob() -> FakeCarrier:
    return Blob.with_account()


def run(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> cg.CarrierError:
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        executor = Executor(client, sleep=never_sleep, **options)
        with pytest.raises(cg.CarrierError) as info:
            executor.run(blob(), lambda: blob().track("X1"), Deadline(30))
    return info.value


def arun(handler: Callable[[httpx.Request], httpx.Response], **options: Any) -> cg.CarrierError:
    async def go() -> cg.CarrierError:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            executor = AsyncExecutor(client, sleep=never_asleep, **options)
            with pytest.raises(cg.CarrierError) as info:
                await executor.run(blob(), lambda: blob().track("X1"), Deadline(30))
        return info.value
    return asyncio.run(go())


def assert_too_large(err: cg.CarrierError) -> None:
    assert isinstance(err, cg.MalformedResponse)
    assert err.code == TOO_LARGE
    assert err.carrier == "blob"
    assert err.http_status == 200


def test_default_cap_is_ten_mib() -> None:
    assert 10 * MiB == DEFAULT_MAX_RESPONSE_BYTES
    with httpx.Client() as client:
        assert Executor(client).body_limit == BodyLimit(10 * MiB)
    for bad in (0, -1, True, 1.5):
        with pytest.raises(ValueError, match="max_response_bytes"):
            BodyLimit(bad)  # type: ignore[arg-type]


def test_sync_50_mb_stream_is_cut_at_the_cap_without_exhausting_memory() -> None:
    body = Lazy()
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, content=body.sync())

    tracemalloc.start()
    try:
        err = run(handler)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_too_large(err)
    assert body.pulled <= DEFAULT_MAX_RESPONSE_BYTES // CHUNK + 1  # the cap plus one chunk, never all 50
    assert peak < 40 * MiB
    assert len(calls) == 1  # never retried


def test_async_50_mb_stream_is_cut_at_the_cap() -> None:
    body = Lazy()

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body.asynchronous())

    tracemalloc.start()
    try:
        err = arun(handler)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_too_large(err)
    assert body.pulled <= DEFAULT_MAX_RESPONSE_BYTES // CHUNK + 1
    assert peak < 40 * MiB


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_oversized_content_length_is_refused_before_reading(mode: str) -> None:
    body = Lazy()
    runner = run if mode == "sync" else arun

    def handler(request: httpx.Request) -> httpx.Response:
        stream = body.sync() if mode == "sync" else body.asynchronous()
        return httpx.Response(200, content=stream, headers={"content-length": str(BIG * CHUNK)})

    assert_too_large(runner(handler))
    assert body.pulled == 0


@pytest.mark.parametrize("runner", [run, arun], ids=["sync", "async"])
def test_cap_is_configurable_per_executor(runner: Callable[..., cg.CarrierError]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"x" * 2048)

    err = runner(handler, max_response_bytes=1024)
    assert_too_large(err)
    assert "1024 bytes" in err.message
    # under the cap the parser runs and its own verdict comes back
    small = runner(lambda request: httpx.Response(200, content=b"[]"), max_response_bytes=1024)
    assert isinstance(small, cg.NotFound)


def streamed(mode: str, *chunks: bytes) -> Any:
    """Body chunks as a stream the transport hands over unread (bytes content would be read, and
    decoded, by httpx.Response itself, inside the test's handler)."""
    async def agen() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk
    return iter(chunks) if mode == "sync" else agen()


RUN = {"sync": run, "async": arun}


@pytest.mark.parametrize("mode", list(RUN))
def test_gzip_bomb_stops_at_the_cap(mode: str) -> None:
    bomb = gzip.compress(b"\0" * (50 * MiB), compresslevel=9)
    assert len(bomb) < 100 * 1024

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=streamed(mode, bomb), headers={"content-encoding": "gzip"})

    tracemalloc.start()
    try:
        err = RUN[mode](handler)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert_too_large(err)
    assert peak < 40 * MiB


@pytest.mark.parametrize("mode", list(RUN))
@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_small_compressed_answers_are_still_decoded(mode: str, encoding: str) -> None:
    packed = gzip.compress(b"[]") if encoding == "gzip" else zlib.compress(b"[]")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=streamed(mode, packed[:5], packed[5:]),
                              headers={"content-encoding": encoding})

    assert isinstance(RUN[mode](handler), cg.NotFound)

    def corrupt(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=streamed(mode, b"not compressed at all"),
                              headers={"content-encoding": encoding})

    err = RUN[mode](corrupt)
    assert isinstance(err, cg.MalformedResponse)
    assert err.code == "malformed"


def test_gateway_refuses_a_50_mb_answer_from_a_real_carrier() -> None:
    """FedEx track through the public Gateway: token fine, then a 50 MB tracking answer."""
    body = Lazy()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return httpx.Response(200, json={"access_token": "t0k", "token_type": "bearer", "expires_in": 3600})
        return httpx.Response(200, content=body.sync(), headers={"content-type": "application/json"})

    config = {"fedex": {"client_id": "id", "client_secret": "secret", "account_number": "740561073",
                        "environment": "sandbox"}}
    with cg.Gateway(config, transport=httpx.MockTransport(handler), sleep=never_sleep) as gw, \
            pytest.raises(cg.MalformedResponse) as info:
        gw.track("794600000001", carrier="fedex")
    assert info.value.code == TOO_LARGE
    assert info.value.carrier == "fedex"
    assert body.pulled <= DEFAULT_MAX_RESPONSE_BYTES // CHUNK + 1


# -- XML bombs --------------------------------------------------------------------------------------

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


def billion_laughs() -> bytes:
    lines = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    return (f'<?xml version="1.0"?><!DOCTYPE lolz [{"".join(lines)}]>'
            f'<soapenv:Envelope xmlns:soapenv="{SOAP}"><soapenv:Body>&lol9;</soapenv:Body></soapenv:Envelope>'
            ).encode()


def quadratic_blowup() -> bytes:
    entity = "A" * 100_000
    return (f'<?xml version="1.0"?><!DOCTYPE kaboom [<!ENTITY a "{entity}">]>'
            f'<soapenv:Envelope xmlns:soapenv="{SOAP}"><soapenv:Body><x>{"&a;" * 50_000}</x>'
            f'</soapenv:Body></soapenv:Envelope>').encode()


def deep_nesting(levels: int = 100_000) -> bytes:
    return (f'<soapenv:Envelope xmlns:soapenv="{SOAP}"><soapenv:Body>' + "<a>" * levels + "</a>" * levels
            + "</soapenv:Body></soapenv:Envelope>").encode()


def external_entity() -> bytes:
    return (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            f'<soapenv:Envelope xmlns:soapenv="{SOAP}"><soapenv:Body>&x;</soapenv:Body></soapenv:Envelope>'
            ).encode()


def utf16_bomb() -> bytes:
    return billion_laughs().decode().encode("utf-16")  # with a byte-order mark


BOMBS: dict[str, Callable[[], bytes]] = {
    "billion_laughs": billion_laughs,
    "quadratic_blowup": quadratic_blowup,
    "deep_nesting_100k": deep_nesting,
    "external_entity": external_entity,
    "utf16_billion_laughs": utf16_bomb,
}


def dhl_track_call() -> Call[Any]:
    account = DHLExpressAccount(username="u", password="p", account_number="950000002", environment="sandbox")
    call: Call[Any] = next(DHLExpress(account).track("5551234560"))
    return call


@pytest.mark.parametrize("name", list(BOMBS))
def test_xml_bombs_are_refused_fast_and_small_through_the_dhl_parse_path(name: str) -> None:
    data = BOMBS[name]()
    call = dhl_track_call()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(cg.CarrierError) as info:
            call.parse(httpx.Response(200, content=data, headers={"content-type": "text/xml"}))
        with pytest.raises(cg.MalformedResponse):
            parse_untrusted(data, carrier="dhl_express", what="bomb")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(info.value, cg.MalformedResponse)
    assert info.value.code in ("unsafe_xml", "malformed")
    assert time.perf_counter() - started < 5
    assert peak < 50 * MiB


@pytest.mark.parametrize("status", [200, 500])
def test_entity_declarations_are_refused_whatever_the_status(status: int) -> None:
    with pytest.raises(cg.MalformedResponse) as info:
        dhl_track_call().parse(httpx.Response(status, content=billion_laughs()))
    assert info.value.code == "unsafe_xml"
