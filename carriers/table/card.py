"""The merchant's rate card: a TOML file, validated into the models below.

Format (every money amount is in the card's ``currency``; numbers may be written as strings,
integers or decimals, and strings are recommended for money so nothing is ever a binary float)::

    name = "My rates"
    currency = "CNY"            # ISO 4217, required
    weight_unit = "kg"          # unit of every weight in the card: "kg" (default) or "lb"
    length_unit = "cm"          # unit of parcel dimensions for dim weight: "cm" (default) or "in"
    weight_step = "0.5"         # chargeable weight is rounded UP to a multiple of this (default 0.5)
    dim_divisor = 6000          # optional: dimensional weight = L x W x H / divisor
    minimum_charge = "8.00"     # optional: the base charge of a shipment is never below this

    [zones.cn-north]            # zones are keyed by id; matched against the DESTINATION
    name = "North China"
    countries = ["CN"]          # required: ISO 3166 alpha-2 codes
    states = ["Beijing", "北京"] # optional: province/state names (case-insensitive, exact)
    postal_prefixes = ["10"]    # optional: postal-code prefixes (spaces ignored, case-insensitive)
    origin = { countries = ["CN"], postal_prefixes = ["20"] }  # optional origin rule, same keys

    [services.standard]         # services are keyed by their code
    name = "标准快递 Standard"
    transit_days = [2, 4]       # [min, max] days, or one number
    weight_step = "1"           # optional overrides of the card-wide settings
    dim_divisor = 8000
    minimum_charge = "10.00"
    max_weight = "30"           # optional: heavier parcels are not quoted for this service

    [services.standard.zones.cn-north]   # the price of this service in one zone
    first_weight = "1"          # 首重: the first 1 kg ...
    first_price = "12.00"       # ... costs 12.00
    additional_weight = "1"     # 续重: every further (started) 1 kg ...
    additional_price = "5.00"   # ... costs 5.00
    transit_days = [1, 2]       # optional override for this zone
    # or weight brackets (the first bracket whose max_weight holds the parcel), optionally
    # continued beyond the last bracket by additional_weight/additional_price:
    # brackets = [{ max_weight = "0.5", price = "95.00" }, { max_weight = "2", price = "160.00" }]

    [surcharges.remote]         # applied when the destination matches (countries optional here)
    name = "Remote area surcharge"
    countries = ["CN"]
    states = ["Xinjiang"]
    postal_prefixes = ["83", "84", "85"]
    amount = "15.00"            # fixed amount ...
    per = "shipment"            # ... per "shipment" (default), "parcel" or chargeable weight unit ("kg"/"lb")
    # percent = "20"            # or a percentage of the base charge (exactly one of amount/percent)
    services = ["standard"]     # optional: only these services

    [insurance]                 # optional: premium = declared value x percent / 100, at least minimum
    percent = "0.5"
    minimum = "2.00"
    exchange_rates = { USD = "7.10" }   # optional: card currency per 1 unit of another currency

Zone matching: a zone matches when the destination country is listed and, if the zone lists
``states`` or ``postal_prefixes``, one of them matches. The most specific zone wins: a postal-prefix
match (longer prefix first) beats a state match, which beats a country-only match; between equals, a
zone whose ``origin`` rule matches more specifically wins, then the zone written first.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from carriergate.core.address import country_code
from carriergate.core.errors import ConfigurationError
from carriergate.core.money import is_currency, to_decimal
from carriergate.core.validation import field_path

SAMPLE_CARD = "sample_rates.toml"


def _number(value: Any) -> Decimal:
    return to_decimal(value, allow_float=True)  # a TOML float is a decimal literal as written


def _positive(value: Any) -> Decimal:
    number = _number(value)
    if number <= 0:
        raise ValueError("must be greater than zero")
    return number


def _amount(value: Any) -> Decimal:
    number = _number(value)
    if number < 0:
        raise ValueError("must not be negative")
    return number


def _days(value: Any) -> tuple[int, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value, value]
    if (not isinstance(value, list | tuple) or len(value) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
        raise ValueError("must be a number of days or [min, max]")
    low, high = value
    if low < 0 or high < low:
        raise ValueError("must be [min, max] with 0 <= min <= max")
    return (low, high)


Amount = Annotated[Decimal, BeforeValidator(_amount)]
Positive = Annotated[Decimal, BeforeValidator(_positive)]
TransitDays = Annotated[tuple[int, int], BeforeValidator(_days)]


class CardModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Place(CardModel):
    """Where a rule applies: countries, then optionally states or postal-code prefixes."""

    countries: list[str] = Field(default_factory=list)
    states: list[str] = Field(default_factory=list)
    postal_prefixes: list[str] = Field(default_factory=list)

    @field_validator("countries", mode="before")
    @classmethod
    def _countries(cls, value: Any) -> Any:
        return [country_code(v) for v in value] if isinstance(value, list) else value

    @field_validator("states")
    @classmethod
    def _states(cls, value: list[str]) -> list[str]:
        return [s.strip().casefold() for s in value]

    @field_validator("postal_prefixes")
    @classmethod
    def _prefixes(cls, value: list[str]) -> list[str]:
        cleaned = [normal_postal(p) for p in value]
        if any(not p for p in cleaned):
            raise ValueError("postal prefixes must not be empty")
        return cleaned


def normal_postal(code: str | None) -> str:
    return "".join((code or "").split()).upper()


class Zone(Place):
    name: str | None = None
    countries: list[str] = Field(min_length=1)
    origin: Place | None = None


class Bracket(CardModel):
    max_weight: Positive
    price: Amount


class ZoneRate(CardModel):
    """The price of one service in one zone: 首重/续重, weight brackets, or brackets continued by 续重."""

    first_weight: Positive | None = None
    first_price: Amount | None = None
    additional_weight: Positive | None = None
    additional_price: Amount | None = None
    brackets: list[Bracket] = Field(default_factory=list)
    transit_days: TransitDays | None = None

    @model_validator(mode="after")
    def _shape(self) -> ZoneRate:
        first = (self.first_weight is not None, self.first_price is not None)
        if first[0] != first[1]:
            raise ValueError("first_weight and first_price go together")
        if (self.additional_weight is None) != (self.additional_price is None):
            raise ValueError("additional_weight and additional_price go together")
        if first[0] and self.brackets:
            raise ValueError("use either first_weight/first_price or brackets, not both")
        if not first[0] and not self.brackets:
            raise ValueError("needs first_weight/first_price or brackets")
        limits = [b.max_weight for b in self.brackets]
        if any(b >= a for a, b in zip(limits[1:], limits, strict=False)):
            raise ValueError("brackets must be in increasing max_weight order")
        return self


class Service(CardModel):
    name: str = Field(min_length=1)
    transit_days: TransitDays | None = None
    weight_step: Positive | None = None
    dim_divisor: Positive | None = None
    minimum_charge: Amount | None = None
    max_weight: Positive | None = None
    zones: dict[str, ZoneRate] = Field(min_length=1)


class Surcharge(Place):
    name: str = Field(min_length=1)
    amount: Amount | None = None
    percent: Amount | None = None
    per: Literal["shipment", "parcel", "kg", "lb"] = "shipment"
    services: list[str] | None = None

    @model_validator(mode="after")
    def _shape(self) -> Surcharge:
        if (self.amount is None) == (self.percent is None):
            raise ValueError("give exactly one of amount or percent")
        if not (self.countries or self.states or self.postal_prefixes):
            raise ValueError("needs countries, states or postal_prefixes")
        return self


class Insurance(CardModel):
    percent: Amount
    minimum: Amount = Decimal(0)
    exchange_rates: dict[str, Positive] = Field(default_factory=dict)


class RateCard(CardModel):
    name: str = "rate card"
    currency: str
    weight_unit: Literal["kg", "lb"] = "kg"
    length_unit: Literal["cm", "in"] = "cm"
    weight_step: Positive = Decimal("0.5")
    dim_divisor: Positive | None = None
    minimum_charge: Amount | None = None
    zones: dict[str, Zone] = Field(min_length=1)
    services: dict[str, Service] = Field(min_length=1)
    surcharges: dict[str, Surcharge] = Field(default_factory=dict)
    insurance: Insurance | None = None

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        if len(value) != 3 or not is_currency(value.upper()):
            raise ValueError(f"{value!r} is not an ISO 4217 currency code")
        return value.upper()


class _KeyProblem(Exception):
    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}")
        self.key = key


def _cross_check(card: RateCard) -> None:
    """References between sections: unknown zones, services and currencies, by TOML key."""
    for code, service in card.services.items():
        for zone in service.zones:
            if zone not in card.zones:
                raise _KeyProblem(f"services.{code}.zones.{zone}", f"unknown zone (zones: {', '.join(card.zones)})")
    for code, surcharge in card.surcharges.items():
        for service_code in surcharge.services or []:
            if service_code not in card.services:
                raise _KeyProblem(f"surcharges.{code}.services", f"unknown service {service_code!r}")
    for code, surcharge in card.surcharges.items():
        if surcharge.per in ("kg", "lb") and surcharge.per != card.weight_unit:
            raise _KeyProblem(f"surcharges.{code}.per", f"must be the card's weight_unit ({card.weight_unit})")
    if card.insurance:
        for currency in card.insurance.exchange_rates:
            if not is_currency(currency):
                raise _KeyProblem(f"insurance.exchange_rates.{currency}", "not an ISO 4217 currency code")


def parse_card(text: str, *, source: str, carrier: str | None = None) -> RateCard:
    """Validate a card's TOML text. Any problem is a ConfigurationError naming the TOML key."""

    def fail(detail: str) -> ConfigurationError:
        return ConfigurationError(f"rate card {source}: {detail}", carrier=carrier, code="rate_card")

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise fail(str(exc)) from None
    try:
        card = RateCard.model_validate(data)
        _cross_check(card)
    except pydantic.ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        reason = str(err["msg"]).removeprefix("Value error, ")
        raise fail(f"{field_path(err['loc']) or '(top level)'}: {reason}") from None
    except _KeyProblem as exc:
        raise fail(str(exc)) from None
    return card


def load_card(path: str | Path, *, carrier: str | None = None) -> RateCard:
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigurationError(f"rate card {str(file)!r} not found", carrier=carrier, code="rate_card") from None
    except OSError as exc:
        raise ConfigurationError(f"rate card {str(file)!r} cannot be read ({type(exc).__name__})",
                                 carrier=carrier, code="rate_card") from None
    return parse_card(text, source=str(file), carrier=carrier)


@cache
def sample_card() -> RateCard:
    """The card shipped with carriergate (package data), parsed once per process."""
    text = resources.files(__name__.rpartition(".")[0]).joinpath(SAMPLE_CARD).read_text(encoding="utf-8")
    return parse_card(text, source=SAMPLE_CARD)
