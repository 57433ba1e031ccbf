"""Shopify CarrierService callbacks: Shopify's rate request in, ``{"rates": [...]}`` out.

Shopify posts ``{"rate": {"origin": {...}, "destination": {...}, "items": [...], "currency": "USD",
"locale": "en"}}``; each item has ``quantity``, ``grams`` (per unit) and ``price`` (per unit, in
cents). We answer with ``service_name``, ``service_code``, ``total_price`` (cents, as a string),
``currency``, ``description`` and, when known, ``min_delivery_date``/``max_delivery_date``.

Shipments are quoted as one parcel holding every item that requires shipping (a weightless item
counts one gram), in the shop's default box when one is set (Shopify sends no dimensions).
International rates need customs data Shopify does not send: each item's HS code comes from its
``properties`` (``hs_code``; Shopify sends them as ``null``, ``{}``, an object or a list of
``{"name", "value"}`` pairs), else the per-SKU mapping, else the default
(:class:`~carriergate.checkout.settings.ShopifyOptions`). Fields Shopify adds that we do not use
(``vendor``, ``taxable``, ``fulfillment_service``, ``product_id``, ``variant_id``, ``phone``,
``fax``, ``email``, ...) are accepted and ignored; ``locale`` is kept for the caller.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator

from carriergate.checkout.delivery import shop_today
from carriergate.checkout.quoting import CheckoutQuote
from carriergate.checkout.settings import ShopifyOptions
from carriergate.core.address import Address
from carriergate.core.customs import CustomsDeclaration, CustomsItem
from carriergate.core.errors import FieldError, ValidationError
from carriergate.core.money import Money
from carriergate.core.shipment import Parcel, RateRequest
from carriergate.core.units import Weight
from carriergate.core.validation import translate

DATE_FORMAT = "%Y-%m-%d %H:%M:%S %z"
MISSING_STREET = "(street not given)"


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
    properties: dict[str, Any] = Field(default_factory=dict)

    @field_validator("sku", mode="before")
    @classmethod
    def _sku(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("properties", mode="before")
    @classmethod
    def _properties(cls, value: Any) -> Any:
        """``null``, ``[]``, ``{}``, an object, or a list of ``{"name": ..., "value": ...}`` pairs."""
        if value is None:
            return {}
        if isinstance(value, list):
            pairs = {}
            for entry in value:
                if not isinstance(entry, dict) or "name" not in entry:
                    raise ValueError("a list of properties holds {\"name\": ..., \"value\": ...} objects")
                pairs[str(entry["name"])] = entry.get("value")
            return pairs
        return value


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
        props = item.properties
        hs_code = options.hs_code(item.sku, props)
        if not hs_code:
            raise ValidationError(FieldError(f"rate.items[{i}].properties.hs_code",
                                             "required for an international rate (or map the SKU in "
                                             "[shopify] hs_codes, or set default_hs_code)"))
        try:
            lines.append(CustomsItem(
                description=item.name or item.sku or "item", hs_code=str(hs_code),
                origin_country=props.get("origin_country") or options.goods_origin_country or origin.country,
                quantity=item.quantity, unit_value=Money(Decimal(item.price) / 100, currency),
                unit_weight=Weight(max(item.grams, 1), "g"), sku=item.sku))
        except ValidationError as exc:
            raise _prefixed(exc, f"rate.items[{i}]") from None
    return CustomsDeclaration(contents_type=options.contents_type, signer=options.signer, items=lines)


def rate_request(body: Any, options: ShopifyOptions | None = None,
                 shop: str | None = None) -> tuple[RateRequest | None, Money, str]:
    """Shopify's callback body as (our RateRequest or None when nothing needs shipping, the order
    total, the shop currency). ``shop``: the shop's domain (Shopify's ``X-Shopify-Shop-Domain``), for
    its own box. Bad input raises ValidationError naming the field (``rate.items[0].grams``)."""
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
                              parcels=[Parcel(weight=Weight(grams, "g"), dimensions=opts.box(shop))], customs=customs)
    except ValidationError as exc:
        raise _prefixed(exc, "rate") from None
    return request, order_total, currency


def cents(money: Money) -> str:
    return str(int((money.amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def _description(transit_min: int | None, transit_max: int | None) -> str:
    if transit_max is None:
        return ""
    if transit_min is not None and transit_min < transit_max:
        return f"{transit_min}-{transit_max} day(s) in transit"
    return f"{transit_max} day(s) in transit"


def rates_response(result: CheckoutQuote, *, today: date | None = None) -> dict[str, Any]:
    """Our priced options in Shopify's CarrierService response format; delivery dates in the shop's
    time zone (``result.time_zone``), transit days counted from ``today`` there."""
    day = today or shop_today(result.time_zone)
    rates = []
    for option in result.options:
        q = option.priced.quote
        entry: dict[str, Any] = {
            "service_name": q.service_name,
            "service_code": f"{q.carrier}:{q.service_code}",
            "total_price": cents(option.price),
            "currency": option.price.currency,
            "description": _description(q.transit_days_min, q.transit_days),
        }
        window = option.delivery(result.time_zone, day)
        if window is not None:
            entry["min_delivery_date"] = window.earliest.strftime(DATE_FORMAT)
            entry["max_delivery_date"] = window.latest.strftime(DATE_FORMAT)
        rates.append(entry)
    return {"rates": rates}


__all__ = ["ShopifyOptions", "rate_request", "rates_response"]
