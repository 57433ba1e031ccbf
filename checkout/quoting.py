"""Checkout quoting: carrier quotes priced by the shop's :class:`FeePolicy`, within a deadline.

:func:`aquote` (async) and :func:`quote` (sync) always answer by ``deadline``: with the live quotes
that arrived, cached ones, and backup rates from the table-rate account (the configured account of
carrier ``table``) when a live carrier fails or does not answer in time.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from carriergate.checkout.fees import FeePolicy, NoExchangeRate, PricedQuote
from carriergate.core.deadline import ROUND_GRACE, Deadline
from carriergate.core.errors import CarrierError, FieldError, ValidationError
from carriergate.core.money import Money
from carriergate.core.results import RateResult
from carriergate.core.shipment import RateRequest
from carriergate.gateway.gateways import AsyncGateway, BaseGateway, Gateway
from carriergate.gateway.shopping import AsyncRateShopper, RateShopper, table_account

#: Share of the deadline given to the carriers; the rest is kept for pricing and answering.
LIVE_SHARE = 0.8
#: Share of the deadline after which a live round still running is abandoned for backup rates.
GUARD_SHARE = 0.9


@dataclass(frozen=True)
class CheckoutOption:
    """One shipping option as the shop offers it."""

    priced: PricedQuote

    @property
    def price(self) -> Money:
        return self.priced.price

    def as_json(self) -> dict[str, Any]:
        q = self.priced.quote
        estimate = q.estimated_delivery.isoformat() if isinstance(q.estimated_delivery, date | datetime) else None
        return {
            "carrier": q.carrier,
            "service_code": q.service_code,
            "service_name": q.service_name,
            "price": _money(self.price),
            "carrier_price": _money(q.total),
            "source": q.source,
            "age_seconds": None if q.age_seconds is None else f"{q.age_seconds:f}",
            "transit_days": q.transit_days,
            "estimated_delivery": estimate,
            "explanation": self.priced.explanation,
        }


@dataclass
class CheckoutQuote:
    """The options to show, cheapest first, and for each carrier without one, why."""

    options: list[CheckoutOption] = field(default_factory=list)
    errors: dict[str, CarrierError] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        return {
            "quotes": [o.as_json() for o in self.options],
            "errors": {name: {"code": e.code, "message": e.message} for name, e in self.errors.items()},
            "complete": self.complete,
        }


def _money(money: Money) -> dict[str, str]:
    return {"amount": f"{money.amount:f}", "currency": money.currency}


def price(result: RateResult, request: RateRequest, policy: FeePolicy, *, order_total: Money | None = None,
          member_tier: str | None = None, currency: str | None = None) -> CheckoutQuote:
    """Apply ``policy`` to every quote of ``result``. A quote whose currency cannot be converted is
    dropped; its carrier is then listed in ``errors`` (code ``no_exchange_rate``) if it has no option."""
    options: list[CheckoutOption] = []
    errors = dict(result.errors)
    refused: dict[str, NoExchangeRate] = {}
    for q in result.quotes:
        try:
            priced = policy.apply(q, destination=request.destination, order_total=order_total,
                                  member_tier=member_tier, currency=currency)
        except NoExchangeRate as refusal:
            refusal.carrier = q.carrier
            refused[q.carrier] = refusal
            continue
        options.append(CheckoutOption(priced))
    offered = {o.priced.quote.carrier for o in options}
    for carrier, exc in refused.items():
        if carrier not in offered:
            errors.setdefault(carrier, exc)
    options.sort(key=lambda o: (o.price.amount, o.priced.quote.sort_key))
    return CheckoutQuote(options=options, errors=errors)


@dataclass(frozen=True)
class _Budget:
    """Checkout's decisions, made once for ``quote`` and ``aquote``: ``limit`` is the whole deadline
    (backup rates get only what is left of it), the live carriers get ``live`` seconds, and a live
    round still running after ``guard`` seconds is abandoned for backup rates."""

    limit: Deadline
    live: float | None
    guard: float | None


def _budget(gateway: BaseGateway, policy: FeePolicy, deadline: float | None, member_tier: str | None,
            carriers: list[str] | None) -> _Budget:
    """Check the request before any carrier is asked and share out the deadline."""
    policy.check_member_tier(member_tier)
    limit = gateway._deadline(deadline)  # a bad deadline: ValidationError naming "deadline"
    known = gateway.accounts
    for i, name in enumerate(carriers or []):
        if name not in known:
            raise ValidationError(FieldError(f"carriers[{i}]", f"unknown carrier account {name!r} "
                                                               f"(configured: {', '.join(known)})"))
    seconds = limit.seconds
    if seconds is None:
        return _Budget(limit, None, None)
    # The live round (plus its grace) must end before the guard fires, even for short deadlines.
    live = max(min(seconds * LIVE_SHARE, seconds * GUARD_SHARE - 2 * ROUND_GRACE), seconds / 2)
    return _Budget(limit, live, seconds * GUARD_SHARE)


def checkout_shopper(target: AsyncGateway | AsyncRateShopper) -> AsyncRateShopper:
    """The shopper checkout uses for ``target``: itself, or one per gateway with backup rates from
    its table-rate account (if any), built on first use and kept with the gateway."""
    if isinstance(target, AsyncRateShopper):
        return target
    return target._attached("checkout.shopper",
                            lambda: AsyncRateShopper(target, fallback_table=table_account(target)))


def sync_checkout_shopper(target: Gateway | RateShopper) -> RateShopper:
    """The synchronous twin of :func:`checkout_shopper`."""
    if isinstance(target, RateShopper):
        return target
    return target._attached("checkout.shopper", lambda: RateShopper(target, fallback_table=table_account(target)))


async def aquote(target: AsyncGateway | AsyncRateShopper, request: RateRequest, policy: FeePolicy, *,
                 deadline: float = 1.0, order_total: Money | None = None, member_tier: str | None = None,
                 currency: str | None = None, carriers: list[str] | None = None,
                 unasked: str | None = None) -> CheckoutQuote:
    """Priced shipping options for ``request`` within ``deadline`` seconds (async). With ``unasked``
    (an error code), no carrier is asked: backup rates only, the carriers' errors carrying that code."""
    shopper = checkout_shopper(target)
    budget = _budget(shopper.gateway, policy, deadline, member_tier, carriers)
    if unasked is not None:
        result = await shopper.backup(request, carriers, budget.limit, unasked=unasked)
    else:
        try:
            async with asyncio.timeout(budget.guard):
                result = await shopper.rate(request, carriers, deadline=budget.live)
        except TimeoutError:
            result = await shopper.backup(request, carriers, budget.limit)
    return price(result, request, policy, order_total=order_total, member_tier=member_tier, currency=currency)


def quote(target: Gateway | RateShopper, request: RateRequest, policy: FeePolicy, *, deadline: float = 1.0,
          order_total: Money | None = None, member_tier: str | None = None, currency: str | None = None,
          carriers: list[str] | None = None) -> CheckoutQuote:
    """Priced shipping options for ``request`` within ``deadline`` seconds (sync)."""
    shopper = sync_checkout_shopper(target)
    budget = _budget(shopper.gateway, policy, deadline, member_tier, carriers)
    live = shopper.rate_in_background(request, carriers, deadline=budget.live)
    done, _ = concurrent.futures.wait([live], timeout=budget.guard)
    if done:
        result = live.result()
    else:
        live.cancel()  # if it already runs, it ends by its own deadline
        result = shopper.backup(request, carriers, budget.limit)
    return price(result, request, policy, order_total=order_total, member_tier=member_tier, currency=currency)


__all__ = ["CheckoutOption", "CheckoutQuote", "aquote", "checkout_shopper", "price", "quote",
           "sync_checkout_shopper"]
