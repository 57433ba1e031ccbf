"""FedEx codes and their readable names: service types, transit-day words, label formats, statuses."""

from __future__ import annotations

from typing import Final

from carriergate.core.results import DocumentKind
from carriergate.core.shipment import LabelFormat, SignatureOption
from carriergate.core.tracking import TrackingStatus

SERVICE_NAMES: Final[dict[str, str]] = {
    "FEDEX_GROUND": "FedEx Ground",
    "GROUND_HOME_DELIVERY": "FedEx Home Delivery",
    "FEDEX_EXPRESS_SAVER": "FedEx Express Saver",
    "FEDEX_2_DAY": "FedEx 2Day",
    "FEDEX_2_DAY_AM": "FedEx 2Day A.M.",
    "STANDARD_OVERNIGHT": "FedEx Standard Overnight",
    "PRIORITY_OVERNIGHT": "FedEx Priority Overnight",
    "FIRST_OVERNIGHT": "FedEx First Overnight",
    "SAME_DAY": "FedEx SameDay",
    "SMART_POST": "FedEx Ground Economy",
    "FEDEX_INTERNATIONAL_PRIORITY": "FedEx International Priority",
    "FEDEX_INTERNATIONAL_PRIORITY_EXPRESS": "FedEx International Priority Express",
    "INTERNATIONAL_PRIORITY": "FedEx International Priority",
    "INTERNATIONAL_ECONOMY": "FedEx International Economy",
    "INTERNATIONAL_FIRST": "FedEx International First",
    "FEDEX_INTERNATIONAL_CONNECT_PLUS": "FedEx International Connect Plus",
    "FEDEX_INTERNATIONAL_DEFERRED_FREIGHT": "FedEx International Deferred Freight",
    "INTERNATIONAL_PRIORITY_FREIGHT": "FedEx International Priority Freight",
    "INTERNATIONAL_ECONOMY_FREIGHT": "FedEx International Economy Freight",
    "FEDEX_1_DAY_FREIGHT": "FedEx 1Day Freight",
    "FEDEX_2_DAY_FREIGHT": "FedEx 2Day Freight",
    "FEDEX_3_DAY_FREIGHT": "FedEx 3Day Freight",
    "EUROPE_FIRST_INTERNATIONAL_PRIORITY": "FedEx Europe First",
    "FEDEX_REGIONAL_ECONOMY": "FedEx Regional Economy",
    "FEDEX_FIRST": "FedEx First",
    "FEDEX_PRIORITY": "FedEx Priority",
    "FEDEX_PRIORITY_EXPRESS": "FedEx Priority Express",
    "FEDEX_ECONOMY_SELECT": "FedEx Economy",
}

#: FedEx spells transit times as words ("THREE_DAYS").
_NUMBERS = ["ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN", "ELEVEN", "TWELVE",
            "THIRTEEN", "FOURTEEN", "FIFTEEN", "SIXTEEN", "SEVENTEEN", "EIGHTEEN", "NINETEEN", "TWENTY"]
TRANSIT_DAYS: Final[dict[str, int]] = {
    f"{word}_{'DAY' if i == 0 else 'DAYS'}": i + 1 for i, word in enumerate(_NUMBERS)
}

#: Our label formats as FedEx image types (GIF is not offered by FedEx).
IMAGE_TYPES: Final[dict[LabelFormat, str]] = {"PDF": "PDF", "PNG": "PNG", "ZPL": "ZPLII", "EPL": "EPL2"}
LABEL_STOCK: Final[dict[str, str]] = {"PDF": "PAPER_4X6", "PNG": "PAPER_4X6", "ZPLII": "STOCK_4X6", "EPL2": "STOCK_4X6"}

#: FedEx's stated label image types (``docType``) as our formats.
LABEL_FORMATS: Final[dict[str, LabelFormat]] = {v: k for k, v in IMAGE_TYPES.items()} | {"ZPL": "ZPL", "EPL": "EPL"}

SIGNATURES: Final[dict[SignatureOption, str]] = {"signature": "DIRECT", "adult_signature": "ADULT"}

#: Our customs contents types as FedEx commercial-invoice purposes.
SHIPMENT_PURPOSE: Final[dict[str, str]] = {
    "merchandise": "SOLD", "gift": "GIFT", "sample": "SAMPLE", "return": "REPAIR_AND_RETURN",
    "documents": "NOT_SOLD", "other": "NOT_SOLD",
}

#: Our trade document kinds as FedEx ETD document types.
DOCUMENT_TYPES: Final[dict[str, str]] = {
    "commercial_invoice": "COMMERCIAL_INVOICE", "proforma_invoice": "PRO_FORMA_INVOICE",
    "certificate_of_origin": "CERTIFICATE_OF_ORIGIN", "other": "OTHER",
}
#: FedEx shipment document content types as our document kinds.
DOCUMENT_KINDS: Final[dict[str, DocumentKind]] = {
    "COMMERCIAL_INVOICE": "commercial_invoice", "PROFORMA_INVOICE": "proforma_invoice",
    "CERTIFICATE_OF_ORIGIN": "certificate_of_origin", "USMCA_CERTIFICATION_OF_ORIGIN": "certificate_of_origin",
    "USMCA_COMMERCIAL_INVOICE_CERTIFICATION_OF_ORIGIN": "commercial_invoice",
    "RETURN_INSTRUCTIONS": "return_instructions",
}
DOCUMENT_MIME: Final[dict[str, str]] = {"PDF": "application/pdf", "PNG": "image/png", "TXT": "text/plain",
                                        "JPG": "image/png"}

#: FedEx tracking status and scan-event codes (derivedStatusCode / eventType / latestStatusDetail.code).
STATUS_CODES: Final[dict[str, TrackingStatus]] = {
    "OC": TrackingStatus.PRE_TRANSIT,  # shipment information sent to FedEx (label created)
    "IN": TrackingStatus.PRE_TRANSIT,  # initiated
    "EP": TrackingStatus.PRE_TRANSIT,  # enroute to pickup
    "AP": TrackingStatus.PRE_TRANSIT,  # at pickup
    "PU": TrackingStatus.IN_TRANSIT,  # picked up
    "PX": TrackingStatus.IN_TRANSIT,  # picked up (see details)
    "IT": TrackingStatus.IN_TRANSIT,
    "AR": TrackingStatus.IN_TRANSIT,  # arrived at FedEx location
    "AF": TrackingStatus.IN_TRANSIT,  # at local FedEx facility
    "DP": TrackingStatus.IN_TRANSIT,  # departed FedEx location
    "OF": TrackingStatus.IN_TRANSIT,  # at FedEx origin facility
    "LO": TrackingStatus.IN_TRANSIT,  # left FedEx origin facility
    "AA": TrackingStatus.IN_TRANSIT,  # at airport
    "AC": TrackingStatus.IN_TRANSIT,  # at Canada Post facility
    "EN": TrackingStatus.IN_TRANSIT,  # enroute
    "CC": TrackingStatus.IN_TRANSIT,  # cleared customs
    "TR": TrackingStatus.IN_TRANSIT,  # transfer
    "PM": TrackingStatus.IN_TRANSIT,  # in progress
    "OD": TrackingStatus.OUT_FOR_DELIVERY,
    "AD": TrackingStatus.OUT_FOR_DELIVERY,  # at delivery
    "DL": TrackingStatus.DELIVERED,
    "DE": TrackingStatus.EXCEPTION,  # delivery exception
    "SE": TrackingStatus.EXCEPTION,  # shipment exception
    "CD": TrackingStatus.EXCEPTION,  # clearance delay
    "DY": TrackingStatus.EXCEPTION,  # delay
    "DD": TrackingStatus.EXCEPTION,  # delivery delay
    "PD": TrackingStatus.EXCEPTION,  # pickup delay
    "CH": TrackingStatus.IN_TRANSIT,  # location changed
    "HL": TrackingStatus.AVAILABLE_FOR_PICKUP,  # hold at location
    "HP": TrackingStatus.AVAILABLE_FOR_PICKUP,  # ready for recipient pickup
    "RS": TrackingStatus.RETURNED_TO_SENDER,
    "RP": TrackingStatus.RETURNED_TO_SENDER,  # return label link emailed / returning
    "CA": TrackingStatus.CANCELLED,
    "CP": TrackingStatus.IN_TRANSIT,  # clearance in progress
}


def service_name(code: str, fallback: str | None = None) -> str:
    """A readable name for a FedEx service type; unknown codes keep the carrier's name or the code."""
    return SERVICE_NAMES.get(code) or fallback or code.replace("_", " ").title()


def status_for(code: str | None) -> TrackingStatus:
    return STATUS_CODES.get((code or "").upper(), TrackingStatus.UNKNOWN)
