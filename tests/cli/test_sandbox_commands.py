"""The command line against the built-in sandbox: every carrier emulated in-process, offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from carriergate.cli import app as cli
from carriergate.gateway.gateways import Gateway
from carriergate.sandbox.faults import CarrierFaults, Faults, ServerErrorRule
from carriergate.sandbox.registry import sandbox_accounts

runner = CliRunner()
SH = "CN,200120,Shanghai,Shanghai;name=Li Lei;street=88 Century Avenue;phone=13800138000"
BJ = "CN,100010,Beijing,Beijing;name=Han Meimei;street=1 Chang'an Avenue;phone=13900139000"
LA = "US,90071,Los Angeles,CA;name=Jane Roe;street=350 S Grand Ave;phone=+1 213 555 0100"
PARCEL = ["--weight", "2.5kg", "--size", "30x20x10cm"]


def rates(*args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(cli.app, ["rates", "--sandbox", "--json", *args])
    return result.exit_code, json.loads(result.stdout)


#: The sandbox's carriers (every registered one with an emulator, and table rates); each one either
#: quotes a lane or is listed as not applicable on it.
SANDBOX_CARRIERS = set(sandbox_accounts())
#: Who quotes Shanghai -> Beijing in the emulators, at least (carriers added later may too). UPS and
#: FedEx do sell domestic express within China (FedEx's Priority Delivery covers most cities); the
#: emulators refuse the lane (UPS 111210, FedEx RATE.LOCATION.NOSERVICE), so here they are not applicable.
SERVING_DOMESTIC_CHINA = {"dhl_express", "sf_express", "table"}


def test_domestic_china_quotes_from_every_carrier_that_serves_it() -> None:
    code, doc = rates("--from", SH, "--to", BJ, *PARCEL)
    assert code == 0, doc
    quoted = {q["carrier"] for q in doc["quotes"]}
    assert quoted >= SERVING_DOMESTIC_CHINA
    assert not quoted & {"ups", "fedex"}
    assert {q["source"] for q in doc["quotes"] if q["carrier"] == "table"} == {"table"}
    assert {q["source"] for q in doc["quotes"] if q["carrier"] != "table"} == {"live"}
    assert doc["errors"] == []
    assert doc["complete"] is True
    refused = {e["carrier"]: e for e in doc["not_applicable"]}
    assert set(refused) == SANDBOX_CARRIERS - quoted  # every other carrier is listed, with its own code
    assert {e["type"] for e in refused.values()} == {"NotServed"}
    if "ups" in refused:
        assert refused["ups"]["code"] == "111210"
    if "fedex" in refused:
        assert refused["fedex"]["code"] == "RATE.LOCATION.NOSERVICE"


def test_the_readme_commands_exit_0_listing_carriers_not_applicable() -> None:
    domestic = runner.invoke(cli.app, ["rates", "--sandbox", "--from", "CN,200120,Shanghai,Shanghai",
                                       "--to", "CN,100010,Beijing,Beijing", *PARCEL])
    assert domestic.exit_code == 0, domestic.output
    abroad = runner.invoke(cli.app, ["rates", "--sandbox", "--from", "CN,200120,Shanghai,Shanghai",
                                     "--to", "US,90071,Los Angeles,CA", *PARCEL,
                                     "--item", "Cotton T-shirt,610910,2,60.00 USD", "--insure", "120 USD"])
    assert abroad.exit_code == 0, abroad.output
    assert "Carriers without a quote" not in abroad.stdout
    assert "Not applicable (the carrier does not serve this shipment):" in abroad.stdout
    assert "sf_express: lane_not_supported:" in abroad.stdout


def test_international_quotes_and_the_carrier_not_applicable() -> None:
    code, doc = rates("--from", SH, "--to", LA, *PARCEL, "--item", "Cotton T-shirt,610910,2,60.00 USD",
                      "--insure", "120 USD")
    assert code == 0  # SF Express quotes mainland China only: not applicable, not a failure
    quoted = {q["carrier"] for q in doc["quotes"]}
    assert quoted >= {"ups", "fedex", "dhl_express", "table"}
    assert doc["errors"] == []
    refused = {e["carrier"]: e for e in doc["not_applicable"]}
    assert set(refused) == SANDBOX_CARRIERS - quoted
    assert refused["sf_express"]["code"] == "lane_not_supported"
    assert {e["type"] for e in refused.values()} == {"NotServed"}


def test_a_real_failure_beside_a_carrier_not_applicable_still_exits_3() -> None:
    failing = Faults(carriers={"fedex": CarrierFaults(server_error=ServerErrorRule(probability=1.0))})
    gateway = Gateway.sandbox(faults=failing)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cli, "build_gateway", lambda config, sandbox: gateway)
        code, doc = rates("--from", SH, "--to", LA, *PARCEL, "--item", "Cotton T-shirt,610910,2,60.00 USD")
    assert code == 3, doc
    assert [e["carrier"] for e in doc["errors"]] == ["fedex"]
    assert "sf_express" in [e["carrier"] for e in doc["not_applicable"]]
    assert doc["complete"] is False


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
