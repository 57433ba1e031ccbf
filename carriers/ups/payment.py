"""Who pays: ``PaymentInformation.ShipmentCharge`` -- type 01 (transportation) and type 02 (duties
and taxes), each billed to the shipper, the receiver or a third party by UPS account number.

UPS takes six-character account numbers; a receiver cannot pay the transportation of a return
shipment; type 02 exists only for international shipments. When duties fall to a receiver with no
UPS account, no type 02 is sent: UPS then bills the receiver on delivery (its documented default).
"""

from __future__ import annotations

from carriergate.carriers.ups.account import UPSAccount
from carriergate.carriers.ups.parties import invalid, postal_code
from carriergate.core.billing import Payer
from carriergate.core.shipment import ShipRequest
from carriergate.protocols.json_reading import JSON

TRANSPORTATION, DUTIES_AND_TAXES = "01", "02"
ACCOUNT_LENGTH = 6


def _account(payer: Payer, field: str) -> str:
    number = (payer.account_number or "").strip()
    if len(number) != ACCOUNT_LENGTH:
        raise invalid(f"{field}.account_number", "UPS account numbers have six characters")
    return number


def _bill(payer: Payer, request: ShipRequest, account: UPSAccount, field: str) -> JSON | None:
    """The BillShipper / BillReceiver / BillThirdParty member for ``payer`` (None: UPS's default,
    the receiver billed on delivery)."""
    if payer.party == "sender":
        return {"BillShipper": {"AccountNumber": account.account_number}}
    if payer.party == "recipient":
        if payer.account_number is None:
            return None
        receiver: JSON = {"AccountNumber": _account(payer, field)}
        code = payer.postal_code or postal_code(request.destination, "destination")
        if code:
            receiver["Address"] = {"PostalCode": code}
        return {"BillReceiver": receiver}
    address: JSON = {}
    if payer.postal_code:
        address["PostalCode"] = payer.postal_code
    address["CountryCode"] = payer.country
    return {"BillThirdParty": {"AccountNumber": _account(payer, field), "Address": address}}


def shipment_charges(request: ShipRequest, account: UPSAccount) -> list[JSON]:
    """The ShipmentCharge entries: transportation always, duties and taxes when someone other than
    UPS's default pays them."""
    transport = request.billing or Payer(party="sender")
    if request.return_shipment and transport.party == "recipient":
        raise invalid("billing.party", "UPS does not bill the receiver for a return shipment's transportation")
    charges: list[JSON] = [{"Type": TRANSPORTATION, **(_bill(transport, request, account, "billing") or {})}]
    customs = request.customs
    if request.international and customs is not None:
        duties = _bill(customs.duties_paid_by, request, account, "customs.duty_payer")
        if duties is not None:
            charges.append({"Type": DUTIES_AND_TAXES, **duties})
    return charges
