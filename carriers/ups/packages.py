"""The ``Package`` entries of rating and shipping requests: one per parcel, weights in UPS units,
the declared value (insurance) split across packages."""

from __future__ import annotations

from carriergate.carriers.ups.measures import (
    MAX_PACKAGE_KG,
    UnitSystem,
    amount_text,
    dimensions_json,
    split,
    weight_text,
)
from carriergate.carriers.ups.parties import invalid
from carriergate.core.money import Money
from carriergate.core.shipment import RateRequest
from carriergate.protocols.json_reading import JSON

CUSTOMER_PACKAGING = "02"


def declared_values(request: RateRequest) -> list[Money | None]:
    if request.insurance is None:
        return [None] * len(request.parcels)
    return list(split(request.insurance, len(request.parcels)))


def packages(request: RateRequest, units: UnitSystem, *, shipping: bool,
             extra_options: JSON | None = None, extra: JSON | None = None) -> list[JSON]:
    """Rating names the packaging ``PackagingType``, Shipping ``Packaging``; ``extra_options`` go into
    every package's PackageServiceOptions, ``extra`` into every package."""
    result: list[JSON] = []
    for i, (parcel, declared) in enumerate(zip(request.parcels, declared_values(request), strict=True)):
        if parcel.weight.kg > MAX_PACKAGE_KG:
            raise invalid(f"parcels[{i}].weight", "UPS takes at most 70 kg (150 lb) per package")
        package: JSON = {("Packaging" if shipping else "PackagingType"): {"Code": CUSTOMER_PACKAGING,
                                                                          "Description": "Package"}}
        if parcel.dimensions is not None:
            package["Dimensions"] = dimensions_json(parcel.dimensions, units)
        package["PackageWeight"] = {"UnitOfMeasurement": {"Code": units.weight_code, "Description": units.weight_name},
                                    "Weight": weight_text(parcel.weight, units)}
        options: JSON = {}
        if declared is not None:
            value: JSON = {"CurrencyCode": declared.currency, "MonetaryValue": amount_text(declared)}
            options["DeclaredValue"] = value
        options.update(extra_options or {})
        if options:
            package["PackageServiceOptions"] = options
        package.update(extra or {})
        result.append(package)
    return result
