"""What a shipment's customs declaration makes of DHL Express messages: ``Content`` and the incoterm
(``PaymentInfo``) of rate and shipment requests, and the ``InternationalDetail`` of a
createShipmentRequest: commodities, content and the export declaration (commercial invoice lines
with HS codes), plus paperless-trade documents."""

from __future__ import annotations

from typing import Any

from carriergate.carriers.dhl_express.checks import Checks
from carriergate.carriers.dhl_express.measures import amount, kilograms
from carriergate.core.customs import CustomsItem
from carriergate.core.scripts import latin_description_problem
from carriergate.core.shipment import RateRequest, ShipRequest

#: Incoterms DHL accepts in ``PaymentInfo`` (its published enumeration).
INCOTERMS = frozenset({"CFR", "CIF", "CIP", "CPT", "DAF", "DDP", "DDU", "DAP", "DAT", "DEQ", "DES", "EXW",
                       "FAS", "FCA", "FOB"})

#: Our contents types as DHL's ``ExportReason`` wording (max 30 characters).
EXPORT_REASONS = {"merchandise": "SALE", "gift": "GIFT", "sample": "SAMPLE", "return": "RETURN",
                  "documents": "DOCUMENTS", "other": "OTHER"}
#: Our trade document kinds as DHL's ``DocumentImageType`` codes.
DOCUMENT_TYPES = {"commercial_invoice": "INV", "proforma_invoice": "PNV", "certificate_of_origin": "COO",
                  "other": "DCL"}
DOCUMENT_FORMATS = {"PDF": "PDF", "PNG": "PNG", "JPG": "JPEG"}
#: Special service code of paperless trade (documents uploaded with the shipment).
PAPERLESS = "WY"

DESCRIPTION, ITEM_DESCRIPTION = 70, 170


def content(request: RateRequest) -> str:
    customs = request.customs
    return "DOCUMENTS" if customs is not None and customs.contents_type == "documents" else "NON_DOCUMENTS"


def incoterm(checks: Checks, request: RateRequest) -> str:
    term = request.customs.incoterm if request.customs is not None else "DAP"
    if term not in INCOTERMS:
        checks.fail("customs.incoterm", f"DHL Express does not accept incoterm {term}")
    return term


def _description(checks: Checks, request: ShipRequest) -> str:
    if request.description:
        return checks.text("description", request.description, DESCRIPTION) or ""
    customs = request.customs
    if customs is not None and customs.contents_type == "documents":
        return "Documents"
    if customs is not None and customs.items:
        joined = ", ".join(dict.fromkeys(item.description_latin or item.description for item in customs.items))
        return joined if len(joined) <= DESCRIPTION else joined[: DESCRIPTION - 3].rstrip() + "..."
    return "Goods"


def _latin_description(checks: Checks, item: CustomsItem, index: int) -> str:
    """An export line's description in Latin script (customs reads it abroad), its problem recorded."""
    text, problem = latin_description_problem(item, f"customs.items[{index}]", carrier="DHL Express")
    if problem is not None:
        checks.errors.append(problem)
    return text


def international_detail(checks: Checks, request: ShipRequest) -> dict[str, Any]:
    commodities: dict[str, Any] = {"Description": _description(checks, request)}
    detail: dict[str, Any] = {"Commodities": commodities, "Content": content(request)}
    customs = request.customs
    if customs is None:
        return detail
    declared = customs.total_value
    if declared is not None:
        commodities["CustomsValue"] = amount(declared)
    if not customs.items:
        return detail
    # DHL's ExportReasonType: PERMANENT, TEMPORARY or RETURN; goods on a return label are returning.
    returned = request.return_shipment or customs.contents_type == "return"
    lines = []
    for i, item in enumerate(customs.items):
        weight = kilograms(item.total_weight)
        lines.append({
            "CommodityCode": item.hs_code,
            "ExportReasonType": "RETURN" if returned else "PERMANENT",
            "ItemNumber": i + 1,
            "Quantity": item.quantity,
            "QuantityUnitOfMeasurement": "PCS",
            "ItemDescription": checks.text(f"customs.items[{i}].description",
                                           _latin_description(checks, item, i), ITEM_DESCRIPTION),
            "UnitPrice": amount(item.unit_value),
            "NetWeight": weight,
            "GrossWeight": weight,
            "ManufacturingCountryCode": item.origin_country,
        })
    declaration: dict[str, Any] = {}
    if customs.exporter_tax_id:
        declaration["ExporterID"] = customs.exporter_tax_id
    declaration["ExportLineItems"] = {"ExportLineItem": lines}
    declaration["ExportReason"] = EXPORT_REASONS["return" if returned else customs.contents_type]
    if customs.invoice_number:
        declaration["InvoiceNumber"] = customs.invoice_number
    declaration["InvoiceSignatureDetails"] = {"SignatureName": checks.text("customs.signer", customs.signer, 35)}
    detail["ExportDeclaration"] = declaration
    return detail


def document_images(checks: Checks, request: ShipRequest) -> list[dict[str, Any]]:
    images = []
    for i, document in enumerate(request.documents):
        fmt = DOCUMENT_FORMATS.get(document.format)
        if fmt is None:
            checks.fail(f"documents[{i}].format", f"DHL Express does not accept {document.format} documents")
            continue
        images.append({"DocumentImageType": DOCUMENT_TYPES[document.kind],
                       "DocumentImage": document.content,
                       "DocumentImageFormat": fmt})
    return images
