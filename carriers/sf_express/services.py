"""SF Express products (``expressTypeId`` when ordering, ``businessType`` when quoting).

Codes not listed here are still accepted (SF adds products per contract): they pass through as
given and take their name from SF's answer.
"""

from __future__ import annotations

SERVICES: dict[str, str] = {
    "1": "顺丰特快 SF Express (next day)",
    "2": "顺丰标快 SF Standard Express",
    "5": "顺丰次晨 SF Next Morning",
    "6": "顺丰即日 SF Same Day",
}

DEFAULT_SERVICE = "2"


def service_name(code: str, fallback: str | None = None) -> str:
    return fallback or SERVICES.get(code) or f"SF Express product {code}"


def is_service_code(code: str) -> bool:
    """SF product codes are small positive integers."""
    return code.isdigit() and 0 < int(code) < 100000
