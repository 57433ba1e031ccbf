"""A lean HTTP/1.1 load generator for benchmark 4: one keep-alive connection per worker, raw asyncio.

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


async def run_load(host: str, port: int, path: str, body: dict[str, Any], *, total: int, concurrency: int,
                   warmup: int = 20, per_request: float = 10.0) -> dict[str, Any]:
    """``total`` requests from ``concurrency`` workers (each on its own keep-alive connection), after
    ``warmup`` sequential ones. Latency is measured per request from write to complete answer."""
    wire = request_bytes(host, port, path, body)
    tally = Tally()

    async def exchange(conn: list[Any]) -> tuple[int, bytes]:
        if not conn:
            conn.extend(await asyncio.open_connection(host, port))
        reader, writer = conn
        writer.write(wire)
        return await read_answer(reader)

    async def worker(budget: list[int], record: bool) -> None:
        """Send requests until the shared ``budget`` (a one-item counter) is used up."""
        conn: list[Any] = []  # [reader, writer] once connected
        try:
            while budget[0] > 0:
                budget[0] -= 1
                start = time.perf_counter()
                try:
                    async with asyncio.timeout(per_request):
                        status, answer = await exchange(conn)
                    key = str(status)
                    if status == 200 and record:
                        tally.judge(json.loads(answer))
                except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ProtocolError,
                        TimeoutError) as exc:
                    key = type(exc).__name__
                    if conn:  # start the next request on a fresh connection
                        conn[1].close()
                        conn.clear()
                if record:
                    tally.count(key, time.perf_counter() - start)
        finally:
            if conn:
                conn[1].close()

    await worker([warmup], record=False)
    budget = [total]
    started = time.perf_counter()
    await asyncio.gather(*(worker(budget, record=True) for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {"elapsed_s": elapsed, "latencies": tally.latencies, "statuses": tally.statuses,
            "complete_answers": tally.complete, "shed_answers": tally.shed}
