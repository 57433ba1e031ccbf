"""4PX (递四方) open-platform account: the application's app_key and app_secret, and the defaults
4PX asks for on every order that our ShipRequest has no field for.

``ioss_number``, ``vat_number`` and ``eori_number`` are the seller's own tax registrations (one set
per shop, sent on every order to a destination that uses them): carriergate's CustomsDeclaration has
no IOSS, VAT or EORI fields, so they live here (see :mod:`.customs`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from carriergate.core.contract import Account

#: The 4PX open platform by environment (4PX's API pages: test ``open-test.4px.com``, production
#: ``open.4px.com``). Every API is a POST to ``{host}/router/api/service``, told apart by ``method``.
#: 4PX's integration notes say tracking and the price estimate answer in production only.
HOSTS = {
    "sandbox": "https://open-test.4px.com",
    "production": "https://open.4px.com",
}


class FourPXAccount(Account):
    """One application on the 4PX open platform (开放平台).

    ``app_secret`` signs every call. ``access_token`` is only for software providers acting for a
    merchant through 4PX's OAuth (a 4PX merchant's own app, "category B", sends none). ``language``
    is the language of 4PX's messages (``en`` or ``cn``).
    """

    app_key: str = Field(min_length=1, max_length=64)
    app_secret: SecretStr
    access_token: SecretStr | None = None
    language: Literal["en", "cn"] = "en"
    #: Seller registrations for EU / UK customs (IOSS: EU imports; VAT: EU and UK; EORI: EU).
    ioss_number: str | None = Field(default=None, max_length=32)
    vat_number: str | None = Field(default=None, max_length=32)
    eori_number: str | None = Field(default=None, max_length=32)
    #: ``business_type`` of a direct-shipment order; 4PX: "default BDS".
    business_type: str = "BDS"
    #: How the parcels reach 4PX (``deliver_type``: 1 collected, 2 by courier, 3 dropped at a 4PX
    #: warehouse, 5 dropped at a store).
    deliver_type: Literal["1", "2", "3", "5"] = "1"
    #: 4PX's own insurance product for an insured order (``insure_type``: 5Y/8Y a flat 5 or 8 CNY a
    #: parcel, 6P 0.6 % of the value). Unconfirmed which one a contract allows: configurable.
    insurance_type: str = "6P"
    #: Size of the label ds.xms.label.get returns (4PX's notes: ``label_100x150`` for 10x15 cm).
    label_size: str = "label_100x150"
