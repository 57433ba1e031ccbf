"""USPS mail classes we quote and label, with the names we show for them."""

from __future__ import annotations

#: Domestic parcel mail classes (domestic-prices.yaml ``MailClassOutboundOnly``, domestic-labels.yaml
#: ``mailClass``), cheapest first.
DOMESTIC = {"USPS_GROUND_ADVANTAGE": "USPS Ground Advantage", "PRIORITY_MAIL": "Priority Mail",
            "PRIORITY_MAIL_EXPRESS": "Priority Mail Express"}
#: International mail classes of international-labels.yaml ``packageDescription.mailClass``.
INTERNATIONAL = {"FIRST-CLASS_PACKAGE_INTERNATIONAL_SERVICE": "First-Class Package International Service",
                 "PRIORITY_MAIL_INTERNATIONAL": "Priority Mail International",
                 "PRIORITY_MAIL_EXPRESS_INTERNATIONAL": "Priority Mail Express International"}
#: Our code for a lane USPS (a US postal service) does not carry: it takes parcels in the US only.
LANE_NOT_SUPPORTED = "lane_not_supported"


def name(code: str) -> str:
    return DOMESTIC.get(code) or INTERNATIONAL.get(code) or code.replace("_", " ").title()
