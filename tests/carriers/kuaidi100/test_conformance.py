"""Our Kuaidi100 requests use only Kuaidi100's documented field names (its API documents and official
SDKs, kuaidi100-api on GitHub: the real-time query's ``param``, the subscription's ``param`` and
``parameters``, the detection form, and the business APIs: 电子面单 order and cancel, 时效预估, 商家寄件
bOrder, cancel and price, each signed with key, t and sign). Kuaidi100 publishes no machine-readable
schema; when one is put under ../shared/specs/kuaidi100 the requests are checked against it too
(skipped until then)."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import parse_qs

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.kuaidi100 import Kuaidi100Account, autonumber, pickup, price, rate, ship, subscribe, track
from carriergate.carriers.kuaidi100 import void as cancel
from carriergate.protocols.auth.md5_form import Kuaidi100Auth

from support import kuaidi100_samples as samples
from support.paths import SPECS

ACCOUNT = Kuaidi100Account(customer="C", key="k", secret="s", salt="salt", phone="13800138000")
URL = "https://poll.kuaidi100.com"
#: 实时快递查询 param, as documented.
QUERY_PARAM = {"com", "num", "phone", "from", "to", "resultv2", "show", "order", "lang"}
QUERY_FORM = {"customer", "sign", "param", "signType"}
#: 订阅 param and its parameters, as documented.
SUBSCRIBE_PARAM = {"company", "number", "from", "to", "key", "parameters"}
SUBSCRIBE_PARAMETERS = {"callbackurl", "salt", "resultv2", "autoCom", "interCom", "departureCountry", "departureCom",
                        "destinationCountry", "destinationCom", "phone"}
SUBSCRIBE_FORM = {"schema", "param"}
AUTONUMBER_FORM = {"key", "num"}


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def test_query_uses_documented_fields() -> None:
    fields = form(track.build_track("SF1400000000001", "shunfeng", ACCOUNT, base_url=URL, carrier="kuaidi100"))
    assert set(fields) <= QUERY_FORM
    param = json.loads(fields["param"])
    assert set(param) <= QUERY_PARAM
    assert {"com", "num"} <= set(param)  # the required ones
    assert param["resultv2"] in ("0", "1", "4")
    assert (param["show"], param["order"]) == ("0", "desc")


def test_subscription_uses_documented_fields() -> None:
    request = subscribe.build_subscribe("78300000000001", "zhongtong", "https://shop.example.com/hook", ACCOUNT,
                                        base_url=URL, carrier="kuaidi100")
    fields = form(request)
    assert set(fields) == SUBSCRIBE_FORM
    param = json.loads(fields["param"])
    assert set(param) <= SUBSCRIBE_PARAM
    assert {"company", "number", "key", "parameters"} <= set(param)
    assert set(param["parameters"]) <= SUBSCRIBE_PARAMETERS
    assert param["parameters"]["callbackurl"] == "https://shop.example.com/hook"
    assert len(param["number"]) <= 32  # documented maximum


def test_detection_uses_documented_fields() -> None:
    assert set(form(autonumber.build_autonumber("78300000000001", ACCOUNT, base_url=URL))) == AUTONUMBER_FORM


def test_against_an_official_schema_when_there_is_one() -> None:
    folder = SPECS / "kuaidi100"
    if not folder.is_dir():
        pytest.skip(f"no Kuaidi100 spec under {folder}: Kuaidi100 publishes none (documented fields checked above)")
    schemas = sorted(folder.glob("*.json"))
    assert schemas, f"{folder} holds no JSON schema"


#: The business APIs' form (dianzimiandanV2 and the borderapi documents).
BUSINESS_FORM = {"method", "key", "t", "sign", "param"}
#: 电子面单下单 param (dianzimiandanV2; the SDK's OrderReq) and its recMan/sendMan (ManInfo).
LABEL_ORDER = {"printType", "partnerId", "partnerKey", "partnerSecret", "partnerName", "net", "code", "checkMan",
               "tbNet", "kuaidicom", "kuaidinum", "orderId", "recMan", "sendMan", "cargo", "count", "weight", "volume",
               "remark", "payType", "expType", "valinsPay", "collection", "needChild", "needBack", "tempId",
               "childTempId", "backTempId", "siid", "callBackUrl", "salt", "needSubscribe", "pollCallBackUrl",
               "resultv2", "direction", "customParam"}
MAN = {"name", "mobile", "tel", "printAddr", "company", "province", "city", "district", "addr"}
#: 电子面单取消 param (dianzimiandanquxiao).
LABEL_CANCEL = {"partnerId", "partnerKey", "partnerSecret", "partnerName", "net", "code", "kuaidicom", "kuaidinum",
                "orderId", "reason", "checkMan", "expType"}
#: 智能时效预估 param (kuaidiyugushixiaojiekouwendang).
TIME = {"kuaidicom", "from", "to", "orderTime", "expType", "logistics"}
#: 商家寄件下单 param (apifox api-8603205; the SDK's BOrderReq), its cancel and its price.
BORDER_ORDER = {"kuaidicom", "recManName", "recManMobile", "recManPrintAddr", "sendManName", "sendManMobile",
                "sendManPrintAddr", "callBackUrl", "cargo", "payment", "serviceType", "weight", "remark", "dayType",
                "pickupStartTime", "pickupEndTime", "channelSw", "valinsPay", "realName", "sendIdCardType",
                "sendIdCard", "passwordSigning", "op", "pollCallBackUrl", "resultv2", "returnType", "siid", "tempid",
                "printCallBackUrl", "thirdOrderId", "pickupCode", "salt"}
BORDER_CANCEL = {"taskId", "orderId", "cancelMsg"}
BORDER_PRICE = {"kuaidiCom", "sendManPrintAddr", "recManPrintAddr", "weight", "serviceType", "channelSw"}


def signed(request: httpx.Request) -> dict[str, str]:
    auth = Kuaidi100Auth(key=samples.ACCOUNT.key, secret=samples.ACCOUNT.secret, mode="business",
                         clock=lambda: samples.NOW.timestamp())
    return dict(auth.sign_form(list(form(request).items())))


def business_requests() -> dict[str, tuple[httpx.Request, set[str], set[str]]]:
    label = cg.Label(carrier="kuaidi100", tracking_number="YT7712345678901", label=b"x", label_format="PNG",
                     carrier_data={"company": "yuantong", "courier_order": "K1"})
    booked = cg.Pickup(carrier="kuaidi100", confirmation_number="1", carrier_data={"task_id": "T"})
    start = samples.LATER + timedelta(days=1)
    return {
        "order": (ship.build_ship(samples.ship_request(), samples.ACCOUNT, base_url=URL, carrier="kuaidi100"),
                  LABEL_ORDER, {"printType", "kuaidicom", "recMan", "sendMan"}),
        "cancel": (cancel.build_void(label, samples.ACCOUNT, base_url=URL, carrier="kuaidi100"), LABEL_CANCEL,
                   {"kuaidicom", "kuaidinum"}),
        "time": (rate.build_time(samples.rate_request(), "jd", samples.ACCOUNT, base_url=URL, now=samples.NOW), TIME,
                 {"kuaidicom", "from", "to", "orderTime"}),
        "bOrder": (pickup.build_pickup(samples.pickup_request(start), samples.ACCOUNT, base_url=URL,
                                       now=samples.LATER, carrier="kuaidi100"), BORDER_ORDER,
                   {"kuaidicom", "recManName", "recManMobile", "recManPrintAddr", "sendManName", "sendManMobile",
                    "sendManPrintAddr", "callBackUrl"}),
        "border cancel": (pickup.build_cancel_pickup(booked, base_url=URL, carrier="kuaidi100"), BORDER_CANCEL,
                          BORDER_CANCEL),
        "price": (price.build_price(samples.rate_request(), "jd", base_url=URL, carrier="kuaidi100"), BORDER_PRICE,
                  {"kuaidiCom", "sendManPrintAddr", "recManPrintAddr"}),
    }


@pytest.mark.parametrize("name", ["order", "cancel", "time", "bOrder", "border cancel", "price"])
def test_business_requests_use_documented_fields(name: str) -> None:
    request, documented, required = business_requests()[name]
    fields = signed(request)
    assert set(fields) == BUSINESS_FORM
    param = json.loads(fields["param"])
    assert set(param) <= documented
    assert required <= set(param)
    for party in ("recMan", "sendMan"):
        if party in param:
            assert set(param[party]) <= MAN
            assert {"name", "printAddr"} <= set(param[party])
            assert {"mobile", "tel"} & set(param[party])
