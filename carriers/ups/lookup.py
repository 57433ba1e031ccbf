"""Finding a shipment again by our reference (after an outcome-unknown ship): the Tracking API's
reference search (``GET /api/track/v1/reference/details/<reference>``, narrowed to our shipper
number) names its packages; Label Recovery (``POST /api/labels/<version>/recovery``) gives their
labels again by tracking number. Both only read."""

from __future__ import annotations

from typing import cast, get_args

import httpx

from carriergate.carriers.ups.account import UPSAccount
from carriergate.carriers.ups.endpoints import post_json, without_body
from carriergate.carriers.ups.errors import NOT_FOUND_CODES, error_items, read
from carriergate.carriers.ups.shapes import alerts, required
from carriergate.carriers.ups.ship import LABEL_FORMATS, decoded, documents
from carriergate.core.contract import tracking_number
from carriergate.core.results import Label
from carriergate.core.shipment import LabelFormat
from carriergate.protocols.json_reading import JSON, dig, obj, records, text

#: Reference tracking searches small packages only (not freight), from our own shipper number.
SMALL_PACKAGE = "SmallPackage"
RECOVERY_SUBVERSION = "1903"


def reference_asked(reference: str) -> str:
    """The reference as it goes into the URL path: checked like a tracking number (ValidationError
    naming ``reference``), since UPS looks it up verbatim."""
    return tracking_number(reference, field="reference")


def build_find(reference: str, account: UPSAccount, *, base_url: str, trans_id: str) -> httpx.Request:
    params = {"locale": "en_US", "shipperNum": account.account_number, "refNumType": SMALL_PACKAGE}
    return without_body("GET", f"track/{account.track_version}/reference/details/{reference_asked(reference)}",
                        account, base_url=base_url, trans_id=trans_id, params=params)


def parse_find(response: httpx.Response, *, carrier: str) -> list[str]:
    """The tracking numbers of the packages shipped under the reference; none when UPS knows none."""
    if not response.is_success:
        try:
            codes = {code for code, _ in error_items(response.json())}
        except ValueError:
            codes = set()
        if response.status_code == 404 or codes & NOT_FOUND_CODES:
            return []
    data = read(response, carrier=carrier, wrapper="trackResponse")
    numbers: list[str] = []
    for shipment in records(data.get("shipment")):
        for package in records(shipment.get("package")):
            number = text(package.get("trackingNumber"))
            if number and number not in numbers:
                numbers.append(number)
    return numbers


def build_recovery(number: str, account: UPSAccount, *, base_url: str, trans_id: str, reference: str,
                   label_format: LabelFormat) -> httpx.Request:
    code = LABEL_FORMATS.get(label_format, "GIF")
    body: JSON = {"LabelRecoveryRequest": {
        "Request": {"SubVersion": RECOVERY_SUBVERSION, "TransactionReference": {"CustomerContext": reference}},
        "LabelSpecification": {"LabelImageFormat": {"Code": code}, "LabelStockSize": {"Height": "6", "Width": "4"}},
        "TrackingNumber": tracking_number(number),
    }}
    return post_json(f"labels/{account.label_recovery_version}/recovery", body, account, base_url=base_url,
                     trans_id=trans_id)


def parse_recovery(response: httpx.Response, *, carrier: str, reference: str, numbers: list[str],
                   label_format: LabelFormat) -> Label:
    """The recovered label; ``numbers`` are the packages the reference search named."""
    body = read(response, carrier=carrier, wrapper="LabelRecoveryResponse")
    status = response.status_code
    results = records(body.get("LabelResults"))
    images: list[bytes] = []
    stated: str | None = None
    for result in results:
        image = obj(result.get("LabelImage"))
        raw = text(image.get("GraphicImage"))
        if raw:
            images.append(decoded(raw, "LabelImage.GraphicImage", carrier=carrier, status=status))
            stated = stated or (text(dig(image, "LabelImageFormat", "Code")) or "").upper()
    required(images, "LabelResults.LabelImage", carrier=carrier, status=status)
    found = [n for n in (text(r.get("TrackingNumber")) for r in results) if n] or numbers
    shipment_id = text(body.get("ShipmentIdentificationNumber")) or found[0]
    fmt = cast(LabelFormat, stated) if stated in get_args(LabelFormat) else label_format
    return Label(carrier=carrier, tracking_number=found[0], tracking_numbers=found, label=images[0],
                 package_labels=images, label_format=fmt, reference=reference,
                 carrier_data={"shipment_id": shipment_id}, documents=documents(body, carrier=carrier, status=status),
                 warnings=alerts(body.get("Response")))

