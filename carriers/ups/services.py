"""UPS service and surcharge codes as readable names. Unknown codes are kept, never rejected."""

from __future__ import annotations

SERVICES: dict[str, str] = {
    "01": "UPS Next Day Air",
    "02": "UPS 2nd Day Air",
    "03": "UPS Ground",
    "07": "UPS Worldwide Express",
    "08": "UPS Worldwide Expedited",
    "11": "UPS Standard",
    "12": "UPS 3 Day Select",
    "13": "UPS Next Day Air Saver",
    "14": "UPS Next Day Air Early",
    "17": "UPS Worldwide Economy DDU",
    "54": "UPS Worldwide Express Plus",
    "59": "UPS 2nd Day Air A.M.",
    "65": "UPS Worldwide Saver",
    "70": "UPS Access Point Economy",
    "71": "UPS Worldwide Express Freight Midday",
    "72": "UPS Worldwide Economy DDP",
    "74": "UPS Express 12:00",
    "75": "UPS Heavy Goods",
    "82": "UPS Today Standard",
    "83": "UPS Today Dedicated Courier",
    "84": "UPS Today Intercity",
    "85": "UPS Today Express",
    "86": "UPS Today Express Saver",
    "96": "UPS Worldwide Express Freight",
}

#: Itemized charge codes with well-known meanings; any other code is named from UPS's own
#: description, or "UPS surcharge <code>".
SURCHARGES: dict[str, str] = {
    "100": "Additional handling",
    "110": "C.O.D.",
    "120": "Delivery confirmation",
    "190": "Extended area surcharge",
    "270": "Residential surcharge",
    "375": "Fuel surcharge",
    "376": "Delivery area surcharge",
}
FUEL_CODES = frozenset({"375"})


def service_name(code: str) -> str:
    return SERVICES.get(code, f"UPS service {code}")


def surcharge_name(code: str | None, description: str | None) -> str:
    if code is not None and code in SURCHARGES:
        return SURCHARGES[code]
    if description:
        return description.strip().capitalize()
    return f"UPS surcharge {code}" if code else "UPS surcharge"


def pickup_service_code(service: str) -> str:
    """Pickup pieces name the service with three digits (``003`` for Ground)."""
    return service.zfill(3) if service.isdigit() else service
