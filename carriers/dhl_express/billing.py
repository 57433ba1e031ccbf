"""Who pays and what the shipment is called: a createShipmentRequest's ``Billing``, its
``ShipmentReferences`` and the ``LabelOptions`` that ask DHL for its customs invoice.

- Transport: ``ShippingPaymentType`` S (the configured account), R (the recipient's DHL account) or
  T (a third party's), the payer's account in ``BillingAccountNumber`` (DHL: "if
  ShippingPaymentType is equal to R or T"). ``ShipperAccountNumber`` is always ours.
- A return (``ShipRequest.return_shipment``) is sent by the customer to the shop, whose account pays
  by default: the shop is then the receiver, so the rate book's way to say it is R ("Bill-To
  Receiver") with our own account as ``BillingAccountNumber``. A third party still pays as T.
- Duties and taxes: ``DutyAndTaxPayerAccountNumber`` is the account of
  ``CustomsDeclaration.duties_paid_by`` (the incoterm's payer unless ``duty_payer`` is set): ours for
  the sender, the payer's own for a recipient or third party with an account; a recipient without
  one pays on delivery, so nothing is sent.
- References: our own ``reference`` first (untyped: DHL's default, the consignor's reference), then
  each extra one with the reference type DHL lists for it where it has one (MyDHL's published codes,
  which the rate book's ``ShipmentReferenceType`` takes: ``CU`` consignor, ``CO`` buyer's order
  number, ``AAO`` the receiver's reference); an RMA, department or invoice number goes untyped.
"""

from __future__ import annotations

from typing import Any

from carriergate.carriers.dhl_express.account import DHLExpressAccount
from carriergate.carriers.dhl_express.checks import Checks
from carriergate.core.billing import Payer
from carriergate.core.shipment import ShipRequest

PAYMENT_TYPES = {"sender": "S", "recipient": "R", "third_party": "T"}
REFERENCE_TYPES = {"order": "CU", "purchase_order": "CO", "customer": "AAO"}
REFERENCE = 35
#: Our trade document kinds that are an invoice of the shop's own (DHL then makes none).
OWN_INVOICES = frozenset({"commercial_invoice", "proforma_invoice"})


def _account_of(payer: Payer, account: DHLExpressAccount) -> str | None:
    return account.account_number if payer.party == "sender" else payer.account_number


def billing(checks: Checks, request: ShipRequest, account: DHLExpressAccount) -> dict[str, Any]:
    """``ShipmentInfo/Billing`` for ``request``: transport payer, and the duty payer of a dutiable one."""
    payer = request.billing or Payer(party="sender")
    out: dict[str, Any] = {"ShipperAccountNumber": account.account_number,
                           "ShippingPaymentType": PAYMENT_TYPES[payer.party]}
    if request.return_shipment and payer.party == "sender":  # the configured account is the receiver
        out.update(ShippingPaymentType=PAYMENT_TYPES["recipient"], BillingAccountNumber=account.account_number)
    elif payer.party != "sender":
        number = payer.account_number
        if number is None or not number.isdigit() or not 9 <= len(number) <= 12:
            checks.fail("billing.account_number", "DHL Express bills a DHL account number of 9 to 12 digits")
        out["BillingAccountNumber"] = number
    customs = request.customs
    if customs is not None:
        duties = _account_of(customs.duties_paid_by, account)
        if duties is not None:
            if not duties.isdigit() or not 9 <= len(duties) <= 12:
                checks.fail("customs.duty_payer.account_number",
                            "DHL Express bills duties to a DHL account number of 9 to 12 digits")
            out["DutyAndTaxPayerAccountNumber"] = duties
    return out


def references(checks: Checks, request: ShipRequest, reference: str) -> list[dict[str, str]]:
    """``ShipmentReferences/ShipmentReference``: ours first, then the extra ones."""
    out = [{"ShipmentReference": reference}]
    for i, extra in enumerate(request.references):
        value = checks.text(f"references[{i}].value", extra.value, REFERENCE, required=True) or ""
        item = {"ShipmentReference": value}
        code = REFERENCE_TYPES.get(extra.kind)
        if code is not None:
            item["ShipmentReferenceType"] = code
        out.append(item)
    return out


def label_options(request: ShipRequest, account: DHLExpressAccount) -> dict[str, Any]:
    """``ShipmentInfo/LabelOptions``: DHL's own customs invoice for a dutiable shipment with items
    when the account asks for it and the shop uploads no invoice of its own; else nothing."""
    customs = request.customs
    if not account.customs_invoice or customs is None or not customs.items or not request.international:
        return {}
    if any(document.kind in OWN_INVOICES for document in request.documents):
        return {}
    kind = "COMMERCIAL_INVOICE" if customs.contents_type == "merchandise" else "PROFORMA_INVOICE"
    return {"RequestDHLCustomsInvoice": "Y", "DHLCustomsInvoiceLanguageCode": "eng", "DHLCustomsInvoiceType": kind}
