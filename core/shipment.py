"""What users ask for: parcels, rate requests, shipments, pickups. Strict and validated up front."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Literal

from pydantic import Field, field_validator, model_validator

from carriergate.core.address import Address
from carriergate.core.billing import Payer, ShipmentReference
from carriergate.core.customs import CustomsDeclaration
from carriergate.core.money import Money
from carriergate.core.units import Dimensions, Weight
from carriergate.core.validation import FieldProblem, StrictModel

LabelFormat = Literal["PDF", "PNG", "GIF", "ZPL", "EPL"]
SignatureOption = Literal["none", "signature", "adult_signature"]


class Parcel(StrictModel):
    weight: Weight
    dimensions: Dimensions | None = None
    reference: str | None = Field(default=None, max_length=50)


class RateRequest(StrictModel):
    """A request for prices. ``services`` narrows the quotes to those carrier service codes."""

    origin: Address
    destination: Address
    parcels: list[Parcel] = Field(min_length=1, max_length=50)
    insurance: Money | None = None
    customs: CustomsDeclaration | None = None
    ship_date: date | None = None
    services: list[str] | None = None

    @property
    def international(self) -> bool:
        return self.origin.country != self.destination.country

    @property
    def total_weight(self) -> Weight:
        weight = self.parcels[0].weight.to("kg")
        for parcel in self.parcels[1:]:
            weight = weight + parcel.weight
        return weight

    @field_validator("insurance")
    @classmethod
    def _insurance(cls, value: Money | None) -> Money | None:
        if value is not None and value.amount <= 0:
            raise ValueError("declared value to insure must be greater than zero")
        if value is not None and value.rounded().amount != value.amount:
            raise FieldProblem("amount", f"more decimal places than {value.currency} has")
        return value

    @model_validator(mode="after")
    def _customs(self) -> RateRequest:
        customs = self.customs
        if self.international and customs is None:
            raise FieldProblem("customs", "required for an international shipment "
                               f"({self.origin.country} to {self.destination.country})")
        if customs is None or not customs.items:
            return self
        if customs.total_weight_kg > self.total_weight.kg:
            raise FieldProblem("customs.items", f"items weigh {customs.total_weight_kg.normalize():f} kg, "
                               f"more than the parcels' {self.total_weight.kg.normalize():f} kg")
        declared = customs.total_value
        if self.insurance is not None and declared is not None:
            if self.insurance.currency != declared.currency:
                raise FieldProblem("insurance.currency", f"must match the customs items' currency "
                                   f"({declared.currency})")
            if self.insurance > declared:
                raise FieldProblem("insurance.amount", f"insured value {self.insurance} exceeds the "
                                   f"declared customs value {declared}")
        return self


class TradeDocument(StrictModel):
    """A customs document to upload (paperless trade), e.g. the commercial invoice as PDF."""

    kind: Literal["commercial_invoice", "proforma_invoice", "certificate_of_origin", "other"]
    filename: str = Field(min_length=1, max_length=100)
    content: bytes = Field(min_length=1)
    format: Literal["PDF", "PNG", "JPG", "TXT"] = "PDF"


class PickupWindow(StrictModel):
    """When the courier may come: timezone-aware, in the future, start before end."""

    start: datetime
    end: datetime

    @model_validator(mode="after")
    def _window(self) -> PickupWindow:
        for name in ("start", "end"):
            moment: datetime = getattr(self, name)
            if moment.tzinfo is None or moment.utcoffset() is None:
                raise FieldProblem(name, "must be timezone-aware")
        if self.end <= self.start:
            raise FieldProblem("end", "must be after start")
        if self.end <= datetime.now(UTC):
            raise FieldProblem("end", "pickup window must be in the future")
        return self


class ShipRequest(RateRequest):
    """Buy a label. ``reference`` is our own order reference: it reconciles ambiguous failures."""

    carrier: str = Field(min_length=1)
    service: str = Field(min_length=1)
    reference: str = Field(min_length=1, max_length=64)
    label_format: LabelFormat = "PDF"  # left unset: the carrier's usual format where it makes no PDF (UPS: GIF)
    signature: SignatureOption = "none"
    pickup: PickupWindow | None = None
    documents: list[TradeDocument] = Field(default_factory=list)
    description: str | None = Field(default=None, max_length=100)
    #: A return label: ``origin`` is where the parcel is now (the customer), ``destination`` where it
    #: goes back to (the shop). The shop's account pays unless ``billing`` says otherwise.
    return_shipment: bool = False
    #: References for the label and the carrier's records, besides our own ``reference``: at most one
    #: of each kind.
    references: list[ShipmentReference] = Field(default_factory=list, max_length=5)
    #: Who pays for transport (None: the configured account).
    billing: Payer | None = None

    @field_validator("references")
    @classmethod
    def _one_of_each_kind(cls, value: list[ShipmentReference]) -> list[ShipmentReference]:
        seen: set[str] = set()
        for i, ref in enumerate(value):
            if ref.kind in seen:
                raise FieldProblem(f"[{i}].kind", f"a second {ref.kind!r} reference")
            seen.add(ref.kind)
        return value

    @field_validator("billing")
    @classmethod
    def _billable(cls, value: Payer | None) -> Payer | None:
        if value is not None and value.party == "recipient" and value.account_number is None:
            raise FieldProblem("account_number", "billing the recipient for transport needs its carrier account")
        return value

    @property
    def reference_of(self) -> dict[str, str]:
        """The extra references by kind."""
        return {ref.kind: ref.value for ref in self.references}


class PickupRequest(StrictModel):
    """Book a courier to collect parcels from ``address`` within ``window``."""

    address: Address
    window: PickupWindow
    parcel_count: int = Field(gt=0, le=999)
    total_weight: Weight
    # Ours, to reconcile an ambiguous failure (OutcomeUnknown carries it): one is made when none is given.
    reference: str = Field(default_factory=lambda: f"pickup-{uuid.uuid4().hex[:16]}", min_length=1, max_length=64)
    instructions: str | None = Field(default=None, max_length=200)
    tracking_numbers: list[str] = Field(default_factory=list)
    destination_country: str | None = None
