"""The checkout quoting service: a plain ASGI application (no web framework).

Routes:

- ``POST /v1/quotes``: our JSON (``origin``, ``destination``, ``parcels``, ``insurance``?,
  ``customs``?, ``ship_date``?, ``services``?, ``carriers``?, ``order_total``?, ``member_tier``?,
  ``currency``?) -> ``{"quotes": [...], "errors": {...}, "complete": bool}``, amounts as strings.
- ``POST /shopify/rates``: Shopify's CarrierService callback.
- ``GET /healthz``.

Bad input (an unknown account in ``carriers`` too) answers 422 with the field named; a misconfigured
service answers 500, a carrier failure outside the quoting ladder 503. Every answer comes within the
configured deadline (carriers that miss it are replaced by backup table rates); past the app's
capacity, checkouts are answered from backup rates without asking the carriers (:mod:`.admission`).
Serve it with any ASGI server.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from decimal import Decimal
from typing import Any

from pydantic import Field

from carriergate.checkout.admission import BUSY, Admission, AdmissionSettings
from carriergate.checkout.fees import FeePolicy
from carriergate.checkout.quoting import CheckoutQuote, aquote, checkout_shopper
from carriergate.checkout.shopify import ShopifyOptions, rate_request, rates_response
from carriergate.core.errors import CarrierError, ConfigurationError, ValidationError
from carriergate.core.money import Money
from carriergate.core.shipment import RateRequest
from carriergate.gateway.gateways import AsyncGateway
from carriergate.gateway.shopping import AsyncRateShopper

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

logger = logging.getLogger("carriergate.checkout")
MAX_BODY = 1024 * 1024


class QuoteBody(RateRequest):
    """``POST /v1/quotes``: a RateRequest plus the checkout's context."""

    order_total: Money | None = None
    member_tier: str | None = Field(default=None, min_length=1, max_length=50)
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    carriers: list[str] | None = None

    def rate_request(self) -> RateRequest:
        return RateRequest(**{name: getattr(self, name) for name in RateRequest.model_fields})


class _HTTPError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def _validation_body(exc: ValidationError) -> dict[str, Any]:
    return {"error": "validation", "field": exc.field, "reason": exc.reason,
            "errors": [{"field": e.field, "reason": e.reason} for e in exc.errors]}


class CheckoutApp:
    """``create_app(gateway, policy, deadline=1.0)``: the ASGI callable."""

    def __init__(self, shopper: AsyncRateShopper, policy: FeePolicy, deadline: float,
                 shopify: ShopifyOptions, admission: AdmissionSettings | None = None) -> None:
        if deadline <= 0:
            raise ValueError("deadline must be positive")
        self.shopper = shopper
        self.policy = policy
        self.deadline = deadline
        self.shopify = shopify
        self.admission = Admission(admission, deadline=deadline)
        self._monitor: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        self._watch_load()
        try:
            status, body = await self._route(scope, receive)
        except _HTTPError as exc:
            status, body = exc.status, exc.body
        except ValidationError as exc:
            status, body = 422, _validation_body(exc)
        except ConfigurationError as exc:  # the service's set-up is wrong: not the request, not a carrier
            logger.error("checkout misconfigured: %s", exc)
            status, body = 500, {"error": "configuration", "message": "the quoting service is misconfigured"}
        except CarrierError as exc:  # never the request's fault (bad requests are ValidationErrors)
            logger.warning("checkout quote failed: %s", exc)
            status, body = 503, {"error": exc.code or "unavailable", "message": exc.message}
        await _respond(send, status, body)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._monitor is not None:
                    self._monitor.cancel()
                await send({"type": "lifespan.shutdown.complete"})
                return

    def _watch_load(self) -> None:
        """Start the admission monitor on the serving event loop (again, if the app moved loops)."""
        if not self.admission.settings.enabled:
            return
        loop = asyncio.get_running_loop()
        if self._monitor is None or self._monitor.done() or self._monitor.get_loop() is not loop:
            self._monitor = loop.create_task(self.admission.monitor(), name="carriergate-checkout-admission")

    async def _priced(self, request: RateRequest, **options: Any) -> CheckoutQuote:
        """Live when the app has capacity for another live round, else backup rates at once."""
        if not self.admission.try_enter():
            return await aquote(self.shopper, request, self.policy, deadline=self.deadline, unasked=BUSY, **options)
        try:
            return await aquote(self.shopper, request, self.policy, deadline=self.deadline, **options)
        finally:
            self.admission.leave()

    async def _route(self, scope: Scope, receive: Receive) -> tuple[int, dict[str, Any]]:
        method, path = scope["method"], scope["path"].rstrip("/") or "/"
        routes = {"/healthz": "GET", "/v1/quotes": "POST", "/shopify/rates": "POST"}
        if path not in routes:
            raise _HTTPError(404, {"error": "not_found", "message": f"no route {path}"})
        if method != routes[path]:
            raise _HTTPError(405, {"error": "method_not_allowed", "message": f"use {routes[path]} {path}"})
        if path == "/healthz":
            return 200, {"status": "ok", "carriers": self.shopper.gateway.accounts}
        data = await _json(receive)
        try:
            # Net: catches quoting that overruns after the guard (backup rates or pricing late): a 504 in time.
            async with asyncio.timeout(self.deadline):
                if path == "/v1/quotes":
                    return 200, await self._quotes(data)
                return 200, await self._shopify(data)
        except TimeoutError:
            raise _HTTPError(504, {"error": "deadline", "message": f"no answer within {self.deadline}s"}) from None

    async def _quotes(self, data: Any) -> dict[str, Any]:
        body = QuoteBody.model_validate(data)
        result = await self._priced(body.rate_request(), order_total=body.order_total, member_tier=body.member_tier,
                                    currency=body.currency, carriers=body.carriers)
        return result.as_json()

    async def _shopify(self, data: Any) -> dict[str, Any]:
        request, order_total, currency = rate_request(data, self.shopify)
        if request is None:
            return {"rates": []}
        result = await self._priced(request, order_total=order_total, currency=currency)
        return rates_response(result)


async def _json(receive: Receive) -> Any:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _HTTPError(400, {"error": "disconnected"})
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            raise _HTTPError(413, {"error": "too_large", "message": f"body over {MAX_BODY} bytes"})
        chunks.append(chunk)
        if not message.get("more_body"):
            break
    try:
        return json.loads(b"".join(chunks), parse_float=Decimal)  # numbers stay exact
    except (ValueError, UnicodeDecodeError):
        raise _HTTPError(422, {"error": "validation", "field": "(body)", "reason": "body is not valid JSON",
                               "errors": [{"field": "(body)", "reason": "body is not valid JSON"}]}) from None


async def _respond(send: Send, status: int, body: dict[str, Any]) -> None:
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]})
    await send({"type": "http.response.body", "body": content})


def create_app(gateway: AsyncGateway | AsyncRateShopper, policy: FeePolicy | None = None, deadline: float = 1.0, *,
               shopify: ShopifyOptions | None = None, admission: AdmissionSettings | None = None) -> CheckoutApp:
    """The checkout ASGI app over an AsyncGateway (backup rates from its ``table`` account, if any)
    or an :class:`AsyncRateShopper` (to add a rate cache). ``admission``: its load shedding
    (:mod:`.admission`)."""
    return CheckoutApp(checkout_shopper(gateway), policy or FeePolicy(), deadline, shopify or ShopifyOptions(),
                       admission)


__all__ = ["CheckoutApp", "QuoteBody", "create_app"]
