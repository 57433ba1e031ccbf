"""4PX's tax registrations: the shipment's own (CustomsDeclaration) before the account's, EU/UK only."""

from __future__ import annotations

import carriergate as cg
from carriergate.carriers.fourpx import FourPX
from carriergate.carriers.fourpx.account import FourPXAccount
from carriergate.carriers.fourpx.customs import registrations

from support.shipments import customs


def test_4px_sends_the_shipments_own_numbers_before_the_accounts() -> None:
    account = FourPXAccount(app_key="k", app_secret="s", ioss_number="IM9999999999", vat_number="DE999999999")
    assert FourPX.customs_ids == {"ioss_number", "vat_number", "eori_number"}
    own: cg.CustomsDeclaration = customs().model_copy(update={"ioss_number": "IM1234567890",
                                                              "eori_number": "DE1234567890"})
    assert registrations(account, "DE", own) == {"vat_no": "DE999999999", "eori_no": "DE1234567890",
                                                 "ioss_no": "IM1234567890"}
    assert registrations(account, "US", own) == {}  # EU (and UK VAT) registrations only
