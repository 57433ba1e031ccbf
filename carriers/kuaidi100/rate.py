"""Rating: one quote per courier the account lists, its price from 商家寄件 ``price`` (:mod:`.price`)
and its delivery from the delivery-time estimate (智能时效预估, label/order method ``time``).

Time request (api.kuaidi100.com/document/kuaidiyugushixiaojiekouwendang): ``param`` ``{"kuaidicom",
"from", "to", "orderTime": "yyyy-MM-dd HH:mm:ss", "expType"}``, the addresses printed to district
level at least. Answer (the SDK's ``DeliveryTimeResp`` inside the label/order envelope): ``data``
``{"arrivalTime": "yyyy-MM-dd HH:mm:ss", "deliveryExpendTime", "fromName", "toName", "expType",
...}``; ``deliveryExpendTime`` is documented as days but its exact form is unconfirmed (a number of
days, possibly with "天" or a fraction), so the days are read from its leading number, else from the
arrival time less the order time, rounded up.

Kuaidi100 quotes mainland China only: any other lane is :class:`NotServed` before anything is sent.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time

import httpx

from carriergate.carriers.kuaidi100.account import Kuaidi100Account
from carriergate.carriers.kuaidi100.companies import checked_company
from carriergate.carriers.kuaidi100.envelope import CHINA, TIME_FORMAT, parse_time
from carriergate.carriers.kuaidi100.labelapi import label_data, label_request
from carriergate.carriers.kuaidi100.parties import printed
from carriergate.core.errors import ConfigurationError, NotServed
from carriergate.core.notices import Notice
from carriergate.core.quotes import Quote
from carriergate.core.shipment import RateRequest
from carriergate.protocols.json_reading import text

LANE_NOT_SERVED = "lane_not_supported"
#: When a future ship date is priced, the parcel is taken to be handed over at this China time.
HANDOVER = time(10, 0)
_DAYS = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)")


@dataclass(frozen=True)
class Estimate:
    """What the time estimate says: when it arrives (China time) and in how many days, if known."""

    arrival: datetime | None
    days: int | None


def check_lane(request: RateRequest, *, carrier: str) -> None:
    """NotServed unless both ends are in mainland China."""
    if request.origin.country != "CN" or request.destination.country != "CN":
        raise NotServed("Kuaidi100 quotes shipments within mainland China only", carrier=carrier,
                        code=LANE_NOT_SERVED)


def companies(request: RateRequest, account: Kuaidi100Account, *, carrier: str) -> list[str]:
    """The couriers to quote: the account's ``rate_companies`` (else its ``company``), narrowed to
    those ``request.services`` name (``yuantong`` or ``yuantong:标准快递``)."""
    listed = list(account.rate_companies) or ([account.company] if account.company else [])
    if not listed:
        raise ConfigurationError("Kuaidi100 rating needs the account's rate_companies (or company)", carrier=carrier)
    if request.services:
        wanted = {checked_company(s.partition(":")[0], field="services") for s in request.services}
        listed = [c for c in listed if c in wanted]
        if not listed:
            raise NotServed("none of the services asked for is a courier this account rates", carrier=carrier,
                            code="no_quote")
    return listed


def order_time(request: RateRequest, now: datetime) -> datetime:
    """The order time to estimate from: now, or the ship date's handover time when that is later."""
    china_now = now.astimezone(CHINA)
    if request.ship_date is not None and request.ship_date > china_now.date():
        return datetime.combine(request.ship_date, HANDOVER, tzinfo=CHINA)
    return china_now.replace(microsecond=0)


def build_time(request: RateRequest, company: str, account: Kuaidi100Account, *, base_url: str,
               now: datetime) -> httpx.Request:
    """The (unsigned) delivery-time estimate of ``request`` at courier ``company``."""
    param = {"kuaidicom": checked_company(company), "from": printed(request.origin), "to": printed(request.destination),
             "orderTime": order_time(request, now).strftime(TIME_FORMAT), "expType": account.service_type}
    return label_request(base_url, "time", param)


def parse_time_estimate(response: httpx.Response, *, ordered: datetime, carrier: str) -> Estimate:
    data = label_data(response, carrier=carrier)
    arrival = parse_time(data.get("arrivalTime"))
    days = None
    match = _DAYS.match(text(data.get("deliveryExpendTime")) or "")
    if match:
        days = max(1, math.ceil(float(match.group(1))))
    elif arrival is not None:
        days = max(1, math.ceil((arrival - ordered).total_seconds() / 86400))
    return Estimate(arrival=arrival, days=days)


def with_estimate(quote: Quote, estimate: Estimate | None, problem: str | None = None) -> Quote:
    """``quote`` with the delivery the estimate gives (or a warning saying why there is none)."""
    if estimate is None:
        warning = Notice(message=f"no delivery-time estimate: {problem}" if problem else "no delivery-time estimate")
        return quote.model_copy(update={"warnings": [*quote.warnings, warning]})
    delivered: date | datetime | None = estimate.arrival
    return quote.model_copy(update={"transit_days": estimate.days, "estimated_delivery": delivered})
