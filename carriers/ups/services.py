"""UPS service and surcharge codes as readable names. Unknown codes are kept, never rejected.

A service code means different things from different origins: UPS publishes one service table per
origin (United States, Puerto Rico, Canada, Mexico, Poland, the other European Union countries, all
other origins; UPS Rating/Shipping appendix "Service Codes"). Code 14 from Canada is "UPS Express
Early", from the US "UPS Next Day Air Early"; 07 from France is "UPS Express". The name UPS returns
in an answer (``Service.Description``) wins over the table wherever it gives one.
"""

from __future__ import annotations

#: The US origin's table, which also names the codes no other origin's table lists.
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

PUERTO_RICO: dict[str, str] = {
    "01": "UPS Next Day Air", "02": "UPS 2nd Day Air", "03": "UPS Ground", "07": "UPS Worldwide Express",
    "08": "UPS Worldwide Expedited", "14": "UPS Next Day Air Early", "54": "UPS Worldwide Express Plus",
    "65": "UPS Worldwide Saver",
}  # fmt: skip
CANADA: dict[str, str] = {
    "01": "UPS Express", "02": "UPS Expedited", "07": "UPS Worldwide Express", "08": "UPS Worldwide Expedited",
    "11": "UPS Standard", "12": "UPS 3 Day Select", "13": "UPS Express Saver", "14": "UPS Express Early",
    "54": "UPS Worldwide Express Plus", "65": "UPS Express Saver", "70": "UPS Access Point Economy",
}  # fmt: skip
MEXICO: dict[str, str] = {
    "07": "UPS Express", "08": "UPS Expedited", "11": "UPS Standard", "54": "UPS Express Plus", "65": "UPS Saver",
    "70": "UPS Access Point Economy",
}  # fmt: skip
POLAND: dict[str, str] = {
    "07": "UPS Express", "08": "UPS Expedited", "11": "UPS Standard", "54": "UPS Express Plus",
    "65": "UPS Express Saver", "70": "UPS Access Point Economy", "82": "UPS Today Standard",
    "83": "UPS Today Dedicated Courier", "85": "UPS Today Express", "86": "UPS Today Express Saver",
}  # fmt: skip
EUROPEAN_UNION: dict[str, str] = {
    "07": "UPS Express", "08": "UPS Expedited", "11": "UPS Standard", "54": "UPS Express Plus",
    "65": "UPS Express Saver", "70": "UPS Access Point Economy", "74": "UPS Express 12:00",
}  # fmt: skip
OTHER_ORIGINS: dict[str, str] = {
    "07": "UPS Express", "08": "UPS Worldwide Expedited", "11": "UPS Standard", "54": "UPS Worldwide Express Plus",
    "65": "UPS Worldwide Saver",
}  # fmt: skip
#: EU members other than Poland (which has a table of its own).
EU_COUNTRIES = frozenset({"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
                          "IT", "LT", "LU", "LV", "MT", "NL", "PT", "RO", "SE", "SI", "SK"})

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


def origin_table(origin: str | None) -> dict[str, str]:
    """The service table of shipments leaving ``origin`` (None: the US table)."""
    if origin is None or origin == "US":
        return SERVICES
    if origin in EU_COUNTRIES:
        return EUROPEAN_UNION
    return {"PR": PUERTO_RICO, "CA": CANADA, "MX": MEXICO, "PL": POLAND}.get(origin, OTHER_ORIGINS)


def service_name(code: str, origin: str | None = None, returned: str | None = None) -> str:
    """The service's name: the one UPS ``returned`` in its answer if any, else the origin's table's,
    else the US table's, else "UPS service <code>"."""
    if returned and returned.strip():
        return returned.strip()
    return origin_table(origin).get(code) or SERVICES.get(code, f"UPS service {code}")


def surcharge_name(code: str | None, description: str | None) -> str:
    if code is not None and code in SURCHARGES:
        return SURCHARGES[code]
    if description:
        return description.strip().capitalize()
    return f"UPS surcharge {code}" if code else "UPS surcharge"


def pickup_service_code(service: str) -> str:
    """Pickup pieces name the service with three digits (``003`` for Ground)."""
    return service.zfill(3) if service.isdigit() else service
