"""Our Kuaidi100 requests use only Kuaidi100's documented field names (its API documents and official
SDKs, kuaidi100-api on GitHub: the real-time query's ``param``, the subscription's ``param`` and
``parameters``, the detection form). Kuaidi100 publishes no machine-readable schema; when one is put
under ../shared/specs/kuaidi100 the requests are checked against it too (skipped until then)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import httpx
import pytest

from carriergate.carriers.kuaidi100 import Kuaidi100Account, autonumber, subscribe, track

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
