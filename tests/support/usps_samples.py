"""USPS samples shared by the USPS tests: US addresses, a domestic and an international request, the
sandbox account, and USPS-shaped answers (error bodies, label metadata) written from its specs."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

import httpx

import carriergate as cg
from carriergate.carriers.usps import USPSAccount

from support.paths import ROOT

TODAY = date(2026, 12, 3)
PDF = b"%PDF-1.4 sample label"
ACCOUNT = {"client_id": "usps-client", "client_secret": "usps-secret-value", "crid": "56982563", "mid": "899744131",
           "account_type": "EPS", "account_number": "1000000001"}


def account(**change: Any) -> USPSAccount:
    return USPSAccount(**{**ACCOUNT, "environment": "sandbox", **change})


def washington() -> cg.Address:
    return cg.Address(name="Sam Wilson", company="Wilson Goods", street=["45 L St SW"], city="Washington", state="DC",
                      postal_code="20024", country="US", phone="+1 202 555 0147", email="sam@example.com")


def st_louis() -> cg.Address:
    return cg.Address(name="Nick Fury", street=["2700 S Jefferson Ave", "STE 150"], city="St. Louis", state="MO",
                      postal_code="63104-2351", country="US", phone="+1 314 555 0100", residential=True)


def toronto() -> cg.Address:
    return cg.Address(name="Jane Roe", street=["100 Queen St W"], city="Toronto", state="ON", postal_code="M5H 2N2",
                      country="CA", phone="+1 416 555 0100")


def parcel() -> cg.Parcel:
    return cg.Parcel(weight=cg.Weight("2.5", "kg"), dimensions=cg.Dimensions(30, 20, 10, "cm"))


def us_domestic_request(insured: str | None = "200.00") -> cg.RateRequest:
    """Washington DC -> St. Louis, one parcel, insured in USD."""
    return cg.RateRequest(origin=washington(), destination=st_louis(), parcels=[parcel()],
                          insurance=cg.Money(insured, "USD") if insured else None)


def customs() -> cg.CustomsDeclaration:
    return cg.CustomsDeclaration(
        contents_type="merchandise", incoterm="DAP", non_delivery="return", signer="Sam Wilson",
        items=[cg.CustomsItem(description="Cotton T-shirt", hs_code="610910", origin_country="US", quantity=2,
                              unit_value=cg.Money("60.00", "USD"), unit_weight=cg.Weight("0.4", "kg"))])


def us_international_request() -> cg.RateRequest:
    """Washington DC -> Toronto with customs, insured in USD."""
    return cg.RateRequest(origin=washington(), destination=toronto(), parcels=[parcel()],
                          insurance=cg.Money("100.00", "USD"), customs=customs())


def ship_request(request: cg.RateRequest | None = None, *, service: str = "USPS_GROUND_ADVANTAGE",
                 reference: str = "ORDER-1001", **change: Any) -> cg.ShipRequest:
    base = (request or us_domestic_request()).model_dump()
    return cg.ShipRequest(**{**base, "carrier": "usps", "service": service, "reference": reference,
                             "ship_date": TODAY, **change})


def error_body(status: int, detail: str, *, code: str = "00000XX", api: str = "/labels/v3") -> dict[str, Any]:
    """USPS's ErrorMessage shape (every v3 spec)."""
    return {"apiVersion": api, "error": {"code": str(status), "message": "Bad Request", "errors": [
        {"status": str(status), "code": code, "title": "Bad Request", "detail": detail}]}}


def error_response(status: int, detail: str, **kwargs: Any) -> httpx.Response:
    return httpx.Response(status, json=error_body(status, detail, **kwargs))


def label_metadata(number: str = "9205590175547700000001") -> dict[str, Any]:
    return {"trackingNumber": number, "postage": 9.35, "SKU": "DUXP0XXXXC07200", "zone": "04",
            "mailingDate": "2026-12-03T00:00:00Z", "weightUOM": "lb", "weight": 6.0,
            "extraServices": [{"name": "Insurance <= $500", "SKU": "I930", "price": 5.5}], "fees": []}


def json_label(number: str = "9205590175547700000001") -> httpx.Response:
    body = {**label_metadata(number), "labelImage": base64.b64encode(PDF).decode()}
    return httpx.Response(200, content=json.dumps(body).encode(),
                          headers={"content-type": "application/vnd.usps.labels+json"})


def multipart_label(number: str = "9205590175547700000001", boundary: str = "b0undary") -> httpx.Response:
    image = base64.b64encode(PDF).decode()
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="labelMetadata"\r\n'
            f"Content-Type: application/json\r\n\r\n{json.dumps(label_metadata(number))}\r\n"
            f'--{boundary}\r\nContent-Disposition: attachment; name="labelImage"; filename="label.pdf"\r\n'
            f"Content-Type: application/pdf\r\nContent-Encoding: gzip\r\n\r\n{image[:10]}\r\n{image[10:]}\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="receiptImage"; filename="r.pdf"\r\n'
            f"Content-Type: application/pdf\r\n\r\n{image}\r\n--{boundary}--\r\n")
    media = f"multipart/form-data; boundary={boundary}"
    return httpx.Response(200, content=body.encode(), headers={"content-type": media})


BASE_URL = "https://apis-tem.usps.com"
FIXTURES = ROOT / "fixtures" / "usps"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def response(name: str, status: int = 200, content_type: str = "application/json",
             headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=(FIXTURES / name).read_bytes(),
                          headers={"content-type": content_type, **(headers or {})})


def body(request: httpx.Request) -> Any:
    return json.loads(request.content)
