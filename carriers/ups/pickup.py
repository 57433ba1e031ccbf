"""Pickups: book an on-call pickup (``POST /api/pickupcreation/<version>/pickup``) and cancel it by
its PRN (``DELETE /api/shipments/<version>/pickup/02``, the PRN in a header)."""

from __future__ import annotations

import httpx

from carriergate.carriers.ups.account import UPSAccount
from carriergate.carriers.ups.endpoints import post_json, without_body
from carriergate.carriers.ups.errors import read
from carriergate.carriers.ups.measures import units_for, weight_text
from carriergate.carriers.ups.parties import fit, invalid, phone_number, postal_code, state_code
from carriergate.carriers.ups.services import pickup_service_code
from carriergate.carriers.ups.shapes import money, required
from carriergate.core.errors import CarrierError
from carriergate.core.results import Pickup
from carriergate.core.shipment import PickupRequest
from carriergate.protocols.json_reading import JSON, dig, obj, text

#: Service of the pieces to collect: Ground at home, Worldwide Saver abroad.
DOMESTIC_SERVICE, INTERNATIONAL_SERVICE = "03", "65"
PACKAGE_CONTAINER = "01"
PAY_BY_SHIPPER = "01"
CANCEL_BY_PRN = "02"


def build_pickup(request: PickupRequest, account: UPSAccount, *, base_url: str, trans_id: str) -> httpx.Request:
    return post_json(f"pickupcreation/{account.pickup_version}/pickup", _body(request, account), account,
                     base_url=base_url, trans_id=trans_id)


def _body(request: PickupRequest, account: UPSAccount) -> JSON:
    address, window = request.address, request.window
    # The window as given: its own timezone is the pickup address's local time.
    start, end = window.start, window.end.astimezone(window.start.tzinfo)
    if end.date() != start.date():
        raise invalid("window.end", "a UPS pickup starts and ends on the same local day")
    phone = phone_number(address, "address", limit=25)
    if phone is None:
        raise invalid("address.phone", "UPS needs a contact phone number for a pickup")
    line = ", ".join(address.street + ([address.district] if address.district else []))
    pickup_address: JSON = {
        "CompanyName": fit(address.company or address.name, 27, "address.company"),
        "ContactName": fit(address.name, 22, "address.name"),
        "AddressLine": [fit(line, 73, "address.street")],
        "City": fit(address.city, 50, "address.city"),
    }
    state = state_code(address, "address")
    if state:
        pickup_address["StateProvince"] = state
    code = postal_code(address, "address")
    if code:
        pickup_address["PostalCode"] = code
    pickup_address.update({"CountryCode": address.country, "ResidentialIndicator": "Y" if address.residential else "N",
                           "Phone": {"Number": phone}})
    destination = request.destination_country or address.country
    service = DOMESTIC_SERVICE if destination == address.country else INTERNATIONAL_SERVICE
    units = units_for(address.country)
    body: JSON = {
        "Request": {"TransactionReference": {"CustomerContext": request.reference or "pickup"}},
        "RatePickupIndicator": "Y",
        "Shipper": {"Account": {"AccountNumber": account.account_number, "AccountCountryCode": address.country}},
        "PickupDateInfo": {"CloseTime": end.strftime("%H%M"), "ReadyTime": start.strftime("%H%M"),
                           "PickupDate": start.strftime("%Y%m%d")},
        "PickupAddress": pickup_address,
        "AlternateAddressIndicator": "Y",
        "PickupPiece": [{"ServiceCode": pickup_service_code(service), "Quantity": str(request.parcel_count),
                         "DestinationCountryCode": destination, "ContainerCode": PACKAGE_CONTAINER}],
        "TotalWeight": {"Weight": weight_text(request.total_weight, units), "UnitOfMeasurement": units.weight_code},
    }
    if request.tracking_numbers:
        body["TrackingData"] = [{"TrackingNumber": n} for n in request.tracking_numbers]
    body["PaymentMethod"] = PAY_BY_SHIPPER
    if request.instructions:
        body["SpecialInstruction"] = fit(request.instructions, 57, "instructions")
    if request.reference:
        body["ReferenceNumber"] = fit(request.reference, 35, "reference")
    return {"PickupCreationRequest": body}


def parse_pickup(response: httpx.Response, *, carrier: str, request: PickupRequest | None = None) -> Pickup:
    data = read(response, carrier=carrier)
    created = obj(data.get("PickupCreationResponse") or data.get("PickupTriggerGWNResponse"))
    inner = obj(created.get("Response"))  # UPS's own Smart Pickup example nests PRN inside Response
    prn = required(text(created.get("PRN")) or text(inner.get("PRN")), "PRN", carrier=carrier,
                   status=response.status_code)
    result = obj(created.get("RateResult"))
    currency = text(result.get("CurrencyCode"))
    grand_total = money({"MonetaryValue": result.get("GrandTotalOfAllCharge"), "CurrencyCode": currency})
    extra = {"prn": prn}
    service_date = text(created.get("ServiceDate")) or text(inner.get("ServiceDate"))
    if service_date is None and request is not None:
        service_date = request.window.start.strftime("%Y%m%d")
    if service_date:
        extra["pickup_date"] = service_date
    return Pickup(carrier=carrier, confirmation_number=prn, total=grand_total, carrier_data=extra,
                  ready_at=request.window.start if request else None, close_at=request.window.end if request else None)


def build_cancel_pickup(pickup: Pickup, account: UPSAccount, *, base_url: str, trans_id: str) -> httpx.Request:
    """Cancel by PRN: the PRN travels in the ``Prn`` header, not in the path."""
    return without_body("DELETE", f"shipments/{account.pickup_version}/pickup/{CANCEL_BY_PRN}", account,
                        base_url=base_url, trans_id=trans_id,
                        Prn=pickup.carrier_data.get("prn") or pickup.confirmation_number)


def parse_cancel_pickup(response: httpx.Response, *, carrier: str) -> None:
    data = read(response, carrier=carrier, wrapper="PickupCancelResponse")
    status = text(dig(data, "Response", "ResponseStatus", "Code"))
    if status not in (None, "1"):
        raise CarrierError(text(dig(data, "Response", "ResponseStatus", "Description")) or "pickup not cancelled",
                           carrier=carrier, code=status, http_status=response.status_code)
