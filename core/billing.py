"""Who pays: the transport charges of a shipment and, for an international one, its duties and taxes.

Left unset, the shipper's own account pays for transport, and duties follow the customs incoterm
(DDP: the shipper; otherwise the recipient). Set them to bill a recipient's or a third party's
carrier account instead.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from carriergate.core.address import country_code
from carriergate.core.validation import FieldProblem, StrictModel

PayerKind = Literal["sender", "recipient", "third_party"]


class Payer(StrictModel):
    """A party that pays, by the carrier account it is billed to. A third party needs its account
    number and country. A recipient may pay duties on delivery with no account, but billing the
    recipient for transport needs its account (checked on ``ShipRequest.billing``)."""

    party: PayerKind
    account_number: str | None = Field(default=None, min_length=1, max_length=30, pattern=r"^[A-Za-z0-9-]+$")
    country: str | None = None
    postal_code: str | None = Field(default=None, min_length=1, max_length=12)

    _country = field_validator("country", mode="before")(lambda v: None if v is None else country_code(v))

    @model_validator(mode="after")
    def _complete(self) -> Payer:
        if self.party == "third_party":
            if self.account_number is None:
                raise FieldProblem("account_number", "a third party is billed to its carrier account number")
            if self.country is None:
                raise FieldProblem("country", "a third party's account needs its country")
        if self.party == "sender" and self.account_number is not None:
            raise FieldProblem("account_number", "the sender pays with the configured account; leave it unset")
        return self


ReferenceKind = Literal["order", "purchase_order", "rma", "department", "invoice", "customer"]


class ShipmentReference(StrictModel):
    """A reference printed on the label and sent to the carrier (an order number, a PO, an RMA)."""

    kind: ReferenceKind
    value: str = Field(min_length=1, max_length=35)
