"""The Kuaidi100 flows through the real executor over httpx.MockTransport: signing on every attempt,
courier detection before a query, subscriptions (unsigned, retried: a repeat is harmless), input
refused before anything is sent, and no secret in what comes back."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.kuaidi100 import Kuaidi100

from support.fake_carrier import registered
from support.kuaidi100_samples import Recorder

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "kuaidi100"
SETTINGS = {"customer": "CUSTOMER0001", "key": "k100-Key-XYZ", "secret": "k100-Secret-ABC", "salt": "k100-Salt-123",
            "base_url": "https://k100.example.test"}
HOOK = "https://shop.example.com/webhooks/kuaidi100"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def form(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


@pytest.fixture(autouse=True)
def kuaidi100() -> Iterator[None]:
    with registered(Kuaidi100):
        yield


def gateway(recorder: Recorder, **settings: Any) -> cg.Gateway:
    return cg.Gateway({"kuaidi100": {**SETTINGS, **settings}}, transport=httpx.MockTransport(recorder),
                      sleep=lambda _: None)


def expected_sign(request: httpx.Request) -> str:
    fields = form(request)
    return hashlib.md5((fields["param"] + "k100-Key-XYZ" + "CUSTOMER0001").encode()).hexdigest().upper()  # noqa: S324


def test_track_with_the_accounts_courier_is_one_signed_query() -> None:
    recorder = Recorder({"/poll/query.do": [fixture("query_response_plain.json")]})
    with gateway(recorder, company="yuantong") as gw:
        info = gw.track("YT7700000000001", carrier="kuaidi100")
    assert (info.carrier, info.tracking_number, info.status) == ("kuaidi100", "YT7700000000001",
                                                                 cg.TrackingStatus.IN_TRANSIT)
    (sent,) = recorder.seen
    fields = form(sent)
    assert fields["customer"] == "CUSTOMER0001"
    assert fields["sign"] == expected_sign(sent)
    assert json.loads(fields["param"])["com"] == "yuantong"


def test_a_numeric_number_is_detected_first() -> None:
    recorder = Recorder({"/autonumber/auto": [fixture("autonumber_response.json")],
                         "/poll/query.do": [fixture("query_response_plain.json")]})
    with gateway(recorder, phone="13912345678") as gw:
        gw.track("78300000000001", carrier="kuaidi100")
    detect, query = recorder.seen
    assert detect.url.path == "/autonumber/auto"
    assert set(form(detect)) == {"key", "num"}  # detection is not MD5-signed
    param = json.loads(form(query)["param"])
    assert (param["com"], param["phone"]) == ("zhongtong", "13912345678")


def test_printed_prefix_needs_no_detection_and_sf_needs_a_phone_before_sending() -> None:
    recorder = Recorder({"/poll/query.do": [fixture("query_response.json")]})
    with gateway(recorder) as gw:
        with pytest.raises(cg.ValidationError) as caught:
            gw.track("SF1400000000001", carrier="kuaidi100")
        assert caught.value.field == "phone"
        assert recorder.seen == []
    with gateway(recorder, phone="8000") as gw:
        assert gw.track("SF1400000000001", carrier="kuaidi100").status is cg.TrackingStatus.DELIVERED
    assert json.loads(form(recorder.seen[0])["param"])["com"] == "shunfeng"


def test_each_attempt_is_signed_afresh_and_transient_failures_are_retried() -> None:
    recorder = Recorder({"/poll/query.do": [httpx.Response(502, content=b"bad gateway"),
                                            fixture("query_response_plain.json")]})
    with gateway(recorder, company="yuantong") as gw:
        gw.track("YT7700000000001", carrier="kuaidi100")
    assert len(recorder.seen) == 2
    assert all(form(r)["sign"] == expected_sign(r) for r in recorder.seen)


def test_no_result_is_not_found() -> None:
    recorder = Recorder({"/poll/query.do": [fixture("query_no_result.json")]})
    with gateway(recorder, company="yuantong") as gw, pytest.raises(cg.NotFound) as caught:
        gw.track("YT7700000000009", carrier="kuaidi100")
    assert caught.value.code == "500"
    assert len(recorder.seen) == 1  # a refusal is no transient failure


def test_subscribe() -> None:
    recorder = Recorder({"/poll": [fixture("subscribe_response.json"), fixture("subscribe_duplicate.json")]})
    with gateway(recorder, company="yuantong") as gw:
        made = gw.subscribe("YT7700000000001", carrier="kuaidi100", callback_url=HOOK)
        again = gw.subscribe("YT7700000000001", carrier="kuaidi100", callback_url=HOOK)
    assert (made.carrier, made.tracking_number, made.callback_url, made.company, made.already) == \
        ("kuaidi100", "YT7700000000001", HOOK, "yuantong", False)
    assert again.already is True
    fields = form(recorder.seen[0])
    assert set(fields) == {"schema", "param"}  # the key travels in param; the call is not signed
    param = json.loads(fields["param"])
    assert param["parameters"] == {"callbackurl": HOOK, "salt": "k100-Salt-123", "resultv2": "4"}


def test_subscribe_is_retried_after_an_ambiguous_failure() -> None:
    recorder = Recorder({"/poll": [httpx.Response(503, content=b"down"), fixture("subscribe_response.json")]})
    with gateway(recorder, company="yuantong") as gw:
        assert gw.subscribe("YT7700000000001", carrier="kuaidi100", callback_url=HOOK).already is False
    assert len(recorder.seen) == 2


def test_subscribe_input_is_refused_before_sending() -> None:
    recorder = Recorder({"/poll": [fixture("subscribe_response.json")]})
    with gateway(recorder, company="yuantong") as gw:
        for number, url, field in [("YT7700000000001", "not a url", "callback_url"),
                                   ("a/b", HOOK, "tracking_number"), ("", HOOK, "tracking_number")]:
            with pytest.raises(cg.ValidationError) as caught:
                gw.subscribe(number, carrier="kuaidi100", callback_url=url)
            assert caught.value.field == field
    with gateway(recorder, company="yuantong", salt=None) as gw, pytest.raises(cg.ConfigurationError):
        gw.subscribe("YT7700000000001", carrier="kuaidi100", callback_url=HOOK)
    assert recorder.seen == []


def test_other_carriers_say_not_supported() -> None:
    with cg.Gateway({"table": {}}) as gw, pytest.raises(cg.NotSupported):
        gw.subscribe("0000000000", carrier="table", callback_url=HOOK)


def test_no_secret_in_errors_or_reprs() -> None:
    recorder = Recorder({"/poll/query.do": [fixture("query_bad_sign.json")]})
    with gateway(recorder, company="yuantong") as gw:
        with pytest.raises(cg.AuthenticationError) as caught:
            gw.track("YT7700000000001", carrier="kuaidi100")
        shown = " ".join([str(caught.value), repr(caught.value), repr(gw), repr(gw.carrier("kuaidi100").carrier),
                          repr(gw.carrier("kuaidi100").carrier.account)])
    for secret in ("k100-Key-XYZ", "k100-Secret-ABC", "k100-Salt-123"):
        assert secret not in shown


def _async(run: Callable[[cg.AsyncGateway], Any]) -> Any:
    recorder = Recorder({"/poll/query.do": [fixture("query_response_plain.json")],
                         "/poll": [fixture("subscribe_response.json")]})

    async def main() -> Any:
        async with cg.AsyncGateway({"kuaidi100": {**SETTINGS, "company": "yuantong"}},
                                   transport=httpx.MockTransport(recorder)) as gw:
            return await run(gw)

    return asyncio.run(main())


def test_async_track_and_subscribe() -> None:
    async def both(gw: cg.AsyncGateway) -> tuple[cg.TrackingInfo, Any]:
        return (await gw.track("YT7700000000001", carrier="kuaidi100"),
                await gw.subscribe("YT7700000000001", carrier="kuaidi100", callback_url=HOOK))

    info, made = _async(both)
    assert info.status is cg.TrackingStatus.IN_TRANSIT
    assert made.callback_url == HOOK


def test_the_key_and_salt_in_forms_never_reach_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    recorder = Recorder({"/autonumber/auto": [fixture("autonumber_response.json")],
                         "/poll": [fixture("subscribe_bad_key.json")]})
    with caplog.at_level("DEBUG", logger="carriergate"), gateway(recorder, phone="5678") as gw, \
            pytest.raises(cg.AuthenticationError):
        gw.subscribe("78300000000001", carrier="kuaidi100", callback_url=HOOK)
    assert len(recorder.seen) == 2
    assert caplog.records  # the exchanges were logged...
    for secret in ("k100-Key-XYZ", "k100-Salt-123", "k100-Secret-ABC"):
        assert secret not in caplog.text  # ...without a secret
