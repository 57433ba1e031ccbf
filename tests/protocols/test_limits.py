"""The one body reader (protocols/limits.py): the same decisions whether it reads a sync or an async
response, hooks instead of loops of one's own, and the OAuth2 token fetch reading through it too."""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator, Iterable, Iterator

import httpx
import pytest
from pydantic import SecretStr

from carriergate.core.errors import CarrierError, MalformedResponse
from carriergate.protocols.auth.oauth2 import OAuth2ClientCredentials
from carriergate.protocols.limits import TOO_LARGE, BodyLimit, BodyReader

MODES = ["sync", "async"]
TOKEN_URL = "https://auth.test/oauth/token"


class Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body in the given chunks, for sync and async responses alike; counts what was pulled."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self.chunks = list(chunks)
        self.pulled = 0
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.pulled += 1
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            self.pulled += 1
            yield chunk

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def streamed(chunks: Iterable[bytes], headers: dict[str, str] | None = None, status: int = 200) -> httpx.Response:
    return httpx.Response(status, headers=headers, stream=Chunks(chunks))


def read(mode: str, reader: BodyReader) -> bytes:
    return reader.read() if mode == "sync" else asyncio.run(reader.aread())


def refused(mode: str, reader: BodyReader) -> CarrierError:
    with pytest.raises(CarrierError) as info:
        read(mode, reader)
    return info.value


def stream_of(response: httpx.Response) -> Chunks:
    assert isinstance(response.stream, Chunks)
    return response.stream


@pytest.mark.parametrize("mode", MODES)
def test_reads_every_chunk_and_closes_the_response(mode: str) -> None:
    response = streamed([b"ab", b"cd", b"ef"], {"content-length": "6"})
    reader = BodyLimit(100).reader(response, operation="track", carrier="x")
    assert read(mode, reader) == b"abcdef" == reader.content
    assert (stream_of(response).pulled, stream_of(response).closed) == (3, True)


@pytest.mark.parametrize("mode", MODES)
def test_a_declared_length_over_the_limit_is_refused_before_a_chunk_is_pulled(mode: str) -> None:
    response = streamed([b"x" * 2000], {"content-length": "2000"}, status=201)
    err = refused(mode, BodyLimit(1000).reader(response, operation="ship", carrier="x"))
    assert (type(err), err.code, err.http_status, err.carrier) == (MalformedResponse, TOO_LARGE, 201, "x")
    assert err.message.startswith("ship: ")
    assert "1000 bytes" in err.message
    assert (stream_of(response).pulled, stream_of(response).closed) == (0, True)


@pytest.mark.parametrize("mode", MODES)
def test_the_bytes_received_are_counted_and_pulling_stops_at_the_limit(mode: str) -> None:
    response = streamed([b"x" * 400] * 10)  # no Content-Length: counted as it arrives
    err = refused(mode, BodyLimit(1000).reader(response, operation="track", carrier="x"))
    assert err.code == TOO_LARGE
    assert (stream_of(response).pulled, stream_of(response).closed) == (3, True)


@pytest.mark.parametrize("mode", MODES)
def test_a_gzip_bomb_stops_at_the_limit_and_small_compressed_bodies_are_decoded(mode: str) -> None:
    bomb = streamed([gzip.compress(b"\0" * (8 * 1024 * 1024))], {"content-encoding": "gzip"})
    assert refused(mode, BodyLimit(100_000).reader(bomb, operation="rate", carrier="x")).code == TOO_LARGE
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    deflated = raw.compress(b'{"ok": true}') + raw.flush()  # "deflate" sent raw, as some servers do
    small = streamed([deflated[:3], deflated[3:]], {"content-encoding": "deflate"})
    assert read(mode, BodyLimit(100).reader(small, operation="rate", carrier="x")) == b'{"ok": true}'


@pytest.mark.parametrize("mode", MODES)
def test_corrupt_compression_is_malformed(mode: str) -> None:
    response = streamed([b"this is not gzip"], {"content-encoding": "gzip"})
    err = refused(mode, BodyLimit(100).reader(response, operation="rate", carrier="x"))
    assert (type(err), err.code, err.http_status) == (MalformedResponse, "malformed", 200)


@pytest.mark.parametrize("mode", MODES)
def test_a_body_already_read_is_taken_as_it_is_and_still_held_to_the_limit(mode: str) -> None:
    reader = BodyLimit(100).reader(httpx.Response(200, content=b"read by a transport"), operation="t", carrier="x")
    assert read(mode, reader) == b"read by a transport"
    too_big = BodyLimit(10).reader(httpx.Response(200, content=b"read by a transport"), operation="t", carrier="x")
    assert refused(mode, too_big).code == TOO_LARGE


class Counting(BodyReader):
    """Stops after ``stop_after`` chunks; turns a refusal into a CarrierError of its own."""

    def __init__(self, response: httpx.Response, stop_after: int = 99) -> None:
        super().__init__(BodyLimit(1000), response, operation="track", carrier="x")
        self.after = 0
        self.stop_after = stop_after

    def after_chunk(self) -> None:
        self.after += 1
        if self.after == self.stop_after:
            raise CarrierError("stopped", code="stopped")

    def refused(self, error: MalformedResponse) -> CarrierError:
        return CarrierError(f"judged: {error.message}", code=f"judged_{error.code}")


@pytest.mark.parametrize("mode", MODES)
def test_the_hooks_run_after_every_chunk_and_on_every_refusal(mode: str) -> None:
    whole = Counting(streamed([b"a", b"b", b"c"]))
    assert (read(mode, whole), whole.after) == (b"abc", 3)

    response = streamed([b"a", b"b", b"c", b"d"])
    stopped = Counting(response, stop_after=2)
    assert refused(mode, stopped).code == "stopped"
    assert (stream_of(response).pulled, stream_of(response).closed) == (2, True)

    assert refused(mode, Counting(streamed([b"x" * 600] * 2))).code == f"judged_{TOO_LARGE}"
    assert refused(mode, Counting(streamed([b"x"], {"content-length": "5000"}))).code == f"judged_{TOO_LARGE}"
    assert refused(mode, Counting(streamed([b"zz"], {"content-encoding": "gzip"}))).code == "judged_malformed"


def test_a_copy_holds_the_decoded_body_without_the_wire_headers() -> None:
    body = b'{"ok": true}'
    request = httpx.Request("GET", "https://x.test/t")
    response = httpx.Response(200, headers={"content-encoding": "gzip", "content-length": "99", "x-id": "7"},
                              stream=Chunks([gzip.compress(body)]), request=request)
    reader = BodyLimit(100).reader(response, operation="track", carrier="x")
    reader.read()
    copy = reader.as_response()
    assert (copy.content, copy.headers.get("x-id"), copy.request) == (body, "7", request)
    assert "content-encoding" not in copy.headers
    assert copy.headers["content-length"] == str(len(body))
    with pytest.raises(httpx.ResponseNotRead):  # the executor keeps the copy, not the streamed original
        _ = response.content


@pytest.mark.parametrize("mode", MODES)
def test_reading_inside_an_auth_flow_keeps_the_body_on_the_response(mode: str) -> None:
    response = streamed([b"to", b"ken"])
    limit = BodyLimit(100)
    body = (limit.read(response, operation="token", carrier="x") if mode == "sync"
            else asyncio.run(limit.aread(response, operation="token", carrier="x")))
    assert body == response.content == response.read() == b"token"


def token_server(token_answer: httpx.Response) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url == TOKEN_URL:
            return httpx.Response(token_answer.status_code, headers=token_answer.headers,
                                  stream=Chunks([token_answer.content[:10], token_answer.content[10:]]))
        return httpx.Response(200, text="ok")
    return httpx.MockTransport(handle)


def fetch(mode: str, auth: OAuth2ClientCredentials, transport: httpx.MockTransport) -> httpx.Response:
    if mode == "sync":
        with httpx.Client(transport=transport, auth=auth) as client:
            return client.get("https://api.test/rate")

    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=transport, auth=auth) as client:
            return await client.get("https://api.test/rate")
    return asyncio.run(go())


@pytest.mark.parametrize("mode", MODES)
def test_the_token_fetch_reads_through_the_same_reader_under_the_same_limit(
        mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fed: list[str] = []
    real_feed = BodyReader.feed

    def feed(self: BodyReader, chunk: bytes) -> None:
        fed.append(self.operation)
        real_feed(self, chunk)

    monkeypatch.setattr(BodyReader, "feed", feed)
    answer = httpx.Response(200, json={"access_token": "t0k", "token_type": "Bearer", "expires_in": 3600})

    def auth(max_response_bytes: int) -> OAuth2ClientCredentials:
        return OAuth2ClientCredentials(carrier="ups", token_url=TOKEN_URL, client_id="id",
                                       client_secret=SecretStr("secret"), max_response_bytes=max_response_bytes)

    assert fetch(mode, auth(10_000), token_server(answer)).text == "ok"
    assert fed == ["token", "token"]
    with pytest.raises(MalformedResponse) as info:
        fetch(mode, auth(20), token_server(answer))
    assert (info.value.code, info.value.carrier) == (TOO_LARGE, "ups")
