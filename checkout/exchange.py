"""Exchange rates for checkout: where a quote in one currency gets its price in the shop's.

Carriers quote in their own currency (SF Express in CNY, UPS in the account's); a shop shows prices
in its store currency. A :class:`RateSource` answers "1 unit of ``base`` is how many ``quote``?"
or None when it does not know; the fee policy converts with it and, when no source knows a rate,
refuses the quote with :class:`~carriergate.checkout.fees.NoExchangeRate` (checkout then logs the
drop, lists it in the answer's errors and falls back to the backup table rates).

The built-in source is :class:`StaticRates`, a table quoted against one currency (the policy's
``exchange_rates`` or an exchange-rate file); any pair of the currencies it lists converts through
that currency. A shop with a live feed implements the one-method protocol (keep it non-blocking:
it is called while answering a checkout, so cache the feed and refresh it elsewhere).

An exchange-rate file (TOML) is the same table as the policy's::

    base = "CNY"                            # the rates are in this currency
    rates = { USD = "7.20", EUR = "7.80" }  # 1 USD = 7.20 CNY, 1 EUR = 7.80 CNY
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from carriergate.core.errors import ConfigurationError
from carriergate.core.money import is_currency, to_decimal


@runtime_checkable
class RateSource(Protocol):
    """Where exchange rates come from."""

    def rate(self, base: str, quote: str) -> Decimal | None:
        """How many ``quote`` units one ``base`` unit buys, or None when unknown (never raise for that)."""
        ...


class StaticRates:
    """A fixed table: ``rates[X]`` units of ``base`` buy one X. Cross rates go through ``base``."""

    def __init__(self, base: str, rates: Mapping[str, Decimal | str | int]) -> None:
        self.base = _code(base, "base")
        self.rates: dict[str, Decimal] = {}
        for name, raw in rates.items():
            code = _code(name, f"rates.{name}")
            try:
                value = to_decimal(raw, allow_float=True)
            except (ValueError, TypeError, InvalidOperation, ArithmeticError):
                raise ConfigurationError(f"exchange rate {name!r} is not a number", code="configuration") from None
            if value <= 0:
                raise ConfigurationError(f"exchange rate {name!r} must be greater than zero", code="configuration")
            self.rates[code] = value
        self.rates[self.base] = Decimal(1)

    def rate(self, base: str, quote: str) -> Decimal | None:
        if base == quote:
            return Decimal(1)
        if base not in self.rates or quote not in self.rates:
            return None
        return self.rates[base] / self.rates[quote]

    @classmethod
    def from_file(cls, path: str | Path) -> StaticRates:
        """An exchange-rate file: TOML (or JSON, by its ``.json`` suffix) with ``base`` and ``rates``."""
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
            data: Any = json.loads(text) if file.suffix.lower() == ".json" else tomllib.loads(text)
        except (OSError, ValueError) as exc:
            raise ConfigurationError(f"exchange rates {str(file)!r}: {exc}", code="configuration") from None
        if not isinstance(data, dict) or not isinstance(data.get("base"), str) or \
                not isinstance(data.get("rates"), dict):
            raise ConfigurationError(f"exchange rates {str(file)!r}: need `base` (a currency) and a `rates` table",
                                     code="configuration")
        return cls(data["base"], data["rates"])

    def __repr__(self) -> str:
        return f"StaticRates(base={self.base!r}, currencies={sorted(self.rates)})"


class ChainedRates:
    """The first source that knows a rate: e.g. a live feed, then the policy's own table."""

    def __init__(self, *sources: RateSource) -> None:
        self.sources = sources

    def rate(self, base: str, quote: str) -> Decimal | None:
        for source in self.sources:
            found = source.rate(base, quote)
            if found is not None:
                return found
        return None


def rate_source(value: RateSource | str | Path | None) -> RateSource | None:
    """A setting as given (by code, or by ``serve --exchange-rates FILE``) as a source."""
    if value is None or isinstance(value, RateSource):
        return value
    return StaticRates.from_file(value)


def _code(value: Any, where: str) -> str:
    code = str(value).strip().upper()
    if len(code) != 3 or not is_currency(code):
        raise ConfigurationError(f"exchange rates: {where}: {value!r} is not an ISO 4217 currency code",
                                 code="configuration")
    return code


__all__ = ["ChainedRates", "RateSource", "StaticRates", "rate_source"]
