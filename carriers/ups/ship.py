"""Shipping: the ShipmentRequest (``POST /api/shipments/<version>/ship``), ShipmentResults read into a Label."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import date
from typing import cast, get_args

import httpx

from carriergate.carriers.ups.account import UPSAccount
from carriergate.carriers.ups.charges import billed_total, breakdown, package_itemized
from carriergate.carriers.ups.customs import attach_documents, international_forms
from carriergate.carriers.ups.endpoints import post_json
from carriergate.carriers.ups.errors import read
from carriergate.carriers.ups.measures import amount_text, units_for
from carriergate.carriers.ups.packages import packages
from carriergate.carriers.ups.parties import fit, invalid, party_json
from carriergate.carriers.ups.payment import shipment_charges
from carriergate.carriers.ups.references import reference_numbers
from carriergate.carriers.ups.services import service_name
from carriergate.carriers.ups.shapes import alerts, required
from carriergate.core.errors import MalformedResponse
from carriergate.core.results import Label, ShippingDocument
from carriergate.core.shipment import LabelFormat, ShipRequest
from carriergate.protocols.json_reading import JSON, dig, obj, records, text

#: Label formats UPS makes (LabelImageFormat.Code); PDF and PNG are not among them.
LABEL_FORMATS: dict[str, str] = {"GIF": "GIF", "ZPL": "ZPL", "EPL": "EPL"}
#: ReturnService code of a return label printed by the shop and handed to the customer (PRL).
PRINT_RETURN_LABEL = "9"
#: Domestic lanes where signatures and references go on each package rather than the shipment.
PACKAGE_LEVEL_LANES = frozenset({"US", "PR"})


def label_code(label_format: LabelFormat) -> str:
    code = LABEL_FORMATS.get(label_format)
    if code is None:
        raise invalid("label_format", f"UPS makes labels as {', '.join(LABEL_FORMATS)}; {label_format} is not offered")
    return code


def _package_level(request: ShipRequest) -> bool:
    return request.origin.country == request.destination.country and request.origin.country in PACKAGE_LEVEL_LANES


def _description(request: ShipRequest) -> str | None:
    if request.description:
        return fit(request.description, 50, "description")
    if request.customs is not None and request.customs.items:
        return ", ".join(dict.fromkeys(i.description for i in request.customs.items))[:50].strip()
    return None


def build_ship(request: ShipRequest, account: UPSAccount, *, base_url: str, trans_id: str, today: date,
               document_ids: Sequence[str] = ()) -> httpx.Request:
    """The label request. ``today`` dates the commercial invoice when the request has no ship date;
    ``document_ids`` are the paperless documents uploaded for it (referenced as form 07)."""
    body = _body(request, account, today=today)
    attach_documents(body, document_ids)
    return post_json(f"shipments/{account.ship_version}/ship", body, account, base_url=base_url, trans_id=trans_id)


def _body(request: ShipRequest, account: UPSAccount, *, today: date) -> JSON:
    code = label_code(request.label_format)
    package_level = _package_level(request)
    references = reference_numbers(request, package_level=package_level)
    # A return label's shipper is the account holder, the parcel's destination; it ships from the customer.
    owner, owner_field = (request.destination, "destination") if request.return_shipment else (request.origin, "origin")
    units = units_for(owner.country)  # the shipper's account's units
    shipper: JSON = {**party_json(owner, owner_field, contact=True), "ShipperNumber": account.account_number}
    tax_id = (request.customs.exporter_tax_id if request.customs else None) or owner.tax_id
    if tax_id:
        shipper["TaxIdentificationNumber"] = fit(tax_id, 15, "customs.exporter_tax_id")
    shipment: JSON = {}
    description = _description(request)
    if description:
        shipment["Description"] = description
    if request.return_shipment:
        shipment["ReturnService"] = {"Code": PRINT_RETURN_LABEL, "Description": "UPS Print Return Label"}
    customs = request.customs
    if customs is not None and customs.contents_type == "documents" and not customs.items:
        shipment["DocumentsOnlyIndicator"] = ""
    shipment.update({
        "Shipper": shipper,
        "ShipTo": party_json(request.destination, "destination", residential=True, contact=True),
        "ShipFrom": party_json(request.origin, "origin", contact=True, email=False),
        "PaymentInformation": {"ShipmentCharge": shipment_charges(request, account)},
    })
    if not package_level:
        shipment["ReferenceNumber"] = references
    origin = request.origin.country
    shipment["Service"] = {"Code": request.service, "Description": service_name(request.service, origin)[:35]}
    value = customs.total_value if customs is not None else None
    if request.international and value is not None:
        shipment["InvoiceLineTotal"] = {"CurrencyCode": value.currency, "MonetaryValue": amount_text(value)}
    signature = {"none": None, "signature": 1, "adult_signature": 2}[request.signature]
    package_options: JSON = {}
    if signature is not None and package_level:  # package level: 2 = signature, 3 = adult signature
        package_options["DeliveryConfirmation"] = {"DCISType": str(signature + 1)}
    extra: JSON = {"ReferenceNumber": references} if package_level else {}
    if request.return_shipment:  # UPS requires a package description on a return shipment
        extra["Description"] = (description or "Return")[:35]
    shipment["Package"] = packages(request, units, shipping=True, extra_options=package_options, extra=extra or None)
    service_options: JSON = {}
    if signature is not None and not package_level:  # shipment level: 1 = signature, 2 = adult signature
        service_options["DeliveryConfirmation"] = {"DCISType": str(signature)}
    if request.international and customs is not None and customs.items:
        service_options["InternationalForms"] = international_forms(request, customs, units, today=today)
    elif request.documents:
        raise invalid("documents", "UPS takes paperless documents for international shipments with customs items only")
    if service_options:
        shipment["ShipmentServiceOptions"] = service_options
    if account.negotiated_rates:
        shipment["ShipmentRatingOptions"] = {"NegotiatedRatesIndicator": "Y"}
    # Without it UPS never returns TaxCharges / TotalChargesWithTaxes (VAT, GST on CA and EU accounts).
    shipment["TaxInformationIndicator"] = ""
    return {"ShipmentRequest": {
        "Request": {"RequestOption": "nonvalidate", "SubVersion": account.ship_subversion,
                    "TransactionReference": {"CustomerContext": request.reference}},
        "Shipment": shipment,
        "LabelSpecification": {"LabelImageFormat": {"Code": code, "Description": code},
                               "LabelStockSize": {"Height": "6", "Width": "4"}},
    }}


def _image(package: JSON, *, carrier: str, status: int) -> bytes:
    return decoded(text(dig(package, "ShippingLabel", "GraphicImage")), "ShippingLabel.GraphicImage",
                    carrier=carrier, status=status)


def _label_format(package: JSON, asked: LabelFormat) -> LabelFormat:
    """The format UPS states for the label (ShippingLabel.ImageFormat.Code), else the one asked for."""
    stated = (text(dig(package, "ShippingLabel", "ImageFormat", "Code")) or "").upper()
    return cast(LabelFormat, stated) if stated in get_args(LabelFormat) else asked


def decoded(raw: str | None, what: str, *, carrier: str, status: int) -> bytes:
    raw = required(raw, what, carrier=carrier, status=status)
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedResponse(f"UPS {what} is not base64", carrier=carrier, http_status=status) from None


def documents(data: JSON, *, carrier: str, status: int) -> list[ShippingDocument]:
    """The international forms UPS made with the label (``Form``: code 01, all requested forms, as the
    commercial invoice we ask for)."""
    found: list[ShippingDocument] = []
    for form in records(data.get("Form")):
        image = obj(form.get("Image"))
        if not image:
            continue
        content = decoded(text(image.get("GraphicImage")), "Form.Image.GraphicImage", carrier=carrier, status=status)
        found.append(ShippingDocument(kind="commercial_invoice" if text(form.get("Code")) == "01" else "other",
                                      content=content, format=text(dig(image, "ImageFormat", "Code")) or "PDF",
                                      carrier_kind=text(form.get("Description")) or text(form.get("Code"))))
    return found


def parse_ship(response: httpx.Response, *, carrier: str, label_format: LabelFormat, reference: str | None = None,
               insured: bool = False, is_return: bool = False) -> Label:
    """``label_format`` is the format asked for: the label's own when UPS states none."""
    body = read(response, carrier=carrier, wrapper="ShipmentResponse")
    data = results_of(body, carrier=carrier, status=response.status_code)
    status = response.status_code
    results = records(data.get("PackageResults"))
    numbers = [n for n in (text(p.get("TrackingNumber")) for p in results) if n]
    shipment_id = text(data.get("ShipmentIdentificationNumber")) or (numbers[0] if numbers else None)
    shipment_id = required(shipment_id, "ShipmentIdentificationNumber", carrier=carrier, status=status)
    images = [_image(p, carrier=carrier, status=status) for p in results]
    required(images, "PackageResults with labels", carrier=carrier, status=status)
    published, negotiated = obj(data.get("ShipmentCharges")), obj(data.get("NegotiatedRateCharges"))
    amount, is_negotiated, taxed = billed_total(published, negotiated)
    charges = [] if amount is None else breakdown(published, negotiated, package_itemized(results), total=amount,
                                                  is_negotiated=is_negotiated, taxed=taxed, insured=insured)
    return Label(carrier=carrier, tracking_number=numbers[0] if numbers else shipment_id,
                 tracking_numbers=numbers or [shipment_id], label=images[0], package_labels=images,
                 label_format=_label_format(results[0], label_format), total=amount, charges=charges,
                 reference=reference, carrier_data={"shipment_id": shipment_id}, is_return=is_return,
                 documents=documents(data, carrier=carrier, status=status), warnings=alerts(body.get("Response")))


def results_of(body: JSON, *, carrier: str, status: int) -> JSON:
    results = obj(body.get("ShipmentResults"))
    required(results or None, "ShipmentResults", carrier=carrier, status=status)
    return results
