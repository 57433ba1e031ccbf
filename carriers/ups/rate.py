"""Rating: the RateRequest (``POST /api/rating/<version>/<option>``), RatedShipments read into Quotes."""

from __future__ import annotations

from datetime import date

import httpx

from carriergate.carriers.ups.account import UPSAccount
from carriergate.carriers.ups.charges import billed_total, breakdown, package_itemized
from carriergate.carriers.ups.endpoints import post_json
from carriergate.carriers.ups.errors import read
from carriergate.carriers.ups.measures import amount_text, units_for, weight_text
from carriergate.carriers.ups.packages import packages
from carriergate.carriers.ups.parties import party_json
from carriergate.carriers.ups.services import service_name
from carriergate.carriers.ups.shapes import alerts, required, yyyymmdd
from carriergate.core.notices import Notice
from carriergate.core.quotes import Quote
from carriergate.core.shipment import RateRequest
from carriergate.protocols.json_reading import JSON, dig, obj, records, text


def request_option(request: RateRequest, account: UPSAccount) -> str:
    """``Rate`` for exactly one requested service, ``Shop`` for all; with transit times when asked."""
    option = "Rate" if request.services is not None and len(request.services) == 1 else "Shop"
    return f"{option}timeintransit" if account.transit_times else option


def build_rate(request: RateRequest, account: UPSAccount, *, base_url: str, trans_id: str) -> httpx.Request:
    """The rating request: ``Shop`` (every service) or ``Rate`` (one), with transit times when asked."""
    option = request_option(request, account)
    return post_json(f"rating/{account.api_version}/{option}", _body(request, account, option), account,
                     base_url=base_url, trans_id=trans_id)


def _body(request: RateRequest, account: UPSAccount, option: str) -> JSON:
    units = units_for(request.origin.country)
    origin = party_json(request.origin, "origin")  # the Shipper ships from its own address
    shipment: JSON = {
        "Shipper": {**origin, "ShipperNumber": account.account_number},
        "ShipTo": party_json(request.destination, "destination", residential=True),
        "ShipFrom": origin,
        "PaymentDetails": {"ShipmentCharge": [{"Type": "01",
                                               "BillShipper": {"AccountNumber": account.account_number}}]},
    }
    if option.startswith("Rate") and request.services:
        code = request.services[0]
        shipment["Service"] = {"Code": code, "Description": service_name(code, request.origin.country)[:35]}
    if request.customs is not None and request.customs.contents_type == "documents" and not request.customs.items:
        shipment["DocumentsOnlyIndicator"] = "Document"
    shipment["Package"] = packages(request, units, shipping=False)
    if account.negotiated_rates:
        shipment["ShipmentRatingOptions"] = {"NegotiatedRatesIndicator": "Y"}
    # Without it UPS never returns TaxCharges / TotalChargesWithTaxes (VAT, GST on CA and EU accounts).
    shipment["TaxInformationIndicator"] = ""
    value = request.customs.total_value if request.customs is not None else None
    if request.international and value is not None:
        shipment["InvoiceLineTotal"] = {"CurrencyCode": value.currency, "MonetaryValue": amount_text(value)}
    if option.endswith("timeintransit"):
        shipment["ShipmentTotalWeight"] = {
            "UnitOfMeasurement": {"Code": units.weight_code, "Description": units.weight_name},
            "Weight": weight_text(request.total_weight, units)}
        documents = request.customs is not None and request.customs.contents_type == "documents"
        timing: JSON = {"PackageBillType": "02" if documents else "03"}
        if request.ship_date is not None:
            timing["Pickup"] = {"Date": request.ship_date.strftime("%Y%m%d")}
        shipment["DeliveryTimeInformation"] = timing
    return {"RateRequest": {
        "Request": {"RequestOption": option.removesuffix("timeintransit"), "SubVersion": account.rating_subversion},
        "Shipment": shipment,
    }}


def _transit(rated: JSON) -> tuple[int | None, date | None]:
    """Business days and arrival date from TimeInTransit, else from GuaranteedDelivery."""
    arrival = dig(rated, "TimeInTransit", "ServiceSummary", "EstimatedArrival")
    days, when = text(dig(arrival, "BusinessDaysInTransit")), yyyymmdd(dig(arrival, "Arrival", "Date"))
    if days is None or when is None:
        guaranteed = rated.get("GuaranteedDelivery")
        days = days or text(dig(guaranteed, "BusinessDaysInTransit"))
        when = when or yyyymmdd(dig(guaranteed, "ScheduledDeliveryDate"))
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    return (int(days) if days is not None and days.isdecimal() else None), when


def quote(rated: JSON, *, carrier: str, insured: bool, status: int | None = None, origin: str | None = None,
          warnings: list[Notice] | None = None) -> Quote:
    """One RatedShipment; ``origin`` (the origin country) names the service when UPS gives no name,
    ``warnings`` are the answer's alerts, before this service's own (RatedShipmentAlert)."""
    code = required(text(dig(rated, "Service", "Code")), "RatedShipment.Service.Code", carrier=carrier, status=status)
    negotiated = obj(rated.get("NegotiatedRateCharges"))
    amount, is_negotiated, taxed = billed_total(rated, negotiated)
    amount = required(amount, f"total charges for service {code}", carrier=carrier, status=status)
    days, arrival = _transit(rated)
    billed = dig(rated, "BillingWeight")
    weight, unit = text(dig(billed, "Weight")), text(dig(billed, "UnitOfMeasurement", "Code"))
    return Quote(
        carrier=carrier, service_code=code, total=amount,
        service_name=service_name(code, origin, text(dig(rated, "Service", "Description"))),
        charges=breakdown(rated, negotiated, package_itemized(records(rated.get("RatedPackage"))), total=amount,
                          is_negotiated=is_negotiated, taxed=taxed, insured=insured),
        transit_days=days, estimated_delivery=arrival,
        billed_weight=f"{weight} {unit}" if weight and unit else None,
        warnings=_merged(warnings or [], alerts(rated, key="RatedShipmentAlert")),
    )


def _merged(first: list[Notice], then: list[Notice]) -> list[Notice]:
    return [*first, *(n for n in then if n not in first)]


def parse_rate(response: httpx.Response, *, carrier: str, insured: bool = False,
               services: list[str] | None = None, origin: str | None = None) -> list[Quote]:
    """``origin`` is the origin country: it names services UPS leaves unnamed."""
    data = read(response, carrier=carrier, wrapper="RateResponse")
    rated = records(data.get("RatedShipment"))
    warnings = alerts(data.get("Response"))
    quotes = [quote(r, carrier=carrier, insured=insured, status=response.status_code, origin=origin,
                    warnings=warnings) for r in rated]
    if services:
        quotes = [q for q in quotes if q.service_code in services]
    return quotes


__all__ = ["build_rate", "parse_rate", "quote", "request_option"]
