"""The SOAP layer: zeep as a pure codec, hardened, offline, each WSDL loaded once."""

from __future__ import annotations

import httpx
import pytest

import carriergate as cg
from carriergate.protocols.soap import (
    RemoteLoadRefused,
    SoapService,
    _offline_transport_class,
    fault_error,
    load_client,
)

from support.dhl_samples import FIXTURES

PACKAGE = "carriergate.carriers.dhl_express"


def rate_book() -> SoapService:
    return SoapService(PACKAGE, "expressRateBook.wsdl", "expressRateBook", "expressRateBook", carrier="dhl_express")


def test_wsdl_is_loaded_once_per_process() -> None:
    first = load_client(PACKAGE, "expressRateBook.wsdl")
    misses = load_client.cache_info().misses
    service = rate_book()
    service.envelope("deleteShipmentRequest", PickupDate="2030-06-03", PickupCountry="CN",
                     DispatchConfirmationNumber="CBJ1", RequestorName="Li Lei")
    service.parse("deleteShipmentRequest", httpx.Response(200, content=(FIXTURES / "delete-reply.xml").read_bytes()))
    assert load_client(PACKAGE, "expressRateBook.wsdl") is first
    assert load_client.cache_info().misses == misses


def test_client_is_hardened() -> None:
    settings = load_client(PACKAGE, "expressRateBook.wsdl").settings
    assert (settings.strict, settings.forbid_dtd, settings.forbid_entities, settings.forbid_external) == \
        (True, True, True, True)
    assert settings.xml_huge_tree is False


@pytest.mark.parametrize("url", ["https://example.invalid/service.wsdl", "http://127.0.0.1/x.xsd",
                                 "file:///etc/passwd"])
def test_transport_refuses_every_remote_load(url: str) -> None:
    transport = _offline_transport_class()()
    with pytest.raises(RemoteLoadRefused):
        transport.load(url)


def test_transport_never_sends() -> None:
    transport = _offline_transport_class()()
    with pytest.raises(RemoteLoadRefused):
        transport.post("https://example.invalid/", b"<x/>", {})
    with pytest.raises(RemoteLoadRefused):
        transport.get("https://example.invalid/", {}, {})


def test_request_is_an_httpx_post_with_soap_action() -> None:
    request = rate_book().request("deleteShipmentRequest", "https://dhl.example/expressRateBook",
                                  PickupDate="2030-06-03", PickupCountry="CN", DispatchConfirmationNumber="CBJ1",
                                  RequestorName="Li Lei")
    assert request.method == "POST"
    assert str(request.url) == "https://dhl.example/expressRateBook"
    assert request.headers["content-type"] == "text/xml; charset=utf-8"
    assert request.headers["soapaction"] == \
        '"euExpressRateBook_providerServices_ShipmentHandlingServices_Binder_deleteShipmentRequest"'
    assert request.content.startswith(b"<?xml version='1.0' encoding='utf-8'?>")


def test_parse_returns_plain_data() -> None:
    data = rate_book().parse("deleteShipmentRequest",
                             httpx.Response(200, content=(FIXTURES / "delete-reply.xml").read_bytes()))
    assert isinstance(data, dict)
    assert data["Notification"] == [{"Message": "Successfully cancelled", "code": "0"}]


def test_fault_mapping() -> None:
    response = httpx.Response(500, headers={"x-request-id": "req-7"})
    auth = fault_error("wsse:InvalidSecurityToken", "bad token", response, carrier="dhl_express")
    assert isinstance(auth, cg.AuthenticationError)
    assert (auth.code, auth.message, auth.request_id) == ("wsse:InvalidSecurityToken", "bad token", "req-7")
    busy = fault_error("soapenv:Server", "try later", httpx.Response(503), carrier=None)
    assert isinstance(busy, cg.CarrierUnavailable)
    plain = fault_error(None, None, response, carrier="dhl_express")
    assert type(plain) is cg.CarrierError
    assert plain.code == "soap_fault"
    forbidden = fault_error("soapenv:Client", "no", httpx.Response(403), carrier=None)
    assert isinstance(forbidden, cg.AuthenticationError)


def test_fault_from_reply_carries_faultcode_and_faultstring() -> None:
    with pytest.raises(cg.CarrierError) as caught:
        rate_book().parse("createShipmentRequest",
                          httpx.Response(500, content=(FIXTURES / "fault-server.xml").read_bytes()))
    assert caught.value.code == "SOAP-ENV:Server"
    assert caught.value.message.startswith("Shipment creation failed")
    assert caught.value.carrier == "dhl_express"
