"""What a UPS shipment costs: the billed total and its parts, shared by Rating and Shipping.

The total is what the account is billed: negotiated over published, with taxes where UPS reports
them. The parts come from the published breakdown (base service charge, itemized surcharges,
service options such as declared value, taxes); when the billed total differs from their sum (a
negotiated discount, say), one balancing line says so. The parts always add up to the total.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal

from carriergate.carriers.ups.services import FUEL_CODES, surcharge_name
from carriergate.carriers.ups.shapes import money
from carriergate.core.money import Money
from carriergate.core.quotes import Charge
from carriergate.protocols.json_reading import JSON, decimal, obj, records, text


def billed_total(published: JSON, negotiated: JSON) -> tuple[Money | None, bool, bool]:
    """(total, negotiated?, includes taxes?) from the first readable of: negotiated with taxes,
    negotiated, published with taxes, published."""
    for node, key, is_negotiated, taxed in (
        (negotiated, "TotalChargesWithTaxes", True, True),
        (negotiated, "TotalCharge", True, False),
        (published, "TotalChargesWithTaxes", False, True),
        (published, "TotalCharges", False, False),
    ):
        amount = money(node.get(key))
        if amount is not None:
            return amount, is_negotiated, taxed
    return None, False, False


def _itemized(shipment_level: Iterable[JSON], package_levels: Iterable[Iterable[JSON]],
              currency: str) -> list[Charge]:
    """Itemized surcharges: the shipment's list when UPS gives one, else the packages' summed by code."""
    items = list(shipment_level)
    if not items:
        items = [item for package in package_levels for item in package]
    merged: dict[str, Charge] = {}
    for item in items:
        amount = money(item, currency)
        if amount is None or amount.amount == 0:
            continue
        code = text(item.get("Code"))
        key = code or f"#{len(merged)}"
        if key in merged:
            previous = merged[key]
            merged[key] = previous.model_copy(update={"amount": previous.amount + amount})
        else:
            merged[key] = Charge(kind="fuel" if code in FUEL_CODES else "surcharge", code=code, amount=amount,
                                 name=surcharge_name(code, text(item.get("Description"))))
    return list(merged.values())


def breakdown(published: JSON, negotiated: JSON, package_itemized: Iterable[Iterable[JSON]], *,
              total: Money, is_negotiated: bool, taxed: bool, insured: bool) -> list[Charge]:
    currency = total.currency
    charges: list[Charge] = []
    base_service = money(published.get("BaseServiceCharge"), currency)
    base = base_service if base_service is not None else money(published.get("TransportationCharges"), currency)
    if base is not None:
        charges.append(Charge(kind="base", name="Transportation", amount=base))
    if base_service is not None:  # itemized surcharges are only separate from a base service charge
        charges.extend(_itemized(records(published.get("ItemizedCharges")), package_itemized, currency))
    options = money(published.get("ServiceOptionsCharges"), currency)
    if options is not None and options.amount != 0:
        charges.append(Charge(kind="insurance", name="Declared value", amount=options) if insured
                       else Charge(kind="surcharge", name="Service options", amount=options))
    if taxed:
        source = negotiated if is_negotiated and negotiated.get("TaxCharges") else published
        for tax in records(source.get("TaxCharges")):
            value = decimal(tax.get("MonetaryValue"))
            if value:
                code = text(tax.get("Type"))
                charges.append(Charge(kind="tax", name=f"Tax {code}" if code else "Tax", code=code,
                                      amount=Money(value, currency)))
    spent = sum((c.amount.amount for c in charges if c.amount.currency == currency), Decimal(0))
    rest = total.amount - spent
    if rest != 0:
        if rest < 0:
            charges.append(Charge(kind="discount", name="Negotiated discount" if is_negotiated else "Discount",
                                  amount=Money(rest, currency)))
        else:
            charges.append(Charge(kind="surcharge", name="Other charges", amount=Money(rest, currency)))
    return charges


def package_itemized(packages: Iterable[JSON]) -> Iterator[list[JSON]]:
    """Each package's itemized charges, read only if ``breakdown`` needs them (no shipment-level list)."""
    return (records(obj(p).get("ItemizedCharges")) for p in packages)
