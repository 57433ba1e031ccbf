"""How much of a carrier's answer we are willing to hold (:class:`BodyLimit`), and the one reader
that holds it to that (:class:`BodyReader`).

A carrier answer is read by streaming and refused as soon as it is bigger than the limit: first on
its declared ``Content-Length`` (before a byte of the body is read), then on the bytes actually
received, after decoding any gzip/deflate ``Content-Encoding`` in bounded steps (so a small gzip
bomb stops at the limit instead of expanding in one go).
Either way the answer becomes ``MalformedResponse(code="response_too_large")``: never retried
(the carrier would send it again) and not a sign that the carrier is down.

The executor and the OAuth2 token fetch (through :meth:`BodyLimit.read` / :meth:`BodyLimit.aread`)
read with the same :class:`BodyReader`. As in httpx, every decision is shared and only the pulling of
chunks differs: :meth:`BodyReader.read` iterates a sync response, :meth:`BodyReader.aread` an async
one, both through :meth:`BodyReader.start` and :meth:`BodyReader.feed`. A caller adds its own rules by
overriding two hooks, not by writing a loop of its own: :meth:`BodyReader.after_chunk` (the executor
checks its deadline there) and :meth:`BodyReader.refused` (the executor judges a refused answer to a
write as OutcomeUnknown).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from carriergate.core.errors import CarrierError, MalformedResponse

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
    """Reads one streamed answer under ``limit``: :meth:`read` (sync) or :meth:`aread` (async) return
    the decoded body, :meth:`as_response` then gives a fully read copy of the response. Make one with
    :meth:`BodyLimit.reader`, or subclass it to override the hooks."""

    def __init__(self, limit: BodyLimit, response: httpx.Response, *, operation: str, carrier: str | None) -> None:
        self.limit = limit
        self.response = response
        self.operation = operation
        self.carrier = carrier
        self.content = b""  # the decoded body, once read
        self._buffer = bytearray()
        self._max = limit.max_bytes
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        self._inflater = _Inflater(encoding) if encoding in INFLATED else None

    # -- hooks ------------------------------------------------------------------------------------

    def after_chunk(self) -> None:
        """Called after every chunk taken off the network; raise to stop reading. Nothing here."""

    def refused(self, error: MalformedResponse) -> CarrierError:
        """The error raised for an answer refused (too large, corrupt compression): ``error`` itself here."""
        return error

    # -- decisions (shared by both flavours) -------------------------------------------------------

    def start(self) -> bool:
        """Refuse at once when ``Content-Length`` already says the body is too large (a missing or
        garbled header is no error: the bytes are counted as they arrive); take a body that someone
        (a transport, a hook) already read. True when no chunk is left to pull."""
        declared = self.response.headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self._max:
            raise self._too_large(int(declared))
        if not self.response.is_stream_consumed:
            return False
        self._add(self.response.content)
        return True

    def feed(self, raw: bytes) -> None:
        """Take one raw chunk (decoded in bounded steps, counted against the limit), then
        :meth:`after_chunk`."""
        if self._inflater is None:
            self._add(raw)
        else:
            try:
                for decoded in self._inflater.decode(raw):
                    self._add(decoded)
            except zlib.error:
                raise self.refused(MalformedResponse(f"{self.operation}: the carrier's compressed answer is corrupt",
                                                     carrier=self.carrier,
                                                     http_status=self.response.status_code)) from None
        self.after_chunk()

    def _add(self, decoded: bytes) -> None:
        self._buffer += decoded
        if len(self._buffer) > self._max:
            raise self._too_large(len(self._buffer))

    def _too_large(self, size: int) -> CarrierError:
        return self.refused(self.limit.refusal(self.response, size, operation=self.operation, carrier=self.carrier))

    def _done(self) -> bytes:
        self.content = bytes(self._buffer)
        self._buffer = bytearray()  # held only while reading: the body lives on in ``content``
        return self.content

    # -- the I/O: only the iteration differs -------------------------------------------------------

    def read(self) -> bytes:
        """The decoded body of a sync ``response``, read under the limit; the response is closed either way."""
        try:
            if not self.start():
                for chunk in self.response.iter_raw():
                    self.feed(chunk)
        finally:
            self.response.close()
        return self._done()

    async def aread(self) -> bytes:
        """:meth:`read` for a response of an ``httpx.AsyncClient``."""
        try:
            if not self.start():
                async for chunk in self.response.aiter_raw():
                    self.feed(chunk)
        finally:
            await self.response.aclose()
        return self._done()

    def as_response(self) -> httpx.Response:
        """After :meth:`read`: a fully read copy of the response holding the decoded body (without the
        wire headers, which describe the body as sent)."""
        headers = [(k, v) for k, v in self.response.headers.multi_items() if k.lower() not in _WIRE_HEADERS]
        copy = httpx.Response(self.response.status_code, headers=headers, content=self.content,
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
        """The error for an answer of at least ``size`` bytes, over the limit."""
        return MalformedResponse(f"{operation}: the carrier's answer is larger than the limit of "
                                 f"{self.max_bytes} bytes (at least {size} bytes); refused unread",
                                 carrier=carrier, code=TOO_LARGE, http_status=response.status_code)

    def reader(self, response: httpx.Response, *, operation: str, carrier: str | None) -> BodyReader:
        """A :class:`BodyReader` of the streamed ``response`` under this limit."""
        return BodyReader(self, response, operation=operation, carrier=carrier)

    def read(self, response: httpx.Response, *, operation: str, carrier: str | None) -> bytes:
        """What httpx's ``response.read()`` does, under the limit: the decoded body, kept as
        ``response.content`` (httpx reads every response an auth flow has seen once more: it then
        finds the body already held). For code that reads inside an auth flow (the OAuth2 token)."""
        return _keep(response, self.reader(response, operation=operation, carrier=carrier).read())

    async def aread(self, response: httpx.Response, *, operation: str, carrier: str | None) -> bytes:
        """:meth:`read` for a response of an ``httpx.AsyncClient``."""
        return _keep(response, await self.reader(response, operation=operation, carrier=carrier).aread())


def _keep(response: httpx.Response, body: bytes) -> bytes:
    # Not for the executor's reads, which hand on a copy (BodyReader.as_response): httpx holds a
    # streamed response in reference cycles, so a body kept on it would live until the next garbage
    # collection instead of being freed with the copy.
    response._content = body  # what httpx's Response.read() caches; read() then returns it
    return body


__all__ = ["DEFAULT_MAX_RESPONSE_BYTES", "TOO_LARGE", "BodyLimit", "BodyReader"]
