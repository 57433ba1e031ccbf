"""Time and price quotes: EXP_RECE_QUERY_DELIVERTM.

SF answers one ``deliverTmDto`` entry per product (``businessType``) with the promised delivery
time and, with ``searchPrice`` 1, the ``fee`` in CNY. The quote does not price added services
(INSURE): the declared value changes the bill, not this answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from carriergate.carriers.sf_express.account import SFExpressAccount
from carriergate.carriers.sf_express.address import parse_china_time, problems, region
from carriergate.carriers.sf_express.envelope import service_request
from carriergate.carriers.sf_express.errors import business_result, lane_not_served, payload
from carriergate.carriers.sf_express.services import is_service_code, service_name
from carriergate.core.errors import FieldError, ValidationError
from carriergate.core.money import Money
from carriergate.core.quotes import Charge, Quote
from carriergate.core.shipment import RateRequest
from carriergate.protocols.http import json_number as number

QUERY_DELIVERTM = "EXP_RECE_QUERY_DELIVERTM"
CONSIGNED_HOUR = "10:00:00"  # a ship date alone becomes this hour of that day, China time


def build_rate(request: RateRequest, account: SFExpressAccount, *, base_url: str, carrier: str) -> httpx.Request:
    """The time-and-price query; refuses lanes SF's query does not cover and bad input, naming the
    field, before anything is sent."""
    return service_request(base_url, account.partner_id, QUERY_DELIVERTM, _msg_data(request, carrier=carrier))


def _msg_data(request: RateRequest, *, carrier: str) -> dict[str, Any]:
    """``msgData`` of EXP_RECE_QUERY_DELIVERTM."""
    if request.origin.country != "CN" or request.destination.country != "CN":
        raise lane_not_served("SF time-and-price quotes cover shipments within mainland China", carrier=carrier)
    found = [p for p in problems(request.origin, "origin") + problems(request.destination, "destination")
             if p.field.endswith(".state")]
    services = request.services or []
    found += [FieldError(f"services[{i}]", f"{s!r} is not an SF product code")
              for i, s in enumerate(services) if not is_service_code(s)]
    if found:
        raise ValidationError(found, carrier=carrier)
    msg: dict[str, Any] = {}
    if len(services) == 1:
        msg["businessType"] = services[0]
    msg["weight"] = number(request.total_weight.kg.quantize(Decimal("0.001")))
    if all(p.dimensions is not None for p in request.parcels):
        volume = sum((p.dimensions.volume("cm") for p in request.parcels if p.dimensions), Decimal(0))
        msg["volume"] = number(volume.quantize(Decimal("0.01")))
    if request.ship_date is not None:
        msg["consignedTime"] = f"{request.ship_date.isoformat()} {CONSIGNED_HOUR}"
    msg["searchPrice"] = "1"
    msg["srcAddress"] = region(request.origin)
    msg["destAddress"] = region(request.destination)
    return msg


def _fee(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        fee = Decimal(str(value))
    except InvalidOperation:
        return None
    return fee if fee.is_finite() and fee >= 0 else None


def parse_rate(response: httpx.Response, *, carrier: str, services: Sequence[str] | None = None,
               ship_date: date | None = None) -> list[Quote]:
    """One quote per priced product; products without a fee (or not among ``services``) are skipped.
    The transit days count from ``ship_date``: SF answers a delivery time, not a number of days."""
    data = payload(business_result(response, carrier=carrier), response, carrier=carrier)
    entries = data.get("deliverTmDto") or []
    wanted = set(services or [])
    quotes: list[Quote] = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        code = str(entry.get("businessType") or "").strip()
        fee = _fee(entry.get("fee"))
        if not code or fee is None or (wanted and code not in wanted):
            continue
        name = service_name(code, str(entry.get("businessTypeDesc") or "") or None)
        total = Money(fee, "CNY")
        promised = parse_china_time(str(entry.get("deliverTime") or "").split(",")[0])
        days = None
        if promised is not None and ship_date is not None:
            days = max((promised.date() - ship_date).days, 0)
        quotes.append(Quote(carrier=carrier, service_code=code, service_name=name, total=total,
                            charges=[Charge(kind="base", name=name, amount=total)], transit_days=days,
                            estimated_delivery=promised))
    return quotes
