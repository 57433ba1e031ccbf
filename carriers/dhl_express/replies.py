"""DHL Express replies as tolerant models, read from the plain data that the SOAP layer returns.

Every field is optional: what DHL leaves out is None (or an empty list), never a KeyError. The
models hold DHL's strings as they came; converting them (amounts, dates) is the parsers' job, so
an unreadable value becomes a MalformedResponse that names it.
"""

from __future__ import annotations

from typing import Any, TypeVar

import pydantic
from pydantic import Field, model_validator

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


def read(model: type[M], data: Any, *, what: str) -> M:
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        loc = ".".join(str(p) for p in exc.errors(include_url=False)[0]["loc"])
        raise MalformedResponse(f"DHL Express {what} has an unexpected shape at {loc or '(root)'}",
                                code="malformed") from None


class Note(Reply):
    """A ``Notification`` or ``Warning``: code ``0`` means success."""

    code: str | None = None
    message: str | None = Field(default=None, alias="Message")


# -- getRateRequest -------------------------------------------------------------------------------
class Price(Reply):
    currency: str | None = Field(default=None, alias="Currency")
    amount: str | None = Field(default=None, alias="Amount")
    type: str | None = None


class PricePart(Reply):
    code: str | None = Field(default=None, alias="ChargeCode")
    name: str | None = Field(default=None, alias="ChargeType")
    amount: str | None = Field(default=None, alias="ChargeAmount")


class PriceParts(Reply):
    currency: str | None = Field(default=None, alias="Currency")
    charges: list[PricePart] = Field(default_factory=list, alias="Charge")


class Product(Reply):
    code: str | None = Field(default=None, alias="type")
    totals: list[Price] = Field(default_factory=list, alias="TotalNet")
    breakdowns: list[PriceParts] = Field(default_factory=list, alias="Charges")
    delivery_time: str | None = Field(default=None, alias="DeliveryTime")
    cutoff_time: str | None = Field(default=None, alias="CutoffTime")
    service_name: str | None = Field(default=None, alias="ServiceName")
    transit_days: str | None = Field(default=None, alias="TotalTransitDays")
    quoted_weight: str | None = Field(default=None, alias="QuotedWeight")
    unit: str | None = Field(default=None, alias="UnitOfMeasurement")


class RateReply(Reply):
    notes: list[Note] = Field(default_factory=list, alias="Notification")
    products: list[Product] = Field(default_factory=list, alias="Service")


# -- createShipmentRequest ------------------------------------------------------------------------
class PieceResult(Reply):
    tracking_number: str | None = Field(default=None, alias="TrackingNumber")


class PiecesResult(Reply):
    pieces: list[PieceResult] = Field(default_factory=list, alias="PackageResult")


class LabelImage(Reply):
    format: str | None = Field(default=None, alias="LabelImageFormat")
    image: str | None = Field(default=None, alias="GraphicImage")


class ShipmentCharge(Reply):
    code: str | None = Field(default=None, alias="ChargeCode")
    name: str | None = Field(default=None, alias="ChargeType")
    amount: str | None = Field(default=None, alias="ChargeAmount")


class ShipmentCharges(Reply):
    charges: list[ShipmentCharge] = Field(default_factory=list, alias="Charge")


class ShipmentPrice(Reply):
    currency: str | None = Field(default=None, alias="Currency")
    amount: str | None = Field(default=None, alias="Amount")
    breakdown: ShipmentCharges | None = Field(default=None, alias="Charges")
    type: str | None = None


class ShipReply(Reply):
    notes: list[Note] = Field(default_factory=list, alias="Notification")
    pieces: PiecesResult | None = Field(default=None, alias="PackagesResult")
    labels: list[LabelImage] = Field(default_factory=list, alias="LabelImage")
    shipment_id: str | None = Field(default=None, alias="ShipmentIdentificationNumber")
    dispatch_confirmation_number: str | None = Field(default=None, alias="DispatchConfirmationNumber")
    totals: list[ShipmentPrice] = Field(default_factory=list, alias="TotalNet")


# -- deleteShipmentRequest ------------------------------------------------------------------------
class DeleteReply(Reply):
    notes: list[Note] = Field(default_factory=list, alias="Notification")


# -- trackShipmentRequest -------------------------------------------------------------------------
class Area(Reply):
    code: str | None = Field(default=None, alias="ServiceAreaCode")
    description: str | None = Field(default=None, alias="Description")


class Happening(Reply):
    code: str | None = Field(default=None, alias="EventCode")
    description: str | None = Field(default=None, alias="Description")


class Checkpoint(Reply):
    date: str | None = Field(default=None, alias="Date")
    time: str | None = Field(default=None, alias="Time")
    event: Happening | None = Field(default=None, alias="ServiceEvent")
    signatory: str | None = Field(default=None, alias="Signatory")
    area: Area | None = Field(default=None, alias="ServiceArea")


class Checkpoints(Reply):
    items: list[Checkpoint] = Field(default_factory=list, alias="ArrayOfShipmentEventItem")


class Journey(Reply):
    shipment_date: str | None = Field(default=None, alias="ShipmentDate")
    events: Checkpoints | None = Field(default=None, alias="ShipmentEvent")
    estimated_delivery: str | None = Field(default=None, alias="EstimatedDeliveryDate")


class Condition(Reply):
    code: str | None = Field(default=None, alias="ConditionCode")
    data: str | None = Field(default=None, alias="ConditionData")


class Conditions(Reply):
    items: list[Condition] = Field(default_factory=list, alias="ArrayOfConditionItem")


class Status(Reply):
    action: str | None = Field(default=None, alias="ActionStatus")
    conditions: Conditions | None = Field(default=None, alias="Condition")


class Waybill(Reply):
    number: str | None = Field(default=None, alias="AWBNumber")
    status: Status | None = Field(default=None, alias="Status")
    journey: Journey | None = Field(default=None, alias="ShipmentInfo")


class Waybills(Reply):
    items: list[Waybill] = Field(default_factory=list, alias="ArrayOfAWBInfoItem")


class PieceFault(Reply):
    piece: str | None = Field(default=None, alias="PieceID")
    code: str | None = Field(default=None, alias="ConditionCode")
    data: str | None = Field(default=None, alias="ConditionData")


class PieceFaults(Reply):
    items: list[PieceFault] = Field(default_factory=list, alias="ArrayOfPieceFaultItem")


class TrackFault(Reply):
    pieces: PieceFaults | None = Field(default=None, alias="PieceFault")


class TrackReply(Reply):
    waybills: Waybills | None = Field(default=None, alias="AWBInfo")
    fault: TrackFault | None = Field(default=None, alias="Fault")
