"""Shopify CarrierService callbacks: Shopify's rate request in, ``{"rates": [...]}`` out.

Shopify posts ``{"rate": {"origin": {...}, "destination": {...}, "items": [...], "currency": "USD",
"locale": "en"}}``; each item has ``quantity``, ``grams`` (per unit) and ``price`` (per unit, in
cents). We answer with ``service_name``, ``service_code``, ``total_price`` (cents, as a string),
``currency``, ``description`` and, when known, ``min_delivery_date``/``max_delivery_date``.

Shipments are quoted as one parcel holding every item that requires shipping (a weightless item
counts one gram). International rates need customs data Shopify does not send: each item's HS code
comes from its ``properties`` (``hs_code``), else :attr:`ShopifyOptions.default_hs_code`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from carriergate.checkout.quoting import CheckoutQuote
from carriergate.core.address import Address
from carriergate.core.customs import CustomsDeclaration, CustomsItem
from carriergate.core.errors import FieldError, ValidationError
from carriergate.core.money import Money
from carriergate.core.shipment import Parcel, RateRequest
from carriergate.core.units import Weight
from carriergate.core.validation import StrictModel, translate

DATE_FORMAT = "%Y-%m-%d %H:%M:%S %z"
MISSING_STREET = "(street not given)"


class ShopifyOptions(StrictModel):
    """What Shopify does not send but an international rate needs."""

    default_hs_code: str | None = None
    goods_origin_country: str | None = None  # default: the origin address's country
    contents_type: Literal["merchandise", "gift", "sample", "other"] = "merchandise"
    signer: str = "Shop"


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore")


class ShopifyAddress(_Tolerant):
    country: str
    postal_code: str | None = None
    province: str | None = None
    city: str | None = None
    name: str | None = None
    company_name: str | None = None
    address1: str | None = None
    address2: str | None = None
    address3: str | None = None
    address_type: str | None = None


class ShopifyItem(_Tolerant):
    name: str | None = None
    sku: str | None = None
    quantity: int = Field(ge=1)
    grams: int = Field(ge=0)
    price: int = Field(ge=0)
    requires_shipping: bool = True
    properties: dict[str, Any] | None = None


class ShopifyRate(_Tolerant):
    origin: ShopifyAddress
    destination: ShopifyAddress
    items: list[ShopifyItem]
    currency: str
    locale: str | None = None


class ShopifyRateRequest(_Tolerant):
    rate: ShopifyRate


def _prefixed(exc: ValidationError, prefix: str) -> ValidationError:
    return ValidationError([FieldError(f"{prefix}.{e.field}", e.reason) for e in exc.errors])


def _address(raw: ShopifyAddress, path: str, fallback_name: str) -> Address:
    street = [line for line in (raw.address1, raw.address2, raw.address3) if line and line.strip()]
    try:
        return Address(name=raw.name or raw.company_name or fallback_name, company=raw.company_name,
                       street=street or [MISSING_STREET], city=raw.city or raw.postal_code or raw.country,
                       state=raw.province, postal_code=raw.postal_code, country=raw.country,
                       residential=raw.address_type == "residential")
    except ValidationError as exc:
        raise _prefixed(exc, path) from None


def _customs(items: list[tuple[int, ShopifyItem]], currency: str, origin: Address,
             options: ShopifyOptions) -> CustomsDeclaration:
    lines = []
    for i, item in items:
        props = item.properties or {}
        hs_code = props.get("hs_code") or options.default_hs_code
        if not hs_code:
            raise ValidationError(FieldError(f"rate.items[{i}].properties.hs_code",
                                             "required for an international rate (or set default_hs_code)"))
        try:
            lines.append(CustomsItem(
                description=item.name or item.sku or "item", hs_code=str(hs_code),
                origin_country=props.get("origin_country") or options.goods_origin_country or origin.country,
                quantity=item.quantity, unit_value=Money(Decimal(item.price) / 100, currency),
                unit_weight=Weight(max(item.grams, 1), "g"), sku=item.sku))
        except ValidationError as exc:
            raise _prefixed(exc, f"rate.items[{i}]") from None
    return CustomsDeclaration(contents_type=options.contents_type, signer=options.signer, items=lines)


def rate_request(body: Any, options: ShopifyOptions | None = None) -> tuple[RateRequest | None, Money, str]:
    """Shopify's callback body as (our RateRequest or None when nothing needs shipping, the order
    total, the shop currency). Bad input raises ValidationError naming the field (``rate.items[0].grams``)."""
    opts = options or ShopifyOptions()
    try:
        rate = ShopifyRateRequest.model_validate(body).rate
    except pydantic.ValidationError as exc:
        raise translate(exc) from None
    try:
        currency = Money(0, rate.currency).currency
    except ValidationError as exc:
        raise ValidationError(FieldError("rate.currency", exc.errors[0].reason)) from None
    shipped = [(i, item) for i, item in enumerate(rate.items) if item.requires_shipping]
    order_total = Money(sum((Decimal(it.price) * it.quantity for it in rate.items), Decimal(0)) / 100, currency)
    if not shipped:
        return None, order_total, currency
    origin = _address(rate.origin, "rate.origin", "Shop")
    destination = _address(rate.destination, "rate.destination", "Customer")
    grams = sum(max(item.grams, 1) * item.quantity for _, item in shipped)
    customs = _customs(shipped, currency, origin, opts) if origin.country != destination.country else None
    try:
        request = RateRequest(origin=origin, destination=destination,
                              parcels=[Parcel(weight=Weight(grams, "g"))], customs=customs)
    except ValidationError as exc:
        raise _prefixed(exc, "rate") from None
    return request, order_total, currency


def _when(estimate: date | datetime | None, transit_days: int | None, today: date) -> str | None:
    if isinstance(estimate, datetime):
        moment = estimate if estimate.tzinfo else estimate.replace(tzinfo=UTC)
    elif isinstance(estimate, date):
        moment = datetime.combine(estimate, time(0), tzinfo=UTC)
    elif transit_days is not None:
        moment = datetime.combine(today + timedelta(days=transit_days), time(0), tzinfo=UTC)
    else:
        return None
    return moment.strftime(DATE_FORMAT)


def cents(money: Money) -> str:
    return str(int((money.amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def rates_response(result: CheckoutQuote, *, today: date | None = None) -> dict[str, Any]:
    """Our priced options in Shopify's CarrierService response format."""
    day = today or datetime.now(UTC).date()
    rates = []
    for option in result.options:
        q = option.priced.quote
        entry: dict[str, Any] = {
            "service_name": q.service_name,
            "service_code": f"{q.carrier}:{q.service_code}",
            "total_price": cents(option.price),
            "currency": option.price.currency,
            "description": f"{q.transit_days} day(s) in transit" if q.transit_days is not None else "",
        }
        when = _when(q.estimated_delivery, q.transit_days, day)
        if when is not None:
            entry["min_delivery_date"] = entry["max_delivery_date"] = when
        rates.append(entry)
    return {"rates": rates}


__all__ = ["ShopifyOptions", "rate_request", "rates_response"]
