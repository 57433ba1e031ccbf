"""4PX samples for the carrier, signing and emulator tests: an account, requests, fixtures, answers.

The fixtures under ``fixtures/fourpx`` are payloads written in 4PX's documented shapes (its API
pages' request and answer examples), with our sample shipment's values.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

import httpx

import carriergate as cg
from carriergate.carriers.fourpx import FourPXAccount

from support.paths import FIXTURES
from support.shipments import customs, international_request

BASE = "https://open.4px.example.test"
APP_KEY, APP_SECRET = "4px-app-key-0001", "4px-Secret-XYZ"
ACCOUNT = FourPXAccount(app_key=APP_KEY, app_secret=APP_SECRET, base_url=BASE)
FOURPX = "4px"
SETTINGS: dict[str, Any] = {"app_key": APP_KEY, "app_secret": APP_SECRET, "base_url": BASE}


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / "fourpx" / name).read_text(encoding="utf-8"), parse_float=Decimal)


def raw_fixture(name: str) -> bytes:
    return (FIXTURES / "fourpx" / name).read_bytes()


def answer(body: Any, status: int = 200) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")
    return httpx.Response(status, content=content, headers={"content-type": "application/json"})


def ok(data: Any) -> dict[str, Any]:
    return {"result": "1", "msg": "System processing succeeded", "errors": None, "data": data}


def failed(code: str, message: str) -> dict[str, Any]:
    return {"result": "0", "msg": "System processing failed", "data": None,
            "errors": [{"error_code": code, "error_msg": message, "error_data": None, "reference_code": None}]}


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content, parse_float=Decimal)


def md5_sign(app_key: str, method: str, timestamp: str, version: str, body: str, secret: str) -> str:
    """The documented recipe written out by hand: app_key, format, method, timestamp, v (already in
    name order), each name then its value, then the body, then the secret; lower-case hex MD5."""
    text = f"app_key{app_key}formatjsonmethod{method}timestamp{timestamp}v{version}{body}{secret}"
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # noqa: S324 - 4PX's scheme


def rate_request(**change: Any) -> cg.RateRequest:
    return international_request().model_copy(update=change)


def ship_request(**change: Any) -> cg.ShipRequest:
    fields = international_request().model_dump()
    fields.update(carrier=FOURPX, service="PY", reference="ORDER-4PX-1001", description="Cotton T-shirts")
    fields.update(change)
    return cg.ShipRequest(**fields)


def to_berlin(**change: Any) -> cg.ShipRequest:
    """The sample shipment sent to Berlin (the EU: IOSS, VAT and EORI apply), in EUR."""
    berlin = cg.Address(name="Max Muster", street=["Unter den Linden 1"], city="Berlin", postal_code="10117",
                        country="DE", phone="+49 30 1234567")
    fields: dict[str, Any] = {"destination": berlin, "customs": customs("60.00", "EUR"), "insurance": None}
    return ship_request(**{**fields, **change})


__all__ = ["ACCOUNT", "APP_KEY", "APP_SECRET", "BASE", "FOURPX", "SETTINGS", "answer", "body_of", "failed",
           "fixture", "md5_sign", "ok", "rate_request", "raw_fixture", "ship_request", "to_berlin"]
