"""``carriergate carriers --kuaidi100``: the Chinese domestic couriers Kuaidi100 reaches, in Chinese
and English with the Kuaidi100 code ``company=`` takes, as table and JSON; the list is the kuaidi100
carrier class's own (``companies``, ``phone_required``), read through the registry."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from carriergate.carriers.kuaidi100 import COMPANIES, PHONE_REQUIRED, Kuaidi100
from carriergate.cli import app as cli
from carriergate.cli.couriers import courier_title

runner = CliRunner()



def test_the_couriers_as_json() -> None:
    result = runner.invoke(cli.app, ["carriers", "--kuaidi100", "--json"])
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["couriers"]
    assert [r["code"] for r in rows] == sorted(COMPANIES)
    by_code = {r["code"]: r for r in rows}
    assert by_code["shunfeng"] == {"code": "shunfeng", "name_zh": "顺丰速运", "name_en": "SF Express",
                                   "phone_required": True}
    assert by_code["zhongtong"]["phone_required"] is True
    assert by_code["yunda"] == {"code": "yunda", "name_zh": "韵达快递", "name_en": "Yunda Express",
                                "phone_required": False}
    assert {r["code"] for r in rows if r["phone_required"]} == set(PHONE_REQUIRED)


def test_the_couriers_as_a_table() -> None:
    result = runner.invoke(cli.app, ["carriers", "--kuaidi100"])
    assert result.exit_code == 0, result.stderr
    assert "Kuaidi100 couriers" in result.stdout
    for code, (zh, en) in COMPANIES.items():
        row = next(line for line in result.stdout.splitlines() if f" {code} " in line)
        assert zh in row
        assert en in row


def test_without_a_published_list_it_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Kuaidi100, "companies", None, raising=False)
    result = runner.invoke(cli.app, ["carriers", "--kuaidi100"])
    assert result.exit_code == 5
    assert result.stderr.startswith("error: [kuaidi100]")
    assert "no courier list" in result.stderr


def test_plain_carriers_still_lists_the_carriers() -> None:
    result = runner.invoke(cli.app, ["carriers", "--json"])
    assert result.exit_code == 0
    assert "kuaidi100" in {r["name"] for r in json.loads(result.stdout)["carriers"]}


def test_a_title_falls_back_to_what_detection_said() -> None:
    assert courier_title("shunfeng") == "顺丰速运 SF Express (shunfeng)"
    assert courier_title("kuayue", "跨越速运") == "跨越速运 (kuayue)"
    assert courier_title("kuayue") == "kuayue"
