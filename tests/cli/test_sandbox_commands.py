"""The command line against the built-in sandbox: every carrier emulated in-process, offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from carriergate.cli import app as cli

runner = CliRunner()
SH = "CN,200120,Shanghai,Shanghai;name=Li Lei;street=88 Century Avenue;phone=13800138000"
BJ = "CN,100010,Beijing,Beijing;name=Han Meimei;street=1 Chang'an Avenue;phone=13900139000"
LA = "US,90071,Los Angeles,CA;name=Jane Roe;street=350 S Grand Ave;phone=+1 213 555 0100"
PARCEL = ["--weight", "2.5kg", "--size", "30x20x10cm"]


def rates(*args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(cli.app, ["rates", "--sandbox", "--json", *args])
    return result.exit_code, json.loads(result.stdout)


def test_domestic_china_quotes_from_every_carrier() -> None:
    code, doc = rates("--from", SH, "--to", BJ, *PARCEL)
    assert code == 0, doc
    assert {q["carrier"] for q in doc["quotes"]} == {"ups", "fedex", "dhl_express", "sf_express", "table"}
    assert {q["source"] for q in doc["quotes"] if q["carrier"] == "table"} == {"table"}
    assert {q["source"] for q in doc["quotes"] if q["carrier"] != "table"} == {"live"}
    assert doc["errors"] == []


def test_international_quotes_and_a_reason_for_the_carrier_without_one() -> None:
    code, doc = rates("--from", SH, "--to", LA, *PARCEL, "--item", "Cotton T-shirt,610910,2,60.00 USD",
                      "--insure", "120 USD")
    assert code == 3  # partial: SF Express quotes mainland China only
    assert {q["carrier"] for q in doc["quotes"]} == {"ups", "fedex", "dhl_express", "table"}
    [error] = doc["errors"]
    assert error["carrier"] == "sf_express"
    assert error["code"] == "lane_not_supported"


def test_ship_writes_the_label_from_the_emulator(tmp_path: Path) -> None:
    label = tmp_path / "label.pdf"
    result = runner.invoke(cli.app, ["ship", "--sandbox", "--from", SH, "--to", LA, *PARCEL,
                                     "--item", "Cotton T-shirt,610910,2,60.00 USD", "--carrier", "fedex",
                                     "--service", "INTERNATIONAL_ECONOMY", "--reference", "ORDER-1001",
                                     "--output", str(label)])
    assert result.exit_code == 0, result.output
    assert label.read_bytes()
    assert "void" in result.stdout


def test_sandbox_and_config_exclude_each_other(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["rates", "--sandbox", "--config", str(tmp_path / "x.toml"), "--from", SH,
                                     "--to", BJ, *PARCEL])
    assert result.exit_code == 5
    assert "exclude each other" in result.stderr


def test_ship_without_a_label_format_gets_the_carriers_usual_one(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["ship", "--sandbox", "--json", "--from", SH, "--to", LA, *PARCEL,
                                     "--item", "Cotton T-shirt,610910,2,60.00 USD", "--carrier", "ups",
                                     "--service", "08", "--reference", "ORDER-1002",
                                     "--output", str(tmp_path / "label")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["label_format"] == "GIF"
