"""Reference numbers on a UPS shipment: ours first (it finds the shipment again), then the
request's references with UPS's reference number codes (Shipping appendix "Reference Number
Codes"). US and Puerto Rico domestic shipments carry them on each package (up to five), every other
shipment at shipment level, where UPS takes two."""

from __future__ import annotations

from carriergate.carriers.ups.parties import fit, invalid
from carriergate.core.shipment import ShipRequest
from carriergate.protocols.json_reading import JSON

#: Our reference kinds as UPS reference number codes.
CODES = {"order": "ON", "purchase_order": "PO", "rma": "RZ", "department": "DP", "invoice": "IK",
         "customer": "AJ"}  # fmt: skip
SHIPMENT_LEVEL_LIMIT, PACKAGE_LEVEL_LIMIT = 2, 5


def reference_numbers(request: ShipRequest, *, package_level: bool) -> list[JSON]:
    numbers: list[JSON] = [{"Value": fit(request.reference, 35, "reference")}]
    numbers += [{"Code": CODES[ref.kind], "Value": fit(ref.value, 35, f"references[{i}].value")}
                for i, ref in enumerate(request.references)]
    limit = PACKAGE_LEVEL_LIMIT if package_level else SHIPMENT_LEVEL_LIMIT
    if len(numbers) > limit:
        where = "each package" if package_level else "a shipment outside US and Puerto Rico domestic lanes"
        raise invalid("references", f"UPS takes {limit} reference numbers on {where}, ours included")
    return numbers
