"""DHL Express emulator: the SOAP Web Services (expressRateBook and glDHLExpressTrack) on DHL's wire,
and the MyDHL API's pickups (``/mydhlapi``, see dhl_express_mydhl.py).

Point an account at ``http://sandbox.carriergate.invalid/dhl_express``: the emulator answers
``/expressRateBook`` (getRateRequest, createShipmentRequest, deleteShipmentRequest) and
``/glDHLExpressTrack`` (trackShipmentRequest). Every envelope is read with carriergate's safe XML
parser and must carry a WS-Security UsernameToken (PasswordText, or PasswordDigest) for the sandbox
account; anything else is answered with a SOAP fault, as DHL does. Behaviour:

- rates: per-kg prices by zone (domestic or international) on the chargeable weight (actual or
  volumetric at 5000 cm³/kg, rounded up to 0.5 kg), 18% fuel, insurance (II) at 1% of the insured
  value (minimum 6.00); one product is always returned without a price, and every priced one lists
  SATURDAY PICKUP with an empty ``ChargeAmount`` (priced on request, as DHL does). The tariff is in
  US dollars, quoted in the shipper country's billing currency (see ``billing``).
- lanes: every international lane, and domestic lanes except within the US; elsewhere DHL's
  notification 1001 (no product for the search criteria), for rates and shipments alike.
- shipments: 10-digit waybills, a real label (documents.py: PDF, ZPL2, EPL2), a dispatch confirmation number when a
  courier is requested (``REQUEST_COURIER``), notification 1003 for a pickup on a Sunday; DHL's
  customs invoice in ``Documents`` when ``LabelOptions/RequestDHLCustomsInvoice`` is Y; receiver (R)
  or third-party (T) billing needs a ``BillingAccountNumber`` (notification 1020 otherwise). A return
  label is such a shipment from the customer to the shop billed to the receiver (R): labelled,
  tracked and voided like any other, its payer kept in ``Shipment.payment``.
- delete cancels a booked pickup; tracking (dhl_express_tracking.py) reveals one more checkpoint
  per query (PU, PL, DF, AF, WC, OK), dated with their GMT offset and never after the emulator's
  clock, none once the pickup is cancelled, for each waybill or piece asked; an unknown waybill
  answers "No Shipments Found".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import ClassVar

import httpx
from lxml import etree

from carriergate.core.errors import MalformedResponse
from carriergate.protocols.xml_safety import parse_untrusted
from carriergate.sandbox import documents
from carriergate.sandbox.base import Emulator, json_response
from carriergate.sandbox.billing import billing_currency, convert, local
from carriergate.sandbox.conformance import Violation
from carriergate.sandbox.dhl_express_mydhl import PREFIX, MyDHLPickups, conformance_problems
from carriergate.sandbox.dhl_express_tracking import Shipment, el, envelope, soap_reply, text_of, track

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
RATE_NS = "http://scxgxtt.phx-dc.dhl.com/euExpressRateBook/RateMsgResponse"
SHIP_NS = "http://scxgxtt.phx-dc.dhl.com/euExpressRateBook/ShipmentMsgResponse"
DELETE_NS = "http://scxgxtt.phx-dc.dhl.com/euExpressRateBook/DeleteShipmentResponse"
CENT = Decimal("0.01")
HALF = Decimal("0.5")

# code: (name, base price, per chargeable kg, transit days, delivery time of day)
DOMESTIC = {"N": ("EXPRESS DOMESTIC", Decimal(12), Decimal(3), 1, "23:59:00"),
            "I": ("EXPRESS DOMESTIC 9:00", Decimal(25), Decimal(3), 1, "09:00:00")}
INTERNATIONAL = {"P": ("EXPRESS WORLDWIDE", Decimal(45), Decimal(9), 3, "23:59:00"),
                 "K": ("EXPRESS 9:00", Decimal(75), Decimal(9), 2, "09:00:00")}
UNPRICED = ("Y", "EXPRESS 12:00")  # returned without a price: never a quote
FUEL = Decimal("0.18")
#: DHL Express carries parcels between countries everywhere, and within most countries, but not
#: within the United States (DHL left US domestic express in 2008). Mainland China is still served
#: domestically here although DHL left that market too: the DHL tests' domestic samples ship within
#: China, and move first (to a DHL domestic market such as Germany) before China can leave this list.
NO_DOMESTIC = frozenset({"US"})
#: DHL's notification when no product serves the lane asked (its code 1001).
NO_PRODUCT = ("1001", "The requested product(s) not available based on your search criteria.")


def products_for(origin: str, destination: str) -> dict[str, tuple[str, Decimal, Decimal, int, str]]:
    """The products DHL Express offers from ``origin`` to ``destination`` ({} where none)."""
    if origin != destination:
        return INTERNATIONAL
    return {} if origin in NO_DOMESTIC else DOMESTIC


def soap_fault(code: str, message: str, status: int = 500) -> httpx.Response:
    root, body = envelope()
    # A faultcode is a QName: declare the wsse prefix where a WS-Security code uses it.
    fault = etree.SubElement(body, f"{{{SOAP}}}Fault", nsmap={"wsse": WSSE} if code.startswith("wsse:") else None)
    el(fault, "faultcode", code)
    el(fault, "faultstring", message)
    return soap_reply(root, status)


def _timestamp(value: str) -> datetime:
    """DHL's ``2024-05-06T09:00:00GMT+08:00`` as an aware datetime."""
    return datetime.fromisoformat(value.replace("GMT", ""))


def _charge_lines(charges: etree._Element, lines: list[tuple[str | None, str, Decimal]]) -> None:
    """One ``Charge`` per priced line, as DHL lists them in rate and shipment replies."""
    for charge_code, name, amount in lines:
        charge = el(charges, "Charge")
        if charge_code:
            el(charge, "ChargeCode", charge_code)
        el(charge, "ChargeType", name)
        el(charge, "ChargeAmount", _money(amount))


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


class DHLExpressEmulator(Emulator):
    name = "dhl_express"
    account: ClassVar[dict[str, str]] = {"username": "sandbox-dhl", "password": "sandbox-dhl-pass",
                                         "account_number": "950000002", "mydhl_username": "sandbox-mydhl",
                                         "mydhl_password": "sandbox-mydhl-secret"}

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        super().__init__()
        self.clock = clock
        self.shipments: dict[str, Shipment] = {}
        self.mydhl = MyDHLPickups(self.account["mydhl_username"], self.account["mydhl_password"])
        self.operations: list[str] = []  # body element of every authenticated request, in order
        self._next = 0

    def reject(self, violation: Violation) -> httpx.Response:
        return soap_fault("SOAP-ENV:Client", "Request breaks the DHL Express schema: " + "; ".join(violation.problems),
                          status=400)

    def receive(self, request: httpx.Request, path: str) -> httpx.Response:
        """The SOAP services as every emulator does; the MyDHL API's requests checked, when
        conformance is on, against DHL's MyDHL OpenAPI file instead of the WSDLs."""
        if not path.startswith(PREFIX + "/") or self.conformance is None:
            return super().receive(request, path)
        request.read()
        problems = conformance_problems(self.conformance.root, request, path)
        with self.lock:
            self.requests.append(request)
            if problems:
                violation = Violation(self.name, request.method, path, tuple(problems))
                self.violations.append(violation)
                return json_response(400, {"title": "request breaks the MyDHL API schema", "status": "400",
                                           "additionalDetails": list(violation.problems)})
        return self.handle(request, path)

    # -- the SOAP edge ----------------------------------------------------------------------------
    def _authenticated(self, envelope: etree._Element) -> bool:
        token = envelope.find(f"{{{SOAP}}}Header/{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
        if token is None:
            return False
        username = text_of(token, f"{{{WSSE}}}Username")
        password = token.find(f"{{{WSSE}}}Password")
        if password is None or not hmac.compare_digest(username, self.account["username"]):
            return False
        given = (password.text or "").strip()
        expected = self.account["password"]
        if (password.get("Type") or "").endswith("#PasswordDigest"):
            nonce = base64.b64decode(text_of(token, f"{{{WSSE}}}Nonce"))
            created = text_of(token, f"{{{WSU}}}Created")
            expected = base64.b64encode(hashlib.sha1(nonce + created.encode() + expected.encode(),
                                                     usedforsecurity=False).digest()).decode()
        return hmac.compare_digest(given, expected)

    def labels_created(self) -> int:
        with self.lock:
            return len(self.shipments)

    def is_voided(self, tracking_number: str) -> bool:
        with self.lock:
            return self.shipments[tracking_number].pickup_cancelled  # DHL voids by cancelling the pickup

    def handle(self, request: httpx.Request, path: str) -> httpx.Response:
        if path.startswith(PREFIX + "/"):
            with self.lock:
                return self.mydhl.handle(request, path)
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
                ("/glDHLExpressTrack", "trackShipmentRequest"):
                    lambda query: track(query, self.shipments, self.clock())}

    # -- pricing ------------------------------------------------------------------------------------
    @staticmethod
    def _chargeable(shipment: etree._Element, weight_path: str) -> Decimal:
        total = Decimal(0)
        for piece in shipment.iterfind("Packages/RequestedPackages"):
            actual = Decimal(text_of(piece, weight_path, "0"))
            dims = [Decimal(text_of(piece, f"Dimensions/{d}", "0")) for d in ("Length", "Width", "Height")]
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
            if text_of(service, "ServiceType") == "II":
                return Decimal(text_of(service, "ServiceValue", "0")), text_of(service, "CurrencyCode", "USD")
        return None

    def _rate(self, query: etree._Element) -> httpx.Response:
        shipment = query.find("RequestedShipment")
        if shipment is None:
            return soap_fault("SOAP-ENV:Client", "RequestedShipment is missing")
        origin = text_of(shipment, "Ship/Shipper/CountryCode")
        destination = text_of(shipment, "Ship/Recipient/CountryCode")
        weight = self._chargeable(shipment, "Weight/Value")
        ship_day = _timestamp(text_of(shipment, "ShipTimestamp")).date()
        insured = self._insured(shipment)
        currency = billing_currency(origin)
        root, body = envelope()
        reply = etree.SubElement(body, f"{{{RATE_NS}}}RateResponse", nsmap={"rateresp": RATE_NS})
        provider = el(reply, "Provider", code="DHL")
        products = products_for(origin, destination)
        if not products:  # DHL's refusal, in the Provider like its success
            el(el(provider, "Notification", code=NO_PRODUCT[0]), "Message", NO_PRODUCT[1])
            return soap_reply(root)
        el(el(provider, "Notification", code="0"), "Message")
        for code, product in products.items():
            lines = self._charges(product, weight, insured, currency)
            service = el(provider, "Service", type=code)
            total = el(service, "TotalNet")
            el(total, "Currency", currency)
            el(total, "Amount", _money(sum((amount for _, _, amount in lines), Decimal(0))))
            charges = el(service, "Charges")
            el(charges, "Currency", currency)
            _charge_lines(charges, lines)
            optional = el(charges, "Charge")  # an optional service DHL prices only on request
            el(optional, "ChargeType", "SATURDAY PICKUP")
            el(optional, "ChargeAmount")
            days, clock = product[3], product[4]
            el(service, "DeliveryTime", f"{ship_day + timedelta(days=days)}T{clock}")
            el(service, "CutoffTime", f"{ship_day}T17:00:00")
            el(service, "NextBusinessDayInd", "N")
            el(service, "TotalTransitDays", days)
            el(service, "QuotedWeight", weight)
            el(service, "UnitOfMeasurement", "SI")
        unpriced = el(provider, "Service", type=UNPRICED[0])
        total = el(unpriced, "TotalNet")
        el(total, "Currency", currency)
        el(total, "Amount", "0.00")
        el(unpriced, "ServiceName", UNPRICED[1])
        return soap_reply(root)

    # -- shipments ----------------------------------------------------------------------------------
    def _notification(self, tag: str, namespace: str, prefix: str, code: str, message: str) -> httpx.Response:
        root, body = envelope()
        reply = etree.SubElement(body, f"{{{namespace}}}{tag}", nsmap={prefix: namespace})
        el(el(reply, "Notification", code=code), "Message", message)
        return soap_reply(root)

    def _ship(self, order: etree._Element) -> httpx.Response:
        shipment = order.find("RequestedShipment")
        if shipment is None:
            return soap_fault("SOAP-ENV:Client", "RequestedShipment is missing")
        info = shipment.find("ShipmentInfo")
        ship_time = _timestamp(text_of(shipment, "ShipTimestamp"))
        courier = text_of(info, "DropOffType") == "REQUEST_COURIER"
        if courier and ship_time.weekday() == 6:
            return self._notification("ShipmentResponse", SHIP_NS, "shipresp", "1003",
                                      "pick-up service is not provided on this day")
        billing = info.find("Billing") if info is not None else None
        payment = text_of(billing, "ShippingPaymentType", "S")
        if payment in ("R", "T") and not text_of(billing, "BillingAccountNumber"):
            return self._notification("ShipmentResponse", SHIP_NS, "shipresp", "1020",
                                      f"BillingAccountNumber is required when ShippingPaymentType is {payment}")
        origin = text_of(shipment, "Ship/Shipper/Address/CountryCode")
        destination = text_of(shipment, "Ship/Recipient/Address/CountryCode")
        service = text_of(info, "ServiceType")
        product = products_for(origin, destination).get(service)
        if product is None:
            code, message = NO_PRODUCT
            return self._notification("ShipmentResponse", SHIP_NS, "shipresp", code,
                                      message.replace("product(s)", f"product(s) ({service})"))
        self._next += 1
        awb = f"{9100000000 + self._next}"
        count = len(shipment.findall("Packages/RequestedPackages"))
        pieces = [f"JD0146{awb}{n:04d}" for n in range(1, count + 1)]
        dcn = f"CBJ{ship_time:%y%m%d}{self._next:06d}" if courier else None
        weight = self._chargeable(shipment, "Weight")
        self.shipments[awb] = Shipment(
            awb=awb, pieces=pieces, ship_time=ship_time, origin=origin, destination=destination,
            shipper=text_of(shipment, "Ship/Shipper/Contact/PersonName"),
            consignee=text_of(shipment, "Ship/Recipient/Contact/PersonName"), weight=weight,
            dispatch_confirmation_number=dcn, payment=payment)
        root, body = envelope()
        reply = etree.SubElement(body, f"{{{SHIP_NS}}}ShipmentResponse", nsmap={"shipresp": SHIP_NS})
        el(el(reply, "Notification", code="0"), "Message")
        results = el(reply, "PackagesResult")
        for n, piece in enumerate(pieces, start=1):
            el(el(results, "PackageResult", number=str(n)), "TrackingNumber", piece)
        image = el(reply, "LabelImage")
        label_type = text_of(info, "LabelType", "PDF")
        el(image, "LabelImageFormat", label_type)
        printed = (f"Waybill {awb}", f"From: {self._party(shipment, 'Shipper')}",
                   f"To: {self._party(shipment, 'Recipient')}")
        content = documents.Content("DHL Express", awb, product[0], printed)
        el(image, "GraphicImage", base64.b64encode(documents.label(label_type, content)).decode())
        if text_of(info, "LabelOptions/RequestDHLCustomsInvoice") == "Y":
            kind = text_of(info, "LabelOptions/DHLCustomsInvoiceType", "COMMERCIAL_INVOICE")
            document = el(el(reply, "Documents"), "Document")
            el(document, "DocumentName", "CustomsInvoice" if kind == "COMMERCIAL_INVOICE" else "ProformaInvoice")
            el(document, "DocumentFormat", "PDF")
            invoice = documents.pdf_document(f"DHL Express {kind.replace('_', ' ').lower()}", [f"Waybill {awb}"])
            el(document, "DocumentImage", base64.b64encode(invoice).decode())
        el(reply, "ShipmentIdentificationNumber", awb)
        if dcn:
            el(reply, "DispatchConfirmationNumber", dcn)
        if product is not None:
            currency = billing_currency(origin)
            lines = self._charges(product, weight, self._insured(shipment), currency)
            total = el(reply, "TotalNet", type="BILLC")
            el(total, "Currency", currency)
            el(total, "Amount", _money(sum((amount for _, _, amount in lines), Decimal(0))))
            charges = el(total, "Charges")
            _charge_lines(charges, lines)
        return soap_reply(root)

    @staticmethod
    def _party(shipment: etree._Element, role: str) -> str:
        parts = (text_of(shipment, f"Ship/{role}/Contact/PersonName"), text_of(shipment, f"Ship/{role}/Address/City"),
                 text_of(shipment, f"Ship/{role}/Address/CountryCode"))
        return ", ".join(p for p in parts if p)

    def _delete(self, request: etree._Element) -> httpx.Response:
        number = text_of(request, "DispatchConfirmationNumber")
        day = text_of(request, "PickupDate")
        country = text_of(request, "PickupCountry")
        match = next((s for s in self.shipments.values() if s.dispatch_confirmation_number == number
                      and s.ship_time.date().isoformat() == day and s.origin == country), None)
        if match is None or match.pickup_cancelled:
            return self._notification("DeleteResponse", DELETE_NS, "delresp", "1012",
                                      f"no open pickup with dispatch confirmation number {number}")
        match.pickup_cancelled = True
        return self._notification("DeleteResponse", DELETE_NS, "delresp", "0", "Successfully cancelled")
