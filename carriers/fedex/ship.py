"""Shipments: ``POST /ship/v1/shipments`` (single and multi-piece), label returned inline (base64).

International shipments carry a full ``customsClearanceDetail``; paperless customs documents are
uploaded first (see etd.py) and attached through ``ELECTRONIC_TRADE_DOCUMENTS``. Without uploaded
documents FedEx is asked to make the commercial invoice, returned in ``shipmentDocuments`` and kept
as ``Label.documents``. A return label is the ``RETURN_SHIPMENT`` special service (a printed return
label). The label's format, FedEx's service name and its alerts are read from the answer.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from typing import Any

import httpx

from carriergate.carriers.fedex import payload as p
from carriergate.carriers.fedex.account import FedExAccount
from carriergate.carriers.fedex.billing import duties, payment, references
from carriergate.carriers.fedex.errors import output
from carriergate.carriers.fedex.notices import alerts
from carriergate.carriers.fedex.rate import RATE_TYPES, charges, packages
from carriergate.carriers.fedex.services import (
    DOCUMENT_KINDS,
    DOCUMENT_TYPES,
    IMAGE_TYPES,
    LABEL_FORMATS,
    LABEL_STOCK,
    SHIPMENT_PURPOSE,
    SIGNATURES,
)
from carriergate.core.errors import FieldError, MalformedResponse, ValidationError
from carriergate.core.money import Money
from carriergate.core.quotes import Charge
from carriergate.core.results import Label, ShippingDocument
from carriergate.core.scripts import latin_description
from carriergate.core.shipment import ShipRequest, TradeDocument
from carriergate.protocols.http import json_request
from carriergate.protocols.json_reading import obj, records, text

PATH = "/ship/v1/shipments"
#: US exports at or under this value need no EEI filing (FTR 30.37(a)).
EEI_EXEMPT_USD = Money("2500", "USD")


def validate(request: ShipRequest, *, carrier: str) -> None:
    """Everything FedEx would refuse that we can tell before sending. build_ship checks it, and so
    does etd.build_upload: a document upload is the shipment's first exchange, so nothing at all is
    sent for a shipment FedEx would refuse."""
    problems: list[FieldError] = []
    if request.label_format not in IMAGE_TYPES:
        problems.append(FieldError("label_format", f"FedEx offers {', '.join(IMAGE_TYPES)} labels, "
                                                   f"not {request.label_format}"))
    if request.documents and not request.international:
        problems.append(FieldError("documents", "paperless trade documents apply to international shipments only"))
    if problems:
        raise ValidationError(problems, carrier=carrier)
    for field, party in (("origin", request.origin), ("destination", request.destination)):
        p.phone_digits(party, field)
    references(request, carrier=carrier)  # a reference FedEx has no place for


def _commodities(request: ShipRequest) -> list[dict[str, Any]]:
    assert request.customs is not None
    items: list[dict[str, Any]] = []
    for i, item in enumerate(request.customs.items):
        items.append({
            "description": latin_description(item, f"customs.items[{i}]", carrier="FedEx")[:450],
            "harmonizedCode": item.hs_code,
            "countryOfManufacture": item.origin_country,
            "quantity": item.quantity,
            "quantityUnits": "PCS",
            "numberOfPieces": 1,
            "unitPrice": p.money(item.unit_value),
            "customsValue": p.money(item.total_value),
            "weight": p.weight(item.total_weight, "KG"),  # FedEx takes commodity weights in KG only
        })
    if not items:  # a documents-only declaration
        currency = request.insurance.currency if request.insurance else "USD"
        items.append({"description": "Documents", "quantity": 1, "quantityUnits": "PCS", "numberOfPieces": 1,
                      "countryOfManufacture": request.origin.country,
                      "customsValue": p.money(Money.zero(currency))})
    return items


def customs_detail(request: ShipRequest, account_number: str) -> dict[str, Any]:
    customs = request.customs
    assert customs is not None
    invoice: dict[str, Any] = {"shipmentPurpose": SHIPMENT_PURPOSE[customs.contents_type],
                               "termsOfSale": customs.incoterm}
    if customs.invoice_number:
        invoice["customerReferences"] = [{"customerReferenceType": "INVOICE_NUMBER", "value": customs.invoice_number}]
    detail: dict[str, Any] = {
        # As the declaration says (duty_payer), else by the incoterm: DDP the shipper, otherwise the recipient.
        "dutiesPayment": duties(customs.duties_paid_by, account_number),
        "commercialInvoice": invoice,
        "commodities": _commodities(request),
    }
    if customs.contents_type == "documents":
        detail["isDocumentOnly"] = True
    declared = customs.total_value
    if declared is not None:
        detail["totalCustomsValue"] = p.money(declared)
    if request.origin.country == "US" and declared is not None and declared.currency == "USD" \
            and declared <= EEI_EXEMPT_USD:
        detail["exportDetail"] = {"exportComplianceStatement": "NO EEI 30.37(a)"}
    return detail


def _special_services(request: ShipRequest, document_ids: Sequence[str]) -> dict[str, Any] | None:
    services: dict[str, Any] = {"specialServiceTypes": []}
    if request.return_shipment:
        services["specialServiceTypes"].append("RETURN_SHIPMENT")
        services["returnShipmentDetail"] = {"returnType": "PRINT_RETURN_LABEL"}
    if document_ids:
        services["specialServiceTypes"].append("ELECTRONIC_TRADE_DOCUMENTS")
        services["etdDetail"] = {"attachedDocuments": [_attached(doc, doc_id) for doc, doc_id in
                                                       zip(request.documents, document_ids, strict=True)]}
    return services if services["specialServiceTypes"] else None


def _body(request: ShipRequest, account: FedExAccount, document_ids: Sequence[str], *,
          carrier: str) -> dict[str, Any]:
    units = p.unit_system(request.parcels[0].weight)
    items = packages(request, units=units)
    reference = references(request, carrier=carrier)
    for i, item in enumerate(items):
        item["sequenceNumber"] = i + 1
        item["customerReferences"] = reference
        if request.signature in SIGNATURES:
            item["packageSpecialServices"] = {"specialServiceTypes": ["SIGNATURE_OPTION"],
                                              "signatureOptionType": SIGNATURES[request.signature]}
    total = request.parcels[0].weight
    for parcel in request.parcels[1:]:
        total = total + parcel.weight
    image = IMAGE_TYPES[request.label_format]
    customs = request.customs
    shipment: dict[str, Any] = {
        "shipper": p.party(request.origin, "origin", tax_id=customs.exporter_tax_id if customs else None),
        "recipients": [p.party(request.destination, "destination",
                               tax_id=customs.importer_tax_id if customs else None)],
        "pickupType": "USE_SCHEDULED_PICKUP" if request.pickup else "DROPOFF_AT_FEDEX_LOCATION",
        "serviceType": request.service,
        "packagingType": "YOUR_PACKAGING",
        "totalWeight": p.weight(total, units[0])["value"],
        "totalPackageCount": len(items),
        "shippingChargesPayment": payment(request.billing, account.account_number),
        "labelSpecification": {"imageType": image, "labelStockType": LABEL_STOCK[image]},
        "rateRequestType": list(RATE_TYPES),
        "requestedPackageLineItems": items,
    }
    if request.ship_date:
        shipment["shipDatestamp"] = request.ship_date.isoformat()
    if request.insurance:
        shipment["totalDeclaredValue"] = p.money(request.insurance)
    if request.international and customs is not None:
        shipment["customsClearanceDetail"] = customs_detail(request, account.account_number)
        if not document_ids:  # nothing uploaded: FedEx makes the commercial invoice
            shipment["shippingDocumentSpecification"] = {
                "shippingDocumentTypes": ["COMMERCIAL_INVOICE"],
                "commercialInvoiceDetail": {"documentFormat": {"docType": "PDF", "stockType": "PAPER_LETTER"}}}
    special = _special_services(request, document_ids)
    if special is not None:
        shipment["shipmentSpecialServices"] = special
    return {
        "labelResponseOptions": "LABEL",
        "accountNumber": {"value": account.account_number},
        "requestedShipment": shipment,
    }


def _attached(document: TradeDocument, doc_id: str) -> dict[str, Any]:
    return {"documentType": DOCUMENT_TYPES[document.kind], "documentReference": document.filename[:50],
            "description": document.filename[:80], "documentId": doc_id}


def build_ship(request: ShipRequest, account: FedExAccount, *, base_url: str, document_ids: Sequence[str] = (),
               carrier: str) -> httpx.Request:
    """The shipment request, refused (ValidationError naming the field) before anything is sent.
    ``document_ids`` are the uploaded paperless documents (etd.py), one per ``request.documents``;
    our reference is the correlation header."""
    validate(request, carrier=carrier)
    return json_request("POST", base_url + PATH, _body(request, account, document_ids, carrier=carrier),
                        headers=p.headers(request.reference, account.locale))


# -- parsing -------------------------------------------------------------------------------------
def _decode(encoded: Any) -> bytes | None:
    raw = text(encoded)
    if raw is None:
        return None
    try:
        return base64.b64decode(raw, validate=False)
    except (binascii.Error, ValueError):
        return None


def _is_label(document: dict[str, Any]) -> bool:
    return str(document.get("contentType", "LABEL")).upper() in ("LABEL", "MERGED_LABEL_DOCUMENTS")


def _labels(shipment: dict[str, Any]) -> tuple[list[bytes], str | None]:
    """The package labels and the image type FedEx states for them (``docType``). A piece's
    documents are its labels (FedEx's own example marks one COMMERCIAL_INVOICE); the shipment's
    LABEL documents stand in when the pieces carry none."""
    labels: list[bytes] = []
    doc_type: str | None = None
    documents = [d for piece in records(shipment.get("pieceResponses")) for d in records(piece.get("packageDocuments"))]
    if not documents:
        documents = [d for d in records(shipment.get("shipmentDocuments")) if _is_label(d)]
    for document in documents:
        label = _decode(document.get("encodedLabel"))
        if label:
            labels.append(label)
            doc_type = doc_type or text(document.get("docType"))
    return labels, doc_type


def _documents(shipment: dict[str, Any]) -> list[ShippingDocument]:
    """The papers FedEx made with the label (commercial invoice, certificate of origin, ...)."""
    out: list[ShippingDocument] = []
    for document in records(shipment.get("shipmentDocuments")):
        content = None if _is_label(document) else _decode(document.get("encodedLabel"))
        if content:
            kind = text(document.get("contentType")) or "OTHER"
            out.append(ShippingDocument(kind=DOCUMENT_KINDS.get(kind.upper(), "other"), content=content,
                                        format=text(document.get("docType")) or "PDF", carrier_kind=kind))
    return out


def _billed(shipment: dict[str, Any]) -> tuple[Money | None, list[Charge]]:
    rating = obj(obj(shipment.get("completedShipmentDetail")).get("shipmentRating"))
    details = records(rating.get("shipmentRateDetails"))
    actual = text(rating.get("actualRateType"))
    detail = next((d for d in details if actual and text(d.get("rateType")) == actual), None) or \
        next((d for d in details if "ACCOUNT" in str(d.get("rateType", "")).upper()), None) or \
        (details[0] if details else None)
    if detail is None:
        return None, []
    currency = text(detail.get("currency"))
    if currency is None:
        return None, []
    total = p.amount(detail.get("totalNetChargeWithDutiesAndTaxes"), currency)
    net = p.amount(detail.get("totalNetCharge"), currency)
    if total is None or (net is not None and total < net):
        total = net
    wrapped = {"totalBaseCharge": detail.get("totalBaseCharge"), "shipmentRateDetail": detail}
    return total, charges(wrapped, currency)


def parse_ship(response: httpx.Response, *, carrier: str, request: ShipRequest, account_number: str) -> Label:
    out, request_id = output(response, carrier=carrier)
    shipments = records(out.get("transactionShipments"))
    if not shipments:
        raise MalformedResponse("ship answer has no transactionShipments", carrier=carrier,
                                http_status=response.status_code, request_id=request_id)
    shipment = shipments[0]
    pieces = [t for t in (text(x.get("trackingNumber")) for x in records(shipment.get("pieceResponses"))) if t]
    detail = obj(shipment.get("completedShipmentDetail"))
    if not pieces:
        for package in records(detail.get("completedPackageDetails")):
            pieces.extend(t for t in (text(i.get("trackingNumber")) for i in records(package.get("trackingIds"))) if t)
    master = text(shipment.get("masterTrackingNumber")) or \
        text(obj(detail.get("masterTrackingId")).get("trackingNumber")) or (pieces[0] if pieces else None)
    labels, doc_type = _labels(shipment)
    if master is None or not labels:
        raise MalformedResponse("ship answer has no tracking number or label", carrier=carrier,
                                http_status=response.status_code, request_id=request_id)
    total, billed = _billed(shipment)
    data = {"account_number": account_number, "tracking_number": master}
    service = text(shipment.get("serviceType"))
    if service:
        data["service_type"] = service
    ship_date = text(shipment.get("shipDatestamp"))
    if ship_date:
        data["ship_date"] = ship_date
    stated = LABEL_FORMATS.get((doc_type or "").upper())
    documents = [d for piece in records(shipment.get("pieceResponses")) for d in records(piece.get("packageDocuments"))]
    return Label(carrier=carrier, tracking_number=master, tracking_numbers=pieces or [master], label=labels[0],
                 label_format=stated or request.label_format, total=total, charges=billed,
                 reference=request.reference, package_labels=labels, carrier_data=data,
                 documents=_documents(shipment), is_return=request.return_shipment,
                 warnings=alerts(out, shipment, *documents))
