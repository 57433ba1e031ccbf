"""getRateRequest: a RateRequest as DHL's rate query, and DHL's products as quotes.

Every product DHL returns with a price becomes a :class:`Quote`; a product without a price (no
``TotalNet`` amount, or zero) is not a quote. Charges keep DHL's ``ChargeType`` names; the first
charge is the product's own freight charge; a service listed without an amount (priced on request)
is no charge and is named in ``Quote.warnings``, as are DHL's warnings beside a successful reply.
Transit days come from ``TotalTransitDays`` or, when DHL leaves it out, from the calendar days
between the pickup cutoff and the delivery time.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import httpx

from carriergate.carriers.dhl_express.account import DHLExpressAccount
from carriergate.carriers.dhl_express.charges import charges, decimal, insurance_service
from carriergate.carriers.dhl_express.checks import Checks
from carriergate.carriers.dhl_express.customs import content, incoterm
from carriergate.carriers.dhl_express.errors import notices
from carriergate.carriers.dhl_express.measures import amount, noon_utc, ship_timestamp
from carriergate.carriers.dhl_express.parties import rate_packages, rate_place
from carriergate.carriers.dhl_express.replies import Product, RateReply, read
from carriergate.carriers.dhl_express.services import RATE_BOOK, rate_book_url
from carriergate.core.errors import MalformedResponse
from carriergate.core.money import Money
from carriergate.core.quotes import Quote
from carriergate.core.shipment import RateRequest

OPERATION = "getRateRequest"


def build_rate(request: RateRequest, account: DHLExpressAccount, *, base_url: str, now: datetime,
               carrier: str) -> httpx.Request:
    """The getRateRequest for ``request`` (raises ValidationError before anything is sent)."""
    checks = Checks(carrier)
    moment = noon_utc(request.ship_date) if request.ship_date else now
    shipment: dict[str, Any] = {
        "GetDetailedRateBreakdown": "Y",
        "DropOffType": "REGULAR_PICKUP",
        "NextBusinessDay": "Y",
        "Ship": {"Shipper": rate_place(checks, "origin", request.origin),
                 "Recipient": rate_place(checks, "destination", request.destination)},
        "Packages": {"RequestedPackages": rate_packages(checks, request.parcels)},
        "ShipTimestamp": ship_timestamp(moment),
        "UnitOfMeasurement": "SI",
    }
    if request.customs is not None:
        shipment["Content"] = content(request)
        declared = request.customs.total_value
        if declared is not None and request.international:
            shipment["DeclaredValue"] = amount(declared)
            shipment["DeclaredValueCurrencyCode"] = declared.currency
    shipment["PaymentInfo"] = incoterm(checks, request)
    shipment["Account"] = account.account_number
    insured = insurance_service(request)
    if insured is not None:
        shipment["SpecialServices"] = {"Service": [insured]}
    checks.done()
    return RATE_BOOK.request(OPERATION, rate_book_url(base_url), RequestedShipment=shipment)


# -- reading the reply ----------------------------------------------------------------------------
def _day(value: str | None) -> date | None:
    try:
        return datetime.fromisoformat(value.strip()).date() if value else None
    except ValueError:
        return None


def transit_days(product: Product) -> int | None:
    if product.transit_days and product.transit_days.strip().isdigit():
        return int(product.transit_days.strip())
    delivery, cutoff = _day(product.delivery_time), _day(product.cutoff_time)
    if delivery and cutoff and delivery >= cutoff:
        return (delivery - cutoff).days
    return None


def quote(product: Product, carrier: str) -> Quote | None:
    """The product as a quote, or None when DHL gave it no price."""
    total = next((t for t in product.totals if t.amount and t.amount.strip() and t.currency), None)
    if total is None or not product.code:
        return None
    currency = (total.currency or "").strip().upper()
    value = decimal(total.amount, f"total of product {product.code}")
    if value <= 0:
        return None
    breakdown = next((b for b in product.breakdowns if (b.currency or "").strip().upper() == currency), None)
    parts = [(c.code, c.name, c.amount) for c in breakdown.charges] if breakdown else []
    lines, skipped = charges(parts, currency)
    name = (product.service_name or (lines[0].name if lines else "") or product.code).strip()
    weight = f"{product.quoted_weight.strip()} {'kg' if product.unit != 'SU' else 'lb'}" \
        if product.quoted_weight else None
    return Quote(carrier=carrier, service_code=product.code, service_name=name, total=Money(value, currency),
                 charges=lines, transit_days=transit_days(product), estimated_delivery=_day(product.delivery_time),
                 billed_weight=weight, warnings=skipped)


def parse_rate(response: httpx.Response, *, carrier: str, services: list[str] | None = None) -> list[Quote]:
    """Quotes from a RateResponse (its ``Provider``), only those of ``services`` when given."""
    reply = read(RateReply, RATE_BOOK.parse(OPERATION, response), what="rate reply")
    try:
        quotes = [q for q in (quote(p, carrier) for p in reply.products) if q is not None]
    except MalformedResponse:
        notices(reply.notes, reply.warnings, answered=False)  # DHL's own refusal explains it better
        raise
    said = notices(reply.notes, reply.warnings, answered=bool(quotes))
    if said:
        quotes = [q.model_copy(update={"warnings": [*said, *q.warnings]}) for q in quotes]
    if services:
        wanted = set(services)
        quotes = [q for q in quotes if q.service_code in wanted]
    return quotes
