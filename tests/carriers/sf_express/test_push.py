"""SF route pushes (顺丰路由推送) read by the carrier: the digest verified first (constant time), the
nodes of each waybill one TrackingUpdate with the route query's opCode mapping, a key that does not
change when SF pushes the same nodes again, SF's acknowledgement, and every refusal typed."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import carriergate as cg
from carriergate.carriers.sf_express import SFExpress
from carriergate.carriers.sf_express.push import ACK, parse_push, push_answer
from carriergate.core.subscriptions import PushReceiver
from carriergate.protocols.auth.sf_digest import FORM_CONTENT_TYPE, encode_form, msg_digest

from support.sf_samples import ACCOUNT, CHINA, fixture

CHECKWORD = "sandbox-checkword"
S = cg.TrackingStatus


def signed(doc: Any, *, checkword: str = CHECKWORD, timestamp: str = "1772590350000",
           msg_data: str | None = None) -> bytes:
    """A push as SF signs it: the request envelope, msgDigest over msgData + timestamp."""
    data = msg_data if msg_data is not None else json.dumps(doc, ensure_ascii=False)
    return encode_form({"partnerID": "SBX_PARTNER", "requestID": "a1b2c3", "serviceCode": "RoutePushService",
                        "timestamp": timestamp, "msgData": data, "msgDigest": msg_digest(data, timestamp, checkword)})


def read(body: bytes, content_type: str = FORM_CONTENT_TYPE) -> list[Any]:
    return parse_push(body, content_type, ACCOUNT.checkword, carrier="sf_express")


def test_each_waybill_of_a_push_is_one_update() -> None:
    updates = read(signed(fixture("push_routes.json")))
    assert [(u.carrier, u.info.tracking_number, u.info.status) for u in updates] == [
        ("sf_express", "SF1360000000031", S.IN_TRANSIT), ("sf_express", "SF1360000000048", S.DELIVERY_ATTEMPTED)]
    (sorted_out,) = updates[0].info.events
    assert sorted_out.occurred_at == datetime(2026, 3, 4, 10, 12, 30, tzinfo=CHINA)
    assert (sorted_out.code, sorted_out.codes, sorted_out.location) == ("30", {"opCode": "30"}, "深圳市")
    assert sorted_out.description.startswith("快件在【深圳宝安集散中心】完成分拣")
    assert updates[1].info.raw_status == "70"
    assert len({u.key for u in updates}) == 2
    assert all(u.monitor == "polling" and u.resubscribe_after is None for u in updates)


def test_a_delivered_waybill_with_its_signer() -> None:
    (update,) = read(signed(fixture("push_route_delivered.json")))
    info = update.info
    assert info.status is S.DELIVERED
    assert [e.code for e in info.events] == ["80", "44"]  # newest first
    assert info.delivered_at == datetime(2026, 3, 5, 11, 47, 51, tzinfo=CHINA)
    assert info.proof_of_delivery is not None
    assert info.proof_of_delivery.signed_by == "前台"


def test_msgdata_without_the_body_wrapper_is_read_too() -> None:
    routes = fixture("push_routes.json")["Body"]
    assert [u.info.tracking_number for u in read(signed(routes))] == ["SF1360000000031", "SF1360000000048"]


def test_the_same_nodes_pushed_again_have_the_same_key() -> None:
    doc = fixture("push_route_delivered.json")
    first = read(signed(doc))[0].key
    again = read(signed(doc, timestamp="1772590999000"))[0].key  # SF's retry: re-signed, same nodes
    reordered = read(signed({"Body": {"WaybillRoute": doc["Body"]["WaybillRoute"][::-1]}}))[0].key
    assert first == again == reordered
    doc["Body"]["WaybillRoute"][1]["remark"] = "快件已签收，签收人：本人"
    assert read(signed(doc))[0].key != first


@pytest.mark.parametrize("body", [
    signed(fixture("push_routes.json"), checkword="someone-else"),                # forged digest
    encode_form({"msgData": json.dumps(fixture("push_routes.json")), "timestamp": "1"}),  # no digest
    urlencode({"msgDigest": "x", "timestamp": "1"}).encode(),                      # no msgData
])
def test_a_push_that_does_not_verify_is_refused(body: bytes) -> None:
    with pytest.raises(cg.AuthenticationError) as caught:
        read(body)
    assert caught.value.code == "bad_digest"
    assert CHECKWORD not in str(caught.value)


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=UTF-8", ""])
def test_an_unsigned_json_push_is_refused_unread(content_type: str) -> None:
    body = json.dumps(fixture("push_routes.json"), ensure_ascii=False).encode()
    with pytest.raises(cg.AuthenticationError, match="unsigned"):
        read(body, content_type)


@pytest.mark.parametrize(("msg_data", "words"), [
    ("not json", "not JSON"),
    ('{"Body": {"Routes": []}}', "WaybillRoute"),
    ('{"Body": {"WaybillRoute": [{"opCode": "50"}]}}', "no readable route node"),
    ('{"Body": {"WaybillRoute": [{"mailno": "SF1", "acceptTime": "yesterday"}]}}', "no readable route node"),
])
def test_a_verified_push_that_cannot_be_read(msg_data: str, words: str) -> None:
    with pytest.raises(cg.MalformedResponse, match=words):
        read(signed(None, msg_data=msg_data))


def test_a_push_that_is_not_utf8() -> None:
    with pytest.raises(cg.MalformedResponse, match="UTF-8"):
        read(b"msgData=%FF&timestamp=1&msgDigest=x")


def test_the_acknowledgement_sf_requires() -> None:
    assert push_answer(True) == push_answer(True, "ignored", 500)
    assert (push_answer(True).status, dict(push_answer(True).body)) == (200, {"return_code": "0000",
                                                                               "return_msg": "成功"})
    refused = push_answer(False, "signature does not verify", 401)
    assert (refused.status, dict(refused.body)) == (401, {"return_code": "1000",
                                                          "return_msg": "signature does not verify"})
    assert ACK["return_code"] == "0000"


def test_the_carrier_receives_pushes_and_offers_no_subscription() -> None:
    carrier = SFExpress(ACCOUNT, alias="sf-cn")
    assert isinstance(carrier, PushReceiver)
    (update,) = carrier.read_push(signed(fixture("push_route_delivered.json")), FORM_CONTENT_TYPE)
    assert (update.carrier, update.info.carrier) == ("sf-cn", "sf-cn")
    assert carrier.push_answer(True).body == ACK
    assert cg.Capability.SUBSCRIBE not in SFExpress.capabilities


_value = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=6),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                          st.sampled_from(["Body", "WaybillRoute", "mailno", "acceptTime", "opCode", "remark",
                                           "acceptAddress", "id"]), inner, max_size=4), max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(doc=_value, raw=st.binary(max_size=64))
def test_any_push_is_read_or_refused_typed(doc: Any, raw: bytes) -> None:
    """Whatever arrives, signed or not, the answer is updates or a CarrierError: never a KeyError."""
    for body in (signed(doc), raw):
        try:
            updates = read(body)
        except cg.CarrierError:
            continue
        assert all(u.info.events and u.key for u in updates)
