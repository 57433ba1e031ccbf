"""The checkout quoting service: a plain ASGI application (no web framework).

Routes:

- ``POST /v1/quotes``: our JSON (``origin``, ``destination``, ``parcels``, ``insurance``?,
  ``customs``?, ``ship_date``?, ``services``?, ``carriers``?, ``order_total``?, ``member_tier``?,
  ``currency``?; addresses need no name or street) -> ``{"quotes": [...], "errors": {...},
  "complete": bool}``, amounts as strings.
- ``GET /v1/schema``: the JSON Schema of that body (:mod:`.body`).
- ``POST /shopify/rates``: Shopify's CarrierService callback.
- ``GET /healthz``: the accounts and each one's circuit-breaker state (:mod:`.observe`).
- ``POST /webhooks/{account}``: a carrier's tracking push, when the app has a
  :class:`~.webhooks.WebhookReceiver` (verified, handed to its hook once, acknowledged).

Every request gets one access log line (logger ``carriergate.checkout.access``); an answer with no
rate at all, or a dropped quote, gets a warning on ``carriergate.checkout`` saying why.

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
import time
from collections.abc import Awaitable, Callable, MutableMapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from carriergate.checkout.admission import BUSY, Admission, AdmissionSettings
from carriergate.checkout.body import QuoteBody, quote_schema
from carriergate.checkout.exchange import RateSource, rate_source
from carriergate.checkout.fees import FeePolicy
from carriergate.checkout.observe import BreakerWatch, log_access
from carriergate.checkout.quoting import CheckoutQuote, aquote, checkout_shopper
from carriergate.checkout.settings import ShopifyOptions, check_time_zone, zone
from carriergate.checkout.shopify import rate_request, rates_response
from carriergate.checkout.webhooks import WebhookReceiver
from carriergate.core.errors import CarrierError, ConfigurationError, ValidationError
from carriergate.core.shipment import RateRequest
from carriergate.gateway.gateways import AsyncGateway
from carriergate.gateway.shopping import AsyncRateShopper

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

logger = logging.getLogger("carriergate.checkout")
MAX_BODY = 1024 * 1024


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
                 shopify: ShopifyOptions, admission: AdmissionSettings | None = None,
                 webhooks: WebhookReceiver | None = None) -> None:
        if deadline <= 0:
            raise ValueError("deadline must be positive")
        self.shopper = shopper
        self.policy = policy
        self.deadline = deadline
        self.shopify = shopify
        self.admission = Admission(admission, deadline=deadline)
        self.breakers = BreakerWatch(shopper.gateway.accounts)
        self.webhooks = webhooks
        self._monitor: asyncio.Task[None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        started = time.monotonic()
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
        log_access(str(scope.get("method", "")), str(scope.get("path", "")), status, started)

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
            offer = await aquote(self.shopper, request, self.policy, deadline=self.deadline, unasked=BUSY, **options)
        else:
            try:
                offer = await aquote(self.shopper, request, self.policy, deadline=self.deadline, **options)
            finally:
                self.admission.leave()
        for option in offer.options:
            if option.priced.quote.source != "cache":
                self.breakers.answered(option.priced.quote.carrier)
        for carrier, error in offer.errors.items():
            self.breakers.failed(carrier, error)
        return offer

    async def _route(self, scope: Scope, receive: Receive) -> tuple[int, dict[str, Any]]:
        method, path = scope["method"], scope["path"].rstrip("/") or "/"
        if path.startswith("/webhooks/") and self.webhooks is not None:
            if method != "POST":
                raise _HTTPError(405, {"error": "method_not_allowed", "message": f"use POST {path}"})
            answer = await self.webhooks.receive(path.removeprefix("/webhooks/"), await _body(receive),
                                                 _header(scope, b"content-type") or "")
            return answer.status, dict(answer.body)
        routes = {"/healthz": "GET", "/v1/schema": "GET", "/v1/quotes": "POST", "/shopify/rates": "POST"}
        if path not in routes:
            raise _HTTPError(404, {"error": "not_found", "message": f"no route {path}"})
        if method != routes[path]:
            raise _HTTPError(405, {"error": "method_not_allowed", "message": f"use {routes[path]} {path}"})
        if path == "/healthz":
            gateway = self.shopper.gateway
            return 200, {"status": "ok", "carriers": gateway.accounts, "breakers": self.breakers.states(),
                         "breaker_states": gateway.breaker_states()}
        if path == "/v1/schema":
            return 200, quote_schema()
        data = await _json(receive)
        try:
            # Net: catches quoting that overruns after the guard (backup rates or pricing late): a 504 in time.
            async with asyncio.timeout(self.deadline):
                if path == "/v1/quotes":
                    return 200, await self._quotes(data)
                return 200, await self._shopify(data, _header(scope, b"x-shopify-shop-domain"))
        except TimeoutError:
            raise _HTTPError(504, {"error": "deadline", "message": f"no answer within {self.deadline}s"}) from None

    async def _quotes(self, data: Any) -> dict[str, Any]:
        body = QuoteBody.model_validate(data)
        result = await self._priced(body.rate_request(), order_total=body.order_total, member_tier=body.member_tier,
                                    currency=body.currency, carriers=body.carriers)
        return result.as_json()

    async def _shopify(self, data: Any, shop: str | None) -> dict[str, Any]:
        request, order_total, currency = rate_request(data, self.shopify, shop)
        if request is None:
            logger.warning("shopify rates: none offered: no item requires shipping (shop=%s)", shop or "-")
            return {"rates": []}
        result = await self._priced(request, order_total=order_total, currency=currency)
        own_zone = self.shopify.shop_time_zone(shop)
        if own_zone is not None:
            result.time_zone = zone(own_zone)
        if not result.options:
            reasons = "; ".join(f"{name}: {e.code} ({e.message})" for name, e in result.errors.items())
            logger.warning("shopify rates: none offered in %s (shop=%s): %s", currency, shop or "-",
                           reasons or "no carrier quoted this shipment")
        return rates_response(result)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            text = bytes(value).decode("latin-1").strip()
            return text or None
    return None


async def _body(receive: Receive) -> bytes:
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
    return b"".join(chunks)


async def _json(receive: Receive) -> Any:
    body = await _body(receive)
    try:
        return json.loads(body, parse_float=Decimal)  # numbers stay exact
    except (ValueError, UnicodeDecodeError):
        raise _HTTPError(422, {"error": "validation", "field": "(body)", "reason": "body is not valid JSON",
                               "errors": [{"field": "(body)", "reason": "body is not valid JSON"}]}) from None


async def _respond(send: Send, status: int, body: dict[str, Any]) -> None:
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(content)).encode())]})
    await send({"type": "http.response.body", "body": content})


def create_app(gateway: AsyncGateway | AsyncRateShopper, policy: FeePolicy | None = None, deadline: float = 1.0, *,
               shopify: ShopifyOptions | None = None, admission: AdmissionSettings | None = None,
               exchange_rates: RateSource | str | Path | None = None, default_hs_code: str | None = None,
               time_zone: str | None = None, webhooks: WebhookReceiver | None = None) -> CheckoutApp:
    """The checkout ASGI app over an AsyncGateway (backup rates from its ``table`` account, if any)
    or an :class:`AsyncRateShopper` (to add a rate cache). ``admission``: its load shedding
    (:mod:`.admission`). The rest override the policy file's settings, as ``serve``'s options do:
    ``shopify`` (default: the policy's ``[shopify]`` table), ``exchange_rates`` (a
    :class:`~carriergate.checkout.exchange.RateSource` or an exchange-rate file, asked before the
    policy's own ``exchange_rates``), ``default_hs_code`` and ``time_zone`` (an IANA name). ``webhooks``
    receives carriers' tracking pushes at ``POST /webhooks/{account}``."""
    chosen = (policy or FeePolicy()).with_rates(rate_source(exchange_rates))
    options = shopify or chosen.shopify
    try:
        if default_hs_code is not None:
            options = options.model_copy(update={"default_hs_code": ShopifyOptions(
                default_hs_code=default_hs_code).default_hs_code})
        if time_zone is not None:
            chosen = chosen.model_copy(update={"time_zone": check_time_zone(time_zone)})  # keeps the rate source
    except (ValidationError, ValueError) as exc:
        raise ConfigurationError(f"checkout settings: {exc}", code="configuration") from None
    return CheckoutApp(checkout_shopper(gateway), chosen, deadline, options, admission, webhooks)


__all__ = ["CheckoutApp", "QuoteBody", "create_app"]
