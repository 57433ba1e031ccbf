"""Rating: the price trial (``GET /v1/price-trial/get``, 试算物流运费), one quote per logistics product.

The trial takes the destination country (and postal code), the weight, the pieces and one set of
dimensions, the billing location (``origin``, YunExpress's default ``YT-SZ``) and what the parcels
hold (``package_type``). Several parcels are priced as their total weight with the largest parcel's
dimensions. Each answer line names a product, its amount (``calculate_amount`` in ``currency``,
usually RMB, which is CNY), the fee (``fee_name``) and the delivery days (``interval_day``, "3-8").
YunExpress states the prices are for reference; the bill follows the warehouse's weighing.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import httpx

from carriergate.carriers.yunexpress.account import YunExpressAccount
from carriergate.carriers.yunexpress.errors import envelope
from carriergate.carriers.yunexpress.parties import SIZE_STEP, WEIGHT_STEP, _up
from carriergate.carriers.yunexpress.services import checked_product, product_name
from carriergate.core.errors import MalformedResponse, NotServed
from carriergate.core.money import Money
from carriergate.core.quotes import Charge, Quote
from carriergate.core.shipment import RateRequest
from carriergate.protocols.json_reading import decimal, records, text

PRICE_PATH = "/v1/price-trial/get"
_DAYS = re.compile(r"\s*(\d+)\s*(?:[-~至]\s*(\d+))?")


def build_rate(request: RateRequest, account: YunExpressAccount, *, base_url: str) -> httpx.Request:
    if request.services:
        for index, code in enumerate(request.services):
            checked_product(code, field=f"services[{index}]")
    weight = request.total_weight.rounded_up("kg", WEIGHT_STEP)
    query: dict[str, str] = {"country_code": request.destination.country, "weight": f"{weight:f}",
                             "weight_unit": "KG", "package_type": account.package_type,
                             "pieces": str(len(request.parcels)), "origin": account.origin}
    if request.destination.postal_code:
        query["postal_code"] = request.destination.postal_code
    sized = [p.dimensions.to("cm") for p in request.parcels if p.dimensions is not None]
    if sized:
        largest = max(sized, key=lambda d: d.length * d.width * d.height)
        query.update(length=f"{_up(largest.length, SIZE_STEP):f}", width=f"{_up(largest.width, SIZE_STEP):f}",
                     height=f"{_up(largest.height, SIZE_STEP):f}", size_unit="CM")
    return httpx.Request("GET", f"{base_url}{PRICE_PATH}?{urlencode(query)}",
                         headers={"accept": "application/json", "accept-language": account.language})


def transit_days(value: Any) -> tuple[int | None, int | None]:
    """(min, max) days from ``interval_day`` ("3-8", "5", 7); (None, None) when unreadable."""
    raw = text(value)
    match = _DAYS.fullmatch(raw) if raw else None
    if match is None:
        return None, None
    low, high = int(match.group(1)), int(match.group(2) or match.group(1))
    return min(low, high), max(low, high)


def _quote(code: str, lines: list[dict[str, Any]], *, carrier: str, status: int) -> Quote:
    charges: list[Charge] = []
    for line in lines:
        amount, currency = decimal(line.get("calculate_amount")), text(line.get("currency"))
        if amount is None or currency is None:
            raise MalformedResponse(f"price line of {code} has no amount or currency", carrier=carrier,
                                    http_status=status)
        try:
            money = Money(amount, currency)
        except ValueError:
            raise MalformedResponse(f"price line of {code} has an unknown currency", carrier=carrier,
                                    http_status=status) from None
        charges.append(Charge(kind="base", name=text(line.get("price_name")) or text(line.get("fee_name")) or code,
                              amount=money,
                              code=text(line.get("fee_name"))))
    currencies = {c.amount.currency for c in charges}
    if len(currencies) != 1:
        raise MalformedResponse(f"price lines of {code} mix currencies", carrier=carrier, http_status=status)
    total = charges[0].amount
    for charge in charges[1:]:
        total = total + charge.amount
    low, high = transit_days(lines[0].get("interval_day"))
    name = product_name(code, text(lines[0].get("product_name")))
    return Quote(carrier=carrier, service_code=code, service_name=name, total=total, charges=charges,
                 transit_days=high, transit_days_min=low)


def parse_rate(response: httpx.Response, *, carrier: str = "yunexpress",
               services: list[str] | None = None) -> list[Quote]:
    body = envelope(response, carrier=carrier)
    wanted = {s.strip().upper() for s in services} if services else None
    by_product: dict[str, list[dict[str, Any]]] = {}
    for line in records(body.get("result")):
        code = text(line.get("product_code"))
        if code is None:
            raise MalformedResponse("price line names no product_code", carrier=carrier,
                                    http_status=response.status_code)
        if wanted is None or code.upper() in wanted:
            by_product.setdefault(code, []).append(line)
    quotes = [_quote(code, lines, carrier=carrier, status=response.status_code) for code, lines in by_product.items()]
    if not quotes:
        raise NotServed("YunExpress quoted no product for this parcel and destination", carrier=carrier,
                        code="no_quote", http_status=response.status_code)
    return sorted(quotes, key=lambda q: (q.total.amount, q.service_code))


__all__ = ["build_rate", "parse_rate", "transit_days"]
