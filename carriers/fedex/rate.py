"""Rate quotes: ``POST /rate/v1/rates/quotes``, all services or one.

Both ACCOUNT and LIST rates are asked for; a quote's total is what the account is billed (the
ACCOUNT rated detail, LIST only when FedEx gives no ACCOUNT rate), duties and taxes included where
FedEx reports them, in the currency FedEx states. A quote is named as FedEx names the service
(``serviceName``), our table only standing in; FedEx's alerts travel on every quote.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import httpx

from carriergate.carriers.fedex import payload as p
from carriergate.carriers.fedex.account import FedExAccount
from carriergate.carriers.fedex.errors import output
from carriergate.carriers.fedex.notices import alerts
from carriergate.carriers.fedex.services import TRANSIT_DAYS, service_name
from carriergate.core.money import Money
from carriergate.core.quotes import Charge, ChargeKind, Quote
from carriergate.core.shipment import RateRequest
from carriergate.protocols.http import json_request
from carriergate.protocols.json_reading import decimal, obj, records, text

PATH = "/rate/v1/rates/quotes"
RATE_TYPES = ("ACCOUNT", "LIST")


def packages(request: RateRequest, *, units: tuple[str, str]) -> list[dict[str, Any]]:
    """requestedPackageLineItems: weight, dimensions and each piece's share of the declared value."""
    shares = p.split(request.insurance, len(request.parcels)) if request.insurance else None
    items: list[dict[str, Any]] = []
    for i, parcel in enumerate(request.parcels):
        item: dict[str, Any] = {"weight": p.weight(parcel.weight, units[0])}
        if parcel.dimensions is not None:
            item["dimensions"] = p.dimensions(parcel.dimensions, units[1])
        if shares is not None:
            item["declaredValue"] = p.money(shares[i])
        items.append(item)
    return items


def commodities(request: RateRequest) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in request.customs.items if request.customs else []:
        out.append({
            "description": (item.description_latin or item.description)[:450],
            "harmonizedCode": item.hs_code,
            "countryOfManufacture": item.origin_country,
            "quantity": item.quantity,
            "quantityUnits": "PCS",
            "unitPrice": p.money(item.unit_value),
            "customsValue": p.money(item.total_value),
            "weight": p.weight(item.total_weight, "KG"),
        })
    return out


def _body(request: RateRequest, account: FedExAccount) -> dict[str, Any]:
    units = p.unit_system(request.parcels[0].weight)
    shipment: dict[str, Any] = {
        "shipper": {"address": p.address(request.origin, street=False)},
        "recipient": {"address": p.address(request.destination, street=False)},
        "pickupType": "DROPOFF_AT_FEDEX_LOCATION",
        "rateRequestType": list(RATE_TYPES),
        "packagingType": "YOUR_PACKAGING",
        "totalPackageCount": len(request.parcels),
        "requestedPackageLineItems": packages(request, units=units),
    }
    if request.services and len(request.services) == 1:
        shipment["serviceType"] = request.services[0]
    if request.ship_date:
        shipment["shipDateStamp"] = request.ship_date.isoformat()
    if request.insurance:
        shipment["preferredCurrency"] = request.insurance.currency
    if request.international and request.customs is not None:
        customs: dict[str, Any] = {}
        if request.customs.incoterm == "DDP":  # the shipper pays duties (the only payor a quote takes)
            customs["dutiesPayment"] = {"paymentType": "SENDER"}
        customs["commodities"] = commodities(request) or [{
            "description": "Documents", "quantity": 1, "quantityUnits": "PCS",
            "countryOfManufacture": request.origin.country}]
        shipment["customsClearanceDetail"] = customs
        if request.customs.contents_type == "documents":
            shipment["documentShipment"] = True
    return {
        "accountNumber": {"value": account.account_number},
        "rateRequestControlParameters": {"returnTransitTimes": True},
        "requestedShipment": shipment,
    }


def build_rate(request: RateRequest, account: FedExAccount, *, base_url: str, transaction_id: str) -> httpx.Request:
    """The RateQuotes request. ``request.services`` with exactly one code asks for that service only;
    ``transaction_id`` is the correlation header (a fresh id: a quote has no reference of ours)."""
    return json_request("POST", base_url + PATH, _body(request, account),
                        headers=p.headers(transaction_id, account.locale))


# -- parsing -------------------------------------------------------------------------------------
def chosen_detail(details: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The rated detail the account is billed: ACCOUNT, else LIST, else the first one."""
    for kind in RATE_TYPES:
        for detail in details:
            if str(detail.get("rateType", "")).upper() == kind:
                return detail
    return details[0] if details else None


def _charge_kind(code: str) -> ChargeKind:
    code = code.upper()
    if code == "FUEL":
        return "fuel"
    if code in ("INSURED_VALUE", "DECLARED_VALUE"):
        return "insurance"
    return "surcharge"


def charges(detail: dict[str, Any], currency: str) -> list[Charge]:
    rated = obj(detail.get("shipmentRateDetail"))
    out: list[Charge] = []
    base = p.amount(detail.get("totalBaseCharge"), currency)
    if base is not None:
        out.append(Charge(kind="base", name="Base charge", amount=base))
    for item in records(rated.get("surCharges") or rated.get("surcharges")):
        value = p.amount(item.get("amount"), currency)
        code = text(item.get("type")) or text(item.get("surchargeType")) or "SURCHARGE"
        if value is not None:
            name = text(item.get("description")) or code.replace("_", " ").capitalize()
            out.append(Charge(kind=_charge_kind(code), name=name, amount=value, code=code))
    discount = decimal(detail.get("totalDiscounts"))
    refund = p.amount(-discount, currency) if discount is not None and discount > 0 else None
    if refund is not None:
        out.append(Charge(kind="discount", name="Discount", amount=refund))
    for item in records(rated.get("taxes")):
        value = p.amount(item.get("amount"), currency)
        if value is not None:
            code = text(item.get("type")) or "TAX"
            out.append(Charge(kind="tax", name=text(item.get("description")) or text(item.get("name")) or code,
                              amount=value, code=code))
    return out


def transit(reply: dict[str, Any]) -> tuple[int | None, date | datetime | None]:
    commit = obj(reply.get("commit"))
    operational = obj(reply.get("operationalDetail"))
    transit_days = obj(commit.get("transitDays"))
    words = [text(transit_days.get("maximumTransitTime")), text(transit_days.get("minimumTransitTime")),
             text(commit.get("daysInTransit")), text(operational.get("transitTime"))]
    days = next((TRANSIT_DAYS[w] for w in words if w in TRANSIT_DAYS), None)
    when = None
    for raw in (obj(commit.get("dateDetail")).get("dayFormat"), operational.get("deliveryDate"),
                operational.get("commitDate")):
        when = p.timestamp(raw)
        if when is not None:
            break
    return days, when


def billed_total(detail: dict[str, Any], currency: str) -> Money | None:
    """With duties and taxes when FedEx states it (and it is not below the net charge), else the net charge."""
    with_taxes = decimal(detail.get("totalNetChargeWithDutiesAndTaxes"))
    net = decimal(detail.get("totalNetCharge"))
    if net is None:
        net = decimal(detail.get("totalNetFedExCharge"))
    return p.amount(with_taxes if with_taxes is not None and (net is None or with_taxes >= net) else net, currency)


def quote(reply: dict[str, Any], *, carrier: str) -> Quote | None:
    code = text(reply.get("serviceType"))
    detail = chosen_detail(records(reply.get("ratedShipmentDetails")))
    if code is None or detail is None:
        return None
    rated = obj(detail.get("shipmentRateDetail"))
    currency = text(detail.get("currency")) or text(rated.get("currency"))
    total = billed_total(detail, currency) if currency is not None else None
    if total is None or currency is None:  # (both: mypy narrows ``currency`` for the charges below)
        return None
    days, when = transit(reply)
    name = text(reply.get("serviceName")) or service_name(code)  # FedEx's own name first, our table else
    billed = obj(rated.get("totalBillingWeight"))
    billed_weight = f"{billed.get('value')} {billed.get('units')}" if decimal(billed.get("value")) is not None else None
    return Quote(carrier=carrier, service_code=code, service_name=name, total=total, charges=charges(detail, currency),
                 transit_days=days, estimated_delivery=when, billed_weight=billed_weight)


def parse_rate(response: httpx.Response, *, carrier: str, services: list[str] | None = None) -> list[Quote]:
    out, _ = output(response, carrier=carrier)
    quotes = [q for q in (quote(r, carrier=carrier) for r in records(out.get("rateReplyDetails"))) if q is not None]
    notices = alerts(out)  # FedEx's alerts concern the whole answer: every quote carries them
    if notices:
        quotes = [q.model_copy(update={"warnings": [*notices, *q.warnings]}) for q in quotes]
    if services:
        wanted = set(services)
        quotes = [q for q in quotes if q.service_code in wanted]
    return quotes
