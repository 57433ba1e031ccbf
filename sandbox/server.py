"""The sandbox over loopback HTTP: the same emulators and faults as the in-process transport.

Standard library only (``http.server.ThreadingHTTPServer``), bound to 127.0.0.1 by default.
``/{carrier}/...`` reaches that carrier's emulator with the rest of the path::

    carriergate sandbox serve --port 8080       # -> serve(8080)
    with running_server() as sandbox:           # tests: port 0 picks a free port
        gw = cg.Gateway(sandbox.config)
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx

from carriergate.sandbox.base import SANDBOX_HOST, Emulator, json_response
from carriergate.sandbox.faults import MAX_HANG, FaultInjector, Faults, error_response, garble
from carriergate.sandbox.registry import emulators as load_emulators
from carriergate.sandbox.registry import sandbox_accounts

logger = logging.getLogger("carriergate.sandbox")

#: Largest request body accepted (bytes).
MAX_BODY = 10 * 1024 * 1024
_HOP_BY_HOP = {"content-length", "transfer-encoding", "connection", "keep-alive", "content-encoding"}


class SandboxServer(ThreadingHTTPServer):
    """A threading HTTP server holding the emulators, the fault injector and a stop signal."""

    daemon_threads = True
    request_queue_size = 1024  # listen backlog: socketserver's default of 5 drops connection bursts

    def __init__(self, address: tuple[str, int], emulators: Mapping[str, Emulator], faults: Faults | None) -> None:
        super().__init__(address, _Handler)
        self.emulators = dict(emulators)
        self.injector = FaultInjector(faults)
        self.stopping = threading.Event()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        self.stopping.set()  # releases hung handlers
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        # The path only: query strings and bodies may hold credentials.
        logger.debug("%s %s", self.command, self.path.partition("?")[0])

    def _reply(self, response: httpx.Response) -> None:
        body = response.read()
        self.send_response(response.status_code)
        for name, value in response.headers.multi_items():
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _request(self) -> httpx.Request | None:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            self._reply(json_response(411, {"error": "send a Content-Length"}))
            return None
        length = int(self.headers.get("content-length") or 0)
        if length > MAX_BODY:
            self.close_connection = True
            self._reply(json_response(413, {"error": "request body too large"}))
            return None
        body = self.rfile.read(length) if length else b""
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in ("host", "connection")]
        return httpx.Request(self.command, SANDBOX_HOST + self.path, headers=headers, content=body)

    def _handle(self) -> None:
        request = self._request()
        if request is None:
            return
        _, _, rest = request.url.path.partition("/")
        prefix, _, path = rest.partition("/")
        emulator = self.server.emulators.get(prefix)
        if emulator is None:
            self._reply(json_response(404, {"error": f"no sandbox emulator for {prefix!r}"}))
            return
        decision = self.server.injector.decide(prefix, "/" + path)
        if decision.latency and self.server.stopping.wait(decision.latency):
            return
        if decision.fault == "hang":
            self.server.stopping.wait(MAX_HANG)  # hold the connection; the client times out
            self.close_connection = True
            return
        early = error_response(decision)
        if early is not None:
            self._reply(early)
            return
        try:
            response = emulator.receive(request, "/" + path)
        except Exception:
            logger.exception("sandbox emulator %s failed", prefix)
            response = json_response(500, {"error": "sandbox emulator failed"})
        if decision.fault == "lost_response":
            self.close_connection = True  # the write happened; the answer never leaves
            return
        self._reply(garble(decision, response))

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


def make_server(port: int = 0, host: str = "127.0.0.1", carriers: Iterable[str] | None = None,
                faults: Faults | None = None, *, emulators: Mapping[str, Emulator] | None = None,
                specs_dir: str | Path | None = None) -> SandboxServer:
    """A bound (not yet serving) sandbox server; ``port=0`` picks a free port. ``emulators`` replaces
    the registry's (tests). ``specs_dir`` (else ``$CARRIERGATE_SPECS_DIR``) turns on conformance."""
    chosen = emulators if emulators is not None else load_emulators(None if carriers is None else list(carriers),
                                                                   specs_dir=specs_dir)
    return SandboxServer((host, port), chosen, faults)


def serve(port: int, host: str = "127.0.0.1", carriers: Iterable[str] | None = None,
          faults: Faults | None = None, *, specs_dir: str | Path | None = None,
          on_ready: Callable[[SandboxServer], None] | None = None) -> None:
    """Serve the sandbox until interrupted (Ctrl-C). ``on_ready`` gets the bound server first (its
    ``url`` has the real port when ``port`` is 0)."""
    server = make_server(port, host, carriers, faults, specs_dir=specs_dir)
    if on_ready is not None:
        on_ready(server)
    logger.info("carriergate sandbox on %s (%s)", server.url, ", ".join(server.emulators) or "no emulators")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stopping.set()
        server.server_close()


@dataclass
class RunningSandbox:
    server: SandboxServer
    config: dict[str, dict[str, Any]]

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def emulators(self) -> dict[str, Emulator]:
        return self.server.emulators


@contextmanager
def running_server(port: int = 0, host: str = "127.0.0.1", carriers: Iterable[str] | None = None,
                   faults: Faults | None = None, *, emulators: Mapping[str, Emulator] | None = None,
                   specs_dir: str | Path | None = None) -> Iterator[RunningSandbox]:
    """A sandbox server on a background thread; ``config`` points a gateway at it."""
    names = None if carriers is None else list(carriers)
    server = make_server(port, host, names, faults, emulators=emulators, specs_dir=specs_dir)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="carriergate-sandbox", daemon=True)
    thread.start()
    try:
        config = {} if emulators is not None else sandbox_accounts(names, base_url=server.url)
        config = {k: v for k, v in config.items() if k in server.emulators or "base_url" not in v}
        yield RunningSandbox(server, config)
    finally:
        server.stop()
        thread.join(timeout=5)


__all__ = ["RunningSandbox", "SandboxServer", "make_server", "running_server", "serve"]
