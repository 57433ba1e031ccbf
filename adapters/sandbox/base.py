"""What every carrier emulator is, and the in-process transport that routes to them.

The sandbox host serves every carrier under a path prefix named for the carrier:
``http://sandbox.carriergate.invalid/ups/api/rating/v2409/Shop`` reaches the UPS emulator with the
path ``/api/rating/v2409/Shop``. Point an account at it with ``base_url`` (``.../ups``).
"""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

import httpx

SANDBOX_HOST = "http://sandbox.carriergate.invalid"


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                          headers={"content-type": "application/json", **(headers or {})})


class Emulator(ABC):
    """One carrier's API. Subclasses set ``name`` (the carrier name) and ``account`` (the settings a
    gateway account needs to talk to this emulator, minus ``base_url``), and implement ``handle``.

    State (labels, pickups, tracking progress) lives on the instance, guarded by ``self.lock``.
    """

    name: ClassVar[str]
    #: Credentials and settings the emulator accepts, e.g. {"client_id": "sandbox-id", ...}.
    account: ClassVar[dict[str, str]]

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[httpx.Request] = []  # every request received, for tests

    @abstractmethod
    def handle(self, request: httpx.Request, path: str) -> httpx.Response:
        """Answer ``request``; ``path`` is the URL path below this carrier's prefix."""


class SandboxTransport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Routes ``/{carrier}/...`` to that carrier's emulator, in-process, sync or async."""

    def __init__(self, emulators: Mapping[str, Emulator]) -> None:
        self.emulators = dict(emulators)

    def _dispatch(self, request: httpx.Request) -> httpx.Response:
        _, _, rest = request.url.path.partition("/")
        prefix, _, path = rest.partition("/")
        emulator = self.emulators.get(prefix)
        if emulator is None:
            return json_response(404, {"error": f"no sandbox emulator for {prefix!r}"})
        request.read()
        with emulator.lock:
            emulator.requests.append(request)
        return emulator.handle(request, "/" + path)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._dispatch(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self._dispatch(request)
