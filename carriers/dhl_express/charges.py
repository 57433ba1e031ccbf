"""Money in DHL Express messages: the insurance special service a request asks for, and the
amounts and charge lines a rate or shipment reply reports (DHL's ``ChargeType`` names kept)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from carriergate.carriers.dhl_express.measures import amount
from carriergate.core.errors import MalformedResponse
from carriergate.core.money import Money
from carriergate.core.notices import Notice
from carriergate.core.quotes import Charge, ChargeKind
from carriergate.core.shipment import RateRequest

#: Special service code of shipment insurance.
INSURANCE = "II"


def insurance_service(request: RateRequest) -> dict[str, Any] | None:
    """The ``SpecialServices/Service`` that insures the shipment for its declared value, if asked."""
    if request.insurance is None:
        return None
    return {"ServiceType": INSURANCE, "ServiceValue": amount(request.insurance),
            "CurrencyCode": request.insurance.currency}


def decimal(value: str | None, what: str) -> Decimal:
    """A reply's amount as a finite Decimal; anything else is a MalformedResponse naming ``what``."""
    try:
        number = Decimal((value or "").strip())
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():  # "NaN" and "Infinity" parse, then break every comparison
        raise MalformedResponse(f"DHL Express {what} is not a number: {value!r}")
    return number


def charge_kind(name: str, code: str | None, index: int, value: Decimal) -> ChargeKind:
    upper = name.upper()
    if code == INSURANCE or "INSURANCE" in upper or "VALUE PROTECTION" in upper:
        return "insurance"
    if "FUEL" in upper:
        return "fuel"
    if any(word in upper.split() for word in ("TAX", "VAT", "GST")):
        return "tax"
    if "DUTY" in upper or "DUTIES" in upper:
        return "duty"
    if "DISCOUNT" in upper or value < 0:
        return "discount"
    return "base" if index == 0 else "surcharge"


def charges(parts: list[tuple[str | None, str | None, str | None]],
            currency: str) -> tuple[list[Charge], list[Notice]]:
    """``(code, name, amount)`` triples as charge lines (the first is the product's own freight
    charge), and a notice for each line DHL listed without an amount.

    DHL lists optional services it prices only on request (``SATURDAY PICKUP``) with an empty or
    absent ``ChargeAmount``: such a line is no charge, so it is skipped and said so, never allowed to
    sink the reply. An amount that is present but not a number is still a MalformedResponse."""
    out: list[Charge] = []
    skipped: list[Notice] = []
    for code, name, raw in parts:
        label = (name or code or "charge").strip()
        if not (raw or "").strip():
            skipped.append(Notice(message=f"DHL Express listed {label!r} without an amount (priced on request): "
                                          "not included in the charges", code=code or None))
            continue
        value = decimal(raw, f"charge {label!r}")
        out.append(Charge(kind=charge_kind(label, code, len(out), value), name=label, code=code,
                          amount=Money(value, currency)))
    return out, skipped
