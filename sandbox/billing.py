"""The currency a sandbox account is billed in, and the fixed sandbox exchange rates.

A real carrier account bills in the currency of the country it ships from: an account in Shanghai
is quoted in CNY, one in Los Angeles in USD. Every emulator's tariff is written in US dollars and
converted at the fixed rates below into the origin country's currency (USD where the country is not
listed), so a rate-shopping run compares like with like: every carrier quotes a CN-origin parcel in
CNY, at comparable magnitudes. The CNY rate matches the built-in sample rate card's. Nothing here is
a real exchange rate.
"""

from __future__ import annotations

from decimal import Decimal

#: Origin country -> the currency its accounts are billed in.
CURRENCIES = {"US": "USD", "PR": "USD", "CA": "CAD", "MX": "MXN", "CN": "CNY", "HK": "HKD", "JP": "JPY",
              "GB": "GBP", "DE": "EUR", "FR": "EUR", "NL": "EUR", "IT": "EUR", "ES": "EUR", "BE": "EUR",
              "AT": "EUR", "IE": "EUR"}  # fmt: skip
#: Units of each currency per US dollar (sandbox rates).
PER_USD = {"USD": Decimal(1), "CNY": Decimal("7.10"), "HKD": Decimal("7.80"), "CAD": Decimal("1.36"),
           "MXN": Decimal("17.00"), "JPY": Decimal(150), "GBP": Decimal("0.79"), "EUR": Decimal("0.92")}


def billing_currency(country: str | None) -> str:
    """The currency an account shipping from ``country`` is billed in."""
    return CURRENCIES.get((country or "").upper(), "USD")


def convert(amount: Decimal, source: str, target: str) -> Decimal:
    """``amount`` in ``source`` expressed in ``target`` (unknown currencies count as US dollars)."""
    if source == target:
        return amount
    return amount / PER_USD.get(source.upper(), Decimal(1)) * PER_USD.get(target.upper(), Decimal(1))


def local(usd: Decimal, currency: str) -> Decimal:
    """A tariff amount written in US dollars, in the billing ``currency``."""
    return convert(usd, "USD", currency)


__all__ = ["CURRENCIES", "PER_USD", "billing_currency", "convert", "local"]
