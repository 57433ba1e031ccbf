"""The carriergate command: tables, --json, exit codes, one-line errors, every subcommand."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import carriergate as cg
from carriergate.cli import app as cli
from carriergate.cli.config import DEFAULT_CONFIG, gateway_config
from carriergate.core import registry
from carriergate.core.contract import AnyCarrier
from carriergate.sandbox.registry import unavailable

from support.fake_carrier import Answer, FakeCarrier, fake_carrier, registered

runner = CliRunner()

SH = "CN,200120,Shanghai,Shanghai"
BJ = "CN,100010,Beijing"
LA = "US,90071,Los Angeles,CA"
DOMESTIC = ["rates", "--from", SH, "--to", BJ, "--weight", "2.5kg", "--size", "30x20x10cm"]
INTERNATIONAL = ["rates", "--from", SH, "--to", LA, "--weight", "2.5kg", "--size", "30x20x10cm",
                 "--item", "Cotton T-shirt,610910,2,60.00 USD", "--insure", "100 USD"]
SENDER = "CN,200120,Shanghai,Shanghai;name=Li Lei;street=88 Century Avenue;phone=+86 21 5555 0000"
RECIPIENT = "CN,100010,Beijing,Beijing;name=Han Meimei;street=1 Chang'an Avenue"

JAPAN_ONLY = """
currency = "CNY"
[zones.jp]
countries = ["JP"]
[services.s]
name = "S"
[services.s.zones.jp]
first_weight = "1"
first_price = "1.00"
"""


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    for key in list(os.environ):
        if key.startswith("CARRIERGATE_"):
            monkeypatch.delenv(key)


def config(tmp_path: Path, text: str) -> str:
    (tmp_path / "japan.toml").write_text(JAPAN_ONLY, encoding="utf-8")
    path = tmp_path / "carriergate.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def invoke(args: list[str]) -> Any:
    return runner.invoke(cli.app, args)


# ---- rates ---------------------------------------------------------------------------------------

def test_rates_table_output_sorted_by_price() -> None:
    result = invoke(DOMESTIC)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "22.00 CNY" in out
    assert "42.50 CNY" in out
    assert out.index("22.00 CNY") < out.index("42.50 CNY")
    assert "2-3 days" in out
    assert "标准快递 Standard" in out
    assert "table" in out
    assert result.stderr == ""


def test_rates_json_document() -> None:
    result = invoke([*DOMESTIC, "--json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["complete"] is True
    assert doc["errors"] == []
    assert doc["exit_code"] == 0
    first = doc["quotes"][0]
    assert first["total"] == {"amount": "22.00", "currency": "CNY"}
    assert first["charges"] == [{"kind": "base", "name": "Base charge", "code": "base",
                                 "amount": {"amount": "22.00", "currency": "CNY"}}]
    assert (first["carrier"], first["service_code"], first["source"]) == ("table", "standard", "table")
    assert (first["transit_days_min"], first["transit_days"]) == (2, 3)
    assert [q["total"]["amount"] for q in doc["quotes"]] == ["22.00", "42.50"]


def test_rates_international_with_item_and_insurance() -> None:
    result = invoke([*INTERNATIONAL, "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    # 100 USD x 7.10 = 710 CNY; 0.5 % = 3.55 insurance; economy 215.00 + 25.80 fuel
    assert [q["total"]["amount"] for q in doc["quotes"]] == ["244.35", "401.15"]
    assert doc["quotes"][0]["charges"][-1] == {"kind": "insurance", "name": "Insurance", "code": "insurance",
                                               "amount": {"amount": "3.55", "currency": "CNY"}}


def test_rates_documents_and_service_filter() -> None:
    result = invoke(["rates", "--from", SH, "--to", LA, "--weight", "0.4kg", "--documents",
                     "--service", "intl_express", "--json"])
    assert result.exit_code == 0, result.output
    # 0.5 kg bracket 180.00 + 12 % fuel 21.60
    assert [q["total"]["amount"] for q in json.loads(result.stdout)["quotes"]] == ["201.60"]


def test_rates_multi_parcel() -> None:
    result = invoke(["rates", "--from", SH, "--to", BJ, "--weight", "2.5kg", "--weight", "1kg",
                     "--service", "standard", "--json"])
    # standard (1 kg steps): 3 kg 22.00 + 1 kg 12.00
    assert json.loads(result.stdout)["quotes"][0]["total"]["amount"] == "34.00"


def test_partial_answer_exits_3_and_lists_errors(tmp_path: Path) -> None:
    path = config(tmp_path, '[table]\n[japan]\ncarrier = "table"\nrate_card = "japan.toml"\n')
    result = invoke([*DOMESTIC, "--config", path])
    assert result.exit_code == 3
    assert "22.00 CNY" in result.stdout
    assert "japan: no_zone: no zone of the rate card covers the destination" in result.stdout
    doc = json.loads(invoke([*DOMESTIC, "--config", path, "--json"]).stdout)
    assert doc["complete"] is False
    assert doc["exit_code"] == 3
    assert doc["errors"] == [{"carrier": "japan", "code": "no_zone", "message": doc["errors"][0]["message"],
                              "type": "CarrierError", "retryable": False, "http_status": None}]


def test_no_quote_exits_4(tmp_path: Path) -> None:
    path = config(tmp_path, '[japan]\ncarrier = "table"\nrate_card = "japan.toml"\n')
    result = invoke([*DOMESTIC, "--config", path])
    assert result.exit_code == 4
    assert "No quotes." in result.stdout


def test_carriers_option_narrows_the_accounts(tmp_path: Path) -> None:
    path = config(tmp_path, '[table]\n[japan]\ncarrier = "table"\nrate_card = "japan.toml"\n')
    result = invoke([*DOMESTIC, "--config", path, "--carriers", "table", "--json"])
    assert result.exit_code == 0
    assert {q["carrier"] for q in json.loads(result.stdout)["quotes"]} == {"table"}


@pytest.mark.parametrize("extra", [
    ["--config", "/nonexistent/carriergate.toml"],
    ["--carriers", "ups"],  # not configured
])
def test_configuration_error_exits_5(extra: list[str]) -> None:
    result = invoke([*DOMESTIC, *extra])
    assert result.exit_code == 5
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ")


def test_bad_rate_card_exits_5_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text(JAPAN_ONLY.replace('"1.00"', '"-1"'), encoding="utf-8")
    path = tmp_path / "c.toml"
    path.write_text('[table]\nrate_card = "bad.toml"\n', encoding="utf-8")
    result = invoke([*DOMESTIC, "--config", str(path)])
    assert result.exit_code == 5
    assert "services.s.zones.jp.first_price" in result.stderr


def test_environment_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "japan.toml").write_text(JAPAN_ONLY, encoding="utf-8")
    monkeypatch.setenv("CARRIERGATE_TABLE__RATE_CARD", str(tmp_path / "japan.toml"))
    assert invoke(DOMESTIC).exit_code == 4  # the env card covers Japan only


def test_default_configuration_and_sandbox_accounts() -> None:
    assert gateway_config(None, environ={}) == DEFAULT_CONFIG
    assert gateway_config(None, environ={"CARRIERGATE_TABLE__CURRENCY": "CNY"}) == {"table": {"currency": "CNY"}}
    sandbox = gateway_config(None, sandbox=True)
    assert set(sandbox) == set(registry.available()) - set(unavailable()) >= {"ups", "fedex", "sf_express", "table"}
    assert sandbox["ups"]["base_url"].endswith("/ups")
    with pytest.raises(cg.ConfigurationError, match="exclude each other"):
        gateway_config(Path("x.toml"), sandbox=True)


@pytest.mark.parametrize(("args", "line"), [
    (["rates", "--from", SH, "--to", LA, "--weight", "2.5kg"],
     "error: customs (--item/--documents): required for an international shipment (CN to US)"),
    (["rates", "--from", SH, "--to", BJ, "--weight", "2.5"],
     "error: parcels[0].weight.unit (--weight): a unit is required: kg, g, lb or oz (got '2.5')"),
    (["rates", "--from", SH, "--to", "CN,100010,Beijing;colour=red", "--weight", "1kg"],
     "error: destination.colour (--to): unknown address key"),
])
def test_bad_input_exits_2_with_one_line(args: list[str], line: str) -> None:
    result = invoke(args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(line)
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.output


def test_bad_input_with_json_also_prints_an_error_document() -> None:
    result = invoke(["rates", "--from", SH, "--to", BJ, "--weight", "-1kg", "--json"])
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["field"] == "parcels[0].weight.value"


# ---- main(): the console script never prints a traceback ------------------------------------------

@pytest.mark.parametrize(("argv", "code", "start"), [
    (["rates", "--from", SH], 2, "error: Missing option"),
    (["rates", "--from", SH, "--to", BJ, "--weight", "1kg", "--deadline", "soon"], 2, "error: Invalid value"),
    (["rates", "--from", SH, "--to", BJ, "--weight", "1kg", "--deadline", "0"], 2, "error: deadline:"),
    (["track", "123", "--carrier", "table"], 6, "error: [table] not_supported: table does not support track"),
    (["nonsense"], 2, "error: No such command"),
])
def test_main_prints_one_line(capsys: pytest.CaptureFixture[str], argv: list[str], code: int, start: str) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == code
    err = capsys.readouterr().err
    assert err.startswith(start)
    assert err.count("\n") == 1


def test_main_success_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main([*DOMESTIC, "--json"])
    assert info.value.code == 0
    assert json.loads(capsys.readouterr().out)["quotes"]


# ---- operations other than rates -----------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["ship", "--from", SENDER, "--to", RECIPIENT, "--weight", "1kg", "--carrier", "table", "--service", "standard",
     "--reference", "ORDER-1"],
    ["void", "--carrier", "table", "--tracking-number", "X1"],
    ["track", "X1", "--carrier", "table"],
    ["pickup", "--carrier", "table", "--at", SENDER, "--start", "2099-01-01T09:00+08:00",
     "--end", "2099-01-01T17:00+08:00", "--weight", "3kg"],
    ["cancel-pickup", "--carrier", "table", "--confirmation-number", "P1"],
])
def test_table_operations_are_not_supported(args: list[str]) -> None:
    result = invoke(args)
    assert result.exit_code == 6
    assert result.stderr.startswith("error: [table] not_supported:")


def _ship(carrier: FakeCarrier, request: cg.ShipRequest) -> cg.Label:
    if request.reference == "UNKNOWN":
        raise cg.OutcomeUnknown("timed out", reference=request.reference, carrier=carrier.alias)
    return cg.Label(carrier=carrier.alias, tracking_number="FULL123", label=b"%PDF-label",
                    label_format=request.label_format, total=cg.Money("9.99", "USD"),
                    carrier_data={"shipment_id": "S-1"})


def _void(carrier: FakeCarrier, label: cg.Label) -> None:
    if label.carrier_data.get("shipment_id") != "S-1":
        raise cg.NotFound("no such shipment", carrier=carrier.alias, code="404")


def _track(carrier: FakeCarrier, tracking_number: str) -> cg.TrackingInfo:
    event = cg.TrackingEvent(occurred_at=datetime(2030, 1, 2, 3, 4, tzinfo=UTC), status=cg.TrackingStatus.DELIVERED,
                             code="D1", description="Delivered", location="Beijing")
    return cg.TrackingInfo(carrier=carrier.alias, tracking_number=tracking_number,
                           status=cg.TrackingStatus.DELIVERED, events=[event])


#: Every operation (rating declared, not performed), answered without I/O; the request picks the outcome.
FullCarrier = fake_carrier(
    "full", capabilities=frozenset(cg.Capability), ship=Answer(_ship), void=Answer(_void), track=Answer(_track),
    schedule_pickup=Answer(lambda carrier, request: cg.Pickup(carrier=carrier.alias, confirmation_number="PU-7",
                                                              carrier_data={"date": "2099-01-01"})),
    cancel_pickup=Answer(lambda carrier, pickup: None))


@pytest.fixture
def full(tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "full.toml"
    path.write_text("[full]\n", encoding="utf-8")
    with registered(FullCarrier):
        yield str(path)


def test_ship_writes_the_label(full: str, tmp_path: Path) -> None:
    out = tmp_path / "label.pdf"
    result = invoke(["ship", "--from", SENDER, "--to", RECIPIENT, "--weight", "1kg", "--carrier", "full",
                     "--service", "x", "--reference", "ORDER-1", "--output", str(out), "--config", full])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == b"%PDF-label"
    assert "tracking number FULL123" in result.stdout
    assert "carriergate void --carrier full --tracking-number FULL123 --data shipment_id=S-1" in result.stdout


def test_ship_json_and_default_label_file(full: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(["ship", "--from", SENDER, "--to", RECIPIENT, "--weight", "1kg", "--carrier", "full",
                     "--service", "x", "--reference", "ORDER-1", "--label-format", "zpl", "--json", "--config", full])
    doc = json.loads(result.stdout)
    assert (doc["tracking_number"], doc["label_format"], doc["label_file"]) == ("FULL123", "ZPL", "label-FULL123.zpl")
    assert doc["total"] == {"amount": "9.99", "currency": "USD"}
    assert (tmp_path / "label-FULL123.zpl").read_bytes() == b"%PDF-label"


def test_ship_needs_real_names_and_streets(full: str) -> None:
    result = invoke(["ship", "--from", SH, "--to", RECIPIENT, "--weight", "1kg", "--carrier", "full",
                     "--service", "x", "--reference", "ORDER-1", "--config", full])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: origin.name (--from): required to ship")


def test_ship_outcome_unknown_exits_7_with_reference(full: str) -> None:
    result = invoke(["ship", "--from", SENDER, "--to", RECIPIENT, "--weight", "1kg", "--carrier", "full",
                     "--service", "x", "--reference", "UNKNOWN", "--config", full])
    assert result.exit_code == 7
    assert "reference 'UNKNOWN'" in result.stderr


def test_void_with_carrier_data(full: str) -> None:
    result = invoke(["void", "--carrier", "full", "--tracking-number", "FULL123", "--data", "shipment_id=S-1",
                     "--config", full])
    assert result.exit_code == 0
    assert result.stdout == "full: label FULL123 voided\n"
    missing = invoke(["void", "--carrier", "full", "--tracking-number", "FULL123", "--config", full])
    assert missing.exit_code == 1
    assert missing.stderr.startswith("error: [full] 404: no such shipment")


def test_void_bad_data_pair(full: str) -> None:
    result = invoke(["void", "--carrier", "full", "--tracking-number", "F", "--data", "oops", "--config", full])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: carrier_data (--data): expected key=value")


def test_track(full: str) -> None:
    result = invoke(["track", "FULL123", "--carrier", "full", "--config", full])
    assert result.exit_code == 0
    assert "full FULL123: delivered" in result.stdout
    assert "Beijing" in result.stdout
    doc = json.loads(invoke(["track", "FULL123", "--carrier", "full", "--config", full, "--json"]).stdout)
    assert doc["status"] == "delivered"
    assert doc["events"][0] == {"occurred_at": "2030-01-02T03:04:00+00:00", "status": "delivered", "code": "D1",
                                "description": "Delivered", "location": "Beijing"}


def test_pickup_and_cancel(full: str) -> None:
    start = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    result = invoke(["pickup", "--carrier", "full", "--at", SENDER, "--start", start.isoformat(),
                     "--end", (start + timedelta(hours=4)).isoformat(), "--weight", "3kg", "--parcels", "2",
                     "--config", full])
    assert result.exit_code == 0, result.output
    assert "pickup confirmation PU-7" in result.stdout
    assert "--confirmation-number PU-7 --data date=2099-01-01" in result.stdout
    cancelled = invoke(["cancel-pickup", "--carrier", "full", "--confirmation-number", "PU-7", "--config", full])
    assert cancelled.exit_code == 0
    assert cancelled.stdout == "full: pickup PU-7 cancelled\n"


def test_pickup_naive_window_is_bad_input(full: str) -> None:
    result = invoke(["pickup", "--carrier", "full", "--at", SENDER, "--start", "2099-01-01T09:00",
                     "--end", "2099-01-01T17:00", "--weight", "3kg", "--config", full])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: window.start (--start/--end): must be timezone-aware")


# ---- carriers ------------------------------------------------------------------------------------

def test_carriers_lists_capabilities_and_unavailable_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    real = registry.carrier_class

    def flaky(name: str) -> type[AnyCarrier]:
        if name == "broken":
            raise ModuleNotFoundError("No module named 'vendor_sdk'")
        return real(name)

    monkeypatch.setattr(registry, "available", lambda: ["broken", "table"])
    monkeypatch.setattr(registry, "carrier_class", flaky)
    result = invoke(["carriers", "--json"])
    assert result.exit_code == 0
    rows = {r["name"]: r for r in json.loads(result.stdout)["carriers"]}
    assert rows["table"]["available"] is True
    assert rows["table"]["capabilities"] == ["rate"]
    assert rows["broken"]["available"] is False
    assert "vendor_sdk" in rows["broken"]["reason"]
    table = invoke(["carriers"])
    assert table.exit_code == 0
    assert "unavailable" in table.stdout
    assert "table" in table.stdout


def test_chinese_units_currencies_and_commas_and_money_to_the_minor_unit() -> None:
    result = invoke(["rates", "--sandbox", "--from", "CN,200120,Shanghai,Shanghai", "--to", "CN,100010,Beijing,Beijing",
                     "--weight", "2.5公斤", "--carriers", "table，sf_express", "--insure", "100 人民币", "--json"])
    assert result.exit_code == 0, result.output
    quotes = json.loads(result.stdout)["quotes"]
    assert {q["carrier"] for q in quotes} == {"table", "sf_express"}
    amounts = [q["total"]["amount"] for q in quotes]
    assert all(re.fullmatch(r"[0-9]+\.[0-9]{2}", a) for a in amounts), amounts  # CNY: two places, always
