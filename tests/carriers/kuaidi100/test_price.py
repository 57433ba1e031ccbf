"""The price estimate (商家寄件 method ``price``): the business signing recipe's known answer, the
golden request and answer, each refusal to its typed error, refusals before sending, and the flow
through the executor."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from pydantic import SecretStr

import carriergate as cg
from carriergate.carriers.kuaidi100 import Kuaidi100, Kuaidi100Account, price
from carriergate.core.contract import Capability
from carriergate.protocols.auth.md5_form import Kuaidi100Auth, business_sign

from support.fake_carrier import registered

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "kuaidi100"
URL = "https://poll.kuaidi100.com"
KEY, SECRET = "k100-Key-XYZ", "k100-Secret-ABC"
#: ``printf '%s' "$param$t$key$secret" | md5sum``, upper-cased: the documented business recipe.
BUSINESS_PARAM, T, BUSINESS_SIGN = '{"kuaidicom":"yuantong","weight":"1"}', "1714550400123", \
    "188F51C2AAE1D4E5D40D6D783DFE211F"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def request(**destination: Any) -> cg.RateRequest:
    shanghai = cg.Address(name="Li Lei", street=["88 Century Avenue"], district="浦东新区", city="上海市",
                          state="上海", postal_code="200120", country="CN", phone="13800138000")
    beijing = cg.Address(**{"name": "Han Meimei", "street": ["1 Chang an Avenue"], "district": "东城区",
                            "city": "北京市", "state": "北京", "postal_code": "100010", "country": "CN",
                            **destination})
    return cg.RateRequest(origin=shanghai, destination=beijing,
                          parcels=[cg.Parcel(weight=cg.Weight("2.5", "kg")), cg.Parcel(weight=cg.Weight("800", "g"))])


def test_business_signature_known_answer() -> None:
    assert business_sign(BUSINESS_PARAM, T, KEY, SECRET) == BUSINESS_SIGN
    auth = Kuaidi100Auth(key=SecretStr(KEY), secret=SecretStr(SECRET), mode="business", clock=lambda: 1714550400.123)
    signed = dict(auth.sign_form([("method", "price"), ("param", BUSINESS_PARAM)]))
    assert (signed["t"], signed["sign"], signed["key"]) == (T, BUSINESS_SIGN, KEY)


def test_price_request_golden() -> None:
    built = price.build_price(request(), "yuantong", base_url=URL, carrier="kuaidi100")
    assert str(built.url) == "https://poll.kuaidi100.com/order/borderapi.do"
    form = {k: v[0] for k, v in parse_qs(built.content.decode()).items()}
    assert form["method"] == "price"
    assert json.loads(form["param"]) == fixture("price_request_param.json")


def test_price_outside_mainland_china_is_refused_before_sending() -> None:
    la = cg.Address(name="Jane Roe", street=["350 S Grand Ave"], city="Los Angeles", state="CA", postal_code="90071",
                    country="US")
    domestic_us = cg.RateRequest(origin=la, destination=la, parcels=[cg.Parcel(weight=cg.Weight("1", "kg"))])
    with pytest.raises(cg.ValidationError) as caught:
        price.build_price(domestic_us, "yuantong", base_url=URL, carrier="kuaidi100")
    assert [e.field for e in caught.value.errors] == ["origin.country", "destination.country"]


def test_price_answer_golden() -> None:
    quote = price.parse_price(httpx.Response(200, content=json.dumps(fixture("price_response.json")).encode()),
                              company="yuantong", carrier="kuaidi100")
    assert (quote.carrier, quote.service_code, quote.total) == ("kuaidi100", "yuantong:标准快递",
                                                                cg.Money("12.5", "CNY"))
    assert [(c.kind, c.amount.amount) for c in quote.charges] == [("base", Decimal("8.5")),
                                                                  ("surcharge", Decimal("4.0"))]
    assert quote.can_ship is True  # its service code ships with Kuaidi100's labels
    for name, error, code in [("subscribe_bad_key.json", cg.AuthenticationError, "600"),
                              ("border_bad_sign.json", cg.AuthenticationError, "503"),
                              ("border_bad_params.json", cg.CarrierError, "400"),
                              ("border_server_error.json", cg.CarrierUnavailable, "500")]:
        with pytest.raises(error) as caught:
            price.parse_price(httpx.Response(200, content=json.dumps(fixture(name)).encode()),
                              company="yuantong", carrier="kuaidi100")
        assert (caught.value.code, caught.value.message) == (code, fixture(name)["message"])
    with pytest.raises(cg.MalformedResponse):
        price.parse_price(httpx.Response(200, content=b'{"result": true, "data": {}}'), company="yuantong",
                          carrier="kuaidi100")


@pytest.fixture
def kuaidi100() -> Iterator[None]:
    with registered(Kuaidi100):
        yield


@pytest.mark.usefixtures("kuaidi100")
def test_estimate_price_through_the_executor_is_business_signed() -> None:
    seen: list[httpx.Request] = []

    def handler(sent: httpx.Request) -> httpx.Response:
        seen.append(sent)
        return httpx.Response(200, content=json.dumps(fixture("price_response.json")).encode())

    settings = {"customer": "C1", "key": KEY, "secret": SECRET, "base_url": "https://k100.example.test"}
    with cg.Gateway({"kuaidi100": settings}, transport=httpx.MockTransport(handler)) as gw:
        client = gw.carrier("kuaidi100")
        carrier = client.carrier
        assert isinstance(carrier, Kuaidi100)
        assert {Capability.RATE, Capability.SHIP, Capability.SCHEDULE_PICKUP} <= carrier.capabilities
        with pytest.raises(cg.ValidationError) as caught:
            next(carrier.estimate_price(request()))
        assert caught.value.field == "company"
        from carriergate.gateway.fanout import run

        quote = run(gw._executor, carrier, lambda: carrier.estimate_price(request(), company="yuantong"),
                    gw.deadline(5.0))
    assert quote.total == cg.Money("12.5", "CNY")
    (sent,) = seen
    form = {k: v[0] for k, v in parse_qs(sent.content.decode()).items()}
    assert set(form) == {"method", "param", "key", "t", "sign"}
    expected = hashlib.md5((form["param"] + form["t"] + KEY + SECRET).encode()).hexdigest().upper()  # noqa: S324
    assert form["sign"] == expected
    assert Kuaidi100Account(customer="C", key="k", secret="s").company is None
