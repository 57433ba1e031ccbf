"""The glDHLExpressTrack part of the DHL Express emulator, with the SOAP wire helpers and the
shipment record that both halves share.

trackShipmentRequest takes waybills (``AWBNumber``, several at once) and piece ids (``LPNumber``)
and answers one ``AWBInfo`` item per number asked: a known shipment reveals one more checkpoint per
query (PU, PL, DF, AF, WC, OK; the delivery names its signatory), an unknown waybill answers "No
Shipments Found" (condition 101) and an unknown piece a ``PieceFault``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import httpx
from lxml import etree

from carriergate.sandbox.journey import stamp

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
TRACK_NS = "http://scxgxtt.phx-dc.dhl.com/glDHLExpressTrack/providers/services/trackShipment"
DHL_NS = "http://www.dhl.com"
CHECKPOINTS = [("PU", "Shipment picked up", "origin"), ("PL", "Processed at location", "origin"),
               ("DF", "Departed Facility in", "origin"), ("AF", "Arrived at Sort Facility", "destination"),
               ("WC", "With delivery courier", "destination"), ("OK", "Delivered", "destination")]
#: Time between two checkpoints of the sandbox's journey, when the emulator's clock has got that far.
STEP = timedelta(hours=8)


def text_of(node: etree._Element | None, path: str, default: str = "") -> str:
    if node is None:
        return default
    found = node.findtext(path)
    return found.strip() if found is not None else default


def el(parent: etree._Element, tag: str, text: object = None, **attrs: str) -> etree._Element:
    child = etree.SubElement(parent, tag, attrs)
    if text is not None:
        child.text = str(text)
    return child


def envelope() -> tuple[etree._Element, etree._Element]:
    root = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"SOAP-ENV": SOAP})
    etree.SubElement(root, f"{{{SOAP}}}Header")
    return root, etree.SubElement(root, f"{{{SOAP}}}Body")


def soap_reply(root: etree._Element, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=etree.tostring(root, xml_declaration=True, encoding="utf-8"),
                          headers={"content-type": "text/xml; charset=utf-8"})


@dataclass
class Shipment:
    awb: str
    pieces: list[str]
    ship_time: datetime
    origin: str
    destination: str
    shipper: str
    consignee: str
    weight: Decimal
    dispatch_confirmation_number: str | None
    pickup_cancelled: bool = False
    #: ``ShippingPaymentType``: S shipper, R receiver (a return label: the shop receives and pays), T third party.
    payment: str = "S"
    #: When each checkpoint was revealed: one more per track query, none once the pickup is cancelled
    #: (the void: DHL never collects the parcel), never later than the emulator's now.
    seen_at: list[datetime] = field(default_factory=list)

    @property
    def checkpoints_seen(self) -> int:
        return len(self.seen_at)

    def reveal(self, now: datetime) -> None:
        if self.pickup_cancelled or len(self.seen_at) >= len(CHECKPOINTS):
            return
        when = stamp(self.ship_time, STEP, len(self.seen_at), len(CHECKPOINTS), now)
        self.seen_at.append(when.astimezone(self.ship_time.tzinfo))


def track(query: etree._Element, shipments: dict[str, Shipment], now: datetime) -> httpx.Response:
    """The reply to a trackShipmentRequest against ``shipments`` (each query reveals a checkpoint,
    dated no later than ``now``)."""
    request = query.find(f"trackingRequest/{{{DHL_NS}}}TrackingRequest")
    waybills = [(n.text or "").strip() for n in request.iterfind("AWBNumber/ArrayOfAWBNumberItem")] \
        if request is not None else []
    pieces = [(n.text or "").strip() for n in request.iterfind("LPNumber/ArrayOfTrackingPieceIDItem")] \
        if request is not None else []
    root, body = envelope()
    wrapper = etree.SubElement(body, f"{{{TRACK_NS}}}trackShipmentRequestResponse", nsmap={"ser-root": TRACK_NS})
    reply = etree.SubElement(el(wrapper, "trackingResponse"), f"{{{DHL_NS}}}TrackingResponse", nsmap={"ns": DHL_NS})
    header = el(el(reply, "Response"), "ServiceHeader")
    el(header, "MessageTime", "2025-01-01T00:00:00Z")
    el(header, "MessageReference", "0" * 32)
    infos = el(reply, "AWBInfo")
    by_piece = {piece: s for s in shipments.values() for piece in s.pieces}
    unknown_pieces = [p for p in pieces if p not in by_piece]
    asked = [*waybills, *(by_piece[p].awb for p in pieces if p in by_piece)]
    for number in dict.fromkeys(asked):
        info = el(infos, "ArrayOfAWBInfoItem")
        el(info, "AWBNumber", number)
        status = el(info, "Status")
        shipment = shipments.get(number)
        if shipment is None:
            el(status, "ActionStatus", "No Shipments Found")
            condition = el(el(status, "Condition"), "ArrayOfConditionItem")
            el(condition, "ConditionCode", "101")
            el(condition, "ConditionData", f"No Shipments Found for AWBNumber {number}")
            continue
        el(status, "ActionStatus", "Success")
        shipment.reveal(now)
        journey(info, shipment)
    if unknown_pieces:
        faults = el(el(reply, "Fault"), "PieceFault")
        for piece in unknown_pieces:
            fault = el(faults, "ArrayOfPieceFaultItem")
            el(fault, "PieceID", piece)
            el(fault, "ConditionCode", "PCS101")
            el(fault, "ConditionData", f"No Shipments Found for PieceID {piece}")
    return soap_reply(root)


def journey(info: etree._Element, shipment: Shipment) -> None:
    journey = el(info, "ShipmentInfo")
    areas = {"origin": (f"{shipment.origin}A", f"ORIGIN GATEWAY - {shipment.origin}"),
             "destination": (f"{shipment.destination}D", f"DESTINATION GATEWAY - {shipment.destination}")}
    for tag, side in (("OriginServiceArea", "origin"), ("DestinationServiceArea", "destination")):
        area = el(journey, tag)
        el(area, "ServiceAreaCode", areas[side][0])
        el(area, "Description", areas[side][1])
    el(journey, "ShipperName", shipment.shipper)
    el(journey, "ConsigneeName", shipment.consignee)
    el(journey, "ShipmentDate", shipment.ship_time.isoformat())
    el(journey, "Pieces", len(shipment.pieces))
    el(journey, "Weight", shipment.weight)
    el(journey, "WeightUnit", "K")
    events = el(journey, "ShipmentEvent")
    start = shipment.ship_time.replace(tzinfo=None)
    for (code, description, side), when in zip(CHECKPOINTS, shipment.seen_at, strict=False):
        item = el(events, "ArrayOfShipmentEventItem")
        el(item, "Date", when.date().isoformat())
        el(item, "Time", when.timetz().isoformat())  # with the shipper's GMT offset: never read as UTC
        happening = el(item, "ServiceEvent")
        el(happening, "EventCode", code)
        el(happening, "Description", description)
        if code == "OK":
            el(item, "Signatory", shipment.consignee.split()[0] if shipment.consignee else "RECIPIENT")
        area = el(item, "ServiceArea")
        el(area, "ServiceAreaCode", areas[side][0])
        el(area, "Description", areas[side][1])
    el(journey, "EstimatedDeliveryDate", (start + timedelta(days=3)).isoformat())
