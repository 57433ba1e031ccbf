"""DHL Express replies as tolerant models, read from the plain data that the SOAP layer returns.

Every field is optional: what DHL leaves out is None (or an empty list), never a KeyError. The
models hold DHL's strings as they came; converting them (amounts, dates) is the parsers' job, so
an unreadable value becomes a MalformedResponse that names it.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import pydantic
from pydantic import AliasPath, BeforeValidator, Field, model_validator

from carriergate.core.errors import MalformedResponse
from carriergate.core.validation import CarrierModel

M = TypeVar("M", bound="Reply")


class Reply(CarrierModel):
    """Base: drops the None values zeep reports for absent elements, so defaults apply."""

    @model_validator(mode="before")
    @classmethod
    def _absent(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v is not None}
        return data


def _none_is_empty(value: Any) -> Any:
    return [] if value is None else value


T = TypeVar("T")
#: A list read from inside a wrapping element (an AliasPath); absent or empty (None) is [].
Listed = Annotated[list[T], BeforeValidator(_none_is_empty)]


def text(*path: str) -> Any:
    """An optional text field: the element ``path[0]`` of the model's own, or below it along ``path``
    (``text("ServiceEvent", "EventCode")``); None when DHL leaves any step out."""
    if len(path) == 1:
        return Field(default=None, alias=path[0])
    return Field(default=None, validation_alias=AliasPath(*path))


def inside(*path: str) -> Any:
    """A list field read at ``path`` below the model's own element: DHL wraps some lists in an
    element of their own (``<ShipmentEvent>`` holds the ``<ArrayOfShipmentEventItem>`` elements)."""
    return Field(default_factory=list, validation_alias=AliasPath(*path))


def read(model: type[M], data: Any, *, what: str) -> M:
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        loc = ".".join(str(p) for p in exc.errors(include_url=False)[0]["loc"])
        raise MalformedResponse(f"DHL Express {what} has an unexpected shape at {loc or '(root)'}") from None


class Note(Reply):
    """A ``Notification`` or ``Warning``: code ``0`` means success."""

    code: str | None = None
    message: str | None = text("Message")


class Noted(Reply):
    """A rate book reply: its ``Notification`` elements say whether DHL did what was asked; its
    ``Warning`` elements (rate and shipment replies) are DHL's remarks beside a success."""

    notes: list[Note] = Field(default_factory=list, alias="Notification")
    warnings: list[Note] = Field(default_factory=list, alias="Warning")


# -- getRateRequest and createShipmentRequest -----------------------------------------------------
class Price(Reply):
    currency: str | None = text("Currency")
    amount: str | None = text("Amount")
    type: str | None = None


class PricePart(Reply):
    code: str | None = text("ChargeCode")
    name: str | None = text("ChargeType")
    amount: str | None = text("ChargeAmount")


class PriceParts(Reply):
    currency: str | None = text("Currency")
    charges: list[PricePart] = Field(default_factory=list, alias="Charge")


class Product(Reply):
    code: str | None = text("type")
    totals: list[Price] = Field(default_factory=list, alias="TotalNet")
    breakdowns: list[PriceParts] = Field(default_factory=list, alias="Charges")
    delivery_time: str | None = text("DeliveryTime")
    cutoff_time: str | None = text("CutoffTime")
    service_name: str | None = text("ServiceName")
    transit_days: str | None = text("TotalTransitDays")
    quoted_weight: str | None = text("QuotedWeight")
    unit: str | None = text("UnitOfMeasurement")


class RateReply(Noted):
    products: list[Product] = Field(default_factory=list, alias="Service")


class PieceResult(Reply):
    tracking_number: str | None = text("TrackingNumber")


class LabelImage(Reply):
    format: str | None = text("LabelImageFormat")
    image: str | None = text("GraphicImage")


class Document(Reply):
    """One of the shipment reply's ``Documents``: a paper DHL made with the label (its customs
    invoice, the waybill document, the shipment receipt)."""

    name: str | None = text("DocumentName")
    format: str | None = text("DocumentFormat")
    image: str | None = text("DocumentImage")


class ShipmentPrice(Price):
    """A shipment's ``TotalNet``: a price and, unlike a rate's, its charge lines inside it."""

    breakdown: PriceParts | None = Field(default=None, alias="Charges")


class ShipReply(Noted):
    pieces: Listed[PieceResult] = inside("PackagesResult", "PackageResult")
    labels: list[LabelImage] = Field(default_factory=list, alias="LabelImage")
    documents: Listed[Document] = inside("Documents", "Document")
    shipment_id: str | None = text("ShipmentIdentificationNumber")
    dispatch_confirmation_number: str | None = text("DispatchConfirmationNumber")
    totals: list[ShipmentPrice] = Field(default_factory=list, alias="TotalNet")


# -- deleteShipmentRequest: a Noted reply and nothing else ----------------------------------------
DeleteReply = Noted


# -- trackShipmentRequest -------------------------------------------------------------------------
class Checkpoint(Reply):
    """One ``ShipmentEvent`` item: DHL's event code and text, and the service area it happened at."""

    date: str | None = text("Date")
    time: str | None = text("Time")
    code: str | None = text("ServiceEvent", "EventCode")
    description: str | None = text("ServiceEvent", "Description")
    signatory: str | None = text("Signatory")
    area: str | None = text("ServiceArea", "Description")
    area_code: str | None = text("ServiceArea", "ServiceAreaCode")


class Journey(Reply):
    events: Listed[Checkpoint] = inside("ShipmentEvent", "ArrayOfShipmentEventItem")
    estimated_delivery: str | None = text("EstimatedDeliveryDate")


class Condition(Reply):
    """Why DHL could not answer for a waybill or a piece (a waybill's status, a piece's fault)."""

    code: str | None = text("ConditionCode")
    data: str | None = text("ConditionData")


class Waybill(Reply):
    number: str | None = text("AWBNumber")
    action: str | None = text("Status", "ActionStatus")
    conditions: Listed[Condition] = inside("Status", "Condition", "ArrayOfConditionItem")
    journey: Journey | None = Field(default=None, alias="ShipmentInfo")


class TrackReply(Reply):
    waybills: Listed[Waybill] = inside("AWBInfo", "ArrayOfAWBInfoItem")
    faults: Listed[Condition] = inside("Fault", "PieceFault", "ArrayOfPieceFaultItem")
