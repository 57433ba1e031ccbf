"""The sandbox's optional conformance check: requests validated against the carriers' official specs.

The whole end-to-end suite runs with it on (tests/e2e/test_sandbox_matrix.py, backend ``conformant``) and
asserts zero violations; here, requests the real carriers would reject fail loudly, and the check
stays off, and its libraries unimported, unless a specs directory is configured.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

import carriergate as cg
from carriergate.sandbox import conformance, registry
from carriergate.sandbox.base import SANDBOX_HOST
from carriergate.sandbox.server import running_server

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
RATE_NS = "http://scxgxtt.phx-dc.dhl.com/euExpressRateBook/RateMsgRequest"

#: carrier -> (method, path, content type, a body the real carrier would reject, a schema path the answer names)
INVALID: dict[str, tuple[str, str, str, bytes, str]] = {
    "ups": ("POST", "/api/rating/v2409/Shop", "application/json",
            json.dumps({"RateRequest": {"Request": {}, "Shipment": {"Shiper": {"Name": "x"}}}}).encode(),
            "RateRequest.Shipment.Shiper: not declared"),
    "fedex": ("POST", "/rate/v1/rates/quotes", "application/json",
              json.dumps({"accountNumber": {"value": "740561073"},
                          "requestedShipment": {"shipper": "Shanghai"}}).encode(),
              "requestedShipment/shipper"),
    "dhl_express": ("POST", "/expressRateBook", "text/xml; charset=utf-8",
                    (f'<s:Envelope xmlns:s="{SOAP}"><s:Body><r:RateRequest xmlns:r="{RATE_NS}">'
                     '<ClientDetail/><Parcel>2</Parcel></r:RateRequest></s:Body></s:Envelope>').encode(),
                    "/r:RateRequest"),
    "sf_express": ("POST", "/", "application/x-www-form-urlencoded",
                   urlencode({"partnerID": "SBX_PARTNER", "requestID": "r1", "serviceCode": "EXP_RECE_CREATE_ORDER",
                              "timestamp": "1700000000000", "msgDigest": "x",
                              "msgData": json.dumps({"language": "zh-CN", "orderId": "O-1",
                                                     "contactInfoList": {"contactType": 1}})}).encode(),
                   "msgData.cargoDetails: required"),
}


@pytest.mark.parametrize("carrier", sorted(INVALID))
def test_a_request_the_carrier_would_reject_fails_loudly(specs: Path, carrier: str,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    method, path, content_type, body, named = INVALID[carrier]
    transport = registry.sandbox_transport([carrier], specs_dir=specs)
    emulator = transport.emulators[carrier]
    with caplog.at_level(logging.ERROR, logger="carriergate.sandbox"), httpx.Client(transport=transport) as client:
        answer = client.request(method, f"{SANDBOX_HOST}/{carrier}{path}", content=body,
                                headers={"content-type": content_type})
    assert answer.status_code == 400
    assert named in answer.text  # the answer names the schema path
    [violation] = emulator.violations
    assert violation.carrier == carrier
    assert violation.path == path
    assert any(named in problem for problem in violation.problems)
    [record] = [r for r in caplog.records if r.name == "carriergate.sandbox"]
    assert record.levelno == logging.ERROR
    assert carrier in record.getMessage()
    assert emulator.requests  # received, recorded, and never handled: no state changed
    assert not getattr(emulator, "shipments", None)
    assert not getattr(emulator, "orders", None)


def test_the_gateway_sees_the_violation_as_a_carrier_error(specs: Path) -> None:
    kwargs = registry.sandbox_gateway_kwargs(["ups"], specs_dir=specs)
    emulator = kwargs["transport"].emulators["ups"]
    emulator.conformance.checkers["ups"] = lambda request, path: ["RateRequest/Shipment: made up for this test"]
    with cg.Gateway(**kwargs) as gw:
        result = gw.rate(cg.RateRequest.model_validate(_domestic()), carriers=["ups"], deadline=5.0)
    error = result.errors["ups"]
    assert error.http_status == 400
    assert "RateRequest/Shipment" in error.message
    assert len(emulator.violations) == 1  # the token request is form data: not a violation


def _domestic() -> dict[str, object]:
    from support.shipments import domestic_request

    return domestic_request().model_dump()


def test_an_undeclared_operation_is_a_violation(specs: Path) -> None:
    transport = registry.sandbox_transport(["ups", "fedex"], specs_dir=specs)
    with httpx.Client(transport=transport) as client:
        assert client.get(f"{SANDBOX_HOST}/ups/api/nowhere/v1").status_code == 400
        assert client.put(f"{SANDBOX_HOST}/fedex/ship/v1/shipments", json={}).status_code == 400
    [ups] = transport.emulators["ups"].violations
    assert "no such operation" in ups.problems[0]
    assert "Shipping.yaml" in ups.problems[0]
    assert transport.emulators["fedex"].violations[0].method == "PUT"


def test_only_a_documented_operation_the_files_lack_goes_unchecked(specs: Path) -> None:
    check = conformance.Conformance(specs, ["fedex"])
    garbage = httpx.Request("POST", f"{SANDBOX_HOST}/fedex/track/v1/referencenumbers", content=b"{not json")
    assert ("POST", "/track/v1/referencenumbers") in conformance.UNDESCRIBED["fedex"]
    assert check.check("fedex", garbage, "/track/v1/referencenumbers") == []  # no schema to check it by
    other = httpx.Request("POST", f"{SANDBOX_HOST}/fedex/track/v1/elsewhere", content=b"{}")
    assert check.check("fedex", other, "/track/v1/elsewhere") != []  # everything else still is


def test_the_loopback_server_checks_too(specs: Path) -> None:
    method, path, content_type, body, named = INVALID["fedex"]
    with running_server(carriers=["fedex"], specs_dir=specs) as sandbox:
        answer = httpx.request(method, f"{sandbox.url}/fedex{path}", content=body,
                               headers={"content-type": content_type}, timeout=5.0)
        assert answer.status_code == 400
        assert answer.json()["errors"][0]["code"] == "SANDBOX.SCHEMA.VIOLATION"
        assert named in answer.json()["errors"][0]["message"]
        assert len(sandbox.emulators["fedex"].violations) == 1


def test_off_unless_a_specs_directory_is_configured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(conformance.ENV_VAR, raising=False)
    assert conformance.specs_dir() is None
    assert conformance.conformance() is None
    assert all(e.conformance is None for e in registry.emulators().values())
    assert conformance.specs_dir(environ={conformance.ENV_VAR: str(tmp_path)}) == tmp_path
    with pytest.raises(cg.ConfigurationError, match="does not exist"):
        conformance.specs_dir(tmp_path / "missing")


def test_the_environment_variable_turns_it_on(specs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(conformance.ENV_VAR, str(specs))
    made = registry.emulators(["sf_express", "dhl_express"])
    assert {name: sorted(e.conformance.checkers) for name, e in made.items() if e.conformance} == {
        "sf_express": ["dhl_express", "sf_express"], "dhl_express": ["dhl_express", "sf_express"]}


def test_an_incomplete_specs_directory_fails_at_creation(tmp_path: Path) -> None:
    with pytest.raises(cg.ConfigurationError, match=r"sf-express/demo-requests/01\.order\.json"):
        registry.emulators(["sf_express"], specs_dir=tmp_path)


def test_a_missing_validation_library_is_a_clear_configuration_error(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "jsonschema", None)  # import jsonschema now fails
    with pytest.raises(cg.ConfigurationError, match="'jsonschema'"):
        registry.emulators(["ups"], specs_dir=tmp_path)
