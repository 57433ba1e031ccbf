"""4PX logistics products (``logistics_product_code``).

Which products an account may ship is per contract: 4PX lists them live through
ds.xms.logistics_product.getlist. The codes below are those 4PX's own API pages and integration
notes use as examples; their names are NOT confirmed from a public source beyond what is stated
(A1/A5 DHL products and E4-E7 FedEx products, per 4PX's notes on which products need ``uses`` and
``material`` in English). Codes not listed pass through as given and take their name from 4PX's
answer, or are named by their code.
"""

from __future__ import annotations

import re

SERVICES: dict[str, str] = {
    "PX": "4PX product PX",
    "PY": "4PX product PY",
    "F3": "4PX product F3",
    "A1": "4PX DHL product A1",
    "A5": "4PX DHL product A5",
    "E4": "4PX FedEx product E4",
}

_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def service_name(code: str, fallback: str | None = None) -> str:
    return fallback or SERVICES.get(code) or f"4PX product {code}"


def is_service_code(code: str) -> bool:
    """A product code as 4PX writes them: letters and digits, short."""
    return bool(_CODE.match(code))
