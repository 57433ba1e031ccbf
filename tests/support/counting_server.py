"""A local HTTP server that counts: OAuth2 token requests per client id and API requests, for the tests
that run several worker processes against one Redis (tests/stores/test_workers_*.py).

``POST /token`` (client credentials in the form body, FedEx style) answers ``tok-<client>-<n>``, or,
with ``hold_first``, holds the very first token request open (unanswered) until :meth:`release`, so a
test can kill the process that sent it mid-fetch; ``X-Worker-Pid`` on a token request names the
sender. ``GET /api`` answers 200 to a bearer it issued (401 otherwise), ``GET /open`` to anyone; both note
when each accepted request arrived.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

#: How long a held token request stays open at most (the test releases it sooner).
HOLD_AT_MOST = 120.0


class Counts:
    def __init__(self, *, hold_first: bool = False) -> None:
        self.lock = threading.Lock()
        self.tokens: Counter[str] = Counter()
        self.issued: set[str] = set()
        self.api_arrivals: list[float] = []
        self.api_refused = 0
        self.hold_first = hold_first
        self.held = threading.Event()
        self.held_pid: int | None = None
        self.released = threading.Event()

    def release(self) -> None:
        self.released.set()


def _handler(counts: Counts) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            del format, args

        def _answer(self, status: int, body: dict[str, object]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode())
            client = form.get("client_id", ["?"])[0]
            with counts.lock:
                counts.tokens[client] += 1
                number = sum(counts.tokens.values())
                hold = counts.hold_first and number == 1
            if hold:
                pid = self.headers.get("X-Worker-Pid")
                counts.held_pid = int(pid) if pid else None
                counts.held.set()
                counts.released.wait(HOLD_AT_MOST)
                return  # never answered: its sender is killed meanwhile
            token = f"tok-{client}-{number}"
            with counts.lock:
                counts.issued.add(token)
            self._answer(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})

        def do_GET(self) -> None:
            bearer = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            with counts.lock:
                known = self.path.startswith("/open") or bearer in counts.issued
                if known:
                    counts.api_arrivals.append(time.monotonic())
                else:
                    counts.api_refused += 1
            self._answer(200 if known else 401, {"ok": known})

    return Handler


@contextmanager
def counting_server(*, hold_first: bool = False) -> Iterator[tuple[str, Counts]]:
    """``(base_url, counts)`` of a server on a free loopback port, stopped after the block."""
    counts = Counts(hold_first=hold_first)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(counts))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", counts
    finally:
        counts.release()
        server.shutdown()
        server.server_close()


def busiest_window(arrivals: list[float], seconds: float = 1.0) -> int:
    """The most arrivals within any window of ``seconds`` (a count, not a duration)."""
    ordered = sorted(arrivals)
    best, start = 0, 0
    for end, at in enumerate(ordered):
        while at - ordered[start] >= seconds:
            start += 1
        best = max(best, end - start + 1)
    return best
