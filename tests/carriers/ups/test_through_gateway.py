"""UPS through the whole pipeline (cg.Gateway -> executor -> OAuth2 -> httpx.MockTransport):
token fetch and reuse, 401 refresh, error mapping, retries, headers and paths."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx
import pytest

import carriergate as cg

from support.ups_samples import FIXTURES, INVOICE, cn_to_us, domestic_us, pickup_request, shipment

BASE = "https://ups.test"
SETTINGS = {"client_id": "id-123", "client_secret": "s3cr3t-value", "account_number": "A1B2C3", "base_url": BASE}
TOKEN = {"token_type": "Bearer", "issued_at": "1700000000000", "client_id": "id-123", "access_token": "tok-1",
         "expires_in": "14399", "status": "approved"}
Handler = Callable[[httpx.Request], httpx.Response]


def fixture(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=(FIXTURES / name).read_bytes(), headers={"content-type": "application/json"})


class UPSDouble:
    """Token endpoint plus scripted answers per path; every request recorded."""

    def __init__(self, routes: dict[str, list[httpx.Response]]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []
        self.tokens = 0
        self.bearers: list[str] = []  # as sent (an auth flow may reuse the request object)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.startswith("/api/"):
            self.bearers.append(request.headers.get("authorization", ""))
        if request.url.path == "/security/v1/oauth/token":
            self.tokens += 1
            return httpx.Response(200, json={**TOKEN, "access_token": f"tok-{self.tokens}"})
        answers = self.routes[request.url.path]
        return answers.pop(0) if len(answers) > 1 else answers[0]

    def api(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.startswith("/api/")]


def gateway(double: UPSDouble, sleeps: list[float] | None = None) -> cg.Gateway:
    return cg.Gateway({"ups": SETTINGS}, transport=httpx.MockTransport(double),
                      sleep=(sleeps.append if sleeps is not None else lambda s: None))


RATE_PATH = "/api/rating/v2409/Shoptimeintransit"


def test_token_is_fetched_once_and_sent_as_bearer() -> None:
    double = UPSDouble({RATE_PATH: [fixture("rate_response_domestic.json")]})
    with gateway(double) as gw:
        first = gw.carrier("ups").rate(domestic_us())
        gw.carrier("ups").rate(domestic_us())
    assert first[0].total == cg.Money("19.80", "USD")
    assert double.tokens == 1
    token = double.requests[0]
    assert token.headers["authorization"] == "Basic " + base64.b64encode(b"id-123:s3cr3t-value").decode()
    assert token.headers["x-merchant-id"] == "A1B2C3"
    assert parse_qs(token.content.decode()) == {"grant_type": ["client_credentials"]}
    assert double.bearers == ["Bearer tok-1", "Bearer tok-1"]
    for call in double.api():
        assert len(call.headers["transid"]) == 32
        assert call.headers["transactionsrc"] == "carriergate"
        assert json.loads(call.content)["RateRequest"]["Request"]["RequestOption"] == "Shop"
    assert double.api()[0].headers["transid"] != double.api()[1].headers["transid"]


def test_a_401_refreshes_the_token_once() -> None:
    double = UPSDouble({RATE_PATH: [fixture("error_auth.json", 401), fixture("rate_response_domestic.json")]})
    with gateway(double) as gw:
        quotes = gw.carrier("ups").rate(domestic_us())
    assert [q.service_code for q in quotes] == ["03", "02", "93"]
    assert double.tokens == 2
    assert double.bearers == ["Bearer tok-1", "Bearer tok-2"]


def test_a_second_401_is_an_authentication_error() -> None:
    double = UPSDouble({RATE_PATH: [fixture("error_auth.json", 401)]})
    with gateway(double) as gw, pytest.raises(cg.AuthenticationError) as caught:
        gw.carrier("ups").rate(domestic_us())
    assert (caught.value.code, caught.value.carrier) == ("250002", "ups")
    assert double.tokens == 2


def test_refused_credentials_never_leak_the_secret() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"response": {"errors": [{"code": "10401", "message": "ClientId is Invalid"}]}})

    with cg.Gateway({"ups": SETTINGS}, transport=httpx.MockTransport(handler)) as gw:
        result = gw.rate(domestic_us(), carriers=["ups"])
    error = result.errors["ups"]
    assert isinstance(error, cg.AuthenticationError)
    assert error.code == "10401"
    assert "s3cr3t-value" not in f"{error} {error!r}"


def test_a_503_on_rate_is_retried() -> None:
    double = UPSDouble({RATE_PATH: [httpx.Response(503, text="Service Unavailable"),
                                    fixture("rate_response_domestic.json")]})
    sleeps: list[float] = []
    with gateway(double, sleeps) as gw:
        quotes = gw.carrier("ups").rate(domestic_us())
    assert len(quotes) == 3
    assert len(double.api()) == 2
    assert len(sleeps) == 1


def test_carrier_errors_keep_ups_code_and_message_and_ship_is_not_retried() -> None:
    path = "/api/shipments/v2409/ship"
    double = UPSDouble({path: [fixture("error_ship.json", 400)]})
    with gateway(double) as gw, pytest.raises(cg.CarrierError) as caught:
        gw.ship(shipment(domestic_us()))
    assert (caught.value.code, caught.value.message, caught.value.http_status) == (
        "120802", "Address Validation Error on ShipTo address", 400)
    assert len(double.api()) == 1


def test_ship_uploads_documents_first_and_references_them() -> None:
    double = UPSDouble({"/api/paperlessdocuments/v2/upload": [fixture("paperless_response.json")],
                        "/api/shipments/v2409/ship": [fixture("ship_response_cn_us.json")]})
    with gateway(double) as gw:
        label = gw.ship(shipment(cn_to_us(), documents=[INVOICE]))
    upload, ship = double.api()
    assert upload.headers["shippernumber"] == "A1B2C3"
    assert json.loads(upload.content)["UploadRequest"]["UserCreatedForm"][0]["UserCreatedFormDocumentType"] == "002"
    forms = json.loads(ship.content)["ShipmentRequest"]["Shipment"]["ShipmentServiceOptions"]["InternationalForms"]
    assert forms["FormType"] == ["01", "07"]
    assert forms["UserCreatedForm"] == {"DocumentID": ["2099-05-04-00.00.00.000001"]}
    assert label.tracking_number == "1ZA1B2C36512345678"


def test_void_pickup_and_track_paths() -> None:
    double = UPSDouble({
        "/api/shipments/v2409/void/cancel/1ZA1B2C36512345678": [fixture("void_response.json")],
        "/api/pickupcreation/v2409/pickup": [fixture("pickup_response.json")],
        "/api/shipments/v2409/pickup/02": [fixture("pickup_cancel_response.json")],
        "/api/track/v1/details/1ZA1B2C30312345675": [fixture("track_response_delivered.json")],
        "/api/track/v1/details/1Z0000000000000000": [fixture("track_not_found_error.json", 404)],
    })
    label = cg.Label(carrier="ups", tracking_number="1ZA1B2C36512345678", label=b"x", label_format="GIF",
                     carrier_data={"shipment_id": "1ZA1B2C36512345678"})
    with gateway(double) as gw:
        gw.void(label)
        pickup = gw.schedule_pickup(pickup_request(), carrier="ups")
        gw.cancel_pickup(pickup)
        info = gw.track("1za1b2c30312345675", carrier="ups")
        with pytest.raises(cg.NotFound):
            gw.track("1Z0000000000000000", carrier="ups")
    void, _create, cancel, track, _ = double.api()
    assert void.method == "DELETE"
    assert cancel.method == "DELETE"
    assert cancel.headers["prn"] == pickup.confirmation_number == "2929602E9CP"
    assert track.url.params["locale"] == "en_US"
    assert track.headers["transactionsrc"] == "carriergate"
    assert info.status is cg.TrackingStatus.DELIVERED


def test_async_gateway_shares_the_same_flows() -> None:
    double = UPSDouble({RATE_PATH: [fixture("error_auth.json", 401), fixture("rate_response_domestic.json")]})

    async def main() -> list[cg.Quote]:
        async def no_sleep(seconds: float) -> None:
            return None

        async with cg.AsyncGateway({"ups": SETTINGS}, transport=httpx.MockTransport(double), sleep=no_sleep) as gw:
            return await gw.carrier("ups").rate(domestic_us())

    quotes = asyncio.run(main())
    assert quotes[0].total == cg.Money("19.80", "USD")
    assert double.tokens == 2


class SlowTokenDouble(UPSDouble):
    """The first token request times out; everything else answers."""

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/security/v1/oauth/token" and self.tokens == 0:
            self.tokens += 1
            self.requests.append(request)
            raise httpx.ReadTimeout("token endpoint too slow", request=request)
        return super().__call__(request)


def test_a_token_timeout_before_a_ship_is_retried_because_the_label_was_never_asked_for() -> None:
    path = "/api/shipments/v2409/ship"
    double = SlowTokenDouble({path: [fixture("ship_response_domestic.json")]})
    with gateway(double) as gw:
        label = gw.ship(shipment(domestic_us()))
    assert label.tracking_number
    assert len(double.api()) == 1  # the label was requested exactly once, after the second token fetch
    assert double.tokens == 2


def test_a_timeout_on_the_ship_itself_is_outcome_unknown_and_never_resent() -> None:
    path = "/api/shipments/v2409/ship"

    class LostLabel(UPSDouble):
        def __call__(self, request: httpx.Request) -> httpx.Response:
            response = super().__call__(request)
            if request.url.path == path:
                raise httpx.ReadTimeout("answer lost", request=request)
            return response

    double = LostLabel({path: [fixture("ship_response_domestic.json")]})
    with gateway(double) as gw, pytest.raises(cg.OutcomeUnknown) as caught:
        gw.ship(shipment(domestic_us()))
    assert caught.value.reference == shipment(domestic_us()).reference
    assert len(double.api()) == 1
