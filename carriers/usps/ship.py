"""Labels: ``POST /labels/v3/label`` (domestic-labels.yaml ``LabelRequest``),
``POST /labels/v3/return-label`` (``ReturnLabelRequest``: a domestic return, the customer's parcel
back to the shop, paid on use) and ``POST /international-labels/v3/international-label``
(international-labels.yaml ``InternationalLabelRequest``, with its ``customsForm``).

Every label request carries ``X-Idempotency-Key`` (:func:`.endpoints.idempotency_key`: the same for
the same account and reference), so a retried request returns the label USPS already made instead
of buying a second one. We ask for ``application/vnd.usps.labels+json`` (metadata and Base64 images
in one JSON document) and read the default ``multipart/form-data`` answer too. Insurance is extra
service 930/931 with the declared value as ``packageOptions.packageValue``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from carriergate.carriers.usps.account import USPSAccount
from carriergate.carriers.usps.customs import customs_form
from carriergate.carriers.usps.endpoints import IDEMPOTENCY_HEADER, LABELS_JSON, idempotency_key
from carriergate.carriers.usps.errors import checked, failed
from carriergate.carriers.usps.multipart import image, metadata, parts
from carriergate.carriers.usps.packages import measures, the_parcel
from carriergate.carriers.usps.parties import DOMESTIC, domestic_address, foreign_address
from carriergate.carriers.usps.rate import insurance_service, lane
from carriergate.carriers.usps.services import DOMESTIC as DOMESTIC_CLASSES
from carriergate.carriers.usps.services import INTERNATIONAL as INTERNATIONAL_CLASSES
from carriergate.core.errors import FieldError, MalformedResponse, ValidationError
from carriergate.core.money import Money
from carriergate.core.quotes import Charge
from carriergate.core.results import Label
from carriergate.core.shipment import LabelFormat, ShipRequest
from carriergate.protocols.http import json_number, json_request
from carriergate.protocols.json_reading import decimal, records, text

#: Our label formats as USPS ``imageType`` (both APIs take these two).
IMAGE_TYPES: dict[str, str] = {"PDF": "PDF", "ZPL": "ZPL203DPI"}
#: A customer reference prints on the label; USPS takes 30 characters of it.
REFERENCE_MAX = 30
#: Our signature options as USPS domestic extra services (921 Signature Confirmation, 922 Adult
#: Signature Required 21 or Over); international labels take neither here.
SIGNATURES = {"signature": 921, "adult_signature": 922}


#: Our outbound mail class -> its return service (domestic-labels.yaml ``ReturnLabelRequest``).
RETURN_CLASSES = {"USPS_GROUND_ADVANTAGE": "USPS_GROUND_ADVANTAGE_RETURN_SERVICE",
                  "PRIORITY_MAIL": "PRIORITY_MAIL_RETURN_SERVICE",
                  "PRIORITY_MAIL_EXPRESS": "PRIORITY_MAIL_EXPRESS_RETURN_SERVICE"}


def label_path(international: bool, *, is_return: bool = False) -> str:
    if is_return:
        return "/labels/v3/return-label"
    return "/international-labels/v3/international-label" if international else "/labels/v3/label"


def _image_info(request: ShipRequest) -> dict[str, Any]:
    image_type = IMAGE_TYPES.get(request.label_format)
    if image_type is None:
        raise ValidationError(FieldError("label_format", f"USPS makes {', '.join(IMAGE_TYPES)} labels"))
    return {"imageType": image_type, "labelType": "4X6LABEL"}


def _package(request: ShipRequest, *, mailing: date, classes: dict[str, str]) -> dict[str, Any]:
    if request.service not in classes:
        raise ValidationError(FieldError("service", f"USPS mail classes here are {', '.join(classes)}"))
    parcel = the_parcel(request)
    numbers = measures(parcel)
    package: dict[str, Any] = {
        "mailClass": request.service, "rateIndicator": "SP", "weightUOM": "lb", "weight": numbers["weight"],
        "dimensionsUOM": "in", "length": numbers["length"], "height": numbers["height"], "width": numbers["width"],
        "processingCategory": "MACHINABLE", "destinationEntryFacilityType": "NONE", "mailingDate": mailing.isoformat(),
        "customerReference": [{"referenceNumber": request.reference[:REFERENCE_MAX]}],
    }
    extras: list[int] = []
    if request.insurance is not None:
        extras.append(insurance_service(request.insurance))
        package["packageOptions"] = {"packageValue": json_number(request.insurance.amount)}
    if request.signature in SIGNATURES:
        if classes is INTERNATIONAL_CLASSES:
            raise ValidationError(FieldError("signature", "USPS international labels take no signature service"))
        extras.append(SIGNATURES[request.signature])
    if extras:
        package["extraServices"] = extras
    return package


def build_ship(request: ShipRequest, account: USPSAccount, *, base_url: str, today: date,
               carrier: str = "usps") -> httpx.Request:
    """The label request of ``request``, domestic or international by its destination."""
    if request.return_shipment:
        return _return_label(request, account, base_url=base_url)
    lane(request, carrier=carrier)
    mailing = request.ship_date or today
    if (mailing - today).days < 0:
        raise ValidationError(FieldError("ship_date", "USPS labels cannot be dated in the past"))
    international = request.destination.country not in DOMESTIC
    body: dict[str, Any] = {"imageInfo": _image_info(request)}
    if international:
        if request.customs is None:
            raise ValidationError(FieldError("customs", "USPS needs a customs declaration to send abroad"))
        body.update(toAddress=foreign_address(request.destination, "destination"),
                    fromAddress=domestic_address(request.origin, "origin"),
                    packageDescription=_package(request, mailing=mailing, classes=INTERNATIONAL_CLASSES),
                    customsForm=customs_form(request.customs, account))
    else:
        body["imageInfo"]["receiptOption"] = "NONE"
        body.update(toAddress=domestic_address(request.destination, "destination"),
                    fromAddress=domestic_address(request.origin, "origin"),
                    packageDescription=_package(request, mailing=mailing, classes=DOMESTIC_CLASSES))
    headers = {"accept": LABELS_JSON, IDEMPOTENCY_HEADER: idempotency_key(account, request.reference)}
    return json_request("POST", base_url + label_path(international), body, headers=headers)


def _return_label(request: ShipRequest, account: USPSAccount, *, base_url: str) -> httpx.Request:
    """A domestic return: from the customer (``origin``) back to the shop (``destination``), in the
    return service of the mail class asked for (either name is taken)."""
    mail_class = RETURN_CLASSES.get(request.service) or request.service
    if mail_class not in RETURN_CLASSES.values():
        raise ValidationError(FieldError("service", f"USPS returns go by {', '.join(RETURN_CLASSES)}"))
    returns = {v: v for v in RETURN_CLASSES.values()}
    package = _package(request.model_copy(update={"service": mail_class}), mailing=date.min, classes=returns)
    del package["mailingDate"], package["destinationEntryFacilityType"]
    body = {"imageInfo": {**_image_info(request), "receiptOption": "NONE"},
            "toAddress": domestic_address(request.destination, "destination"),
            "fromAddress": domestic_address(request.origin, "origin"), "packageDescription": package}
    headers = {"accept": LABELS_JSON, IDEMPOTENCY_HEADER: idempotency_key(account, request.reference)}
    return json_request("POST", base_url + label_path(False, is_return=True), body, headers=headers)


def _usd(value: Any) -> Money | None:
    amount = decimal(value)
    return Money(amount.quantize(Decimal("0.01")), "USD") if amount is not None else None


def _label(data: dict[str, Any], picture: bytes | None, *, carrier: str, label_format: LabelFormat,
           reference: str | None, international: bool, key: str | None, is_return: bool) -> Label:
    number = text(data.get("internationalTrackingNumber")) or text(data.get("trackingNumber"))
    if number is None:
        raise MalformedResponse("label answer has no tracking number", carrier=carrier)
    if not picture:
        raise MalformedResponse("label answer has no label image", carrier=carrier)
    charges: list[Charge] = []
    postage = _usd(data.get("postage"))
    if postage is not None:
        charges.append(Charge(kind="base", name="Postage", amount=postage, code=text(data.get("SKU"))))
    for extra in records(data.get("extraServices")):
        price = _usd(extra.get("price"))
        if price is None or not price.amount:
            continue
        label_name = text(extra.get("name")) or text(extra.get("serviceName")) or "Extra service"
        code = text(extra.get("serviceID")) or text(extra.get("SKU")) or text(extra.get("sku"))
        kind = "insurance" if "insur" in label_name.lower() else "surcharge"
        charges.append(Charge(kind=kind, name=label_name, amount=price, code=code))
    for fee in records(data.get("fees")):
        price = _usd(fee.get("price"))
        if price is not None and price.amount:
            charges.append(Charge(kind="surcharge", name=text(fee.get("name")) or "Fee", amount=price,
                                  code=text(fee.get("SKU"))))
    total = None
    if charges:
        total = Money(sum((c.amount.amount for c in charges), Decimal(0)), "USD")
    carrier_data = {"international": "true" if international else "false"}
    if key:
        carrier_data["idempotency_key"] = key
    mailing = text(data.get("mailingDate"))
    if mailing:
        carrier_data["mailing_date"] = mailing[:10]
    return Label(carrier=carrier, tracking_number=number, tracking_numbers=[number], label=picture,
                 label_format=label_format, total=total, charges=charges, reference=reference,
                 carrier_data=carrier_data, is_return=is_return)


def parse_ship(response: httpx.Response, *, carrier: str, label_format: LabelFormat, reference: str | None,
               international: bool, key: str | None = None, is_return: bool = False) -> Label:
    """A label answer, JSON (``application/vnd.usps.labels+json``) or multipart; ``key`` is the
    idempotency key it was bought under (kept in ``carrier_data`` to find the label again)."""
    if response.status_code >= 400:
        raise failed(response, carrier=carrier)
    content_type = response.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/"):
        found = parts(response, carrier=carrier)
        data = metadata(found.get("labelMetadata") or found.get("returnLabelMetadata"), carrier=carrier)
        picture = image(found.get("labelImage") or found.get("returnLabelImage"), carrier=carrier, what="labelImage")
    else:
        data = checked(response, carrier=carrier)
        encoded = text(data.get("labelImage")) or text(data.get("returnLabelImage"))
        if isinstance(data.get("labelMetadata"), dict):  # a reprint nests the metadata (label-reprint)
            data = {**data["labelMetadata"], **{k: v for k, v in data.items() if k != "labelMetadata"}}
        picture = image(encoded.encode("ascii", "replace") if encoded else None, carrier=carrier, what="labelImage")
    return _label(data, picture, carrier=carrier, label_format=label_format, reference=reference,
                  international=international, key=key, is_return=is_return)

