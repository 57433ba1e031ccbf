"""Who pays and what is referenced: ``shippingChargesPayment``, ``dutiesPayment`` and the package's
``customerReferences``, as FedEx's Ship API spells them.

FedEx bills SENDER to the account in the request; RECIPIENT and THIRD_PARTY need the payor's own
account (``payor.responsibleParty.accountNumber``). Our own reference is always the package's
CUSTOMER_REFERENCE (lookup.py finds a shipment by it); the other references take FedEx's types.
"""

from __future__ import annotations

from typing import Any, Final

from carriergate.core.billing import Payer
from carriergate.core.errors import FieldError, ValidationError
from carriergate.core.shipment import ShipRequest

PAYMENT_TYPES: Final[dict[str, str]] = {"sender": "SENDER", "recipient": "RECIPIENT", "third_party": "THIRD_PARTY"}
#: Our reference kinds as FedEx customerReferenceType. "order" and "customer" have no type of their
#: own: FedEx's CUSTOMER_REFERENCE already carries our reference.
REFERENCE_TYPES: Final[dict[str, str]] = {"purchase_order": "P_O_NUMBER", "department": "DEPARTMENT_NUMBER",
                                          "invoice": "INVOICE_NUMBER", "rma": "RMA_ASSOCIATION"}
#: FedEx prints at most this many characters of a reference.
REFERENCE_LENGTH = 40


def payment(payer: Payer | None, account_number: str, *, located: bool = False) -> dict[str, Any]:
    """A FedEx Payment: the configured account for the sender (or no payer), else the payer's account.
    ``located`` adds the payer's postal code and country: the duties payor takes them alone, while the
    transport payor's address would need a street and city we do not hold (FedEx knows the account)."""
    if payer is None or payer.party == "sender":
        return {"paymentType": "SENDER", "payor": {"responsibleParty": {"accountNumber": {"value": account_number}}}}
    party: dict[str, Any] = {}
    if payer.account_number:
        party["accountNumber"] = {"value": payer.account_number}
    address = {k: v for k, v in (("postalCode", payer.postal_code), ("countryCode", payer.country)) if v}
    if address and located:
        party["address"] = address
    out: dict[str, Any] = {"paymentType": PAYMENT_TYPES[payer.party]}
    if party:
        out["payor"] = {"responsibleParty": party}
    return out


def duties(payer: Payer, account_number: str) -> dict[str, Any]:
    """``dutiesPayment``: SENDER alone (FedEx bills the shipper's account), otherwise as :func:`payment`
    (a recipient without an account pays on delivery)."""
    return {"paymentType": "SENDER"} if payer.party == "sender" else payment(payer, account_number, located=True)


def references(request: ShipRequest, *, carrier: str) -> list[dict[str, Any]]:
    """The package's customerReferences: ours first, then each other kind FedEx has a type for. An
    order or customer reference that differs from ours is refused: FedEx has one slot for it."""
    out = [{"customerReferenceType": "CUSTOMER_REFERENCE", "value": request.reference[:REFERENCE_LENGTH]}]
    problems: list[FieldError] = []
    for i, ref in enumerate(request.references):
        kind = REFERENCE_TYPES.get(ref.kind)
        if kind is not None:
            out.append({"customerReferenceType": kind, "value": ref.value[:REFERENCE_LENGTH]})
        elif ref.value != request.reference:
            problems.append(FieldError(f"references[{i}].value", f"FedEx carries one customer reference, "
                                                                 f"our reference {request.reference!r}; "
                                                                 f"a separate {ref.kind} reference has no place"))
    if problems:
        raise ValidationError(problems, carrier=carrier)
    return out
