"""When a parcel arrives, as the shop shows it: the earliest and latest day, in the shop's time zone.

Carriers give a delivery date (a calendar day at the destination), a moment (with or without a
zone), or only transit days, sometimes as a range ("2-4 days": ``transit_days_min`` and
``transit_days``). A day is shown as that day's start in the shop's zone: Shopify, which shows the
date in the shop's zone, then shows the same day; midnight UTC would be the day before in the
Americas. A moment without a zone is taken as the shop's local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from carriergate.core.quotes import Quote


@dataclass(frozen=True)
class DeliveryWindow:
    """The earliest and latest expected delivery (equal when the carrier gives one day)."""

    earliest: datetime
    latest: datetime

    def as_json(self) -> dict[str, str]:
        return {"min": self.earliest.isoformat(), "max": self.latest.isoformat()}


def _start_of(day: date, zone: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def delivery_window(quote: Quote, zone: tzinfo, today: date) -> DeliveryWindow | None:
    """The window of ``quote`` in ``zone``, counting transit days from ``today`` (the shop's today)."""
    most, least = quote.transit_days, quote.transit_days_min
    spread = most - least if most is not None and least is not None and 0 <= least <= most else 0
    estimate = quote.estimated_delivery
    if isinstance(estimate, datetime):  # before date: a datetime is a date too
        latest = estimate.astimezone(zone) if estimate.tzinfo is not None else estimate.replace(tzinfo=zone)
    elif isinstance(estimate, date):
        latest = _start_of(estimate, zone)
    elif most is not None:
        latest = _start_of(today + timedelta(days=most), zone)
    else:
        return None
    return DeliveryWindow(earliest=latest - timedelta(days=spread), latest=latest)


def shop_today(zone: tzinfo) -> date:
    """Today's date where the shop is."""
    return datetime.now(zone).date()


__all__ = ["DeliveryWindow", "delivery_window", "shop_today"]
