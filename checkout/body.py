"""The body of ``POST /v1/quotes``: a rate request plus the checkout's context, and its JSON Schema.

The schema served at ``GET /v1/schema`` is generated from :class:`QuoteBody` itself, so it cannot
drift from what the endpoint accepts. Quoting needs no name or street (a shop quotes before the
customer has typed them, and no carrier prices by them): absent, they are filled with placeholders,
as the command line does; a label still needs real ones.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import Field

from carriergate.core.address import Address
from carriergate.core.money import Money
from carriergate.core.shipment import RateRequest

MISSING_NAME = "(name not given)"
MISSING_STREET = "(street not given)"


class QuoteAddress(Address):
    """An address to quote to or from: ``name`` and ``street`` may be left out."""

    name: str = Field(default=MISSING_NAME, min_length=1, max_length=100)
    street: list[str] = Field(default_factory=lambda: [MISSING_STREET], min_length=1, max_length=3)


class QuoteBody(RateRequest):
    """``POST /v1/quotes``: a RateRequest (addresses without name or street allowed) plus the
    checkout's context: the order total (free shipping), the customer's member tier, the output
    currency and the accounts to ask (default: all)."""

    origin: QuoteAddress
    destination: QuoteAddress
    order_total: Money | None = None
    member_tier: str | None = Field(default=None, min_length=1, max_length=50)
    currency: str | None = Field(default=None, min_length=3, max_length=3)
    carriers: list[str] | None = None

    def rate_request(self) -> RateRequest:
        return RateRequest(**{name: getattr(self, name) for name in RateRequest.model_fields})


@cache
def quote_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the ``/v1/quotes`` body, as the endpoint validates it."""
    schema = QuoteBody.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "/v1/schema", **schema}


__all__ = ["MISSING_NAME", "MISSING_STREET", "QuoteAddress", "QuoteBody", "quote_schema"]
