"""``carriergate track NUMBER`` without ``--carrier``: the courier detected by Kuaidi100's autonumber
(on the sandbox's kuaidi100 emulator, and on a Kuaidi100 answering several candidates), named in
Chinese with its code, then tracked; and refused, naming ``--carrier``, where no kuaidi100 account
exists."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from typer.testing import CliRunner

import carriergate as cg
from carriergate.carriers.kuaidi100 import Kuaidi100
from carriergate.cli import app as cli
from carriergate.cli.detecting import Detector
from carriergate.sandbox.kuaidi100 import SAMPLES

runner = CliRunner()
YUNDA, YTO, SF = "4300000000001", "YT7700000000001", "SF1400000000001"
SF_PHONE = SAMPLES[SF][1] or ""
NEVER_ISSUED = "YT7712345999999"  # the sandbox's series, never issued: no courier claims it


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    for key in list(os.environ):
        if key.startswith("CARRIERGATE_"):
            monkeypatch.delenv(key)



def track(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(cli.app, ["track", *args])
    return result.exit_code, result.stdout, result.stderr


def test_kuaidi100_is_a_detector() -> None:
    """The command line reaches Kuaidi100 by the shape of its methods: checked here by mypy too."""
    carrier: Detector = Kuaidi100(Kuaidi100.account_model(customer="C", key="k", secret="s"),
                                   alias="kuaidi100")
    assert isinstance(carrier, Detector)


def test_the_courier_is_detected_named_then_tracked() -> None:
    code, out, err = track(YUNDA, "--sandbox")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"kuaidi100: {YUNDA} detected as 韵达快递 Yunda Express (yunda)"
    assert lines[1] == f"kuaidi100 {YUNDA}: in_transit"
    assert "also possible" not in out


def test_detection_in_json() -> None:
    code, out, _ = track(YTO, "--sandbox", "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["detected"] == {"account": "kuaidi100", "tracking_number": YTO, "company": "yuantong",
                               "title": "圆通速递 YTO Express (yuantong)", "others": []}
    assert (doc["carrier"], doc["tracking_number"], doc["status"]) == ("kuaidi100", YTO, "in_transit")
    assert len(doc["events"]) == 1


def test_sf_needs_the_phone_kuaidi100_asks_for() -> None:
    code, out, err = track(SF, "--sandbox")
    assert code == 2
    assert "phone (--phone)" in err
    code, out, err = track(SF, "--sandbox", "--phone", SF_PHONE[-4:], "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert (doc["detected"]["company"], doc["status"]) == ("shunfeng", "in_transit")


def test_without_a_kuaidi100_account_the_error_names_carrier(tmp_path: Path) -> None:
    code, out, err = track(YUNDA)  # no configuration: the table carrier alone
    assert code == 2
    assert out == ""
    assert err.startswith("error: carrier (--carrier): name the account with --carrier NAME")
    assert "kuaidi100" in err
    path = tmp_path / "carriergate.toml"
    path.write_text('[ups]\nclient_id = "i"\nclient_secret = "s"\naccount_number = "A1"\n', encoding="utf-8")
    code, out, err = track(YUNDA, "--config", str(path), "--json")
    assert code == 2
    assert json.loads(out)["error"]["field"] == "carrier"


def test_a_number_no_courier_claims_says_to_name_the_carrier() -> None:
    code, _, err = track(NEVER_ISSUED, "--sandbox")
    assert code == 1
    assert err.rstrip().endswith("; name the carrier with --carrier NAME")


def test_several_numbers_each_detected() -> None:
    code, out, _ = track(YUNDA, YTO, NEVER_ISSUED, "--sandbox", "--json")
    assert code == 3  # two tracked, one not
    doc = json.loads(out)
    assert [(d["tracking_number"], d["company"]) for d in doc["detected"]] == [(YUNDA, "yunda"), (YTO, "yuantong")]
    assert [t["tracking_number"] for t in doc["tracked"]] == [YUNDA, YTO]
    assert [(e["tracking_number"], e["type"]) for e in doc["errors"]] == [(NEVER_ISSUED, "NotFound")]


def test_company_and_phone_go_with_a_kuaidi100_account_only() -> None:
    code, _, err = track(YUNDA, "--sandbox", "--carrier", "sf_express", "--phone", "1234")
    assert code == 2
    assert "phone (--phone): goes with a kuaidi100 account only" in err
    code, _, err = track(YUNDA, "--sandbox", "--carrier", "sf_express", "--company", "yunda")
    assert (code, "company (--company): goes with a kuaidi100 account only" in err) == (2, True)
    code, _, err = track(YUNDA, YTO, "--sandbox", "--company", "yunda")
    assert (code, "company (--company): goes with one tracking number at a time" in err) == (2, True)
    code, out, err = track(YUNDA, "--sandbox", "--carrier", "kuaidi100", "--phone", "1234", "--json")
    assert code == 0, err
    assert "detected" not in json.loads(out)  # named: nothing detected


def test_the_courier_named_with_company_is_tracked_without_detection() -> None:
    code, out, err = track(YUNDA, "--sandbox", "--company", "yunda", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert ("detected" not in doc, doc["tracking_number"], len(doc["events"])) == (True, YUNDA, 1)
    code, _, err = track(YUNDA, "--sandbox", "--company", "yuantong")  # not the courier of this number
    assert code == 1
    assert "查询无结果" in err
    code, _, err = track(YUNDA, "--sandbox", "--company", "Not A Code!")
    assert code == 2
    assert "company (--company)" in err


# -- an ambiguous number: Kuaidi100 answers several candidates ------------------------------------------

def _kuaidi100(asked: list[tuple[str, dict[str, list[str]]]]) -> httpx.MockTransport:
    """Kuaidi100 claiming the number for Yunda first, then YTO and a courier it has no names for."""
    def answer(request: httpx.Request) -> httpx.Response:
        form = parse_qs(request.content.decode())
        asked.append((request.url.path, form))
        if request.url.path == "/autonumber/auto":
            return httpx.Response(200, json=[{"comCode": "yunda", "name": "韵达快递"},
                                             {"comCode": "yuantong"}, {"comCode": "kuayue", "name": "跨越速运"}])
        param = json.loads(form["param"][0])
        return httpx.Response(200, json={
            "message": "ok", "nu": param["num"], "ischeck": "0", "condition": "F00", "com": param["com"],
            "status": "200", "state": "0",
            "data": [{"time": "2026-03-02 12:00:00", "ftime": "2026-03-02 12:00:00", "context": "快件已发往【北京】"}]})
    return httpx.MockTransport(answer)


def test_an_ambiguous_number_is_tracked_with_the_most_likely_and_lists_the_others(
        monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[tuple[str, dict[str, list[str]]]] = []
    settings = {"k100": {"carrier": "kuaidi100", "customer": "C1", "key": "k100-key", "secret": "s",
                         "base_url": "https://k100.example.test"}}
    monkeypatch.setattr(cli, "build_gateway",
                        lambda config, sandbox: cg.Gateway(settings, transport=_kuaidi100(asked)))
    code, out, err = track("9876543210123")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "k100: 9876543210123 detected as 韵达快递 Yunda Express (yunda)"
    assert lines[1] == ("  also possible (choose with --company CODE): "
                        "圆通速递 YTO Express (yuantong), 跨越速运 (kuayue)")
    assert lines[2] == "k100 9876543210123: in_transit"
    (detect_path, _), (query_path, query) = asked
    assert (detect_path, query_path) == ("/autonumber/auto", "/poll/query.do")
    assert json.loads(query["param"][0])["com"] == "yunda"  # the most likely candidate
