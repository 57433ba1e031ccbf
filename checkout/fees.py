"""The shop's pricing rules applied to carrier quotes, every step explained. Decimal throughout.

A :class:`FeePolicy` is loaded from a dict or a TOML file::

    currency = "CNY"                         # output currency (omit to keep each quote's own)
    exchange_rates = { USD = "7.20" }        # 1 USD = 7.20 CNY (see below)
    exchange_base = "CNY"                    # the currency exchange_rates are in (default: currency)
    time_zone = "Asia/Shanghai"              # the shop's zone, for delivery dates (default UTC)

    [[adjustments]]                          # markups and discounts on the carrier's price
    kind = "markup"                          # "markup" or "discount"
    percent = "10"                           # or: amount = "2.00" (output currency)
    carriers = ["ups"]                       # optional: only these accounts
    services = ["03"]                        # optional: only these service codes

    [[surcharges]]                           # region / remote-area surcharges, by destination
    name = "remote area"
    countries = ["CN"]                       # each given list must match (a list matches if any entry does)
    provinces = ["Xinjiang", "Tibet"]
    postal_prefixes = ["83"]
    amount = "15.00"                         # or: percent = "5"

    member_tiers = { gold = "10", silver = "5" }   # percent off for the customer's tier

    [[free_shipping]]
    over = "99.00"                           # order total at or above this (output currency) ...
    services = ["standard"]                  # ... makes these services (omit: all) free

    [rounding]
    step = "0.5"                             # 0.01, 0.1, 0.5, 1 ...
    mode = "up"                              # "up" or "half_up"

Exchange rates: any two currencies of ``exchange_rates`` (and ``exchange_base``) convert, through
the base. A program can put a live :class:`~carriergate.checkout.exchange.RateSource` in front
(:meth:`FeePolicy.with_rates`; ``serve --exchange-rates FILE``): the policy's table answers what it
does not know. A quote whose currency has no rate at all is refused (:class:`NoExchangeRate`);
checkout logs it, lists it in its errors and offers the backup table rates instead. The
``[shopify]`` table holds :class:`~carriergate.checkout.settings.ShopifyOptions`.

Order of the steps: currency conversion, adjustments (in the order written), surcharges, member
discount, free shipping, rounding (always at least to the currency's minor unit). Totals never go
below zero.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from carriergate.checkout.exchange import ChainedRates, RateSource, StaticRates
from carriergate.checkout.settings import ShopifyOptions, check_time_zone
from carriergate.core.address import Address
from carriergate.core.errors import ConfigurationError, FieldError, ValidationError
from carriergate.core.money import Money, is_currency, minor_units, to_decimal
from carriergate.core.quotes import Quote
from carriergate.core.validation import FieldProblem, StrictModel


def _decimal(value: Any) -> Decimal:
    return to_decimal(value, allow_float=True)  # TOML has no decimal type: 10.5 is read as written


def _currency(value: Any) -> str:
    code = str(value).strip().upper()
    if len(code) != 3 or not is_currency(code):
        raise ValueError(f"{value!r} is not an ISO 4217 currency code")
    return code


def _decimal_map(value: Any, expected: str, valid: Callable[[Decimal], bool], reason: str, *,
                 key: Callable[[Any], str] = str) -> dict[str, Decimal]:
    """A policy table of numbers (``{USD = "7.20"}``): each number checked by ``valid`` (else
    ``reason``, naming the entry), each name through ``key``."""
    if not isinstance(value, dict):
        raise ValueError(expected)
    numbers = {}
    for name, raw in value.items():
        number = _decimal(raw)
        if not valid(number):
            raise FieldProblem(str(name), reason)
        numbers[key(name)] = number
    return numbers


class NoExchangeRate(ConfigurationError):
    """A quote's currency cannot be converted to the policy's output currency."""


class _Amount(StrictModel):
    """Exactly one of ``percent`` (of the running price) or ``amount`` (output currency)."""

    percent: Decimal | None = None
    amount: Decimal | None = None

    _num = field_validator("percent", "amount", mode="before")(lambda v: None if v is None else _decimal(v))

    @model_validator(mode="after")
    def _exactly_one(self) -> _Amount:
        if (self.percent is None) == (self.amount is None):
            raise FieldProblem("percent", "give exactly one of percent or amount")
        return self

    def delta(self, price: Decimal) -> Decimal:
        return price * self.percent / 100 if self.percent is not None else self.amount or Decimal(0)

    def label(self, sign: str, currency: str) -> str:
        if self.percent is not None:
            return f"{sign}{self.percent.normalize():f}%"
        return f"{sign}{_fmt(self.amount or Decimal(0), currency)} {currency}"


class Adjustment(_Amount):
    kind: Literal["markup", "discount"]
    carriers: list[str] | None = None
    services: list[str] | None = None

    def applies(self, quote: Quote) -> bool:
        return ((self.carriers is None or quote.carrier in self.carriers)
                and (self.services is None or quote.service_code in self.services))


class Surcharge(_Amount):
    name: str = Field(min_length=1)
    countries: list[str] | None = None
    provinces: list[str] | None = None
    postal_prefixes: list[str] | None = None

    def applies(self, destination: Address | None) -> bool:
        if destination is None:
            return False
        postal = (destination.postal_code or "").replace(" ", "").upper()
        province = (destination.state or "").strip().casefold()
        return ((self.countries is None or destination.country in [c.upper() for c in self.countries])
                and (self.provinces is None or province in [p.strip().casefold() for p in self.provinces])
                and (self.postal_prefixes is None
                     or any(postal.startswith(p.replace(" ", "").upper()) for p in self.postal_prefixes)))


class FreeShipping(StrictModel):
    over: Decimal
    services: list[str] | None = None
    carriers: list[str] | None = None

    _num = field_validator("over", mode="before")(_decimal)

    def applies(self, quote: Quote) -> bool:
        return ((self.carriers is None or quote.carrier in self.carriers)
                and (self.services is None or quote.service_code in self.services))


class Rounding(StrictModel):
    step: Decimal = Decimal("0.01")
    mode: Literal["up", "half_up"] = "half_up"

    @field_validator("step", mode="before")
    @classmethod
    def _step(cls, value: Any) -> Decimal:
        step = _decimal(value)
        if step <= 0:
            raise ValueError("must be greater than zero")
        return step

    def apply(self, value: Decimal) -> Decimal:
        mode = ROUND_CEILING if self.mode == "up" else ROUND_HALF_UP
        return (value / self.step).to_integral_value(rounding=mode) * self.step


@dataclass(frozen=True)
class FeeStep:
    rule: str
    before: Money
    after: Money

    def __str__(self) -> str:
        cur = self.after.currency
        if self.before.currency != cur:
            return f"{self.rule}: {_fmt(self.before.amount, self.before.currency)} {self.before.currency} -> " \
                   f"{_fmt(self.after.amount, cur)} {cur}"
        return f"{self.rule}: {_fmt(self.before.amount, cur)} -> {_fmt(self.after.amount, cur)}"


@dataclass(frozen=True)
class PricedQuote:
    """A carrier quote with the price the shop charges and how it was reached."""

    quote: Quote
    price: Money
    steps: list[FeeStep] = field(default_factory=list)

    @property
    def explanation(self) -> list[str]:
        return [str(s) for s in self.steps]


def _digits(value: Decimal) -> int:
    return len(value.normalize().as_tuple().digits)


def _fmt(value: Decimal, currency: str) -> str:
    """At least the currency's decimals, more only when the value has them."""
    shown = value.quantize(Decimal(1).scaleb(-minor_units(currency)))
    return f"{shown:f}" if shown == value else f"{value.normalize():f}"


class FeePolicy(StrictModel):
    currency: str | None = None
    exchange_rates: dict[str, Decimal] = Field(default_factory=dict)
    adjustments: list[Adjustment] = Field(default_factory=list)
    surcharges: list[Surcharge] = Field(default_factory=list)
    member_tiers: dict[str, Decimal] = Field(default_factory=dict)
    free_shipping: list[FreeShipping] = Field(default_factory=list)
    rounding: Rounding | None = None
    exchange_base: str | None = None
    time_zone: str | None = None
    shopify: ShopifyOptions = Field(default_factory=ShopifyOptions)
    _source: RateSource | None = PrivateAttr(default=None)
    _table: StaticRates | None = PrivateAttr(default=None)  # built on first use, rebuilt if the rates change

    _cur = field_validator("currency", "exchange_base", mode="before")(
        lambda v: None if v is None else _currency(v))
    _tz = field_validator("time_zone", mode="before")(check_time_zone)

    @model_validator(mode="after")
    def _rates_have_a_base(self) -> FeePolicy:
        if self.exchange_rates and (self.exchange_base or self.currency) is None:
            raise FieldProblem("exchange_base", "the currency exchange_rates are quoted in (or set currency)")
        return self

    @property
    def rates(self) -> RateSource:
        """Where conversions look rates up: the source given to :meth:`with_rates`, then the policy's table."""
        base = self.exchange_base or self.currency
        table = self._table
        if base is not None and (table is None or table.base != base
                                 or table.rates != {**self.exchange_rates, base: Decimal(1)}):
            table = self._table = StaticRates(base, self.exchange_rates)
        elif base is None:
            table = None
        return ChainedRates(*(source for source in (self._source, table) if source is not None))

    def with_rates(self, source: RateSource | None) -> FeePolicy:
        """This policy with ``source`` asked first for exchange rates (None: this policy as it is)."""
        if source is None:
            return self
        copy = self.model_copy()
        setattr(copy, "_source", source)  # noqa: B010 -- this class's own private attribute, on its copy
        return copy

    @field_validator("exchange_rates", mode="before")
    @classmethod
    def _rates(cls, value: Any) -> dict[str, Decimal]:
        return _decimal_map(value, "must map currency codes to rates", lambda n: n > 0,
                            "exchange rate must be greater than zero", key=_currency)

    @field_validator("member_tiers", mode="before")
    @classmethod
    def _tiers(cls, value: Any) -> dict[str, Decimal]:
        return _decimal_map(value, "must map tier names to percent discounts", lambda n: 0 <= n <= 100,
                            "discount must be between 0 and 100 percent")

    @classmethod
    def from_toml(cls, path: str | Path) -> FeePolicy:
        file = Path(path)
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigurationError(f"fee policy {str(file)!r}: {exc}", code="configuration") from None
        return cls.model_validate(data.get("fees", data))

    def check_member_tier(self, member_tier: str | None) -> None:
        """Refuse a tier the policy does not know: ValidationError naming ``member_tier``."""
        if member_tier is not None and member_tier not in self.member_tiers:
            known = ", ".join(self.member_tiers) or "none"
            raise ValidationError(FieldError("member_tier", f"unknown tier {member_tier!r} (known: {known})"))

    def convert(self, money: Money, currency: str) -> Money:
        """``money`` in ``currency`` at the rates of :attr:`rates`; :class:`NoExchangeRate` when none is known."""
        return self._conversion(money, currency)[0]

    def _conversion(self, money: Money, currency: str) -> tuple[Money, str]:
        """The converted amount and the rate used, said the way it is exact (``1 USD = 7.2 CNY``)."""
        if money.currency == currency:
            return money, ""
        source = self.rates
        direct, inverse = source.rate(money.currency, currency), source.rate(currency, money.currency)
        if direct is None and inverse is None:
            raise NoExchangeRate(f"no exchange rate from {money.currency} to {currency} in the fee policy "
                                 "or the exchange-rate source", code="no_exchange_rate")
        # Multiply by whichever of the two is written exactly: 700 CNY at 1 USD = 7 CNY is 100 USD,
        # not 99.99...; a free-shipping threshold must not be missed by a rounding of 1/7.
        if inverse is not None and (direct is None or _digits(inverse) < _digits(direct)):
            said = f"1 {currency} = {inverse.normalize():f} {money.currency}"
            return Money(money.amount / inverse, currency), said
        assert direct is not None
        return Money(money.amount * direct, currency), f"1 {money.currency} = {direct.normalize():f} {currency}"

    def apply(self, quote: Quote, *, destination: Address | None = None, order_total: Money | None = None,
              member_tier: str | None = None, currency: str | None = None) -> PricedQuote:
        """The shop's price for ``quote``. ``currency`` overrides the policy's output currency (it must
        then be the policy currency or have a rate). Raises :class:`NoExchangeRate` or, for an unknown
        member tier, ValidationError naming ``member_tier``."""
        steps: list[FeeStep] = []
        out = currency.upper() if currency else (self.currency or quote.total.currency)
        price = quote.total

        def step(rule: str, new: Money) -> None:
            nonlocal price
            steps.append(FeeStep(rule, price, new))
            price = new

        if price.currency != out:
            converted, said = self._conversion(price, out)
            step(f"converted at {said}", converted)
        for adj in self.adjustments:
            if adj.applies(quote):
                sign = "+" if adj.kind == "markup" else "-"
                delta = adj.delta(price.amount) * (1 if adj.kind == "markup" else -1)
                step(f"{adj.kind} {adj.label(sign, out)}", self._floor(price.amount + delta, out))
        for sur in self.surcharges:
            if sur.applies(destination):
                step(f"{sur.name} surcharge {sur.label('+', out)}", Money(price.amount + sur.delta(price.amount), out))
        if member_tier is not None:
            self.check_member_tier(member_tier)
            percent = self.member_tiers[member_tier]
            step(f"member tier {member_tier} -{percent.normalize():f}%",
                 self._floor(price.amount - price.amount * percent / 100, out))
        if order_total is not None:
            order = self.convert(order_total, out)
            for free in self.free_shipping:
                if free.applies(quote) and order.amount >= free.over:
                    step(f"free shipping (order {_fmt(order.amount, out)} >= {_fmt(free.over, out)})", Money(0, out))
                    break
        if self.rounding is not None:
            step(f"rounded {self.rounding.mode.replace('_', '-')} to {self.rounding.step.normalize():f}",
                 Money(self.rounding.apply(price.amount), out))
        final = price.rounded()
        if final.amount != price.amount:
            step(f"rounded to {minor_units(out)} decimals", final)
        return PricedQuote(quote=quote, price=final, steps=steps)

    @staticmethod
    def _floor(amount: Decimal, currency: str) -> Money:
        return Money(max(amount, Decimal(0)), currency)


__all__ = ["Adjustment", "FeePolicy", "FeeStep", "FreeShipping", "NoExchangeRate", "PricedQuote", "Rounding",
           "Surcharge"]
