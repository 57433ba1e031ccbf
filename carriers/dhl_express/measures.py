"""Numbers and times as DHL Express writes them: SI units (kg, cm) to three decimals, money to the
currency's minor unit, and DHL's ``ShipTimestamp`` format ``2024-05-06T09:00:00GMT+08:00``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal

from carriergate.core.money import Money
from carriergate.core.units import Dimensions, Weight

_MILLI = Decimal("0.001")


def fixed(value: Decimal) -> Decimal:
    """``value`` without an exponent and without trailing zeros: ``Decimal("2.500")`` -> ``2.5``."""
    text = f"{value.normalize():f}"
    return Decimal(text)


def up_to_milli(value: Decimal) -> Decimal:
    """Rounded up to 0.001: a carrier must never be told less than the parcel weighs or measures."""
    return fixed(value.quantize(_MILLI, rounding=ROUND_CEILING))


def kilograms(weight: Weight) -> Decimal:
    return up_to_milli(weight.kg)


def centimetres(dimensions: Dimensions) -> tuple[Decimal, Decimal, Decimal]:
    d = dimensions.to("cm")
    return up_to_milli(d.length), up_to_milli(d.width), up_to_milli(d.height)


def amount(money: Money) -> Decimal:
    """The amount rounded half-up to the currency's minor unit (cents, yen...)."""
    return fixed(money.rounded().amount)


def _offset(moment: datetime) -> str:
    delta = moment.utcoffset() or timedelta(0)
    minutes = int(delta.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"GMT{sign}{hours:02d}:{mins:02d}"


def ship_timestamp(moment: datetime) -> str:
    """DHL's ``ShipTimestamp``: local wall-clock time and its GMT offset, seconds precision."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("ship timestamps must be timezone-aware")
    return f"{moment.replace(microsecond=0, tzinfo=None).isoformat()}{_offset(moment)}"


def noon_utc(day: date) -> datetime:
    """A ship date without a time: noon UTC of that day (DHL needs a time; noon is inside every
    working day whatever the shipper's zone)."""
    return datetime.combine(day, time(12, 0), tzinfo=UTC)
