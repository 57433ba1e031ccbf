"""A lean HTTP/1.1 load generator for benchmark 4 (raw asyncio, keep-alive), closed or open loop.

Why not httpx: on this 2-core machine the load generator shares the CPU with the server under test.
``httpx.AsyncClient`` with hundreds of pooled connections spent 4-22 ms of CPU per request (its pool
bookkeeping grows with the number of connections), CPU taken from the server being measured. This
client writes one fixed request and reads the answer (status line, headers, ``Content-Length`` body;
uvicorn always sends one for our app's answers) at well under a millisecond per request.

It speaks only what the benchmark needs: ``POST`` of a fixed JSON body to one path, answers with a
``Content-Length``. Anything else is reported as an error, never guessed at.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

#: An idle connection older than this is not reused (uvicorn closes idle keep-alive connections after 5 s).
KEEP_ALIVE = 4.0


class ProtocolError(Exception):
    """The server answered something this client does not parse (no Content-Length, bad status line)."""


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    complete: int = 0  # answers where every carrier answered live
    shed: int = 0  # answers the app gave from backup rates without asking the carriers (code checkout_busy)

    def judge(self, answer: dict[str, Any]) -> None:
        self.complete += bool(answer.get("complete"))
        self.shed += any(e.get("code") == "checkout_busy" for e in answer.get("errors", {}).values())

    def count(self, key: str, seconds: float) -> None:
        self.latencies.append(seconds)
        self.statuses[key] = self.statuses.get(key, 0) + 1


def request_bytes(host: str, port: int, path: str, body: dict[str, Any]) -> bytes:
    payload = json.dumps(body).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\nConnection: keep-alive\r\n\r\n")
    return head.encode("ascii") + payload


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Status code and body of one HTTP/1.1 answer with a Content-Length."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise ProtocolError(f"bad status line {lines[0]!r}")
    length = None
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length is None:
        raise ProtocolError("answer without Content-Length")
    return int(parts[1]), await reader.readexactly(length)


class _Exchanges:
    """Sends the one request on a keep-alive connection and tallies the answer."""

    def __init__(self, host: str, port: int, path: str, body: dict[str, Any], per_request: float) -> None:
        self.host, self.port = host, port
        self.wire = request_bytes(host, port, path, body)
        self.per_request = per_request
        self.tally = Tally()

    async def one(self, conn: list[Any], *, record: bool, since: float | None = None) -> None:
        """One request on ``conn`` ([reader, writer], connected on first use; emptied after a failure).
        Its latency counts from ``since`` (default: now)."""
        start = time.perf_counter() if since is None else since
        try:
            async with asyncio.timeout(self.per_request):
                if not conn:
                    conn.extend(await asyncio.open_connection(self.host, self.port))
                conn[1].write(self.wire)
                status, answer = await read_answer(conn[0])
            key = str(status)
            if status == 200 and record:
                self.tally.judge(json.loads(answer))
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ProtocolError, TimeoutError) as exc:
            key = type(exc).__name__
            if conn:  # the next request starts on a fresh connection
                conn[1].close()
                conn.clear()
        if record:
            self.tally.count(key, time.perf_counter() - start)

    def result(self, elapsed: float) -> dict[str, Any]:
        t = self.tally
        return {"elapsed_s": elapsed, "latencies": t.latencies, "statuses": t.statuses,
                "complete_answers": t.complete, "shed_answers": t.shed}


async def _warm_up(exchanges: _Exchanges, count: int) -> None:
    conn: list[Any] = []
    for _ in range(count):
        await exchanges.one(conn, record=False)
    if conn:
        conn[1].close()


async def run_load(host: str, port: int, path: str, body: dict[str, Any], *, total: int, concurrency: int,
                   warmup: int = 20, per_request: float = 10.0) -> dict[str, Any]:
    """Closed loop: ``total`` requests from ``concurrency`` workers, each on its own keep-alive
    connection and sending its next request as soon as the last is answered, after ``warmup``
    sequential ones. Latency is measured per request from write to complete answer."""
    exchanges = _Exchanges(host, port, path, body, per_request)
    await _warm_up(exchanges, warmup)
    budget = total

    async def worker() -> None:
        nonlocal budget
        conn: list[Any] = []
        try:
            while budget > 0:
                budget -= 1
                await exchanges.one(conn, record=True)
        finally:
            if conn:
                conn[1].close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return exchanges.result(time.perf_counter() - started)


async def run_open(host: str, port: int, path: str, body: dict[str, Any], *, rate: float, total: int,
                   warmup: int = 20, per_request: float = 10.0) -> dict[str, Any]:
    """Open loop: ``total`` requests arriving at ``rate`` per second whatever the answers (as shoppers
    arrive at checkout pages), each on an idle keep-alive connection or a new one. Latency counts
    from the request's scheduled arrival, so a late send is not hidden (no coordinated omission)."""
    exchanges = _Exchanges(host, port, path, body, per_request)
    await _warm_up(exchanges, warmup)
    idle: list[tuple[float, list[Any]]] = []  # (idle since, connection), the most recent last

    async def arrival(at: float) -> None:
        conn: list[Any] = []
        while idle and not conn:
            since, conn = idle.pop()
            if time.perf_counter() - since > KEEP_ALIVE:  # the server may have closed it: never reuse
                conn[1].close()
                conn = []
        await exchanges.one(conn, record=True, since=at)
        if conn:
            idle.append((time.perf_counter(), conn))

    started = time.perf_counter()
    arrivals = []
    for i in range(total):
        at = started + i / rate
        if (wait := at - time.perf_counter()) > 0:
            await asyncio.sleep(wait)
        arrivals.append(asyncio.create_task(arrival(at)))
    await asyncio.gather(*arrivals)
    for _, conn in idle:
        conn[1].close()
    return exchanges.result(time.perf_counter() - started)
