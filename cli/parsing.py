"""Turning command-line text into the domain's requests. Every problem is a ``ValidationError``
naming the field by the same dotted path the models use (``origin.postal_code``,
``parcels[0].weight.unit``, ``customs.items[1].hs_code``), raised before any carrier is asked.

Syntax:
  address   COUNTRY,POSTAL[,CITY[,STATE]][;key=value...]   e.g. "CN,200120,Shanghai,Shanghai;name=Li Lei"
            keys: name, company, street (repeat for more lines), district, phone, email, tax_id,
            residential (yes/no). Quoting fills name and street with placeholders when absent.
  weight    NUMBER UNIT                                    e.g. 2.5kg, 800g, 3lb, 12oz
  size      LxWxH UNIT                                     e.g. 30x20x10cm, 12x8x4in
  money     AMOUNT CURRENCY                                e.g. "300 USD", "99.50 CNY"
  item      DESCRIPTION,HS_CODE,QUANTITY,UNIT_VALUE        e.g. "Cotton T-shirt,610910,2,60.00 USD"
  data      key=value                                      carrier references for void / cancel-pickup
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import ROUND_DOWN, Decimal
from typing import Any

from carriergate.core.errors import FieldError, ValidationError
from carriergate.core.money import Money
from carriergate.core.results import Label, Pickup
from carriergate.core.shipment import PickupRequest, RateRequest, ShipRequest
from carriergate.core.units import Weight

PLACEHOLDER_STREET = "(street not given)"
PLACEHOLDER_CITY = "-"
_ADDRESS_KEYS = frozenset({"name", "company", "street", "district", "phone", "email", "tax_id", "residential",
                           "city", "state"})
_NUMBER_UNIT = re.compile(r"^\s*([-+]?[0-9]*\.?[0-9]+)\s*([A-Za-z]*)\s*$")
_SIZE = re.compile(r"^\s*([-+]?[0-9.]+)\s*[xX×]\s*([-+]?[0-9.]+)\s*[xX×]\s*([-+]?[0-9.]+)\s*([A-Za-z]*)\s*$")
_MONEY = re.compile(r"^\s*(\S*?)\s*([A-Za-z]{3})?\s*$")
_NUMBER = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
#: Separators of comma-separated lists: the ASCII comma and the full-width one (，) of CJK input.
_COMMAS = re.compile(r"[,，]")
_TRUE = {"yes", "true", "1", "y"}
_FALSE = {"no", "false", "0", "n"}


def bad(field: str, reason: str) -> ValidationError:
    return ValidationError(FieldError(field, reason))


def commas(text: str) -> str:
    """``text`` with full-width commas (，) as ASCII ones: every comma-separated list accepts both."""
    return _COMMAS.sub(",", text)


def names(text: str | None) -> list[str] | None:
    """A comma-separated list of names (``--carriers ups，fedex``); None (every account) when not
    given or empty; a list of separators only names no account: refused."""
    if text is None or not text.strip():
        return None
    found = [n.strip() for n in commas(text).split(",") if n.strip()]
    if not found:
        raise bad("carriers", "name at least one account, e.g. ups,fedex")
    return found


def address(spec: str, field: str, *, placeholder_name: str) -> dict[str, Any]:
    """``COUNTRY,POSTAL[,CITY[,STATE]][;key=value...]`` as the keyword arguments of ``Address``."""
    head, *pairs = spec.split(";")
    parts = [p.strip() for p in commas(head).split(",")]
    if len(parts) < 2 or len(parts) > 4:
        raise bad(field, f"expected COUNTRY,POSTAL[,CITY[,STATE]] (got {head.strip()!r})")
    country, postal, city, state = [*parts, "", ""][:4]
    data: dict[str, Any] = {"country": country, "postal_code": postal or None,
                            "city": city or PLACEHOLDER_CITY, "state": state or None}
    streets: list[str] = []
    for pair in pairs:
        if not pair.strip():
            continue
        key, sep, value = pair.partition("=")
        key = key.strip().lower()
        if not sep:
            raise bad(f"{field}.{key or '?'}", "expected key=value after ';'")
        if key not in _ADDRESS_KEYS:
            raise bad(f"{field}.{key}", f"unknown address key (use {', '.join(sorted(_ADDRESS_KEYS))})")
        if key == "street":
            streets.append(value.strip())
        elif key == "residential":
            flag = value.strip().lower()
            if flag not in _TRUE | _FALSE:
                raise bad(f"{field}.residential", f"expected yes or no, got {value.strip()!r}")
            data["residential"] = flag in _TRUE
        else:
            data[key] = value.strip()
    data["street"] = streets or [PLACEHOLDER_STREET]
    data.setdefault("name", placeholder_name)
    return data


def has_real_party(data: dict[str, Any], field: str, placeholder_name: str) -> None:
    """Shipping needs a real name and street, not the quoting placeholders."""
    if data.get("name") == placeholder_name:
        raise bad(f"{field}.name", "required to ship: add ;name=... to the address")
    if data["street"] == [PLACEHOLDER_STREET]:
        raise bad(f"{field}.street", "required to ship: add ;street=... to the address")


def weight(spec: str, field: str) -> dict[str, str]:
    match = _NUMBER_UNIT.match(spec)
    if match is None and not spec.isascii():  # 2.5公斤, ２.５ 千克: the library's own unit names
        parsed = Weight.parse(spec, field=field)
        return {"value": f"{parsed.value}", "unit": parsed.unit}
    if not match:
        raise bad(f"{field}.value", f"expected a number and a unit such as 2.5kg (got {spec!r})")
    value, unit = match.groups()
    if not unit:
        raise bad(f"{field}.unit", f"a unit is required: kg, g, lb or oz (got {spec!r})")
    return {"value": value, "unit": unit.lower()}


def size(spec: str, field: str) -> dict[str, str]:
    match = _SIZE.match(spec)
    if not match:
        raise bad(field, f"expected LxWxH and a unit such as 30x20x10cm (got {spec!r})")
    length, width, height, unit = match.groups()
    if not unit:
        raise bad(f"{field}.unit", f"a unit is required: cm, mm, m or in (got {spec!r})")
    return {"length": length, "width": width, "height": height, "unit": unit.lower()}


def money(spec: str, field: str) -> dict[str, str]:
    if not spec.isascii():  # ３００ 人民币, 300 美元: the library's own currency names
        parsed = Money.parse(spec, field=field)
        return {"amount": f"{parsed.amount}", "currency": parsed.currency}
    match = _MONEY.match(spec)
    if not match:
        raise bad(f"{field}.amount", f"expected an amount and a currency such as '300 USD' (got {spec!r})")
    amount, currency = match.groups()
    if not _NUMBER.match(amount):  # "abc": no amount, or an amount that is not a number
        raise bad(f"{field}.amount", f"{amount or spec.strip()!r} is not a number (expected an amount and a "
                                     "currency such as '300 USD')")
    if not currency:
        raise bad(f"{field}.currency", f"a currency is required, e.g. '{amount} USD'")
    return {"amount": amount, "currency": currency}


def parcels(weights: Sequence[str], sizes: Sequence[str]) -> list[dict[str, Any]]:
    if not weights:
        raise bad("parcels", "at least one --weight is required")
    if sizes and len(sizes) not in (1, len(weights)):
        raise bad("parcels", f"give one --size for all parcels or one per --weight ({len(weights)})")
    sizes = [s for spec in sizes for s in commas(spec).split(",") if s.strip()]  # --size A,B: one per parcel
    if sizes and len(sizes) not in (1, len(weights)):
        raise bad("parcels", f"give one --size for all parcels or one per --weight ({len(weights)})")
    out: list[dict[str, Any]] = []
    for i, spec in enumerate(weights):
        parcel: dict[str, Any] = {"weight": weight(spec, f"parcels[{i}].weight")}
        if sizes:
            parcel["dimensions"] = size(sizes[i if len(sizes) > 1 else 0], f"parcels[{i}].dimensions")
        out.append(parcel)
    return out


def _total_kg(parcel_list: list[dict[str, Any]]) -> Decimal | None:
    try:
        return sum((Weight(p["weight"]["value"], p["weight"]["unit"]).kg for p in parcel_list), Decimal(0))
    except ValidationError:
        return None  # the parcel's own error is reported first


def items(specs: Sequence[str], origin_country: str, parcel_list: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``DESCRIPTION,HS_CODE,QUANTITY,UNIT_VALUE``; origin is the origin country and the parcels'
    weight is split evenly over the units (rounded down to the gram so the items never outweigh it)."""
    rows: list[tuple[str, str, str, dict[str, str]]] = []
    for i, spec in enumerate(specs):
        parts = commas(spec).rsplit(",", 3)
        if len(parts) != 4:
            raise bad(f"customs.items[{i}]", f"expected DESCRIPTION,HS_CODE,QUANTITY,UNIT_VALUE (got {spec!r})")
        description, hs_code, quantity, value = (p.strip() for p in parts)
        rows.append((description, hs_code, quantity, money(value, f"customs.items[{i}].unit_value")))
    try:
        units = sum(int(q) for _, _, q, _ in rows)
    except ValueError:
        units = 0
    total = _total_kg(parcel_list)
    unit_kg = Decimal(1)
    if total is not None and units > 0:
        unit_kg = (total / units).quantize(Decimal("0.001"), rounding=ROUND_DOWN) or total / units
    return [{"description": d, "hs_code": h, "origin_country": origin_country, "quantity": q, "unit_value": v,
             "unit_weight": {"value": unit_kg, "unit": "kg"}} for d, h, q, v in rows]


def rate_request(*, origin: str, destination: str, weights: Sequence[str], sizes: Sequence[str],
                 item_specs: Sequence[str], documents: bool, insure: str | None, signer: str | None,
                 contents_type: str, incoterm: str, services: Sequence[str] = ()) -> dict[str, Any]:
    """The keyword arguments of a ``RateRequest`` (validated by building it)."""
    data: dict[str, Any] = {
        "origin": address(origin, "origin", placeholder_name="Shipper"),
        "destination": address(destination, "destination", placeholder_name="Recipient"),
    }
    data["parcels"] = parcels(weights, sizes)
    if insure is not None:
        data["insurance"] = money(insure, "insurance")
    if item_specs and documents:
        raise bad("customs", "give --item or --documents, not both")
    if item_specs or documents:
        data["customs"] = {
            "contents_type": "documents" if documents else contents_type, "incoterm": incoterm,
            "signer": signer or data["origin"]["name"],
            "items": items(item_specs, str(data["origin"]["country"]).strip().upper(), data["parcels"]),
        }
    if services:
        data["services"] = list(services)
    return data


def build_rate_request(**kwargs: Any) -> RateRequest:
    return RateRequest(**rate_request(**kwargs))


def build_ship_request(*, carrier: str, service: str, reference: str, label_format: str | None,
                       **kwargs: Any) -> ShipRequest:
    data = rate_request(**kwargs)
    has_real_party(data["origin"], "origin", "Shipper")
    has_real_party(data["destination"], "destination", "Recipient")
    if label_format is not None:  # unset: the carrier's usual format (ShipRequest / Carrier.prepare_ship)
        data["label_format"] = label_format.upper()
    return ShipRequest(**data, carrier=carrier, service=service, reference=reference)


def carrier_data(pairs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise bad("carrier_data", f"expected key=value (got {pair!r})")
        out[key.strip()] = value.strip()
    return out


def void_label(carrier: str, tracking_number: str, data: Sequence[str]) -> Label:
    if not tracking_number.strip():
        raise bad("tracking_number", "must not be empty")
    return Label(carrier=carrier, tracking_number=tracking_number.strip(), label=b"", label_format="PDF",
                 carrier_data=carrier_data(data))


def pickup_request(*, at: str, start: str, end: str, parcel_count: int, total_weight: str,
                   reference: str | None, instructions: str | None, tracking_numbers: Sequence[str],
                   destination_country: str | None) -> PickupRequest:
    place = address(at, "address", placeholder_name="Shipper")
    has_real_party(place, "address", "Shipper")
    optional = {"reference": reference} if reference is not None else {}  # else one is made for it
    return PickupRequest(address=place, window={"start": start, "end": end}, parcel_count=parcel_count,
                         total_weight=weight(total_weight, "total_weight"), instructions=instructions,
                         tracking_numbers=list(tracking_numbers), destination_country=destination_country,
                         **optional)


def pickup_to_cancel(carrier: str, confirmation_number: str, data: Sequence[str]) -> Pickup:
    if not confirmation_number.strip():
        raise bad("confirmation_number", "must not be empty")
    return Pickup(carrier=carrier, confirmation_number=confirmation_number.strip(),
                  carrier_data=carrier_data(data))
