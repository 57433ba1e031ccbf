"""Checkout quoting: carrier quotes priced by the shop's :class:`FeePolicy`, within a deadline.

:func:`aquote` (async) and :func:`quote` (sync) always answer by ``deadline``: with the live quotes
that arrived, cached ones, and backup rates from the table-rate account (the configured account of
carrier ``table``) when a live carrier fails or does not answer in time.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ...core.errors import CarrierError, DeadlineExceeded, FieldError, ValidationError
from ...core.fallback import as_table
from ...core.fees import FeePolicy, NoExchangeRate, PricedQuote
from ...core.gateway import AsyncGateway, Gateway
from ...core.money import Money
from ...core.results import RateResult
from ...core.shipment import RateRequest
from ...core.shopping import AsyncRateShopper, RateShopper, arate_one, table_account

#: Share of the deadline given to the carriers; the rest is kept for pricing and answering.
LIVE_SHARE = 0.8
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


def check_member_tier(policy: FeePolicy, member_tier: str | None) -> None:
    if member_tier is not None and member_tier not in policy.member_tiers:
        known = ", ".join(policy.member_tiers) or "none"
        raise ValidationError(FieldError("member_tier", f"unknown tier {member_tier!r} (known: {known})"))


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


def _async_shopper(target: AsyncGateway | AsyncRateShopper) -> AsyncRateShopper:
    if isinstance(target, AsyncRateShopper):
        return target
    return AsyncRateShopper(target, fallback_table=table_account(target))


async def _backup(shopper: AsyncRateShopper, request: RateRequest, deadline: float) -> RateResult:
    """Only the table rates, for when the whole live round ran out of time."""
    table = shopper.fallback_table
    errors: dict[str, CarrierError] = {
        name: DeadlineExceeded(f"no answer within the deadline of {deadline}s", carrier=name, code="deadline")
        for name in shopper.gateway.accounts if name != table}
    if table is None:
        return RateResult(errors=errors)
    got = await arate_one(shopper.gateway.carrier(table), request, deadline)
    return RateResult(quotes=as_table(got.quotes), errors={**errors, **got.errors})


async def aquote(target: AsyncGateway | AsyncRateShopper, request: RateRequest, policy: FeePolicy, *,
                 deadline: float = 1.0, order_total: Money | None = None, member_tier: str | None = None,
                 currency: str | None = None, carriers: list[str] | None = None) -> CheckoutQuote:
    """Priced shipping options for ``request`` within ``deadline`` seconds (async)."""
    check_member_tier(policy, member_tier)
    shopper = _async_shopper(target)
    try:
        async with asyncio.timeout(deadline * GUARD_SHARE):
            result = await shopper.rate(request, carriers, deadline=deadline * LIVE_SHARE)
    except TimeoutError:
        result = await _backup(shopper, request, deadline)
    return price(result, request, policy, order_total=order_total, member_tier=member_tier, currency=currency)


def quote(target: Gateway | RateShopper, request: RateRequest, policy: FeePolicy, *, deadline: float = 1.0,
          order_total: Money | None = None, member_tier: str | None = None, currency: str | None = None,
          carriers: list[str] | None = None) -> CheckoutQuote:
    """Priced shipping options for ``request`` within ``deadline`` seconds (sync)."""
    check_member_tier(policy, member_tier)
    if isinstance(target, RateShopper):
        result = target.rate(request, carriers, deadline=deadline * LIVE_SHARE)
    else:
        with RateShopper(target, fallback_table=table_account(target)) as shopper:
            result = shopper.rate(request, carriers, deadline=deadline * LIVE_SHARE)
    return price(result, request, policy, order_total=order_total, member_tier=member_tier, currency=currency)


__all__ = ["CheckoutOption", "CheckoutQuote", "aquote", "price", "quote"]
