"""The UPS emulator: UPS's REST paths and JSON shapes, OAuth2 included, with state.

Tokens are issued to the sandbox credentials only; rating prices come from ``ups_pricing``;
shipments get 1Z tracking numbers and a small label in the format asked; tracking moves one step
(manifest, pickup, in transit, out for delivery, delivered) each time a number is tracked.
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

from carriergate.sandbox.base import Emulator, json_response
from carriergate.sandbox.billing import billing_currency, local
from carriergate.sandbox.conformance import Violation
from carriergate.sandbox.ups_pricing import CENT, Lane, rated_shipment

TINY_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
STAGES = [("M", "MP", "Shipper created a label, UPS has not received the package yet."),
          ("P", "OR", "Pickup Scan"), ("I", "AR", "Arrived at Facility"),
          ("I", "OT", "Out For Delivery Today"), ("D", "KB", "DELIVERED")]  # fmt: skip
_RATE = re.compile(r"^/api/rating/[^/]+/(\w+)$")
_VOID = re.compile(r"^/api/shipments/[^/]+/void/cancel/(\w+)$")
_TRACK = re.compile(r"^/api/track/v1/details/(\w+)$")


def error(status: int, code: str, message: str) -> httpx.Response:
    return json_response(status, {"response": {"errors": [{"code": code, "message": message}]}})


def label_image(code: str, tracking: str) -> bytes:
    if code == "ZPL":
        return f"^XA^FO50,50^A0N,40,40^FDUPS {tracking}^FS^XZ".encode()
    if code == "EPL":
        return f'N\nA50,50,0,4,1,1,N,"UPS {tracking}"\nP1\n'.encode()
    return TINY_GIF


@dataclass
class Shipment:
    numbers: list[str]
    created: datetime
    voided: bool = False
    tracked: int = 0


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
                return self.track(match.group(1))
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
        if not packages:
            return error(400, "111210", "The requested service is unavailable between the selected locations.")
        pickup = self.clock().date() if option.endswith("timeintransit") else None
        if option.startswith("rate"):
            code = shipment.get("Service", {}).get("Code", "")
            if code not in lane.services:
                return error(400, "111210", "The requested service is unavailable between the selected locations.")
            codes = [code]
        else:
            codes = list(lane.services)
        rated = [rated_shipment(lane, c, packages, pickup=pickup) for c in codes]
        return json_response(200, {"RateResponse": {
            "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}}, "RatedShipment": rated}})

    def ship(self, body: dict[str, Any]) -> httpx.Response:
        request = body.get("ShipmentRequest", {})
        shipment = request.get("Shipment", {})
        lane, packages = self._lane(shipment), self._packages(shipment)
        code = shipment.get("Service", {}).get("Code", "")
        if code not in lane.services or not packages:
            return error(400, "120200", "The requested service is unavailable between the selected locations.")
        forms = shipment.get("ShipmentServiceOptions", {}).get("InternationalForms")
        if lane.international and "DocumentsOnlyIndicator" not in shipment and not forms:
            return error(400, "120121", "International forms are required for this shipment.")
        for document in (forms or {}).get("UserCreatedForm", {}).get("DocumentID", []):
            if document not in self.state.documents:
                return error(400, "120541", f"Unknown DocumentID {document}.")
        image = request.get("LabelSpecification", {}).get("LabelImageFormat", {}).get("Code", "GIF")
        account = shipment.get("Shipper", {}).get("ShipperNumber", "SBX123")
        numbers = [f"1Z{account:0>6}{code:0>2}{self._next():08d}" for _ in packages]
        self.state.shipments[numbers[0]] = Shipment(numbers, self.clock())
        for number in numbers:
            self.state.packages[number] = numbers[0]
        rated = rated_shipment(lane, code, packages)
        charges = {k: rated[k] for k in ("BaseServiceCharge", "TransportationCharges", "ItemizedCharges",
                                         "ServiceOptionsCharges", "TotalCharges")}
        results = [{"TrackingNumber": number, "ShippingLabel": {
            "ImageFormat": {"Code": image, "Description": image},
            "GraphicImage": base64.b64encode(label_image(image, number)).decode()}} for number in numbers]
        return json_response(200, {"ShipmentResponse": {
            "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
            "ShipmentResults": {"ShipmentCharges": charges, "NegotiatedRateCharges": rated["NegotiatedRateCharges"],
                                "BillingWeight": rated["BillingWeight"], "ShipmentIdentificationNumber": numbers[0],
                                "PackageResults": results if len(results) > 1 else results[0]}}})

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
        shipment.voided = True
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

    # -- tracking -------------------------------------------------------------------------------
    def track(self, number: str) -> httpx.Response:
        shipment = self.state.shipments.get(self.state.packages.get(number, ""))
        if shipment is None:
            return error(404, "TW0001", "Tracking Information Not Found")
        stage = min(shipment.tracked, len(STAGES) - 1)
        shipment.tracked += 1
        activities = []
        for step in range(stage, -1, -1):
            kind, code, description = STAGES[step]
            when = shipment.created + timedelta(hours=6 * step)
            activities.append({"date": when.strftime("%Y%m%d"), "time": when.strftime("%H%M%S"), "gmtOffset": "+00:00",
                               "location": {"address": {"city": "Louisville", "stateProvince": "KY",
                                                        "countryCode": "US"}},
                               "status": {"type": kind, "code": code, "description": description}})
        if shipment.voided:
            activities.insert(0, {**activities[0], "status": {"type": "MV", "code": "MV",
                                                              "description": "Shipment voided"}})
        delivery = (shipment.created + timedelta(days=2)).strftime("%Y%m%d")
        return json_response(200, {"trackResponse": {"shipment": [{"inquiryNumber": number, "package": [{
            "trackingNumber": number, "activity": activities, "currentStatus": activities[0]["status"],
            "deliveryDate": [{"type": "DEL" if stage == len(STAGES) - 1 else "SDD", "date": delivery}]}]}]}})
