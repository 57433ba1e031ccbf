"""After an outcome-unknown ship, and before one: find_label, return labels, and what a ship request
of issue 12 (billing, references, duty payer) is refused for before anything is sent.

``Gateway.find_label(reference, carrier=)`` answers the label the carrier made under our reference
or None; it checks the reference before sending and is NotSupported where the carrier has no
look-up. A return label (``return_shipment=True``) is refused with NotSupported, before sending, by
a carrier that does not declare RETURN_LABEL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import carriergate as cg

from support.fake_carrier import Exchange, Turn, checked, fake_carrier, registered
from support.shipments import international_request

MODES = ["sync", "async"]
KNOWN = "ORDER-1001"  # the one reference the carrier has a shipment for


def _lookup(turn: Turn) -> httpx.Request:
    return httpx.Request("GET", turn.url("/shipments"), params={"reference": turn.argument})


def _found(turn: Turn, response: httpx.Response) -> cg.Label | None:
    shipments = response.json()["shipments"]
    if not shipments:
        return None
    return cg.Label(carrier=turn.alias, tracking_number=shipments[0]["tracking_number"], label=b"",
                    label_format="PDF", reference=turn.argument)


def _ship(turn: Turn) -> httpx.Request:
    request: cg.ShipRequest = turn.argument
    return httpx.Request("POST", turn.url("/ship"), json={"reference": request.reference,
                                                           "return": request.return_shipment})


def _label(turn: Turn, response: httpx.Response) -> cg.Label:
    body = response.json()
    return cg.Label(carrier=turn.alias, tracking_number="T1", label=b"%PDF-", label_format="PDF",
                    reference=body["reference"], is_return=body["return"])


Finder = fake_carrier("finder", capabilities={cg.Capability.SHIP, cg.Capability.RETURN_LABEL, cg.Capability.FIND_LABEL},
                      ship=Exchange(_ship, checked(_label)), find_label=Exchange(_lookup, checked(_found)))
#: Ships outbound labels only and has no look-up.
Plain = fake_carrier("plain", capabilities={cg.Capability.SHIP}, ship=Exchange(_ship, checked(_label)))
CONFIG: dict[str, dict[str, Any]] = {"finder": {}, "plain": {}}


@pytest.fixture(autouse=True)
def fakes() -> Iterator[None]:
    with registered(Finder, Plain):
        yield


class Recorder:
    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        if request.url.path == "/shipments":
            found = request.url.params["reference"] == KNOWN
            return httpx.Response(200, json={"shipments": [{"tracking_number": "T-1001"}] if found else []})
        return httpx.Response(200, content=request.content)


def call(mode: str, recorder: Recorder, operation: str, *args: Any, **kwargs: Any) -> Any:
    """``gateway.<operation>(*args, **kwargs)`` on a Gateway or an AsyncGateway over ``recorder``."""
    transport = httpx.MockTransport(recorder)
    if mode == "sync":
        with cg.Gateway(CONFIG, transport=transport) as gw:
            return getattr(gw, operation)(*args, **kwargs)

    async def main() -> Any:
        async with cg.AsyncGateway(CONFIG, transport=transport) as agw:
            return await getattr(agw, operation)(*args, **kwargs)

    return asyncio.run(main())


# -- find_label ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_find_label_gives_the_shipment_made_under_the_reference(mode: str) -> None:
    recorder = Recorder()
    label = call(mode, recorder, "find_label", f"  {KNOWN} ", carrier="finder")
    assert isinstance(label, cg.Label)
    assert (label.carrier, label.tracking_number, label.reference) == ("finder", "T-1001", KNOWN)
    [sent] = recorder.sent
    assert sent.url.params["reference"] == KNOWN  # stripped before it is sent


@pytest.mark.parametrize("mode", MODES)
def test_find_label_passes_none_through_when_the_carrier_holds_none(mode: str) -> None:
    recorder = Recorder()
    assert call(mode, recorder, "find_label", "ORDER-NEVER", carrier="finder") is None
    assert len(recorder.sent) == 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("reference", ["", "   ", "R" * 65])
def test_find_label_checks_the_reference_before_sending(mode: str, reference: str) -> None:
    recorder = Recorder()
    with pytest.raises(cg.ValidationError) as caught:
        call(mode, recorder, "find_label", reference, carrier="finder")
    assert caught.value.field == "reference"
    assert recorder.sent == []


@pytest.mark.parametrize("mode", MODES)
def test_find_label_is_not_supported_where_the_carrier_has_no_look_up(mode: str) -> None:
    recorder = Recorder()
    with pytest.raises(cg.NotSupported) as caught:
        call(mode, recorder, "find_label", KNOWN, carrier="plain")
    assert caught.value.carrier == "plain"
    assert caught.value.code == "not_supported"
    assert recorder.sent == []


# -- return labels ------------------------------------------------------------------------------------

def ship_request(carrier: str, **fields: Any) -> cg.ShipRequest:
    return cg.ShipRequest(**international_request().model_dump(), carrier=carrier, service="std",
                          reference="RMA-7", **fields)


@pytest.mark.parametrize("mode", MODES)
def test_a_return_label_is_refused_before_sending_without_return_label(mode: str) -> None:
    recorder = Recorder()
    with pytest.raises(cg.NotSupported) as caught:
        call(mode, recorder, "ship", ship_request("plain", return_shipment=True))
    assert caught.value.carrier == "plain"
    assert recorder.sent == []
    outbound = call(mode, recorder, "ship", ship_request("plain"))  # an ordinary label still ships
    assert outbound.is_return is False


@pytest.mark.parametrize("mode", MODES)
def test_a_carrier_with_return_label_is_asked_for_one(mode: str) -> None:
    recorder = Recorder()
    label = call(mode, recorder, "ship", ship_request("finder", return_shipment=True))
    assert label.is_return is True
    assert len(recorder.sent) == 1


# -- billing, references, duty payer: refused naming the field ----------------------------------------

@pytest.mark.parametrize(("fields", "field"), [
    ({"billing": {"party": "third_party", "country": "US"}}, "billing.account_number"),
    ({"billing": {"party": "third_party", "account_number": "A1B2C3"}}, "billing.country"),
    ({"billing": {"party": "recipient"}}, "billing.account_number"),
    ({"billing": {"party": "sender", "account_number": "A1B2C3"}}, "billing.account_number"),
    ({"billing": {"party": "third_party", "account_number": "12 34", "country": "US"}}, "billing.account_number"),
    ({"billing": {"party": "third_party", "account_number": "A1", "country": "ZZ"}}, "billing.country"),
    ({"billing": {"party": "landlord"}}, "billing.party"),
    ({"references": [{"kind": "order", "value": "A"}, {"kind": "order", "value": "B"}]}, "references[1].kind"),
    ({"references": [{"kind": "rma", "value": "R" * 36}]}, "references[0].value"),
    ({"references": [{"kind": "rma", "value": ""}]}, "references[0].value"),
    ({"references": [{"kind": "colour", "value": "red"}]}, "references[0].kind"),
    ({"references": [{"kind": k, "value": "1"} for k in
                     ("order", "purchase_order", "rma", "department", "invoice", "customer")]}, "references"),
])
def test_ship_request_names_the_field_it_refuses(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(cg.ValidationError) as caught:
        ship_request("finder", **fields)
    assert caught.value.field == field


@pytest.mark.parametrize(("payer", "field"), [
    ({"party": "third_party", "account_number": "A1"}, "customs.duty_payer.country"),
    ({"party": "third_party", "country": "US"}, "customs.duty_payer.account_number"),
    ({"party": "sender", "account_number": "A1"}, "customs.duty_payer.account_number"),
])
def test_duty_payer_names_the_field_it_refuses(payer: dict[str, Any], field: str) -> None:
    customs = international_request().model_dump()["customs"]
    with pytest.raises(cg.ValidationError) as caught:
        cg.ShipRequest(**{**international_request().model_dump(), "customs": {**customs, "duty_payer": payer}},
                       carrier="finder", service="std", reference="R1")
    assert caught.value.field == field


def test_valid_billing_references_and_duty_payer_are_kept() -> None:
    customs = international_request().model_dump()["customs"]
    request = cg.ShipRequest(
        **{**international_request().model_dump(),
           "customs": {**customs, "incoterm": "DDP", "duty_payer": {"party": "recipient"}}},
        carrier="finder", service="std", reference="R1",
        billing={"party": "third_party", "account_number": "A1B2C3", "country": "us", "postal_code": "90071"},
        references=[{"kind": "purchase_order", "value": "PO-9"}, {"kind": "rma", "value": "RMA-7"}])
    assert request.billing == cg.Payer(party="third_party", account_number="A1B2C3", country="US", postal_code="90071")
    assert request.reference_of == {"purchase_order": "PO-9", "rma": "RMA-7"}
    assert request.customs is not None
    assert request.customs.duties_paid_by == cg.Payer(party="recipient")  # the duty payer wins over DDP


@pytest.mark.parametrize(("incoterm", "party"), [("DDP", "sender"), ("DAP", "recipient"), ("EXW", "recipient")])
def test_duties_follow_the_incoterm_when_no_duty_payer_is_set(incoterm: str, party: str) -> None:
    customs = cg.CustomsDeclaration(**{**international_request().model_dump()["customs"], "incoterm": incoterm})
    assert customs.duties_paid_by == cg.Payer(party=party)
