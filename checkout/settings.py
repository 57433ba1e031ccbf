"""Shop settings checkout needs and carriers' callers do not send: customs defaults, the box, the time zone.

They live in the policy file's ``[shopify]`` table (and ``time_zone`` at its top), or are given in
code (``ShopifyOptions(...)``, ``create_app(..., default_hs_code=..., time_zone=...)``)::

    time_zone = "Asia/Shanghai"             # delivery dates are given in the shop's zone (default UTC)

    [shopify]
    default_hs_code = "610910"              # for items whose properties carry no hs_code ...
    hs_codes = { "TS-1" = "610910" }        # ... after this per-SKU mapping
    default_box = { length = "30", width = "20", height = "10", unit = "cm" }  # Shopify sends no size
    [shopify.shops."lei.myshopify.com"]     # per shop (X-Shopify-Shop-Domain): its own box
    default_box = { length = "40", width = "30", height = "20", unit = "cm" }
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from carriergate.core.units import Dimensions
from carriergate.core.validation import StrictModel


def check_time_zone(value: Any) -> str | None:
    """An IANA zone name (``Asia/Shanghai``), checked now so a typo fails at start-up, not at checkout."""
    if value is None:
        return None
    name = str(value).strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{value!r} is not an IANA time zone (e.g. 'Asia/Shanghai')") from None
    return name


def zone(name: str | None) -> tzinfo:
    """The zone of a checked name; UTC when none is set."""
    return ZoneInfo(name) if name else UTC


class ShopSettings(StrictModel):
    """What differs from shop to shop behind one app (keyed by Shopify's shop domain)."""

    default_box: Dimensions | None = None
    time_zone: str | None = None

    _tz = field_validator("time_zone", mode="before")(check_time_zone)


class ShopifyOptions(StrictModel):
    """What Shopify does not send but a rate needs. An item's HS code: its ``hs_code`` property,
    else ``hs_codes[sku]``, else ``default_hs_code``; the parcel's size: the shop's ``default_box``
    (``shops[domain]``, then this one), else none (carriers then price by weight alone)."""

    default_hs_code: str | None = Field(default=None, min_length=4, max_length=15)
    hs_codes: dict[str, str] = Field(default_factory=dict)
    goods_origin_country: str | None = None  # default: the origin address's country
    contents_type: Literal["merchandise", "gift", "sample", "other"] = "merchandise"
    signer: str = "Shop"
    default_box: Dimensions | None = None
    shops: dict[str, ShopSettings] = Field(default_factory=dict)

    def hs_code(self, sku: str | None, properties: dict[str, Any]) -> str | None:
        given = properties.get("hs_code")
        if given not in (None, ""):
            return str(given)
        if sku and sku in self.hs_codes:
            return self.hs_codes[sku]
        return self.default_hs_code

    def box(self, shop: str | None) -> Dimensions | None:
        own = self.shops.get(shop) if shop else None
        return own.default_box if own is not None and own.default_box is not None else self.default_box

    def shop_time_zone(self, shop: str | None) -> str | None:
        own = self.shops.get(shop) if shop else None
        return own.time_zone if own is not None else None


__all__ = ["ShopSettings", "ShopifyOptions", "check_time_zone", "zone"]
