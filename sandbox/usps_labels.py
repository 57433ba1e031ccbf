"""The USPS emulator's labels: what a label request buys (tracking number, postage, extra services,
the label image) and the two ways USPS answers it: ``application/vnd.usps.labels+json`` (metadata
with the Base64 image inside) or the default ``multipart/form-data`` (a ``labelMetadata`` JSON
part, then the Base64 ``labelImage``), as domestic-labels.yaml and international-labels.yaml
describe them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx

from carriergate.sandbox import documents
from carriergate.sandbox import usps_pricing as pricing
from carriergate.sandbox.usps_tracking import Parcel

LABELS_JSON = "application/vnd.usps.labels+json"
BOUNDARY = "usps-sandbox-boundary-7d1f"
IMAGE_MEDIA = {"PDF": "application/pdf", "ZPL203DPI": "application/zpl", "ZPL300DPI": "application/zpl",
               "TIFF": "image/tiff", "PNG": "image/png", "GIF": "image/gif", "JPG": "image/jpg", "SVG": "image/svg+xml"}


def fingerprint(content: bytes) -> str:
    """What makes two label requests "identical" for the idempotency check: the JSON body's meaning."""
    try:
        canonical = json.dumps(json.loads(content), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = content.decode("utf-8", "replace")
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class LabelRecord:
    """One bought label: its answer metadata and image, its journey, and the request it answered."""

    key: str | None
    fingerprint: str
    international: bool
    metadata: dict[str, Any]
    image: bytes
    image_type: str
    parcel: Parcel
    total: Decimal
    voided: bool = False
    reprints: int = 0
    is_return: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tracking(self) -> str:
        return self.parcel.tracking


def make_label(body: dict[str, Any], *, tracking: str, key: str | None, content: bytes, international: bool,
               now: datetime, is_return: bool = False) -> LabelRecord:
    package = body.get("packageDescription") or {}
    to, sender = body.get("toAddress") or {}, body.get("fromAddress") or {}
    classes = pricing.INTERNATIONAL if international else pricing.RETURNS if is_return else pricing.DOMESTIC
    mail_class = classes[str(package.get("mailClass"))]
    pounds = pricing.billed_pounds(package)
    zone = 9 if international else pricing.zone(str(sender.get("ZIPCode", "")), str(to.get("ZIPCode", "")))
    postage = pricing.postage(mail_class, pounds, min(zone, 8))
    extras: list[dict[str, Any]] = []
    total = postage
    value = Decimal(str((package.get("packageOptions") or {}).get("packageValue") or 0))
    for code in package.get("extraServices") or []:
        if code in pricing.INSURANCE_SERVICES:
            price = pricing.insurance(value)
            total += price
            if international:
                extras.append({"serviceID": str(code), "serviceName": pricing.INSURANCE_SERVICES[code],
                               "price": float(price), "sku": f"I{code}"})
            else:
                extras.append({"name": pricing.INSURANCE_SERVICES[code], "SKU": f"I{code}", "price": float(price)})
    image_type = str((body.get("imageInfo") or {}).get("imageType") or "PDF")
    name = " ".join(str(to.get(k, "")) for k in ("firstName", "lastName")).strip()
    content_lines = (f"SHIP TO: {name}", str(to.get("streetAddress", "")), f"{to.get('city', '')} "
                     f"{to.get('state') or to.get('postalCode') or ''}", f"{pounds} LB")
    image = documents.label(image_type, documents.Content("USPS", tracking, mail_class.name, content_lines))
    mailing = str(package.get("mailingDate") or now.date().isoformat())
    metadata: dict[str, Any] = {"postage": float(postage), "extraServices": extras, "weightUOM": "lb",
                                "weight": float(pounds), "fees": [], "SKU": mail_class.sku}
    if international:
        metadata.update(internationalTrackingNumber=tracking, constructCode="I01", mailingDate=mailing,
                        labelAddress={k: v for k, v in to.items() if k in ("firstName", "lastName", "streetAddress",
                                                                           "city", "postalCode", "country",
                                                                           "countryISOAlpha2Code")})
    else:
        metadata.update(trackingNumber=tracking, routingInformation=f"420{to.get('ZIPCode', '')}", zone=f"{zone:02d}",
                        mailingDate=f"{mailing}T00:00:00Z", constructCode="C01",
                        labelAddress={k: v for k, v in to.items() if k in ("firstName", "lastName", "streetAddress",
                                                                           "city", "state", "ZIPCode")},
                        commitment={"name": f"{mail_class.days}-Day",
                                    "scheduleDeliveryDate": mailing})
    parcel = Parcel(tracking=tracking, mail_class=mail_class.code, created=now, origin=sender, destination=to,
                    international=international, recipient=name)
    return LabelRecord(key=key, fingerprint=fingerprint(content), international=international, metadata=metadata,
                       image=image, image_type=image_type, parcel=parcel, total=total, is_return=is_return)


def answer(record: LabelRecord, accept: str, *, status: int, nested: bool = False) -> httpx.Response:
    """The label answer in the media type asked for: JSON with Base64 images, else multipart.
    ``nested``: a reprint's JSON, whose metadata sits under ``labelMetadata``."""
    encoded = base64.b64encode(record.image).decode("ascii")
    meta_part, image_part = ("returnLabelMetadata", "returnLabelImage") if record.is_return and not nested else \
        ("labelMetadata", "labelImage")
    if LABELS_JSON in accept.lower():
        body = {"labelMetadata": record.metadata, "labelImage": encoded} if nested else \
            {**record.metadata, image_part: encoded}
        return httpx.Response(status, content=json.dumps(body).encode("utf-8"),
                              headers={"content-type": LABELS_JSON})
    media = IMAGE_MEDIA.get(record.image_type, "application/octet-stream")
    extension = "zpl" if record.image_type.startswith("ZPL") else record.image_type.lower()
    lines = "\r\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{meta_part}"\r\nContent-Type: application/json'
        f"\r\n\r\n{json.dumps(record.metadata)}\r\n",
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{image_part}"; filename="label.{extension}"\r\n'
        f"Content-Type: {media}\r\nContent-Transfer-Encoding: base64\r\n\r\n{lines}\r\n",
        f"--{BOUNDARY}--\r\n",
    ]
    return httpx.Response(status, content="".join(parts).encode("utf-8"),
                          headers={"content-type": f"multipart/form-data; boundary={BOUNDARY}"})
