"""Domestic prices: ``POST /prices/v3/total-rates/search`` (domestic-prices.yaml ``TotalRatesQuery``).

Total rates rather than base rates: one request prices several mail classes (``mailClasses``) and
the insurance extra service with them, where base-rates prices one mail class per request and no
extra service. Insurance is extra service 930 (insured value up to 500 USD) or 931 (above), priced
on ``itemValue``; the answer's ``totalPrice`` then includes it.

Only parcels mailed in the US are priced. US -> abroad is priced by USPS's international-prices
API instead (rate_international.py, which reuses the helpers here); ``build_rate`` itself refuses it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from carriergate.carriers.usps.account import USPSAccount
from carriergate.carriers.usps.errors import checked
from carriergate.carriers.usps.packages import measures, the_parcel
from carriergate.carriers.usps.parties import DOMESTIC, zip_code
from carriergate.carriers.usps.services import DOMESTIC as DOMESTIC_CLASSES
from carriergate.carriers.usps.services import LANE_NOT_SUPPORTED, name
from carriergate.core.errors import FieldError, MalformedResponse, NotServed, ValidationError
from carriergate.core.money import Money
from carriergate.core.quotes import Charge, Quote
from carriergate.core.shipment import RateRequest
from carriergate.protocols.http import json_number, json_request
from carriergate.protocols.json_reading import decimal, records, text

#: Insurance extra services and the insured value that separates them (USD).
INSURANCE_UP_TO_500, INSURANCE_ABOVE_500 = 930, 931
INSURANCE_CODES = frozenset({"930", "931"})


def lane(request: RateRequest, *, carrier: str) -> None:
    """Refuse, before sending, a lane these APIs do not price or label."""
    if request.origin.country not in DOMESTIC:
        raise NotServed(f"USPS takes parcels mailed in the US only, not from {request.origin.country}",
                        carrier=carrier, code=LANE_NOT_SUPPORTED)


def insurance_service(value: Money, field: str = "insurance") -> int:
    if value.currency != "USD":
        raise ValidationError(FieldError(field, "USPS insures in US dollars only"))
    return INSURANCE_UP_TO_500 if value.amount <= 500 else INSURANCE_ABOVE_500


def build_rate(request: RateRequest, account: USPSAccount, *, base_url: str, today: date,
               carrier: str = "usps") -> httpx.Request:
    lane(request, carrier=carrier)
    if request.destination.country not in DOMESTIC:
        raise NotServed("USPS prices mail abroad with its international-prices API (rate_international), not "
                        "with domestic prices", carrier=carrier, code=LANE_NOT_SUPPORTED)
    classes = list(DOMESTIC_CLASSES)
    if request.services:
        classes = [c for c in request.services if c in DOMESTIC_CLASSES]
        if not classes:
            known = ", ".join(DOMESTIC_CLASSES)
            raise ValidationError(FieldError("services", f"USPS domestic mail classes are {known}"))
    origin, _ = zip_code(request.origin, "origin")
    destination, _ = zip_code(request.destination, "destination")
    body: dict[str, Any] = {"originZIPCode": origin, "destinationZIPCode": destination,
                            **measures(the_parcel(request)), "mailClasses": classes,
                            "priceType": account.price_type, "mailingDate": mailing_date(request, today).isoformat(),
                            **payment_account(account), **insurance_fields(request)}
    return json_request("POST", f"{base_url}/prices/v3/total-rates/search", body)


def mailing_date(request: RateRequest, today: date) -> date:
    mailing = request.ship_date or today
    if not 0 <= (mailing - today).days <= 7:
        raise ValidationError(FieldError("ship_date", "USPS prices a mailing date from today to 7 days ahead"))
    return mailing


def payment_account(account: USPSAccount) -> dict[str, str]:
    """``accountType``/``accountNumber`` for contract and commercial prices (EPS, PERMIT, METER only:
    the prices APIs' enum); nothing for an OMAS account or a number that is not all digits."""
    if account.account_type in ("EPS", "PERMIT", "METER"):
        number = account.account_number if account.account_type != "PERMIT" else account.permit_number
        if number and number.isdigit():
            return {"accountType": account.account_type, "accountNumber": number}
    return {}


def insurance_fields(request: RateRequest) -> dict[str, Any]:
    """``extraServices`` (930 or 931) and ``itemValue`` when insurance is asked for; else nothing."""
    if request.insurance is None:
        return {}
    return {"extraServices": [insurance_service(request.insurance)],
            "itemValue": json_number(request.insurance.amount)}


def _usd(value: Any) -> Money | None:
    amount = decimal(value)
    return Money(amount.quantize(Decimal("0.01")), "USD") if amount is not None else None


def quote_of(option: dict[str, Any], *, carrier: str, insured: bool) -> Quote | None:
    """One ``rateOptions`` entry as a quote (None when it names no mail class or price)."""
    rates = records(option.get("rates"))
    mail_class = next((text(r.get("mailClass")) for r in rates if text(r.get("mailClass"))), None)
    base = _usd(option.get("totalBasePrice"))
    if mail_class is None or base is None:
        return None
    charges: list[Charge] = []
    for rate in rates:
        price = _usd(rate.get("price"))
        if price is not None:
            charges.append(Charge(kind="base", name=text(rate.get("description")) or name(mail_class), amount=price,
                                  code=text(rate.get("SKU"))))
        for fee in records(rate.get("fees")):
            amount = _usd(fee.get("price"))
            if amount is not None and amount.amount:
                charges.append(Charge(kind="surcharge", name=text(fee.get("name")) or "fee", amount=amount,
                                      code=text(fee.get("SKU"))))
    total = base
    for extra in records(option.get("extraServices")):
        code = text(extra.get("extraService"))
        price = _usd(extra.get("price"))
        if not insured or code not in INSURANCE_CODES or price is None:
            continue  # only the insurance asked for; the others are listed, not bought
        charges.append(Charge(kind="insurance", name=text(extra.get("name")) or "Insurance", amount=price, code=code))
        total = total + price
    stated = _usd(option.get("totalPrice")) if insured else None
    product = next((text(r.get("productName")) for r in rates if text(r.get("productName"))), None)
    return Quote(carrier=carrier, service_code=mail_class, service_name=product or name(mail_class),
                 total=stated or total, charges=charges)


def rate_options(response: httpx.Response, *, carrier: str, what: str = "total rates") -> list[dict[str, Any]]:
    """The ``rateOptions`` of a prices answer (domestic or international); a refusal is its typed error."""
    body = checked(response, carrier=carrier)
    options = body.get("rateOptions")
    if not isinstance(options, list):
        raise MalformedResponse(f"{what} answer has no rateOptions", carrier=carrier, http_status=response.status_code)
    return records(options)


def cheapest_each(quotes: Iterable[Quote]) -> dict[str, Quote]:
    """The cheapest quote of each service (mail class), in the order the classes first appear."""
    best: dict[str, Quote] = {}
    for quote in quotes:
        if quote.service_code not in best or quote.total < best[quote.service_code].total:
            best[quote.service_code] = quote
    return best


def parse_rate(response: httpx.Response, *, carrier: str, insured: bool = False) -> list[Quote]:
    """The cheapest option of each mail class, one quote each."""
    quotes = (quote_of(option, carrier=carrier, insured=insured) for option in rate_options(response, carrier=carrier))
    best = cheapest_each(q for q in quotes if q is not None)
    if not best:
        raise NotServed("USPS has no price for this parcel", carrier=carrier, code="no_quote",
                        http_status=response.status_code)
    return list(best.values())
