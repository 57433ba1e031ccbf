"""The UPS emulator: UPS's REST paths and JSON shapes, OAuth2 included, with state.

Tokens are issued to the sandbox credentials only; rating prices come from ``ups_pricing`` (taxes
when the request carries TaxInformationIndicator) on the lanes UPS serves (``ups_pricing``: no
domestic service within China, Ground only within the US; 111210 elsewhere); shipments get 1Z
tracking numbers and a real label in the format asked (GIF, PNG, ZPL, EPL; PDF from Label Recovery:
:mod:`.documents`), return shipments (ReturnService) included, with the international forms as a
PDF when InternationalForms were asked for; tracking moves one step (manifest, pickup, in transit,
out for delivery, delivered) each time a number is tracked, each dated no later than the emulator's
clock (:mod:`.journey`), and stops at a void (its newest activity "MV", voided); a delivered package
has its delivery information (the signature image when returnSignature is true). Reference tracking
finds the packages shipped under a reference by our shipper number; Label Recovery gives their
labels again.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar

import httpx

from carriergate.sandbox import documents, journey
from carriergate.sandbox.base import Emulator, json_response
from carriergate.sandbox.billing import billing_currency, local
from carriergate.sandbox.conformance import Violation
from carriergate.sandbox.ups_pricing import CENT, NO_SERVICE, Lane, rated_shipment

TINY_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
#: The label formats UPS makes (Label Recovery also gives PDF); another code gets a GIF.
IMAGES = frozenset({"GIF", "PNG", "ZPL", "EPL", "PDF"})
#: Hours between two tracking steps on the sandbox's journey (never later than the emulator's now).
STEP = timedelta(hours=6)
#: (type, activity code, 3-digit status code, description) of each tracking step.
STAGES = [("M", "MP", "003", "Shipper created a label, UPS has not received the package yet."),
          ("P", "OR", "005", "Pickup Scan"), ("I", "AR", "005", "Arrived at Facility"),
          ("I", "OT", "021", "Out For Delivery Today"), ("D", "KB", "011", "DELIVERED")]  # fmt: skip
_RATE = re.compile(r"^/api/rating/[^/]+/(\w+)$")
_VOID = re.compile(r"^/api/shipments/[^/]+/void/cancel/(\w+)$")
_TRACK = re.compile(r"^/api/track/v1/details/(\w+)$")
_BY_REFERENCE = re.compile(r"^/api/track/v1/reference/details/([\w.-]+)$")
_RECOVERY = re.compile(r"^/api/labels/[^/]+/recovery$")


def error(status: int, code: str, message: str) -> httpx.Response:
    return json_response(status, {"response": {"errors": [{"code": code, "message": message}]}})


def label_image(code: str, tracking: str, lines: tuple[str, ...] = ()) -> bytes:
    """A real label document in the format UPS was asked for (a GIF for a code it does not make)."""
    image = code.upper() if code.upper() in IMAGES else "GIF"
    return documents.label(image, documents.Content("UPS", tracking, "", lines))


@dataclass
class Shipment:
    numbers: list[str]
    created: datetime
    voided: bool = False
    #: When each tracking step was revealed (one more per track query, none after a void).
    revealed: list[datetime] = field(default_factory=list)
    voided_at: datetime | None = None
    shipper: str = ""
    references: list[str] = field(default_factory=list)
    image: str = "GIF"
    forms: bool = False
    lines: tuple[str, ...] = ()

    def reveal(self, now: datetime) -> None:
        """One more step of the journey, dated no later than ``now``; nothing once voided."""
        if self.voided or len(self.revealed) >= len(STAGES):
            return
        self.revealed.append(journey.stamp(self.created, STEP, len(self.revealed), len(STAGES), now))

    @property
    def stage(self) -> int:
        return max(len(self.revealed), 1) - 1


@dataclass
class State:
    tokens: set[str] = field(default_factory=set)
    shipments: dict[str, Shipment] = field(default_factory=dict)
    packages: dict[str, str] = field(default_factory=dict)  # tracking number -> shipment id
    pickups: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)
    serial: int = 0


class UPSEmulator(Emulator):
    name = "ups"
    account: ClassVar[dict[str, str]] = {"client_id": "sandbox-ups-id", "client_secret": "sandbox-ups-secret",
                                         "account_number": "SBX123"}

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        super().__init__()
        self.clock = clock
        self.state = State()

    def labels_created(self) -> int:
        with self.lock:
            return len(self.state.shipments)

    def is_voided(self, tracking_number: str) -> bool:
        with self.lock:
            return self.state.shipments[tracking_number].voided

    def handle(self, request: httpx.Request, path: str) -> httpx.Response:
        with self.lock:
            if path == "/security/v1/oauth/token" and request.method == "POST":
                return self.token(request)
            if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.state.tokens:
                return error(401, "250002", "Invalid Authentication Information.")
            body = json.loads(request.content) if request.content else {}
            if request.method == "POST" and (match := _RATE.match(path)):
                return self.rate(body, match.group(1).lower())
            if request.method == "POST" and re.match(r"^/api/shipments/[^/]+/ship$", path):
                return self.ship(body)
            if request.method == "POST" and re.match(r"^/api/paperlessdocuments/[^/]+/upload$", path):
                return self.upload(request, body)
            if request.method == "DELETE" and (match := _VOID.match(path)):
                return self.void(match.group(1))
            if request.method == "POST" and re.match(r"^/api/pickupcreation/[^/]+/pickup$", path):
                return self.pickup(body)
            if request.method == "DELETE" and re.match(r"^/api/shipments/[^/]+/pickup/02$", path):
                return self.cancel_pickup(request.headers.get("prn", ""))
            if request.method == "GET" and (match := _TRACK.match(path)):
                return self.track(match.group(1), signature=request.url.params.get("returnSignature") == "true")
            if request.method == "GET" and (match := _BY_REFERENCE.match(path)):
                return self.by_reference(match.group(1), request.url.params.get("shipperNum", ""))
            if request.method == "POST" and _RECOVERY.match(path):
                return self.recover(body)
            return error(404, "404", f"no UPS resource at {request.method} {path}")

    def reject(self, violation: Violation) -> httpx.Response:
        return error(400, "SBX-SCHEMA", "Request breaks the UPS schema: " + "; ".join(violation.problems))

    def _next(self) -> int:
        self.state.serial += 1
        return self.state.serial

    # -- token ----------------------------------------------------------------------------------
    def token(self, request: httpx.Request) -> httpx.Response:
        pair = f"{self.account['client_id']}:{self.account['client_secret']}".encode()
        if request.headers.get("authorization") != "Basic " + base64.b64encode(pair).decode():
            return error(401, "10401", "ClientId is Invalid")
        if b"grant_type=client_credentials" not in request.content:
            return error(400, "10400", "Invalid/Missing grant_type")
        token = uuid.uuid4().hex
        self.state.tokens.add(token)
        return json_response(200, {"token_type": "Bearer", "issued_at": str(int(self.clock().timestamp() * 1000)),
                                   "client_id": self.account["client_id"], "access_token": token,
                                   "expires_in": "14399", "refresh_count": "0", "status": "approved"})

    # -- rating and shipping ----------------------------------------------------------------------
    @staticmethod
    def _lane(shipment: dict[str, Any]) -> Lane:
        origin = shipment.get("ShipFrom") or shipment.get("Shipper") or {}
        return Lane(origin.get("Address", {}).get("CountryCode", "US"),
                    shipment.get("ShipTo", {}).get("Address", {}).get("CountryCode", "US"))

    @staticmethod
    def _packages(shipment: dict[str, Any]) -> list[Any]:
        packages = shipment.get("Package") or []
        return packages if isinstance(packages, list) else [packages]

    def rate(self, body: dict[str, Any], option: str) -> httpx.Response:
        shipment = body.get("RateRequest", {}).get("Shipment", {})
        lane, packages = self._lane(shipment), self._packages(shipment)
        if not packages or not lane.services:
            return error(400, "111210", NO_SERVICE)
        pickup = self.clock().date() if option.endswith("timeintransit") else None
        if option.startswith("rate"):
            code = shipment.get("Service", {}).get("Code", "")
            if code not in lane.services:
                return error(400, "111210", NO_SERVICE)
            codes = [code]
        else:
            codes = list(lane.services)
        taxes = "TaxInformationIndicator" in shipment
        rated = [rated_shipment(lane, c, packages, pickup=pickup, taxes=taxes) for c in codes]
        return json_response(200, {"RateResponse": {
            "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}}, "RatedShipment": rated}})

    def ship(self, body: dict[str, Any]) -> httpx.Response:
        request = body.get("ShipmentRequest", {})
        shipment = request.get("Shipment", {})
        lane, packages = self._lane(shipment), self._packages(shipment)
        code = shipment.get("Service", {}).get("Code", "")
        if code not in lane.services or not packages:
            return error(400, "120200", NO_SERVICE)
        forms = shipment.get("ShipmentServiceOptions", {}).get("InternationalForms")
        if lane.international and "DocumentsOnlyIndicator" not in shipment and not forms:
            return error(400, "120121", "International forms are required for this shipment.")
        for document in (forms or {}).get("UserCreatedForm", {}).get("DocumentID", []):
            if document not in self.state.documents:
                return error(400, "120541", f"Unknown DocumentID {document}.")
        returned = "ReturnService" in shipment
        if returned and not all(isinstance(p, dict) and p.get("Description") for p in packages):
            return error(400, "120542", "Package description is required for a return shipment.")
        charges_paid = shipment.get("PaymentInformation", {}).get("ShipmentCharge") or []
        charges_paid = charges_paid if isinstance(charges_paid, list) else [charges_paid]
        if returned and any(c.get("Type") == "01" and "BillReceiver" in c for c in charges_paid):
            return error(400, "120412", "Bill Receiver is invalid for the transportation charges of a return.")
        image = request.get("LabelSpecification", {}).get("LabelImageFormat", {}).get("Code", "GIF")
        account = shipment.get("Shipper", {}).get("ShipperNumber", "SBX123")
        numbers = [f"1Z{account:0>6}{code:0>2}{self._next():08d}" for _ in packages]
        lines = label_lines(shipment, lane.services[code][0], references_of(shipment, packages))
        self.state.shipments[numbers[0]] = Shipment(numbers, self.clock(), shipper=account, image=image,
                                                    references=references_of(shipment, packages),
                                                    forms=bool(forms), lines=lines)
        for number in numbers:
            self.state.packages[number] = numbers[0]
        rated = rated_shipment(lane, code, packages, taxes="TaxInformationIndicator" in shipment)
        charges = {k: rated[k] for k in ("BaseServiceCharge", "TransportationCharges", "ItemizedCharges",
                                         "ServiceOptionsCharges", "TotalCharges")}
        results = [{"TrackingNumber": number, "ShippingLabel": {
            "ImageFormat": {"Code": image, "Description": image},
            "GraphicImage": base64.b64encode(label_image(image, number, lines)).decode()}} for number in numbers]
        answer: dict[str, Any] = {
            "ShipmentCharges": charges, "NegotiatedRateCharges": rated["NegotiatedRateCharges"],
            "BillingWeight": rated["BillingWeight"], "ShipmentIdentificationNumber": numbers[0],
            "PackageResults": results if len(results) > 1 else results[0]}
        if forms:
            answer["Form"] = forms_json(numbers[0])
        return json_response(200, {"ShipmentResponse": {
            "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}}, "ShipmentResults": answer}})

    def upload(self, request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        if request.headers.get("shippernumber") != self.account["account_number"]:
            return error(400, "9590022", "Invalid ShipperNumber.")
        forms = body.get("UploadRequest", {}).get("UserCreatedForm", [])
        forms = forms if isinstance(forms, list) else [forms]
        stamp = self.clock().strftime("%Y-%m-%d")
        ids = [f"{stamp}-00.00.00.{self._next():06d}" for _ in forms]
        self.state.documents.update(ids)
        return json_response(200, {"UploadResponse": {"Response": {"ResponseStatus": {"Code": "1",
                                                                                      "Description": "Success"}},
                                                      "FormsHistoryDocumentID": {"DocumentID": ids}}})

    def void(self, shipment_id: str) -> httpx.Response:
        shipment = self.state.shipments.get(shipment_id)
        if shipment is None or shipment.voided:
            return error(400, "190117", "No shipment found within the allowed void period.")
        shipment.voided, shipment.voided_at = True, max(self.clock(), *shipment.revealed, shipment.created)
        return json_response(200, {"VoidShipmentResponse": {
            "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
            "SummaryResult": {"Status": {"Code": "1", "Description": "Voided"}}}})

    # -- pickups --------------------------------------------------------------------------------
    def pickup(self, body: dict[str, Any]) -> httpx.Response:
        request = body.get("PickupCreationRequest", {})
        if not request.get("PickupDateInfo") or not request.get("PickupAddress"):
            return error(400, "9500501", "Missing pickup date or address.")
        prn = f"2929{self._next():07d}"
        self.state.pickups.add(prn)
        currency = billing_currency(request["PickupAddress"].get("CountryCode"))
        fee = local(Decimal("6.50"), currency).quantize(CENT)
        return json_response(200, {"PickupCreationResponse": {
            "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}}, "PRN": prn,
            "RateStatus": {"Code": "01", "Description": "Rate available"},
            "RateResult": {"RateType": "FD", "CurrencyCode": currency, "GrandTotalOfAllCharge": f"{fee:.2f}"}}})

    def cancel_pickup(self, prn: str) -> httpx.Response:
        if prn not in self.state.pickups:
            return error(400, "9510113", "Pickup request number not found.")
        self.state.pickups.discard(prn)
        return json_response(200, {"PickupCancelResponse": {
            "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}}, "PickupType": "01"}})

    # -- tracking and label recovery ---------------------------------------------------------------
    def track(self, number: str, *, signature: bool = False) -> httpx.Response:
        shipment = self.state.shipments.get(self.state.packages.get(number, ""))
        if shipment is None:
            return error(404, "TW0001", "Tracking Information Not Found")
        shipment.reveal(self.clock())
        package = package_json(shipment, number)
        if shipment.stage == len(STAGES) - 1 and not shipment.voided:
            information: dict[str, Any] = {"location": "Front Door", "receivedBy": "SANDBOX"}
            if signature:
                information["signature"] = {"image": base64.b64encode(TINY_GIF).decode()}
            package["deliveryInformation"] = information
        return json_response(200, {"trackResponse": {"shipment": [{"inquiryNumber": number, "package": [package]}]}})

    def by_reference(self, reference: str, shipper: str) -> httpx.Response:
        found = [s for s in self.state.shipments.values() if reference in s.references and s.shipper == shipper]
        if not found:
            return error(404, "TW0001", "Tracking Information Not Found")
        packages = [package_json(s, n) for s in found for n in s.numbers]
        return json_response(200, {"trackResponse": {"shipment": [{"inquiryNumber": reference, "package": packages}]}})

    def recover(self, body: dict[str, Any]) -> httpx.Response:
        request = body.get("LabelRecoveryRequest", {})
        shipment = self.state.shipments.get(self.state.packages.get(str(request.get("TrackingNumber", "")), ""))
        if shipment is None:
            return error(404, "151044", "No label found for the tracking number.")
        image = request.get("LabelSpecification", {}).get("LabelImageFormat", {}).get("Code") or shipment.image
        results = [{"TrackingNumber": number, "LabelImage": {
            "LabelImageFormat": {"Code": image},
            "GraphicImage": base64.b64encode(label_image(image, number, shipment.lines)).decode()}}
            for number in shipment.numbers]
        answer: dict[str, Any] = {"Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
                                  "ShipmentIdentificationNumber": shipment.numbers[0], "LabelResults": results}
        if shipment.forms:
            answer["Form"] = forms_json(shipment.numbers[0])
        return json_response(200, {"LabelRecoveryResponse": answer})


def references_of(shipment: dict[str, Any], packages: list[Any]) -> list[str]:
    """Every reference value of the shipment and its packages."""
    nodes = shipment.get("ReferenceNumber") or []
    nodes = list(nodes if isinstance(nodes, list) else [nodes])
    for package in packages:
        inner = package.get("ReferenceNumber") or [] if isinstance(package, dict) else []
        nodes += inner if isinstance(inner, list) else [inner]
    return list(dict.fromkeys(str(n.get("Value")) for n in nodes if isinstance(n, dict) and n.get("Value")))


def label_lines(shipment: dict[str, Any], service: str, references: list[str]) -> tuple[str, ...]:
    """What a UPS label prints besides the number: service, references, from and to."""
    def place(party: str) -> str:
        node = shipment.get(party) or {}
        address = node.get("Address") or {}
        return ", ".join(str(p) for p in (node.get("Name"), address.get("City"), address.get("CountryCode")) if p)

    lines = [f"UPS {service}", *(f"Ref: {r}" for r in references[:2])]
    return (*lines, f"From: {place('Shipper')}", f"To: {place('ShipTo')}")


def forms_json(tracking: str) -> dict[str, Any]:
    forms = documents.pdf_document("UPS international forms", [f"Shipment {tracking}", "Commercial invoice"])
    return {"Code": "01", "Description": "All Requested International Forms",
            "Image": {"ImageFormat": {"Code": "PDF", "Description": "PDF"},
                      "GraphicImage": base64.b64encode(forms).decode()}}


def package_json(shipment: Shipment, number: str) -> dict[str, Any]:
    """A tracked package: the steps revealed so far, newest first, each dated when it happened (never
    after the emulator's now); a voided one's newest activity says so and nothing follows it."""
    activities = []
    times = shipment.revealed or [shipment.created]
    for step in range(shipment.stage, -1, -1):
        kind, code, status_code, description = STAGES[step]
        when = times[step]
        activities.append({"date": when.strftime("%Y%m%d"), "time": when.strftime("%H%M%S"), "gmtOffset": "+00:00",
                           "location": {"address": {"city": "Louisville", "stateProvince": "KY", "countryCode": "US"}},
                           "status": {"type": kind, "code": code, "statusCode": status_code,
                                      "description": description}})
    if shipment.voided and shipment.voided_at is not None:
        when = shipment.voided_at
        voided = {"type": "MV", "code": "MV", "description": "Shipment voided"}
        activities.insert(0, {**activities[0], "date": when.strftime("%Y%m%d"), "time": when.strftime("%H%M%S"),
                              "status": voided})
    delivered = shipment.stage == len(STAGES) - 1
    delivery = (times[-1] if delivered else shipment.created + timedelta(days=2)).strftime("%Y%m%d")
    package: dict[str, Any] = {
        "trackingNumber": number, "activity": activities, "currentStatus": activities[0]["status"],
        "referenceNumber": [{"type": "SHIPMENT", "number": r} for r in shipment.references]}
    if not shipment.voided or delivered:
        package["deliveryDate"] = [{"type": "DEL" if delivered else "SDD", "date": delivery}]
    return package
