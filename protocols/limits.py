"""How much of a carrier's answer we are willing to hold: :class:`BodyLimit`.

A carrier answer is read by streaming and refused as soon as it is bigger than the limit: first on
its declared ``Content-Length`` (before a byte of the body is read), then on the bytes actually
received, after decoding any gzip/deflate ``Content-Encoding`` in bounded steps (so a small gzip
bomb stops at the limit instead of expanding in one go).
Either way the answer becomes ``MalformedResponse(code="response_too_large")``: never retried
(the carrier would send it again) and not a sign that the carrier is down.

The decisions are pure; the executors own the loops that feed them chunks (checking their deadline
between chunks). :meth:`BodyLimit.read` / :meth:`BodyLimit.aread` read a whole response under the
limit for code that reads inside an auth flow (the OAuth2 token response).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from carriergate.core.errors import MalformedResponse

#: The default largest answer accepted: 10 MiB (a multi-piece label batch is well under 2 MiB).
DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024
TOO_LARGE = "response_too_large"
#: Bytes decoded per step of a compressed body.
STEP = 64 * 1024
#: Content-Encodings decoded here (httpx offers only these unless brotli/zstandard are installed;
#: any other is kept as it came and counted at its received size).
INFLATED = frozenset({"gzip", "x-gzip", "deflate"})
#: Headers that describe the body as sent, not as we hold it once decoded.
_WIRE_HEADERS = frozenset({"content-length", "content-encoding", "transfer-encoding"})


class _Inflater:
    """gzip or deflate, decoded in steps of at most :data:`STEP` bytes, so a few compressed bytes
    can never expand to more than the limit in one go (a decompression bomb stops at the limit)."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16 if self._gzip else zlib.MAX_WBITS)
        self._started = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self._zlib.decompress(data, STEP)
            except zlib.error:
                if self._gzip or self._started:
                    raise
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)  # "deflate" sent raw, as some servers do
                out = self._zlib.decompress(data, STEP)
            self._started = True
            data = self._zlib.unconsumed_tail
            yield out


class BodyReader:
    """Collects one streamed answer: :meth:`feed` each raw chunk, then :meth:`finish`."""

    def __init__(self, limit: BodyLimit, response: httpx.Response, *, operation: str, carrier: str | None) -> None:
        self.limit = limit
        self.response = response
        self.operation = operation
        self.carrier = carrier
        self.body = bytearray()
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        self._inflater = _Inflater(encoding) if encoding in INFLATED else None
        limit.check_declared(response, operation=operation, carrier=carrier)

    def _add(self, decoded: bytes) -> None:
        self.body += decoded
        self.limit.check_received(self.response, len(self.body), operation=self.operation, carrier=self.carrier)

    def take(self, decoded: bytes) -> None:
        """Take a body someone already read and decoded."""
        self._add(decoded)

    def feed(self, raw: bytes) -> None:
        """Take one raw chunk; MalformedResponse once the decoded body is over the limit or corrupt."""
        if self._inflater is None:
            self._add(raw)
            return
        try:
            for decoded in self._inflater.decode(raw):
                self._add(decoded)
        except zlib.error:
            raise MalformedResponse(f"{self.operation}: the carrier's compressed answer is corrupt",
                                    carrier=self.carrier, code="malformed",
                                    http_status=self.response.status_code) from None

    def finish(self) -> httpx.Response:
        """A fully read copy of the response holding the decoded body (no wire headers)."""
        headers = [(k, v) for k, v in self.response.headers.multi_items() if k.lower() not in _WIRE_HEADERS]
        copy = httpx.Response(self.response.status_code, headers=headers, content=bytes(self.body),
                              request=self.response.request, extensions=self.response.extensions)
        copy.read()
        return copy


@dataclass(frozen=True)
class BodyLimit:
    """``BodyLimit(max_bytes)``: the largest decoded body accepted, in bytes."""

    max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES

    def __post_init__(self) -> None:
        if isinstance(self.max_bytes, bool) or not isinstance(self.max_bytes, int) or self.max_bytes < 1:
            raise ValueError("max_response_bytes must be a positive integer")

    def refusal(self, response: httpx.Response, size: int, *, operation: str,
                carrier: str | None) -> MalformedResponse:
        return MalformedResponse(f"{operation}: the carrier's answer is larger than the limit of "
                                 f"{self.max_bytes} bytes (at least {size} bytes); refused unread",
                                 carrier=carrier, code=TOO_LARGE, http_status=response.status_code)

    def check_declared(self, response: httpx.Response, *, operation: str, carrier: str | None) -> None:
        """Refuse before reading when ``Content-Length`` already says the body is too large. A
        missing or garbled header is not an error here: the bytes are counted as they arrive."""
        declared = response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise self.refusal(response, int(declared), operation=operation, carrier=carrier)

    def check_received(self, response: httpx.Response, size: int, *, operation: str, carrier: str | None) -> None:
        """Refuse once ``size`` bytes received exceed the limit."""
        if size > self.max_bytes:
            raise self.refusal(response, size, operation=operation, carrier=carrier)

    def reader(self, response: httpx.Response, *, operation: str, carrier: str | None) -> BodyReader:
        """A reader for the streamed ``response`` (refuses at once on an oversized Content-Length)."""
        return BodyReader(self, response, operation=operation, carrier=carrier)

    def read(self, response: httpx.Response, *, operation: str, carrier: str | None) -> bytes:
        """The decoded body of ``response`` read under the limit, kept as ``response.content`` (httpx
        reads every response an auth flow has seen once more: it then finds the body already held).
        The response is closed either way."""
        try:
            reader = self.reader(response, operation=operation, carrier=carrier)
            if response.is_stream_consumed:
                reader.take(response.content)
            else:
                for chunk in response.iter_raw():
                    reader.feed(chunk)
        finally:
            response.close()
        return _keep(response, reader)

    async def aread(self, response: httpx.Response, *, operation: str, carrier: str | None) -> bytes:
        """:meth:`read` for a response of an ``httpx.AsyncClient``."""
        try:
            reader = self.reader(response, operation=operation, carrier=carrier)
            if response.is_stream_consumed:
                reader.take(response.content)
            else:
                async for chunk in response.aiter_raw():
                    reader.feed(chunk)
        finally:
            await response.aclose()
        return _keep(response, reader)


def _keep(response: httpx.Response, reader: BodyReader) -> bytes:
    body = bytes(reader.body)
    response._content = body  # what httpx's Response.read() caches; read() then returns it
    return body


__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "TOO_LARGE", "BodyLimit", "BodyReader"]
