"""A parcel as USPS prices and labels it: weight in pounds, dimensions in inches (the only units
its APIs take: ``weightUOM: lb``, ``dimensionsUOM: in``), converted exactly from ours and rounded
up, never down (USPS bills the weight it measures)."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from carriergate.core.errors import FieldError, ValidationError
from carriergate.core.shipment import Parcel, RateRequest
from carriergate.protocols.http import json_number

#: Pounds and inches to two decimals (a hundredth of a pound is 4.5 g).
STEP = Decimal("0.01")
#: USPS's published limit for a parcel (70 lb domestic and for most countries abroad).
MAX_POUNDS = Decimal(70)


def up(value: Decimal) -> Decimal:
    return (value / STEP).to_integral_value(rounding=ROUND_CEILING) * STEP


def pounds(parcel: Parcel, field: str) -> Decimal:
    weight = up(parcel.weight.to("lb").value)
    if weight > MAX_POUNDS:
        raise ValidationError(FieldError(f"{field}.weight", f"USPS takes at most {MAX_POUNDS} lb per parcel"))
    return weight


def inches(parcel: Parcel, field: str) -> tuple[Decimal, Decimal, Decimal]:
    """(length, width, height) with length the longest side, as USPS defines it."""
    if parcel.dimensions is None:
        raise ValidationError(FieldError(f"{field}.dimensions", "USPS needs the parcel's dimensions"))
    d = parcel.dimensions.to("in")
    length, width, height = sorted((up(d.length), up(d.width), up(d.height)), reverse=True)
    return length, width, height


def the_parcel(request: RateRequest) -> Parcel:
    """USPS prices and labels one piece per request."""
    if len(request.parcels) != 1:
        raise ValidationError(FieldError("parcels", "USPS labels one parcel per request; send one request each"))
    return request.parcels[0]


def measures(parcel: Parcel, field: str = "parcels[0]") -> dict[str, int | float]:
    """``weight``, ``length``, ``width``, ``height`` as JSON numbers."""
    length, width, height = inches(parcel, field)
    return {"weight": json_number(pounds(parcel, field)), "length": json_number(length),
            "width": json_number(width), "height": json_number(height)}
