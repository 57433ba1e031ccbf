"""FedEx emulator: the REST paths carriergate uses, FedEx's JSON shapes, deterministic prices.

Point an account at ``http://sandbox.carriergate.invalid/fedex`` (``base_url``; ETD uploads follow
it). Endpoints: ``/oauth/token`` (form credentials, tokens of 3599 s), rate quotes on the lanes
FedEx serves (see fedex_pricing.py: domestic only within the US and Canada; RATE.LOCATION.NOSERVICE
elsewhere), shipments (stateful, 12-digit tracking numbers, a real label in the format asked: PDF,
PNG, ZPLII or EPL2, see documents.py), cancel (tracking then ends with a "CA" cancelled event),
pickups and their cancellation, ETD document upload (multipart), tracking of up to 30 numbers per
request whose events advance one scan per query, and Track by References (see fedex_tracking.py).
Shipments may be return labels (``RETURN_SHIPMENT``), be billed to another account, and ask for a
commercial invoice (``shippingDocumentSpecification``), returned in ``shipmentDocuments``. Failures
use FedEx's ``{"transactionId", "errors": [{code, message}]}`` body.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import parse_qs

import httpx

from carriergate.sandbox import documents
from carriergate.sandbox import fedex_pricing as pricing
from carriergate.sandbox.base import Emulator, json_response
from carriergate.sandbox.conformance import Violation
from carriergate.sandbox.fedex_tracking import Shipment, track_numbers, track_references

#: The label formats FedEx makes (``labelSpecification.imageType``); another asks for a PDF.
IMAGES = frozenset({"PDF", "PNG", "ZPLII", "EPL2"})


@dataclass
class _Pickup:
    code: str
    location: str
    date: str
    cancelled: bool = False
    body: dict[str, Any] = field(default_factory=dict)


class FedExEmulator(Emulator):
    name = "fedex"
    account: ClassVar[dict[str, str]] = {"client_id": "sandbox-fedex-id", "client_secret": "sandbox-fedex-secret",
                                         "account_number": "740561073"}

    def __init__(self, *, now: datetime | None = None) -> None:
        super().__init__()
        self.now = now
        self.tokens: set[str] = set()
        self.shipments: dict[str, Shipment] = {}
        self.pickups: dict[str, _Pickup] = {}
        self.documents: dict[str, dict[str, Any]] = {}
        self._serial = 794_600_000_000

    # -- plumbing -------------------------------------------------------------------------------
    def _clock(self) -> datetime:
        return self.now or datetime.now(UTC)

    @staticmethod
    def _error(status: int, code: str, message: str) -> httpx.Response:
        body = {"transactionId": str(uuid.uuid4()), "errors": [{"code": code, "message": message}]}
        return json_response(status, body)

    @staticmethod
    def _ok(body: dict[str, Any], status: int = 200) -> httpx.Response:
        return json_response(status, {"transactionId": str(uuid.uuid4()), "output": body})

    def reject(self, violation: Violation) -> httpx.Response:
        return self._error(400, "SANDBOX.SCHEMA.VIOLATION",
                           "Request breaks the FedEx schema: " + "; ".join(violation.problems))

    def _next_tracking(self) -> str:
        self._serial += 1
        return str(self._serial)

    def labels_created(self) -> int:
        with self.lock:
            return len(self.shipments)

    def is_voided(self, tracking_number: str) -> bool:
        with self.lock:
            return self.shipments[tracking_number].cancelled

    def handle(self, request: httpx.Request, path: str) -> httpx.Response:
        if path == "/oauth/token" and request.method == "POST":
            return self._token(request)
        routes: dict[tuple[str, str], Callable[[dict[str, Any]], httpx.Response]] = {
            ("POST", "/rate/v1/rates/quotes"): self._rate, ("POST", "/ship/v1/shipments"): self._ship,
            ("PUT", "/ship/v1/shipments/cancel"): self._cancel, ("POST", "/pickup/v1/pickups"): self._pickup,
            ("PUT", "/pickup/v1/pickups/cancel"): self._cancel_pickup,
            ("POST", "/track/v1/trackingnumbers"): self._track,
            ("POST", "/track/v1/referencenumbers"): self._track_references,
        }
        upload = request.method == "POST" and path == "/documents/v1/etds/upload"
        route = routes.get((request.method, path))
        if route is None and not upload:
            return self._error(404, "NOT.FOUND.ERROR", "The resource you requested is no longer available.")
        auth = request.headers.get("authorization", "")
        with self.lock:
            known = auth.startswith("Bearer ") and auth[7:] in self.tokens
        if not known:
            return self._error(401, "NOT.AUTHORIZED.ERROR", "Access token expired. Please modify your request "
                                                            "and try again.")
        if upload or route is None:
            return self._upload(request)
        try:
            body = json.loads(request.content)
        except ValueError:
            return self._error(400, "INVALID.INPUT.EXCEPTION", "Invalid field value in the input")
        if not isinstance(body, dict):
            return self._error(400, "INVALID.INPUT.EXCEPTION", "Invalid field value in the input")
        with self.lock:
            return route(body)

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode("utf-8", "replace")).items()}
        if form.get("grant_type") != "client_credentials":
            return self._error(400, "GRANT.TYPE.INVALID", "The given grant type is not supported.")
        if form.get("client_id") != self.account["client_id"] or \
                form.get("client_secret") != self.account["client_secret"]:
            return self._error(401, "NOT.AUTHORIZED.ERROR", "The given client credentials were not valid. "
                                                            "Please modify your request and try again.")
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens.add(token)
        return json_response(200, {"access_token": token, "token_type": "bearer", "expires_in": 3599, "scope": "CXS"})

    def _account_ok(self, body: dict[str, Any], key: str = "accountNumber") -> bool:
        return str((body.get(key) or {}).get("value")) == self.account["account_number"]

    # -- rate -----------------------------------------------------------------------------------
    def _rated(self, p: pricing.Price, rate_type: str) -> dict[str, Any]:
        surcharges = [{"type": "FUEL", "description": "Fuel Surcharge", "amount": float(p.fuel)}]
        if p.insurance:
            surcharges.append({"type": "INSURED_VALUE", "description": "Declared value charge",
                               "amount": float(p.insurance)})
        return {"rateType": rate_type, "ratedWeightMethod": "ACTUAL",
                "totalBaseCharge": float(p.base), "totalNetCharge": float(p.total),
                "totalNetFedExCharge": float(p.total), "totalNetChargeWithDutiesAndTaxes": float(p.total),
                "totalDiscounts": 0, "totalDutiesAndTaxes": 0, "currency": p.currency,
                "shipmentRateDetail": {"rateZone": str(p.zone), "dimDivisor": 5000,
                                       "totalSurcharges": float(p.fuel + p.insurance), "surCharges": surcharges,
                                       "totalBillingWeight": {"units": "KG", "value": float(p.billed_kg)},
                                       "currency": p.currency}}

    def _rate(self, body: dict[str, Any]) -> httpx.Response:
        if not self._account_ok(body):
            return self._error(400, "ACCOUNT.NUMBER.MISMATCH", "The account number is not valid for this client.")
        shipment = body.get("requestedShipment") or {}
        if not shipment.get("requestedPackageLineItems"):
            return self._error(400, "PACKAGE.WEIGHT.MISSING", "Please enter the package weight.")
        services = pricing.services_for(shipment)
        if not services:
            return self._error(400, *pricing.NO_SERVICE)
        wanted = shipment.get("serviceType")
        if wanted:
            services = [s for s in services if s.code == wanted]
            if not services:
                return self._error(400, "SERVICE.TYPE.NOT.ALLOWED", f"{wanted} is not offered for this lane.")
        today = self._clock().date()
        replies = []
        for service in services:
            commit = today + timedelta(days=service.days)
            replies.append({
                "serviceType": service.code, "serviceName": service.name, "packagingType": "YOUR_PACKAGING",
                "ratedShipmentDetails": [self._rated(pricing.price(service, shipment, account=True), "ACCOUNT"),
                                         self._rated(pricing.price(service, shipment, account=False), "LIST")],
                "commit": {"dateDetail": {"dayOfWeek": commit.strftime("%a").upper(),
                                          "dayFormat": f"{commit.isoformat()}T18:00:00"}},
                "operationalDetail": {"transitTime": _days_word(service.days)},
            })
        return self._ok({"rateReplyDetails": replies, "quoteDate": today.isoformat(), "isEncoded": False})

    # -- ship / cancel --------------------------------------------------------------------------
    def _ship(self, body: dict[str, Any]) -> httpx.Response:
        if not self._account_ok(body):
            return self._error(400, "ACCOUNT.NUMBER.MISMATCH", "The account number is not valid for this client.")
        shipment = body.get("requestedShipment") or {}
        shipment_for_price = {**shipment, "recipient": (shipment.get("recipients") or [{}])[0]}
        service = pricing.BY_CODE.get(str(shipment.get("serviceType")))
        if service is None or service not in pricing.services_for(shipment_for_price):
            return self._error(400, "SERVICE.TYPE.NOT.ALLOWED", f"{shipment.get('serviceType')} is not offered "
                                                                "for this lane.")
        packages = shipment.get("requestedPackageLineItems") or []
        if not packages:
            return self._error(400, "PACKAGE.WEIGHT.MISSING", "Please enter the package weight.")
        if service.international and not (shipment.get("customsClearanceDetail") or {}).get("commodities"):
            return self._error(400, "COMMODITY.REQUIRED", "Commodities are required for international shipments.")
        refused = _payment_refused(shipment)
        if refused:
            return self._error(400, "PAYOR.ACCOUNTNUMBER.REQUIRED", refused)
        special = shipment.get("shipmentSpecialServices") or {}
        is_return = "RETURN_SHIPMENT" in (special.get("specialServiceTypes") or [])
        if is_return and (special.get("returnShipmentDetail") or {}).get("returnType") not in ("PRINT_RETURN_LABEL",
                                                                                               "PENDING"):
            return self._error(400, "RETURN.TYPE.REQUIRED", "Please provide a valid return type.")
        attached = (special.get("etdDetail") or {}).get("attachedDocuments")
        for doc in attached or []:
            if doc.get("documentId") not in self.documents:
                return self._error(400, "ETD.DOCUMENT.NOTFOUND", "The uploaded document reference is not valid.")
        image = str((shipment.get("labelSpecification") or {}).get("imageType", "PDF"))
        image = image if image in IMAGES else "PDF"
        pieces = [self._next_tracking() for _ in packages]
        master = pieces[0]
        price = pricing.price(service, shipment_for_price, account=True)
        now = self._clock()
        self.shipments[master] = Shipment(
            master, pieces, service.code, now, (shipment.get("shipper") or {}).get("address") or {},
            shipment_for_price["recipient"].get("address") or {}, service.days,
            recipient_name=str((shipment_for_price["recipient"].get("contact") or {}).get("personName", "")),
            references={(str(r.get("customerReferenceType")), str(r.get("value"))) for item in packages
                        for r in (item.get("customerReferences") or [])}, is_return=is_return)
        rated = self._rated(price, "PAYOR_ACCOUNT_SHIPMENT")
        rated["surcharges"] = [{"surchargeType": s["type"], "description": s["description"], "amount": s["amount"]}
                               for s in rated["shipmentRateDetail"].pop("surCharges")]
        rated.update({k: v for k, v in rated.pop("shipmentRateDetail").items() if k not in rated})
        result: dict[str, Any] = {
            "serviceType": service.code, "serviceName": service.name, "shipDatestamp": now.date().isoformat(),
            "masterTrackingNumber": master,
            "pieceResponses": [{"trackingNumber": t, "masterTrackingNumber": master, "packageSequenceNumber": i + 1,
                                "netChargeAmount": float(price.total) if i == 0 else 0,
                                "packageDocuments": [{"contentType": "LABEL", "copiesToPrint": 1, "docType": image,
                                                      "encodedLabel": _label(image, t, service.name, shipment)}]}
                               for i, t in enumerate(pieces)],
            "completedShipmentDetail": {
                "masterTrackingId": {"trackingIdType": "FEDEX", "trackingNumber": master},
                "shipmentRating": {"actualRateType": "PAYOR_ACCOUNT_SHIPMENT", "shipmentRateDetails": [rated]},
            },
        }
        wanted = (shipment.get("shippingDocumentSpecification") or {}).get("shippingDocumentTypes") or []
        if "COMMERCIAL_INVOICE" in wanted:
            result["shipmentDocuments"] = [{"contentType": "COMMERCIAL_INVOICE", "copiesToPrint": 3, "docType": "PDF",
                                            "encodedLabel": _invoice(master, shipment)}]
        if attached:
            result["completedShipmentDetail"]["completedEtdDetail"] = {
                "type": "COMMERCIAL_INVOICE", "uploadDocumentReferenceDetails": attached}
        return self._ok({"transactionShipments": [result]})

    def _cancel(self, body: dict[str, Any]) -> httpx.Response:
        if not self._account_ok(body):
            return self._error(400, "SHIPMENT.USER.UNAUTHORIZED", "Requested user is not authorized to perform "
                                                                 "the operation.")
        shipment = self.shipments.get(str(body.get("trackingNumber")))
        if shipment is None:
            return self._error(404, "TRACKINGNUMBER.NOTFOUND", "The tracking number is not valid for a shipment.")
        if shipment.cancelled:
            return self._ok({"cancelledShipment": False, "cancelledHistory": True,
                             "message": "Shipment is already cancelled",
                             "alerts": [{"code": "SHIPMENT.ALREADY.CANCELLED", "alertType": "WARNING",
                                         "message": "Shipment is already cancelled"}]})
        shipment.cancelled, shipment.cancelled_at = True, max(self._clock(), shipment.created, *shipment.revealed)
        return self._ok({"cancelledShipment": True, "cancelledHistory": True, "message": "Shipment is cancelled"})

    # -- pickup ---------------------------------------------------------------------------------
    def _pickup(self, body: dict[str, Any]) -> httpx.Response:
        if not self._account_ok(body, "associatedAccountNumber"):
            return self._error(400, "ACCOUNT.NUMBER.MISMATCH", "The account number is not valid for this client.")
        origin = body.get("originDetail") or {}
        ready = str(origin.get("readyDateTimestamp", ""))
        try:
            day = date.fromisoformat(ready[:10])
        except ValueError:
            return self._error(400, "PICKUP.READYTIMESTAMP.INVALID", "Please provide a valid ready date and time.")
        if body.get("carrierCode") not in ("FDXE", "FDXG"):
            return self._error(400, "CARRIERCODE.INVALID", "Please provide a valid carrier code.")
        code = f"{len(self.pickups) + 1:03d}"
        location = "NQAA"
        self.pickups[code] = _Pickup(code, location, day.isoformat(), body=body)
        return self._ok({"pickupConfirmationCode": code, "location": location,
                         "message": "Courier on the way"})

    def _cancel_pickup(self, body: dict[str, Any]) -> httpx.Response:
        pickup = self.pickups.get(str(body.get("pickupConfirmationCode")))
        if pickup is None or body.get("scheduledDate") != pickup.date:
            return self._error(400, "PICKUP.CONFIRMATIONNUMBER.NOTFOUND", "The pickup confirmation number and "
                                                                          "date do not match a pickup.")
        if pickup.cancelled:
            return self._error(400, "PICKUP.ALREADY.CANCELLED", "This pickup has already been cancelled.")
        pickup.cancelled = True
        return self._ok({"pickupConfirmationCode": pickup.code,
                         "cancelConfirmationMessage": "Requested pickup has been cancelled Successfully."})

    # -- documents ------------------------------------------------------------------------------
    def _upload(self, request: httpx.Request) -> httpx.Response:
        parts = _multipart(request)
        try:
            document = json.loads(parts.get("document", b"{}"))
        except ValueError:
            document = {}
        meta = document.get("meta") or {}
        if not parts.get("attachment") or not document.get("name") or not meta.get("shipDocumentType"):
            return self._error(400, "DOCUMENT.INPUT.INVALID", "document and attachment are required.")
        with self.lock:
            doc_id = f"0904{len(self.documents) + 1:012x}"
            self.documents[doc_id] = {"document": document, "size": len(parts["attachment"])}
        return json_response(201, {"customerTransactionId": request.headers.get("x-customer-transaction-id"),
                                   "output": {"meta": {"documentType": "CI", "docId": doc_id,
                                                       "folderId": ["0b0493e1812f8921"]}}})

    # -- track ----------------------------------------------------------------------------------
    def _track(self, body: dict[str, Any]) -> httpx.Response:
        results = track_numbers(self.shipments, body, self._clock())
        if isinstance(results, str):
            return self._error(400, "TRACKING.TRACKINGNUMBER.INVALID", results)
        return self._ok({"completeTrackResults": results})

    def _track_references(self, body: dict[str, Any]) -> httpx.Response:
        reference = body.get("referencesInformation") or {}
        if not isinstance(reference, dict) or not reference.get("value") or not reference.get("type"):
            return self._error(400, "TRACKING.REFERENCEVALUE.EMPTY", "Please provide a reference type and value.")
        if str(reference.get("accountNumber")) != self.account["account_number"]:
            return self._error(400, "TRACKING.ACCOUNTNUMBER.MISMATCH", "Tracking by reference needs the shipper's "
                                                                        "account number.")
        return self._ok({"completeTrackResults": track_references(self.shipments, reference, self._clock())})


def _place(party: dict[str, Any]) -> str:
    contact, address = party.get("contact") or {}, party.get("address") or {}
    parts = (contact.get("personName") or contact.get("companyName"), address.get("city"), address.get("countryCode"))
    return ", ".join(str(p) for p in parts if p)


def _label(image: str, tracking: str, service: str, shipment: dict[str, Any]) -> str:
    """One package's label, base64: a real document in ``image`` with the tracking number and barcode."""
    recipient = (shipment.get("recipients") or [{}])[0] or {}
    lines = (f"From: {_place(shipment.get('shipper') or {})}", f"To: {_place(recipient)}")
    content = documents.Content("FedEx", tracking, service, lines)
    return base64.b64encode(documents.label(image, content)).decode("ascii")


def _invoice(tracking: str, shipment: dict[str, Any]) -> str:
    """The commercial invoice FedEx makes when asked: one PDF page listing the commodities."""
    commodities = (shipment.get("customsClearanceDetail") or {}).get("commodities") or []
    lines = [f"Master tracking number {tracking}"] + [
        f"{c.get('quantity', '')} x {c.get('description', '')} (HS {c.get('harmonizedCode', '')})"
        for c in commodities if isinstance(c, dict)]
    return base64.b64encode(documents.pdf_document("FedEx commercial invoice", lines)).decode("ascii")


def _payment_refused(shipment: dict[str, Any]) -> str | None:
    """Why FedEx would refuse the shipment's payment: RECIPIENT and THIRD_PARTY bill the payor's account."""
    for name in ("shippingChargesPayment", "dutiesPayment"):
        holder = shipment if name == "shippingChargesPayment" else shipment.get("customsClearanceDetail") or {}
        payment = holder.get(name) or {}
        if payment.get("paymentType") in ("THIRD_PARTY", "COLLECT") or \
                (name == "shippingChargesPayment" and payment.get("paymentType") == "RECIPIENT"):
            account = (((payment.get("payor") or {}).get("responsibleParty") or {}).get("accountNumber") or {})
            if not account.get("value"):
                return f"{name}: the payor's account number is required for {payment.get('paymentType')}."
    return None


def _days_word(days: int) -> str:
    words = ["ONE_DAY", "TWO_DAYS", "THREE_DAYS", "FOUR_DAYS", "FIVE_DAYS", "SIX_DAYS", "SEVEN_DAYS"]
    return words[min(days, len(words)) - 1]


def _multipart(request: httpx.Request) -> dict[str, bytes]:
    """The named parts of a multipart/form-data body."""
    content_type = request.headers.get("content-type", "")
    boundary = next((p.split("=", 1)[1].strip('"') for p in content_type.split(";") if "boundary=" in p), None)
    if not boundary:
        return {}
    parts: dict[str, bytes] = {}
    for chunk in request.content.split(b"--" + boundary.encode()):
        head, sep, payload = chunk.partition(b"\r\n\r\n")
        if not sep:
            continue
        disposition = head.decode("utf-8", "replace")
        marker = 'name="'
        if marker not in disposition:
            continue
        name = disposition.split(marker, 1)[1].split('"', 1)[0]
        parts[name] = payload[:-2] if payload.endswith(b"\r\n") else payload
    return parts
