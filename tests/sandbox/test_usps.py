"""The USPS emulator on its own, spoken to in USPS's wire format (never through the adapter): tokens,
payment authorization, prices, labels kept by idempotency key, JSON and multipart label answers,
cancels, pickups with ETags, and tracking that advances one scan per query."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from typing import Any

import httpx
import pytest

from carriergate.sandbox.base import SANDBOX_HOST, SandboxTransport
from carriergate.sandbox.usps import USPSEmulator

from support.usps_samples import fixture

ROOT = f"{SANDBOX_HOST}/usps"
KEY = "8be4df61-93ca-11d2-aa0d-00e098032b8c"


@pytest.fixture
def usps() -> USPSEmulator:
    return USPSEmulator(now=datetime(2026, 12, 3, 15, tzinfo=UTC))


@pytest.fixture
def client(usps: USPSEmulator) -> Iterator[httpx.Client]:
    with httpx.Client(transport=SandboxTransport({"usps": usps}), base_url=ROOT) as http:
        yield http


def bearer(client: httpx.Client) -> dict[str, str]:
    answer = client.post("/oauth2/v3/token", data={"grant_type": "client_credentials",
                                                   "client_id": USPSEmulator.account["client_id"],
                                                   "client_secret": USPSEmulator.account["client_secret"]})
    assert answer.status_code == 200
    return {"authorization": f"Bearer {answer.json()['access_token']}"}


def paid(client: httpx.Client) -> dict[str, str]:
    headers = bearer(client)
    roles = json.loads(json.dumps(fixture("payment_authorization_request.json")))
    for role in roles["roles"]:
        role.update(CRID=USPSEmulator.account["crid"], MID=USPSEmulator.account["mid"])
    answer = client.post("/payments/v3/payment-authorization", json=roles, headers=headers)
    assert answer.status_code == 200
    return {**headers, "x-payment-authorization-token": answer.json()["paymentAuthorizationToken"]}


def label_body(**package: Any) -> dict[str, Any]:
    body: dict[str, Any] = fixture("label_request.json")
    body["packageDescription"].update(package)
    return body


def test_a_wrong_secret_gets_no_token_and_no_token_gets_nothing(client: httpx.Client) -> None:
    refused = client.post("/oauth2/v3/token", json={"grant_type": "client_credentials", "client_id": "x",
                                                     "client_secret": "y"})
    assert (refused.status_code, refused.json()["error"]) == (401, "invalid_client")
    answer = client.post("/prices/v3/total-rates/search", json=fixture("rate_request.json"))
    assert answer.status_code == 401
    assert answer.json()["error"]["errors"][0]["code"] == "UNAUTHORIZED"


def test_a_payment_authorization_for_another_crid_is_refused(client: httpx.Client) -> None:
    answer = client.post("/payments/v3/payment-authorization", json=fixture("payment_authorization_request.json")
                         | {"roles": [{"roleName": "PAYER", "CRID": "1"}, {"roleName": "LABEL_OWNER", "CRID": "1"}]},
                         headers=bearer(client))
    assert answer.status_code == 400


def test_prices_follow_weight_and_insurance(client: httpx.Client) -> None:
    headers = bearer(client)
    light = client.post("/prices/v3/total-rates/search", json=fixture("rate_request.json"), headers=headers).json()
    heavy = client.post("/prices/v3/total-rates/search", json={**fixture("rate_request.json"), "weight": 20},
                        headers=headers).json()
    assert len(light["rateOptions"]) == 3
    for small, big in zip(light["rateOptions"], heavy["rateOptions"], strict=True):
        assert big["totalBasePrice"] > small["totalBasePrice"]
        assert small["totalPrice"] == pytest.approx(small["totalBasePrice"] + small["extraServices"][0]["price"])


def test_a_label_needs_the_payment_token(client: httpx.Client) -> None:
    answer = client.post("/labels/v3/label", json=label_body(), headers=bearer(client))
    assert answer.status_code == 401
    assert "payment authorization" in answer.json()["error"]["errors"][0]["detail"].lower()


def test_the_same_key_and_body_return_the_same_label_and_buy_nothing(client: httpx.Client, usps: USPSEmulator) -> None:
    headers = {**paid(client), "x-idempotency-key": KEY, "accept": "application/vnd.usps.labels+json"}
    first = client.post("/labels/v3/label", json=label_body(), headers=headers)
    again = client.post("/labels/v3/label", json=label_body(), headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert len(usps.labels) == 1
    changed = client.post("/labels/v3/label", json=label_body(weight=9), headers=headers)
    assert changed.status_code == 400
    assert changed.json()["error"]["errors"][0]["code"] == "IDEMPOTENCY_KEY_REUSED"
    other = client.post("/labels/v3/label", json=label_body(), headers={**headers, "x-idempotency-key": KEY[:-1] + "d"})
    assert other.json()["trackingNumber"] != first.json()["trackingNumber"]
    assert len(usps.labels) == 2


def test_the_default_answer_is_multipart_with_a_base64_image(client: httpx.Client) -> None:
    answer = client.post("/labels/v3/label", json=label_body(), headers=paid(client))
    assert answer.headers["content-type"].startswith("multipart/form-data; boundary=")
    head = f"Content-Type: {answer.headers['content-type']}\r\n\r\n".encode()
    parts = {p.get_param("name", header="content-disposition"): p
             for p in BytesParser(policy=policy.HTTP).parsebytes(head + answer.content).iter_parts()}
    metadata = json.loads(parts["labelMetadata"].get_content())
    image = base64.b64decode("".join(str(parts["labelImage"].get_payload()).split()))
    assert metadata["trackingNumber"]
    assert image.startswith(b"%PDF")


def test_an_international_label_needs_customs_and_answers_201(client: httpx.Client) -> None:
    headers = paid(client)
    body = fixture("international_label_request.json")
    answer = client.post("/international-labels/v3/international-label", json=body, headers=headers)
    assert answer.status_code == 201
    del body["customsForm"]
    assert client.post("/international-labels/v3/international-label", json=body, headers=headers).status_code == 400


def test_track_advances_to_delivery_and_a_cancel_shows(client: httpx.Client) -> None:
    headers = {**paid(client), "accept": "application/vnd.usps.labels+json"}
    number = client.post("/labels/v3/label", json=label_body(), headers=headers).json()["trackingNumber"]
    categories = [client.get(f"/tracking/v3/tracking/{number}", params={"expand": "DETAIL"}, headers=headers)
                  .json()["statusCategory"] for _ in range(7)]
    assert categories[0] == "Pre-Shipment"
    assert categories[-2:] == ["Delivered", "Delivered"]
    other = client.post("/labels/v3/label", json=label_body(), headers={**headers, "x-idempotency-key": KEY}).json()
    cancel = client.delete(f"/labels/v3/label/{other['trackingNumber']}", headers=headers)
    assert cancel.json() == {"trackingNumber": other["trackingNumber"], "status": "CANCELED"}
    again = client.delete(f"/labels/v3/label/{other['trackingNumber']}", headers=headers)
    assert again.status_code == 400
    tracked = client.get(f"/tracking/v3/tracking/{other['trackingNumber']}", headers=headers).json()
    assert tracked["statusCategory"] == "Alert"
    assert client.get("/tracking/v3/tracking/9999", headers=headers).status_code == 404


def test_a_pickup_cancel_needs_the_current_etag(client: httpx.Client) -> None:
    headers = bearer(client)
    booked = client.post("/pickup/v3/carrier-pickup", json=fixture("pickup_request.json"), headers=headers)
    number, first_etag = booked.json()["confirmationNumber"], booked.headers["etag"]
    looked = client.get(f"/pickup/v3/carrier-pickup/{number}", headers=headers)
    assert looked.headers["etag"] != first_etag  # an ETag is good until used or replaced
    stale = client.delete(f"/pickup/v3/carrier-pickup/{number}", headers={**headers, "if-match": first_etag})
    assert stale.status_code == 400
    ok = client.delete(f"/pickup/v3/carrier-pickup/{number}", headers={**headers, "if-match": looked.headers["etag"]})
    assert ok.status_code == 200
    assert client.get(f"/pickup/v3/carrier-pickup/{number}", headers=headers).status_code == 400


def test_a_reprint_by_key_returns_the_label_three_times_at_most(client: httpx.Client, usps: USPSEmulator) -> None:
    headers = {**paid(client), "x-idempotency-key": KEY, "accept": "application/vnd.usps.labels+json"}
    made = client.post("/labels/v3/label", json=label_body(), headers=headers).json()
    reprints = [client.post("/labels/v3/label-reprint", json=fixture("reprint_request.json"), headers=headers)
                for _ in range(4)]
    assert [r.status_code for r in reprints] == [200, 200, 200, 400]
    assert reprints[0].json()["labelMetadata"]["trackingNumber"] == made["trackingNumber"]
    assert reprints[0].json()["labelImage"] == made["labelImage"]
    unknown = client.post("/labels/v3/label-reprint", json=fixture("reprint_request.json"),
                          headers={**headers, "x-idempotency-key": KEY[:-1] + "e"})
    assert unknown.status_code == 400
    assert "not found" in unknown.json()["error"]["errors"][0]["detail"]
    assert len(usps.labels) == 1


def test_a_return_label_answers_in_its_own_part_names(client: httpx.Client, usps: USPSEmulator) -> None:
    headers = paid(client)
    answer = client.post("/labels/v3/return-label", json=fixture("return_label_request.json"), headers=headers)
    assert answer.status_code == 200
    assert b'name="returnLabelMetadata"' in answer.content
    assert b'name="returnLabelImage"' in answer.content
    [record] = usps.labels.values()
    assert record.is_return
    wrong = {**fixture("return_label_request.json")}
    wrong["packageDescription"] = {**wrong["packageDescription"], "mailClass": "USPS_GROUND_ADVANTAGE"}
    assert client.post("/labels/v3/return-label", json=wrong, headers=headers).status_code == 400


def test_a_pickup_is_moved_with_the_current_etag(client: httpx.Client) -> None:
    headers = bearer(client)
    booked = client.post("/pickup/v3/carrier-pickup", json=fixture("pickup_request.json"), headers=headers)
    number = booked.json()["confirmationNumber"]
    change = fixture("modify_pickup_request.json")
    change["confirmationNumber"] = number
    assert client.put(f"/pickup/v3/carrier-pickup/{number}", json=change,
                      headers={**headers, "if-match": "stale"}).status_code == 400
    moved = client.put(f"/pickup/v3/carrier-pickup/{number}", json=change,
                       headers={**headers, "if-match": booked.headers["etag"]})
    assert moved.status_code == 200
    assert moved.json()["pickupDate"] == "2026-12-09"
    assert moved.headers["etag"] != booked.headers["etag"]
