"""Our CustomsDeclaration as USPS's ``customsForm`` (international-labels.yaml): content type, the
AESITN export exemption, and one ``contents`` entry per item with values in US dollars and weights
in pounds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from carriergate.carriers.usps.account import USPSAccount
from carriergate.carriers.usps.packages import up
from carriergate.core.customs import CustomsDeclaration
from carriergate.core.errors import FieldError, ValidationError
from carriergate.protocols.http import json_number

CONTENT_TYPES = {"merchandise": "MERCHANDISE", "documents": "DOCUMENT", "gift": "GIFT", "sample": "COMMERCIAL_SAMPLE",
                 "return": "RETURNED_GOODS", "other": "OTHER"}
#: USPS's limit on an item description (``itemDescription``) and on an invoice number.
DESCRIPTION_MAX, INVOICE_MAX = 30, 15


def _money(amount: Decimal) -> int | float:
    return json_number(amount.quantize(Decimal("0.01")))


def customs_form(customs: CustomsDeclaration, account: USPSAccount) -> dict[str, Any]:
    if customs.currency not in (None, "USD"):
        raise ValidationError(FieldError("customs.items[0].unit_value", "USPS customs forms take values in USD"))
    contents: list[dict[str, Any]] = []
    for i, item in enumerate(customs.items):
        description = item.description_latin or item.description
        if len(description) > DESCRIPTION_MAX:
            raise ValidationError(FieldError(f"customs.items[{i}].description",
                                             f"USPS takes at most {DESCRIPTION_MAX} characters"))
        unit_weight = up(item.unit_weight.to("lb").value)
        contents.append({
            "itemDescription": description, "itemQuantity": item.quantity,
            "itemValue": _money(item.unit_value.amount), "itemTotalValue": _money(item.total_value.amount),
            "weightUOM": "lb", "itemWeight": json_number(unit_weight),
            "itemTotalWeight": json_number(up(item.total_weight.to("lb").value)),
            "HSTariffNumber": item.hs_code, "countryofOrigin": item.origin_country,
        })
    form: dict[str, Any] = {"customsContentType": CONTENT_TYPES[customs.contents_type], "AESITN": account.aes_itn,
                            "contents": contents}
    if customs.invoice_number:
        if len(customs.invoice_number) > INVOICE_MAX:
            raise ValidationError(FieldError("customs.invoice_number", f"USPS takes at most {INVOICE_MAX} characters"))
        form["invoiceNumber"] = customs.invoice_number
    if customs.importer_tax_id:
        form["importersReference"] = {"referenceType": "TAX_CODE", "reference": customs.importer_tax_id[:28]}
    if customs.exporter_tax_id:
        form["exportersReference"] = {"referenceType": "TAX_CODE", "reference": customs.exporter_tax_id[:28]}
    return form
