"""Sample addresses, customs declarations, rate requests and pickup windows used across the tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import carriergate as cg


def shanghai() -> cg.Address:
    return cg.Address(name="Li Lei", company="Lei Trading", street=["88 Century Avenue"], district="Pudong",
                      city="Shanghai", state="Shanghai", postal_code="200120", country="CN",
                      phone="+86 21 5555 0000", email="li@example.cn")


def beijing() -> cg.Address:
    return cg.Address(name="Han Meimei", street=["1 Chang'an Avenue"], district="Dongcheng", city="Beijing",
                      state="Beijing", postal_code="100010", country="CN", phone="13800138000")


def los_angeles() -> cg.Address:
    return cg.Address(name="Jane Roe", street=["350 S Grand Ave"], city="Los Angeles", state="CA",
                      postal_code="90071", country="US", phone="+1 213 555 0100", residential=True)


def customs(value: str = "120.00", currency: str = "USD") -> cg.CustomsDeclaration:
    return cg.CustomsDeclaration(
        contents_type="merchandise", incoterm="DAP", non_delivery="return", signer="Li Lei",
        items=[cg.CustomsItem(description="Cotton T-shirt", hs_code="610910", origin_country="CN", quantity=2,
                              unit_value=cg.Money(value, currency), unit_weight=cg.Weight("0.4", "kg"))],
    )


def domestic_request(weight: str = "2.5") -> cg.RateRequest:
    return cg.RateRequest(origin=shanghai(), destination=beijing(),
                          parcels=[cg.Parcel(weight=cg.Weight(weight, "kg"),
                                             dimensions=cg.Dimensions(30, 20, 10, "cm"))])


def international_request() -> cg.RateRequest:
    return cg.RateRequest(origin=shanghai(), destination=los_angeles(),
                          parcels=[cg.Parcel(weight=cg.Weight("2.5", "kg"),
                                             dimensions=cg.Dimensions(30, 20, 10, "cm"))],
                          insurance=cg.Money("200.00", "USD"), customs=customs())


def future_window(hours: int = 24) -> cg.PickupWindow:
    # 09:00-13:00 UTC on the day ``hours`` from now: never across midnight, whatever the time of the run.
    day = (datetime.now(UTC) + timedelta(hours=hours)).date()
    start = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
    if start <= datetime.now(UTC):
        start += timedelta(days=1)
    return cg.PickupWindow(start=start, end=start + timedelta(hours=4))


#: The romanised fields of the Chinese-script Shanghai shipper below (as UPS, FedEx and DHL print them).
ROMANISED: dict[str, Any] = {"name": "Li Lei", "company": "Lei Trading", "street": ["88 Century Avenue"],
                             "district": "Pudong", "city": "Shanghai", "state": "Shanghai"}


def chinese_shanghai(latin: dict[str, Any] | None = ROMANISED, **change: Any) -> dict[str, Any]:
    """The golden Shanghai shipper written in Chinese, with its romanised fields (as given)."""
    return {"name": "李雷", "company": "雷氏贸易", "street": ["世纪大道88号"], "district": "浦东新区",
            "city": "上海市", "state": "上海", "postal_code": "200120", "country": "CN",
            "phone": "+86 21 5555 0000", "email": "li@example.cn", "latin": latin, **change}
