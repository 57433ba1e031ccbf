"""Pricing a rate request against a rate card: zone matching, chargeable weight, the charges.

Arithmetic is exact ``Decimal`` throughout. Each charge line (base, each surcharge, insurance) is
computed exactly and rounded once, half-up, to the currency's minor unit (``Money.rounded``); the
total is the sum of the rounded lines, so the breakdown always adds up to the total.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from carriergate.carriers.table.card import Place, RateCard, Service, Zone, ZoneRate, normal_postal
from carriergate.core.address import Address
from carriergate.core.errors import CarrierError, FieldError, NotSupported, ValidationError
from carriergate.core.money import Money
from carriergate.core.quotes import Charge, Quote
from carriergate.core.shipment import Parcel, RateRequest

#: How specifically a rule matched: (3 postal prefix / 2 state / 1 country / 0 no rule, prefix length).
Level = tuple[int, int]


def match_place(place: Place, address: Address) -> Level | None:
    """How specifically ``place`` matches ``address``, or None when it does not."""
    if place.countries and address.country not in place.countries:
        return None
    if not place.states and not place.postal_prefixes:
        return (1, 0) if place.countries else (0, 0)
    postal = normal_postal(address.postal_code)
    longest = max((len(p) for p in place.postal_prefixes if postal.startswith(p)), default=0)
    if longest:
        return (3, longest)
    if address.state and address.state.strip().casefold() in place.states:
        return (2, 0)
    return None


def find_zone(card: RateCard, request: RateRequest) -> tuple[str, Zone] | None:
    """The most specific zone for the destination (then origin); the first written wins a tie."""
    best: tuple[str, Zone] | None = None
    best_key: tuple[int, int, int, int] | None = None
    for zone_id, zone in card.zones.items():
        dest = match_place(zone, request.destination)
        if dest is None:
            continue
        origin = (0, 0) if zone.origin is None else match_place(zone.origin, request.origin)
        if origin is None:
            continue
        key = (*dest, *origin)
        if best_key is None or key > best_key:
            best, best_key = (zone_id, zone), key
    return best


def _ceil_steps(weight: Decimal, step: Decimal) -> Decimal:
    return (weight / step).to_integral_value(rounding=ROUND_CEILING)


def chargeable_weight(card: RateCard, service: Service, parcel: Parcel) -> Decimal:
    """max(actual, dimensional) in the card's weight unit, rounded up to the service's step."""
    weight = parcel.weight.to(card.weight_unit).value
    divisor = service.dim_divisor or card.dim_divisor
    if divisor is not None and parcel.dimensions is not None:
        weight = max(weight, parcel.dimensions.volume(card.length_unit) / divisor)
    step = service.weight_step or card.weight_step
    return _ceil_steps(weight, step) * step


def zone_price(rate: ZoneRate, weight: Decimal) -> Decimal | None:
    """The price of one parcel of chargeable ``weight``; None when the rate does not reach so far."""
    if rate.first_weight is not None and rate.first_price is not None:
        price, covered = rate.first_price, rate.first_weight
    else:
        for bracket in rate.brackets:
            if weight <= bracket.max_weight:
                return bracket.price
        price, covered = rate.brackets[-1].price, rate.brackets[-1].max_weight
    if weight <= covered:
        return price
    if rate.additional_weight is None or rate.additional_price is None:
        return None
    return price + _ceil_steps(weight - covered, rate.additional_weight) * rate.additional_price


def insured_value(card: RateCard, insurance: Money, carrier: str) -> Decimal:
    """The declared value in the card's currency (converted at the card's own exchange rate)."""
    if card.insurance is None:
        raise NotSupported("this rate card offers no insurance", carrier=carrier, code="insurance_not_offered")
    if insurance.currency == card.currency:
        return insurance.amount
    rate = card.insurance.exchange_rates.get(insurance.currency)
    if rate is None:
        raise ValidationError(FieldError("insurance.currency", f"the rate card prices in {card.currency} and has "
                                         f"no exchange rate for {insurance.currency}"), carrier=carrier)
    return insurance.amount * rate


def _money(amount: Decimal, currency: str) -> Money:
    return Money(amount, currency).rounded()


def quote_service(card: RateCard, code: str, service: Service, zone_id: str, request: RateRequest,
                  carrier: str, insured: Decimal | None) -> Quote | None:
    rate = service.zones.get(zone_id)
    if rate is None:
        return None
    if service.max_weight is not None and any(p.weight.to(card.weight_unit).value > service.max_weight
                                              for p in request.parcels):
        return None
    weights = [chargeable_weight(card, service, p) for p in request.parcels]
    prices = [zone_price(rate, w) for w in weights]
    if any(p is None for p in prices):
        return None
    base = sum((p for p in prices if p is not None), Decimal(0))
    base_name = "Base charge"
    minimum = service.minimum_charge if service.minimum_charge is not None else card.minimum_charge
    if minimum is not None and base < minimum:
        base, base_name = minimum, "Base charge (minimum charge)"
    cur = card.currency
    charges = [Charge(kind="base", name=base_name, amount=_money(base, cur), code="base")]
    for surcharge_code, surcharge in card.surcharges.items():
        if surcharge.services is not None and code not in surcharge.services:
            continue
        if match_place(surcharge, request.destination) is None:
            continue
        if surcharge.percent is not None:
            amount = base * surcharge.percent / 100
        else:
            factor = {"shipment": Decimal(1), "parcel": Decimal(len(weights))}.get(surcharge.per, sum(weights))
            amount = (surcharge.amount or Decimal(0)) * factor  # amount is set: see Surcharge
        charges.append(Charge(kind="surcharge", name=surcharge.name, amount=_money(amount, cur),
                              code=surcharge_code))
    if insured is not None and card.insurance is not None:
        premium = max(insured * card.insurance.percent / 100, card.insurance.minimum)
        charges.append(Charge(kind="insurance", name="Insurance", amount=_money(premium, cur), code="insurance"))
    total = Money(sum((c.amount.amount for c in charges), Decimal(0)), cur)
    days = rate.transit_days or service.transit_days
    return Quote(carrier=carrier, service_code=code, service_name=service.name, total=total, charges=charges,
                 transit_days=days[1] if days else None, transit_days_min=days[0] if days else None,
                 source="table", billed_weight=f"{sum(weights, Decimal(0)).normalize():f} {card.weight_unit}")


def quote(card: RateCard, request: RateRequest, *, carrier: str) -> list[Quote]:
    """Every service of the card that prices this shipment (narrowed by ``request.services``).

    Raises ``CarrierError`` code ``no_zone`` when no zone covers the destination."""
    insured = None if request.insurance is None else insured_value(card, request.insurance, carrier)
    found = find_zone(card, request)
    if found is None:
        dest = request.destination
        where = ", ".join(x for x in (dest.country, dest.state, dest.postal_code) if x)
        raise CarrierError(f"no zone of the rate card covers the destination ({where})", carrier=carrier,
                           code="no_zone")
    zone_id, _zone = found
    wanted = None if request.services is None else set(request.services)
    quotes = []
    for code, service in card.services.items():
        if wanted is not None and code not in wanted:
            continue
        got = quote_service(card, code, service, zone_id, request, carrier, insured)
        if got is not None:
            quotes.append(got)
    return quotes
