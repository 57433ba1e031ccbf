"""Customs for international shipments: ``ShipmentServiceOptions.InternationalForms`` (the
commercial invoice, form type 01, plus 07 for documents uploaded through Paperless)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from carriergate.carriers.ups.measures import UnitSystem, amount_text, weight_text
from carriergate.carriers.ups.parties import address_json, fit, invalid, phone_number
from carriergate.core.customs import CustomsDeclaration, CustomsItem
from carriergate.core.scripts import latin_description
from carriergate.core.shipment import ShipRequest
from carriergate.protocols.json_reading import JSON

INVOICE = "01"
USER_CREATED_FORM = "07"
REASONS = {"merchandise": "SALE", "gift": "GIFT", "sample": "SAMPLE", "return": "RETURN",
           "documents": "SALE", "other": "SALE"}  # fmt: skip
DESCRIPTION_WIDTH = 35
#: Product units: pieces.
PIECES = "PCS"


def description_lines(text: str, field: str) -> list[str]:
    """UPS takes a product description as up to three lines of 35 characters."""
    text = " ".join(text.split())
    lines = [text[i:i + DESCRIPTION_WIDTH].strip() for i in range(0, len(text), DESCRIPTION_WIDTH)]
    if len(lines) > 3:
        raise invalid(field, f"UPS accepts at most {3 * DESCRIPTION_WIDTH} characters of description")
    return lines


def product(item: CustomsItem, index: int, units: UnitSystem) -> JSON:
    field = f"customs.items[{index}]"
    out: JSON = {
        "Description": description_lines(latin_description(item, field, carrier="UPS"), f"{field}.description"),
        "Unit": {"Number": str(item.quantity), "Value": amount_text(item.unit_value),
                 "UnitOfMeasurement": {"Code": PIECES, "Description": PIECES}},
        "CommodityCode": item.hs_code,
        "OriginCountryCode": item.origin_country,
        "ProductWeight": {"UnitOfMeasurement": {"Code": units.weight_code, "Description": units.weight_name},
                          "Weight": weight_text(item.total_weight, units)},
    }
    if item.sku:
        out["PartNumber"] = fit(item.sku, 35, f"{field}.sku")
    return out


def sold_to(request: ShipRequest) -> JSON:
    to = request.destination
    out: JSON = {"Name": fit(to.company or to.name, 35, "destination.name"),
                 "AttentionName": fit(to.name, 35, "destination.name")}
    phone = phone_number(to, "destination")
    if phone:
        out["Phone"] = {"Number": phone}
    out["Address"] = address_json(to, "destination")
    return out


def international_forms(request: ShipRequest, customs: CustomsDeclaration, units: UnitSystem, *,
                        today: date) -> JSON:
    if customs.currency is None:
        raise invalid("customs.items", "UPS needs the invoice lines for a commercial invoice")
    forms: JSON = {
        "FormType": [INVOICE],
        "Contacts": {"SoldTo": sold_to(request)},
        "Product": [product(item, i, units) for i, item in enumerate(customs.items)],
        "InvoiceNumber": fit(customs.invoice_number or request.reference, 35, "customs.invoice_number"),
        "InvoiceDate": (request.ship_date or today).strftime("%Y%m%d"),
        "TermsOfShipment": customs.incoterm,
        "ReasonForExport": REASONS[customs.contents_type],
        "CurrencyCode": customs.currency,
    }
    return forms


def attach_documents(body: JSON, document_ids: Sequence[str]) -> None:
    """Reference documents uploaded through Paperless: form type 07 with their DocumentIDs."""
    if not document_ids:
        return
    forms: JSON = body["ShipmentRequest"]["Shipment"]["ShipmentServiceOptions"]["InternationalForms"]
    forms["FormType"] = [*forms["FormType"], USER_CREATED_FORM]
    forms["UserCreatedForm"] = {"DocumentID": list(document_ids)}
