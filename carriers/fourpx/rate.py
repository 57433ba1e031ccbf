"""Price estimates: ds.xms.estimated_cost.get v1.0.0 (预估费用查询/运费试算).

Asked by destination country, weight (grams), dimensions (cm, two decimals), cargo code (P parcel,
D document), the recipient's postal code and optionally the products to price (``services``). 4PX
answers one entry per product: ``logistics_product_code``, ``lump_sum_fee`` (the total, in CNY),
``estimated_time`` (days, "5" or "5-8"), ``charge_weight`` (its unit is not stated: not read),
``remarks`` (kept as a warning). 4PX prices from its own
facility, so the origin is not sent; a destination in the origin country is no 4PX lane.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

import httpx

from carriergate.carriers.fourpx.envelope import data_of, router_request
from carriergate.carriers.fourpx.services import is_service_code, service_name
from carriergate.carriers.fourpx.ship import MAX_GRAMS, grams
from carriergate.core.errors import FieldError, MalformedResponse, NotServed, ValidationError
from carriergate.core.money import Money
from carriergate.core.notices import Notice
from carriergate.core.quotes import Charge, Quote
from carriergate.core.shipment import RateRequest
from carriergate.protocols.json_reading import decimal, records, text

ESTIMATED_COST, COST_VERSION = "ds.xms.estimated_cost.get", "1.0.0"
CURRENCY = "CNY"  # 4PX: lump_sum_fee is 总费用(CNY)
_DAYS = re.compile(r"^\s*(\d+)\s*(?:[-~至]\s*(\d+))?")


def _two(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def build_rate(request: RateRequest, *, base_url: str, carrier: str) -> httpx.Request:
    if not request.international:
        raise NotServed("4PX prices cross-border shipments only", carrier=carrier, code="domestic")
    found: list[FieldError] = []
    weight = grams(request.total_weight)
    if weight >= MAX_GRAMS:
        found.append(FieldError("parcels", "4PX prices parcels under 1000 kg"))
    services = request.services or []
    found += [FieldError(f"services[{i}]", f"{s!r} is not a 4PX logistics product code")
              for i, s in enumerate(services) if not is_service_code(s)]
    if found:
        raise ValidationError(found, carrier=carrier)
    body: dict[str, object] = {"country_code": request.destination.country, "weight": str(weight)}
    dims = request.parcels[0].dimensions if len(request.parcels) == 1 else None
    if dims is not None:
        cm = dims.to("cm")
        body.update(length=_two(cm.length), width=_two(cm.width), height=_two(cm.height))
    documents = request.customs is not None and request.customs.contents_type == "documents"
    body["cargocode"] = "D" if documents else "P"
    if services:
        body["logistics_product_code"] = list(services)
    if request.destination.postal_code:
        body["recipient_post_code"] = request.destination.postal_code
    return router_request(base_url, ESTIMATED_COST, COST_VERSION, body)


def transit_days(value: object) -> tuple[int | None, int | None]:
    """(min, max) days from 4PX's ``estimated_time`` ("7", "5-8"); (None, None) when unreadable."""
    found = _DAYS.match(text(value) or "")
    if not found:
        return None, None
    low = int(found.group(1))
    high = int(found.group(2)) if found.group(2) else low
    return (low, high) if high >= low else (high, low)


def parse_rate(response: httpx.Response, *, carrier: str, services: Sequence[str] | None = None) -> list[Quote]:
    """One quote per priced product; entries without a fee (or not among ``services``) are skipped."""
    data = data_of(response, carrier=carrier)
    if data is not None and not isinstance(data, list | dict):
        raise MalformedResponse("4PX estimate answer is not a list", carrier=carrier, http_status=response.status_code)
    wanted = set(services or [])
    quotes: list[Quote] = []
    for entry in records(data):
        code = text(entry.get("logistics_product_code"))
        fee = decimal(entry.get("lump_sum_fee"))
        if code is None or fee is None or fee <= 0 or (wanted and code not in wanted):
            continue
        name = service_name(code, text(entry.get("logistics_product_name")))
        total = Money(fee.quantize(Decimal("0.01")), CURRENCY)
        low, high = transit_days(entry.get("estimated_time"))
        remark = text(entry.get("remarks"))
        quotes.append(Quote(carrier=carrier, service_code=code, service_name=name, total=total,
                            charges=[Charge(kind="base", name=name, amount=total)], transit_days=high,
                            transit_days_min=low if low != high else None,
                            warnings=[Notice(message=remark, code="remarks")] if remark else []))
    return quotes
