"""Checkout quoting: carrier quotes priced by the shop's :class:`FeePolicy`, within a deadline.

:func:`aquote` (async) and :func:`quote` (sync) always answer by ``deadline``: with the live quotes
that arrived, cached ones, and backup rates from the table-rate account (the configured account of
carrier ``table``) when a live carrier fails or does not answer in time.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any, overload

from carriergate.checkout.delivery import DeliveryWindow, delivery_window, shop_today
from carriergate.checkout.fees import FeePolicy, NoExchangeRate, PricedQuote
from carriergate.checkout.settings import zone
from carriergate.core.deadline import Deadline
from carriergate.core.errors import CarrierError, FieldError, ValidationError
from carriergate.core.money import Money, amount_text
from carriergate.core.results import RateResult
from carriergate.core.shipment import RateRequest
from carriergate.gateway.gateways import AsyncGateway, BaseGateway, Gateway
from carriergate.gateway.shopping import AsyncRateShopper, RateShopper, table_account

#: The key of checkout's rate shopper among a gateway's attachments.
SHOPPER = "checkout.shopper"
logger = logging.getLogger("carriergate.checkout")


@dataclass(frozen=True)
class CheckoutOption:
    """One shipping option as the shop offers it."""

    priced: PricedQuote

    @property
    def price(self) -> Money:
        return self.priced.price

    def delivery(self, time_zone: tzinfo = UTC, today: date | None = None) -> DeliveryWindow | None:
        """Earliest and latest delivery in ``time_zone``, transit days counted from ``today`` there."""
        return delivery_window(self.priced.quote, time_zone, today or shop_today(time_zone))

    def as_json(self, time_zone: tzinfo = UTC, today: date | None = None) -> dict[str, Any]:
        q = self.priced.quote
        window = self.delivery(time_zone, today)
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
            "transit_days_min": q.transit_days_min,
            "estimated_delivery": estimate,
            "delivery": None if window is None else window.as_json(),
            "explanation": self.priced.explanation,
        }


@dataclass
class CheckoutQuote:
    """The options to show, cheapest first, and for each carrier without one (or with a quote
    dropped), why. ``time_zone``: the shop's, for delivery dates."""

    options: list[CheckoutOption] = field(default_factory=list)
    errors: dict[str, CarrierError] = field(default_factory=dict)
    time_zone: tzinfo = UTC

    @property
    def complete(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        today = shop_today(self.time_zone)
        return {
            "quotes": [o.as_json(self.time_zone, today) for o in self.options],
            "errors": {name: {"code": e.code, "message": e.message} for name, e in self.errors.items()},
            "complete": self.complete,
        }


def _money(money: Money) -> dict[str, str]:
    return {"amount": amount_text(money.amount, money.currency), "currency": money.currency}


def price(result: RateResult, request: RateRequest, policy: FeePolicy, *, order_total: Money | None = None,
          member_tier: str | None = None, currency: str | None = None) -> CheckoutQuote:
    """Apply ``policy`` to every quote of ``result``. A quote whose currency cannot be converted is
    dropped, logged (logger ``carriergate.checkout``) and its carrier listed in ``errors`` (code
    ``no_exchange_rate``) unless the carrier already has an error there."""
    options: list[CheckoutOption] = []
    errors = dict(result.errors)
    for q in result.quotes:
        try:
            priced = policy.apply(q, destination=request.destination, order_total=order_total,
                                  member_tier=member_tier, currency=currency)
        except NoExchangeRate as refusal:
            refusal.carrier = q.carrier
            logger.warning("checkout dropped a quote: carrier=%s service=%s total=%s %s reason=%s: %s", q.carrier,
                           q.service_code, q.total.amount, q.total.currency, refusal.code, refusal.message)
            errors.setdefault(q.carrier, refusal)
            continue
        options.append(CheckoutOption(priced))
    options.sort(key=lambda o: (o.price.amount, o.priced.quote.sort_key))
    return CheckoutQuote(options=options, errors=errors, time_zone=zone(policy.time_zone))


def _unconverted(offer: CheckoutQuote, table: str | None) -> bool:
    """Whether backup table rates should stand in for quotes dropped for want of an exchange rate."""
    return table is not None and any(isinstance(e, NoExchangeRate) for e in offer.errors.values()) and \
        not any(o.priced.quote.carrier == table for o in offer.options)


def _with_backup(offer: CheckoutQuote, backup: RateResult, table: str, request: RateRequest, policy: FeePolicy,
                 **options: Any) -> CheckoutQuote:
    extra = price(RateResult(quotes=[q.model_copy(update={"source": "table"}) for q in backup.quotes],
                             errors={k: v for k, v in backup.errors.items() if k == table}),
                  request, policy, **options)
    if extra.options:
        logger.warning("checkout offers backup table rates (%s) for quotes without an exchange rate: %s",
                       table, ", ".join(sorted(c for c, e in offer.errors.items() if isinstance(e, NoExchangeRate))))
    else:
        logger.warning("checkout has no backup table rates in the shop's currency either (%s)", table)
    merged = sorted(offer.options + extra.options, key=lambda o: (o.price.amount, o.priced.quote.sort_key))
    return CheckoutQuote(options=merged, errors={**extra.errors, **offer.errors}, time_zone=offer.time_zone)


#: Share of the checkout's deadline given to the live carriers. The guard fires halfway between
#: their deadline and the checkout's: the first half lets a live round that ended on time settle,
#: the second is kept for backup rates and pricing.
LIVE_SHARE = 0.8


@dataclass(frozen=True)
class _Budget:
    """Checkout's decisions, made once for ``quote`` and ``aquote``: ``limit`` is the checkout's one
    Deadline (backup rates get what is left of it), ``live`` the live carriers' share of it, and a
    live round still running at ``guard`` is abandoned for backup rates."""

    limit: Deadline
    live: Deadline
    guard: Deadline


def _budget(gateway: BaseGateway, policy: FeePolicy, deadline: float | None, member_tier: str | None,
            carriers: list[str] | None) -> _Budget:
    """Check the request before any carrier is asked and share out the deadline."""
    policy.check_member_tier(member_tier)
    limit = gateway.deadline(deadline)  # a bad deadline: ValidationError naming "deadline"
    known = gateway.accounts
    for i, name in enumerate(carriers or []):
        if name not in known:
            raise ValidationError(FieldError(f"carriers[{i}]", f"unknown carrier account {name!r} "
                                                               f"(configured: {', '.join(known)})"))
    return _Budget(limit, limit.share(LIVE_SHARE), limit.share((1 + LIVE_SHARE) / 2))


@overload
def checkout_shopper(target: Gateway | RateShopper) -> RateShopper: ...


@overload
def checkout_shopper(target: AsyncGateway | AsyncRateShopper) -> AsyncRateShopper: ...


def checkout_shopper(target: Gateway | RateShopper | AsyncGateway | AsyncRateShopper) -> RateShopper | AsyncRateShopper:
    """The shopper checkout uses for ``target`` (sync or async alike): the shopper itself, or the
    gateway's own, kept as its ``"checkout.shopper"`` attachment (built on first use, with backup
    rates from the gateway's table-rate account if it has one, closed with the gateway)."""
    if isinstance(target, RateShopper | AsyncRateShopper):
        return target
    if isinstance(target, AsyncGateway):
        return target.attachment(SHOPPER, lambda: AsyncRateShopper(target, fallback_table=table_account(target)))
    return target.attachment(SHOPPER, lambda: RateShopper(target, fallback_table=table_account(target)))


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
            # Net (the guard): catches a live round that never returns (a stuck shopper): backup rates.
            async with asyncio.timeout(budget.guard.remaining()):
                result = await shopper.rate(request, carriers, deadline=budget.live)
        except TimeoutError:
            result = await shopper.backup(request, carriers, budget.limit)
    terms: dict[str, Any] = {"order_total": order_total, "member_tier": member_tier, "currency": currency}
    offer = price(result, request, policy, **terms)
    table = shopper.fallback_table
    if table is not None and _unconverted(offer, table) and not budget.limit.expired:
        backup = (await shopper.gateway.rate_each(request, [table], budget.limit))[table]
        offer = _with_backup(offer, backup, table, request, policy, **terms)
    return offer


def quote(target: Gateway | RateShopper, request: RateRequest, policy: FeePolicy, *, deadline: float = 1.0,
          order_total: Money | None = None, member_tier: str | None = None, currency: str | None = None,
          carriers: list[str] | None = None) -> CheckoutQuote:
    """Priced shipping options for ``request`` within ``deadline`` seconds (sync)."""
    shopper = checkout_shopper(target)
    budget = _budget(shopper.gateway, policy, deadline, member_tier, carriers)
    live = shopper.rate_in_background(request, carriers, deadline=budget.live)
    # Net (the guard): catches a live round that never returns (a stuck shopper): backup rates.
    done, _ = concurrent.futures.wait([live], timeout=budget.guard.remaining())
    if done:
        result = live.result()
    else:
        live.cancel()  # if it already runs, it ends by its own deadline
        result = shopper.backup(request, carriers, budget.limit)
    terms: dict[str, Any] = {"order_total": order_total, "member_tier": member_tier, "currency": currency}
    offer = price(result, request, policy, **terms)
    table = shopper.fallback_table
    if table is not None and _unconverted(offer, table) and not budget.limit.expired:
        offer = _with_backup(offer, shopper.gateway.rate_each(request, [table], budget.limit)[table], table,
                             request, policy, **terms)
    return offer


__all__ = ["LIVE_SHARE", "SHOPPER", "CheckoutOption", "CheckoutQuote", "aquote", "checkout_shopper", "price",
           "quote"]
