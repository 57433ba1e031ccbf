"""What every carrier emulator is, and the in-process transport that routes to them.

The sandbox host serves every carrier under a path prefix named for the carrier:
``http://sandbox.carriergate.invalid/ups/api/rating/v2409/Shop`` reaches the UPS emulator with the
path ``/api/rating/v2409/Shop``. Point an account at it with ``base_url`` (``.../ups``).
"""

from __future__ import annotations

import json
import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import httpx

if TYPE_CHECKING:
    from carriergate.sandbox.conformance import Conformance, Violation

logger = logging.getLogger("carriergate.sandbox")
SANDBOX_HOST = "http://sandbox.carriergate.invalid"


def json_response(status: int, body: Any, headers: Mapping[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                          headers={"content-type": "application/json", **(headers or {})})


class Emulator(ABC):
    """One carrier's API. Subclasses set ``name`` (the carrier name) and ``account`` (the settings a
    gateway account needs to talk to this emulator, minus ``base_url``), and implement ``handle``.

    State (labels, pickups, tracking progress) lives on the instance, guarded by ``self.lock``.
    Transports and servers call :meth:`receive`, which records the request, applies the optional
    conformance check (``self.conformance``, see :mod:`.conformance`) and then calls ``handle``.
    """

    name: ClassVar[str]
    #: Credentials and settings the emulator accepts, e.g. {"client_id": "sandbox-id", ...}.
    account: ClassVar[dict[str, str]]

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.requests: list[httpx.Request] = []  # every request received, for tests
        #: Validates each request against the carrier's official schema when set (None: no check).
        self.conformance: Conformance | None = None
        #: Every request the conformance check refused, in order (tests assert it stays empty).
        self.violations: list[Violation] = []

    def receive(self, request: httpx.Request, path: str) -> httpx.Response:
        """Record ``request``, check it against the official schema if configured, then answer it.

        A violation fails loudly: it is recorded in :attr:`violations`, logged at ERROR and answered
        with :meth:`reject` (HTTP 400 naming each schema path); ``handle`` never sees the request."""
        request.read()
        with self.lock:
            self.requests.append(request)
        if self.conformance is not None:
            problems = self.conformance.check(self.name, request, path)
            if problems:
                from carriergate.sandbox.conformance import Violation

                violation = Violation(self.name, request.method, path, tuple(problems))
                with self.lock:
                    self.violations.append(violation)
                logger.error("sandbox %s: %s %s breaks the carrier's official schema: %s", self.name, request.method,
                             path, "; ".join(problems[:10]))
                return self.reject(violation)
        return self.handle(request, path)

    def reject(self, violation: Violation) -> httpx.Response:
        """The answer to a request that breaks the official schema; emulators override it to use
        their carrier's error shape (still HTTP 400, still naming every schema path)."""
        return json_response(400, {"error": "request breaks the carrier's official schema",
                                   "violations": list(violation.problems)})

    @abstractmethod
    def handle(self, request: httpx.Request, path: str) -> httpx.Response:
        """Answer ``request``; ``path`` is the URL path below this carrier's prefix."""

    # -- what tests ask of every stateful emulator ---------------------------------------------------
    def labels_created(self) -> int:
        """How many labels (shipments, orders, waybills) this emulator has made: a test counts them to
        prove a retry made no second one. An emulator that makes labels overrides it."""
        raise NotImplementedError(f"the {self.name} emulator does not count its labels")

    def is_voided(self, tracking_number: str) -> bool:
        """Whether the label of ``tracking_number`` was voided (cancelled, refunded) here. An emulator
        that voids labels overrides it; an unknown number raises KeyError."""
        raise NotImplementedError(f"the {self.name} emulator does not void labels")


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
        return emulator.receive(request, "/" + path)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._dispatch(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self._dispatch(request)
