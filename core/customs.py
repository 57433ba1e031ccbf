"""Customs declarations for international shipments."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator, model_validator

from carriergate.core.address import country_code
from carriergate.core.billing import Payer
from carriergate.core.latin import check_latin
from carriergate.core.money import Money, total
from carriergate.core.units import Weight
from carriergate.core.validation import FieldProblem, StrictModel

ContentsType = Literal["merchandise", "documents", "gift", "sample", "return", "other"]
Incoterm = Literal["DAP", "DDP", "DDU", "EXW", "FCA", "CPT", "CIP", "DPU", "FOB", "CFR", "CIF"]
NonDelivery = Literal["return", "abandon"]

_HS_CODE = re.compile(r"^[0-9]{6,10}$")


class CustomsItem(StrictModel):
    """One line of the commercial invoice. ``description_latin`` is the description in Latin script
    for carriers whose customs papers take nothing else (UPS, FedEx, DHL Express)."""

    description: str = Field(min_length=1, max_length=200)
    description_latin: str | None = Field(default=None, min_length=1, max_length=200)
    hs_code: str
    origin_country: str
    quantity: int = Field(gt=0)
    unit_value: Money
    unit_weight: Weight
    sku: str | None = None

    _origin = field_validator("origin_country", mode="before")(lambda v: country_code(v))
    _latin = field_validator("description_latin")(lambda v: None if v is None else check_latin(v))

    @field_validator("hs_code", mode="before")
    @classmethod
    def _hs(cls, value: object) -> str:
        code = str(value).replace(".", "").replace(" ", "")
        if not _HS_CODE.match(code):
            raise ValueError(f"{value!r} is not an HS code (6 to 10 digits)")
        return code

    @field_validator("unit_value")
    @classmethod
    def _value(cls, value: Money) -> Money:
        if value.amount < 0:
            raise ValueError("must not be negative")
        return value

    @property
    def total_value(self) -> Money:
        return self.unit_value * self.quantity

    @property
    def total_weight(self) -> Weight:
        return Weight(self.unit_weight.value * self.quantity, self.unit_weight.unit)


class CustomsDeclaration(StrictModel):
    """What the parcel holds, on what terms, who signs; items in one currency."""

    contents_type: ContentsType
    incoterm: Incoterm = "DAP"
    non_delivery: NonDelivery = "return"
    signer: str = Field(min_length=1, max_length=100)
    items: list[CustomsItem] = Field(default_factory=list)
    invoice_number: str | None = None
    exporter_tax_id: str | None = None
    importer_tax_id: str | None = None
    #: The seller's EU Import One-Stop Shop number (``IM`` + 10 digits): EU VAT collected at sale on
    #: goods up to EUR 150, so the parcel clears without the recipient paying import VAT.
    ioss_number: str | None = Field(default=None, pattern=r"^IM\d{10}$")
    #: The seller's VAT registration in the destination (an EU state, the UK, Norway...).
    vat_number: str | None = Field(default=None, pattern=r"^[A-Z]{2}[A-Z0-9]{2,18}$")
    #: The exporter's EORI number (EU/UK customs identity: country code and up to 15 characters).
    eori_number: str | None = Field(default=None, pattern=r"^[A-Z]{2}[A-Z0-9]{1,15}$")
    #: Who pays duties and taxes, independent of the incoterm (None: as the incoterm says).
    duty_payer: Payer | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CustomsDeclaration:
        if not self.items and self.contents_type != "documents":
            raise FieldProblem("items", "at least one item is required unless contents_type is 'documents'")
        if self.items:
            currency = self.items[0].unit_value.currency
            for i, item in enumerate(self.items):
                if item.unit_value.currency != currency:
                    raise FieldProblem(f"items[{i}].unit_value.currency",
                                       f"all items must share one currency ({currency})")
        return self

    @property
    def duties_paid_by(self) -> Payer:
        """Who pays duties and taxes: ``duty_payer`` if set, else the sender for DDP and the recipient
        (with no account: billed on delivery) for any other incoterm."""
        if self.duty_payer is not None:
            return self.duty_payer
        if self.incoterm == "DDP":
            return Payer(party="sender")
        return Payer(party="recipient")

    @property
    def currency(self) -> str | None:
        return self.items[0].unit_value.currency if self.items else None

    @property
    def total_value(self) -> Money | None:
        if not self.items:
            return None
        return total([i.total_value for i in self.items], self.items[0].unit_value.currency)

    @property
    def total_weight_kg(self) -> Decimal:
        return sum((i.total_weight.kg for i in self.items), Decimal(0))
