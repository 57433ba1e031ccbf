"""DHL Express emulator: the SOAP Web Services (expressRateBook and glDHLExpressTrack) on DHL's wire.

Point an account at ``http://sandbox.carriergate.invalid/dhl_express``: the emulator answers
``/expressRateBook`` (getRateRequest, createShipmentRequest, deleteShipmentRequest) and
``/glDHLExpressTrack`` (trackShipmentRequest). Every envelope is read with carriergate's safe XML
parser and must carry a WS-Security UsernameToken (PasswordText, or PasswordDigest) for the sandbox
account; anything else is answered with a SOAP fault, as DHL does. Behaviour:

- rates: per-kg prices by zone (domestic or international) on the chargeable weight (actual or
  volumetric at 5000 cm³/kg, rounded up to 0.5 kg), 18% fuel, insurance (II) at 1% of the insured
  value (minimum 6.00); one product is always returned without a price. The tariff is in US dollars,
  quoted in the shipper country's billing currency (see ``billing``).
- shipments: 10-digit waybills, a small base64 PDF label, a dispatch confirmation number when a
  courier is requested (``REQUEST_COURIER``), notification 1003 for a pickup on a Sunday.
- delete cancels a booked pickup; tracking reveals one more checkpoint per query
  (PU, PL, DF, AF, WC, OK); an unknown waybill answers "No Shipments Found".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import ClassVar

import httpx
from lxml import etree

from carriergate.core.errors import MalformedResponse
from carriergate.protocols.xml_safety import parse_untrusted
from carriergate.sandbox.base import Emulator
from carriergate.sandbox.billing import billing_currency, convert, local
from carriergate.sandbox.conformance import Violation

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
RATE_NS = "http://scxgxtt.phx-dc.dhl.com/euExpressRateBook/RateMsgResponse"
SHIP_NS = "http://scxgxtt.phx-dc.dhl.com/euExpressRateBook/ShipmentMsgResponse"
DELETE_NS = "http://scxgxtt.phx-dc.dhl.com/euExpressRateBook/DeleteShipmentResponse"
TRACK_NS = "http://scxgxtt.phx-dc.dhl.com/glDHLExpressTrack/providers/services/trackShipment"
DHL_NS = "http://www.dhl.com"
CENT = Decimal("0.01")
HALF = Decimal("0.5")

# code: (name, base price, per chargeable kg, transit days, delivery time of day)
DOMESTIC = {"N": ("EXPRESS DOMESTIC", Decimal(12), Decimal(3), 1, "23:59:00"),
            "I": ("EXPRESS DOMESTIC 9:00", Decimal(25), Decimal(3), 1, "09:00:00")}
INTERNATIONAL = {"P": ("EXPRESS WORLDWIDE", Decimal(45), Decimal(9), 3, "23:59:00"),
                 "K": ("EXPRESS 9:00", Decimal(75), Decimal(9), 2, "09:00:00")}
UNPRICED = ("Y", "EXPRESS 12:00")  # returned without a price: never a quote
FUEL = Decimal("0.18")
CHECKPOINTS = [("PU", "Shipment picked up", "origin"), ("PL", "Processed at location", "origin"),
               ("DF", "Departed Facility in", "origin"), ("AF", "Arrived at Sort Facility", "destination"),
               ("WC", "With delivery courier", "destination"), ("OK", "Delivered", "destination")]
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"


def _text(node: etree._Element | None, path: str, default: str = "") -> str:
    if node is None:
        return default
    found = node.findtext(path)
    return found.strip() if found is not None else default


def _el(parent: etree._Element, tag: str, text: object = None, **attrs: str) -> etree._Element:
    child = etree.SubElement(parent, tag, attrs)
    if text is not None:
        child.text = str(text)
    return child


def _envelope() -> tuple[etree._Element, etree._Element]:
    root = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"SOAP-ENV": SOAP})
    etree.SubElement(root, f"{{{SOAP}}}Header")
    return root, etree.SubElement(root, f"{{{SOAP}}}Body")


def _reply(root: etree._Element, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=etree.tostring(root, xml_declaration=True, encoding="utf-8"),
                          headers={"content-type": "text/xml; charset=utf-8"})


def soap_fault(code: str, message: str, status: int = 500) -> httpx.Response:
    root, body = _envelope()
    # A faultcode is a QName: declare the wsse prefix where a WS-Security code uses it.
    fault = etree.SubElement(body, f"{{{SOAP}}}Fault", nsmap={"wsse": WSSE} if code.startswith("wsse:") else None)
    _el(fault, "faultcode", code)
    _el(fault, "faultstring", message)
    return _reply(root, status)


def _timestamp(value: str) -> datetime:
    """DHL's ``2024-05-06T09:00:00GMT+08:00`` as an aware datetime."""
    return datetime.fromisoformat(value.replace("GMT", ""))


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


@dataclass
class _Shipment:
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
    checkpoints_seen: int = 0


class DHLExpressEmulator(Emulator):
    name = "dhl_express"
    account: ClassVar[dict[str, str]] = {"username": "sandbox-dhl", "password": "sandbox-dhl-pass",
                                         "account_number": "950000002"}

    def __init__(self) -> None:
        super().__init__()
        self.shipments: dict[str, _Shipment] = {}
        self.operations: list[str] = []  # body element of every authenticated request, in order
        self._next = 0

    def reject(self, violation: Violation) -> httpx.Response:
        return soap_fault("SOAP-ENV:Client", "Request breaks the DHL Express schema: " + "; ".join(violation.problems),
                          status=400)

    # -- the SOAP edge ----------------------------------------------------------------------------
    def _authenticated(self, envelope: etree._Element) -> bool:
        token = envelope.find(f"{{{SOAP}}}Header/{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
        if token is None:
            return False
        username = _text(token, f"{{{WSSE}}}Username")
        password = token.find(f"{{{WSSE}}}Password")
        if password is None or not hmac.compare_digest(username, self.account["username"]):
            return False
        given = (password.text or "").strip()
        expected = self.account["password"]
        if (password.get("Type") or "").endswith("#PasswordDigest"):
            nonce = base64.b64decode(_text(token, f"{{{WSSE}}}Nonce"))
            created = _text(token, f"{{{WSU}}}Created")
            expected = base64.b64encode(hashlib.sha1(nonce + created.encode() + expected.encode(),
                                                     usedforsecurity=False).digest()).decode()
        return hmac.compare_digest(given, expected)

    def handle(self, request: httpx.Request, path: str) -> httpx.Response:
        try:
            envelope = parse_untrusted(request.content, what="SOAP request")
        except MalformedResponse as exc:
            return soap_fault("SOAP-ENV:Client", exc.message)
        body = envelope.find(f"{{{SOAP}}}Body")
        if body is None or len(body) == 0:
            return soap_fault("SOAP-ENV:Client", "the envelope has no body")
        if not self._authenticated(envelope):
            return soap_fault("wsse:FailedAuthentication",
                              "The security token could not be authenticated or authorized")
        operation = body[0]
        local = etree.QName(operation).localname
        handler = self._handlers().get((path, local))
        if handler is None:
            return soap_fault("SOAP-ENV:Client", f"no operation {local!r} at {path}")
        with self.lock:
            self.operations.append(local)
            try:
                return handler(operation)
            except (ValueError, ArithmeticError) as exc:  # an unreadable number or timestamp
                return soap_fault("SOAP-ENV:Client", f"cannot process {local}: {exc}")

    def _handlers(self) -> dict[tuple[str, str], Callable[[etree._Element], httpx.Response]]:
        return {("/expressRateBook", "RateRequest"): self._rate,
                ("/expressRateBook", "ShipmentRequest"): self._ship,
                ("/expressRateBook", "DeleteRequest"): self._delete,
                ("/glDHLExpressTrack", "trackShipmentRequest"): self._track}

    # -- pricing ------------------------------------------------------------------------------------
    @staticmethod
    def _chargeable(shipment: etree._Element, weight_path: str) -> Decimal:
        total = Decimal(0)
        for piece in shipment.iterfind("Packages/RequestedPackages"):
            actual = Decimal(_text(piece, weight_path, "0"))
            dims = [Decimal(_text(piece, f"Dimensions/{d}", "0")) for d in ("Length", "Width", "Height")]
            total += max(actual, dims[0] * dims[1] * dims[2] / 5000)
        return (total / HALF).to_integral_value(rounding=ROUND_CEILING) * HALF

    @staticmethod
    def _charges(product: tuple[str, Decimal, Decimal, int, str], weight: Decimal,
                 insured: tuple[Decimal, str] | None, currency: str) -> list[tuple[str | None, str, Decimal]]:
        name, base, per_kg, _, _ = product
        freight = local(base + per_kg * weight, currency).quantize(CENT, rounding=ROUND_HALF_UP)
        lines: list[tuple[str | None, str, Decimal]] = [(None, name, freight)]
        if insured is not None:
            value = convert(insured[0], insured[1], currency)
            premium = max(value / 100, local(Decimal(6), currency))
            lines.append(("II", "SHIPMENT INSURANCE", premium.quantize(CENT, ROUND_HALF_UP)))
        lines.append(("FF", "FUEL SURCHARGE", (freight * FUEL).quantize(CENT, rounding=ROUND_HALF_UP)))
        return lines

    @staticmethod
    def _insured(shipment: etree._Element) -> tuple[Decimal, str] | None:
        for service in shipment.iterfind(".//SpecialServices/Service"):
            if _text(service, "ServiceType") == "II":
                return Decimal(_text(service, "ServiceValue", "0")), _text(service, "CurrencyCode", "USD")
        return None

    def _rate(self, query: etree._Element) -> httpx.Response:
        shipment = query.find("RequestedShipment")
        if shipment is None:
            return soap_fault("SOAP-ENV:Client", "RequestedShipment is missing")
        origin = _text(shipment, "Ship/Shipper/CountryCode")
        destination = _text(shipment, "Ship/Recipient/CountryCode")
        weight = self._chargeable(shipment, "Weight/Value")
        ship_day = _timestamp(_text(shipment, "ShipTimestamp")).date()
        insured = self._insured(shipment)
        currency = billing_currency(origin)
        root, body = _envelope()
        reply = etree.SubElement(body, f"{{{RATE_NS}}}RateResponse", nsmap={"rateresp": RATE_NS})
        provider = _el(reply, "Provider", code="DHL")
        _el(_el(provider, "Notification", code="0"), "Message")
        products = DOMESTIC if origin == destination else INTERNATIONAL
        for code, product in products.items():
            lines = self._charges(product, weight, insured, currency)
            service = _el(provider, "Service", type=code)
            total = _el(service, "TotalNet")
            _el(total, "Currency", currency)
            _el(total, "Amount", _money(sum((amount for _, _, amount in lines), Decimal(0))))
            charges = _el(service, "Charges")
            _el(charges, "Currency", currency)
            for charge_code, name, amount in lines:
                charge = _el(charges, "Charge")
                if charge_code:
                    _el(charge, "ChargeCode", charge_code)
                _el(charge, "ChargeType", name)
                _el(charge, "ChargeAmount", _money(amount))
            days, clock = product[3], product[4]
            _el(service, "DeliveryTime", f"{ship_day + timedelta(days=days)}T{clock}")
            _el(service, "CutoffTime", f"{ship_day}T17:00:00")
            _el(service, "NextBusinessDayInd", "N")
            _el(service, "TotalTransitDays", days)
            _el(service, "QuotedWeight", weight)
            _el(service, "UnitOfMeasurement", "SI")
        unpriced = _el(provider, "Service", type=UNPRICED[0])
        total = _el(unpriced, "TotalNet")
        _el(total, "Currency", currency)
        _el(total, "Amount", "0.00")
        _el(unpriced, "ServiceName", UNPRICED[1])
        return _reply(root)

    # -- shipments ----------------------------------------------------------------------------------
    def _notification(self, tag: str, namespace: str, prefix: str, code: str, message: str) -> httpx.Response:
        root, body = _envelope()
        reply = etree.SubElement(body, f"{{{namespace}}}{tag}", nsmap={prefix: namespace})
        _el(_el(reply, "Notification", code=code), "Message", message)
        return _reply(root)

    def _ship(self, order: etree._Element) -> httpx.Response:
        shipment = order.find("RequestedShipment")
        if shipment is None:
            return soap_fault("SOAP-ENV:Client", "RequestedShipment is missing")
        info = shipment.find("ShipmentInfo")
        ship_time = _timestamp(_text(shipment, "ShipTimestamp"))
        courier = _text(info, "DropOffType") == "REQUEST_COURIER"
        if courier and ship_time.weekday() == 6:
            return self._notification("ShipmentResponse", SHIP_NS, "shipresp", "1003",
                                      "pick-up service is not provided on this day")
        self._next += 1
        awb = f"{9100000000 + self._next}"
        count = len(shipment.findall("Packages/RequestedPackages"))
        pieces = [f"JD0146{awb}{n:04d}" for n in range(1, count + 1)]
        origin = _text(shipment, "Ship/Shipper/Address/CountryCode")
        destination = _text(shipment, "Ship/Recipient/Address/CountryCode")
        dcn = f"CBJ{ship_time:%y%m%d}{self._next:06d}" if courier else None
        weight = self._chargeable(shipment, "Weight")
        self.shipments[awb] = _Shipment(
            awb=awb, pieces=pieces, ship_time=ship_time, origin=origin, destination=destination,
            shipper=_text(shipment, "Ship/Shipper/Contact/PersonName"),
            consignee=_text(shipment, "Ship/Recipient/Contact/PersonName"), weight=weight,
            dispatch_confirmation_number=dcn)
        root, body = _envelope()
        reply = etree.SubElement(body, f"{{{SHIP_NS}}}ShipmentResponse", nsmap={"shipresp": SHIP_NS})
        _el(_el(reply, "Notification", code="0"), "Message")
        results = _el(reply, "PackagesResult")
        for n, piece in enumerate(pieces, start=1):
            _el(_el(results, "PackageResult", number=str(n)), "TrackingNumber", piece)
        image = _el(reply, "LabelImage")
        _el(image, "LabelImageFormat", _text(info, "LabelType", "PDF"))
        _el(image, "GraphicImage", base64.b64encode(PDF + f"% waybill {awb}\n%%EOF\n".encode()).decode())
        _el(reply, "ShipmentIdentificationNumber", awb)
        if dcn:
            _el(reply, "DispatchConfirmationNumber", dcn)
        service = _text(info, "ServiceType")
        product = {**DOMESTIC, **INTERNATIONAL}.get(service)
        if product is not None:
            currency = billing_currency(origin)
            lines = self._charges(product, weight, self._insured(shipment), currency)
            total = _el(reply, "TotalNet", type="BILLC")
            _el(total, "Currency", currency)
            _el(total, "Amount", _money(sum((amount for _, _, amount in lines), Decimal(0))))
            charges = _el(total, "Charges")
            for charge_code, name, amount in lines:
                charge = _el(charges, "Charge")
                if charge_code:
                    _el(charge, "ChargeCode", charge_code)
                _el(charge, "ChargeType", name)
                _el(charge, "ChargeAmount", _money(amount))
        return _reply(root)

    def _delete(self, request: etree._Element) -> httpx.Response:
        number = _text(request, "DispatchConfirmationNumber")
        day = _text(request, "PickupDate")
        country = _text(request, "PickupCountry")
        match = next((s for s in self.shipments.values() if s.dispatch_confirmation_number == number
                      and s.ship_time.date().isoformat() == day and s.origin == country), None)
        if match is None or match.pickup_cancelled:
            return self._notification("DeleteResponse", DELETE_NS, "delresp", "1012",
                                      f"no open pickup with dispatch confirmation number {number}")
        match.pickup_cancelled = True
        return self._notification("DeleteResponse", DELETE_NS, "delresp", "0", "Successfully cancelled")

    # -- tracking -----------------------------------------------------------------------------------
    def _track(self, query: etree._Element) -> httpx.Response:
        number = _text(query, f"trackingRequest/{{{DHL_NS}}}TrackingRequest/AWBNumber/ArrayOfAWBNumberItem")
        root, body = _envelope()
        wrapper = etree.SubElement(body, f"{{{TRACK_NS}}}trackShipmentRequestResponse", nsmap={"ser-root": TRACK_NS})
        reply = etree.SubElement(_el(wrapper, "trackingResponse"), f"{{{DHL_NS}}}TrackingResponse",
                                 nsmap={"ns": DHL_NS})
        header = _el(_el(reply, "Response"), "ServiceHeader")
        _el(header, "MessageTime", "2025-01-01T00:00:00Z")
        _el(header, "MessageReference", "0" * 32)
        info = _el(_el(reply, "AWBInfo"), "ArrayOfAWBInfoItem")
        _el(info, "AWBNumber", number)
        status = _el(info, "Status")
        shipment = self.shipments.get(number)
        if shipment is None:
            _el(status, "ActionStatus", "No Shipments Found")
            condition = _el(_el(status, "Condition"), "ArrayOfConditionItem")
            _el(condition, "ConditionCode", "101")
            _el(condition, "ConditionData", f"No Shipments Found for AWBNumber {number}")
            return _reply(root)
        _el(status, "ActionStatus", "Success")
        shipment.checkpoints_seen = min(shipment.checkpoints_seen + 1, len(CHECKPOINTS))
        self._journey(info, shipment)
        return _reply(root)

    @staticmethod
    def _journey(info: etree._Element, shipment: _Shipment) -> None:
        journey = _el(info, "ShipmentInfo")
        areas = {"origin": (f"{shipment.origin}A", f"ORIGIN GATEWAY - {shipment.origin}"),
                 "destination": (f"{shipment.destination}D", f"DESTINATION GATEWAY - {shipment.destination}")}
        for tag, side in (("OriginServiceArea", "origin"), ("DestinationServiceArea", "destination")):
            area = _el(journey, tag)
            _el(area, "ServiceAreaCode", areas[side][0])
            _el(area, "Description", areas[side][1])
        _el(journey, "ShipperName", shipment.shipper)
        _el(journey, "ConsigneeName", shipment.consignee)
        _el(journey, "ShipmentDate", shipment.ship_time.isoformat())
        _el(journey, "Pieces", len(shipment.pieces))
        _el(journey, "Weight", shipment.weight)
        _el(journey, "WeightUnit", "K")
        events = _el(journey, "ShipmentEvent")
        start = shipment.ship_time.replace(tzinfo=None)
        for i, (code, description, side) in enumerate(CHECKPOINTS[: shipment.checkpoints_seen]):
            when = start + timedelta(hours=8 * i)
            item = _el(events, "ArrayOfShipmentEventItem")
            _el(item, "Date", when.date().isoformat())
            _el(item, "Time", when.time().isoformat())
            happening = _el(item, "ServiceEvent")
            _el(happening, "EventCode", code)
            _el(happening, "Description", description)
            if code == "OK":
                _el(item, "Signatory", shipment.consignee.split()[0] if shipment.consignee else "RECIPIENT")
            area = _el(item, "ServiceArea")
            _el(area, "ServiceAreaCode", areas[side][0])
            _el(area, "Description", areas[side][1])
        _el(journey, "EstimatedDeliveryDate", (start + timedelta(days=3)).isoformat())
