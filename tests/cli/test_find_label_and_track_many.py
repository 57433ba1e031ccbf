"""``carriergate find-label``, ``carriergate track NUMBER...`` and the exit-7 advice that names the
find-label command to run, proven by running the command it names (in-process on a fake carrier,
and across processes against ``carriergate sandbox serve`` with the ship's answer lost)."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import carriergate as cg
from carriergate.cli import app as cli
from carriergate.core.registry import carrier_class

from support.fake_carrier import Answer, FakeCarrier, fake_carrier, registered
from support.paths import ROOT
from support.sandbox_samples import read_config

runner = CliRunner()
SENDER = "CN,200120,Shanghai,Shanghai;name=Li Lei;street=88 Century Avenue;phone=+86 21 5555 0000"
RECIPIENT = "CN,100010,Beijing,Beijing;name=Han Meimei;street=1 Chang'an Avenue;phone=13800138000"
LOST = "LOST-7"         # ship answers OutcomeUnknown, yet the label exists (find_label finds it)
NO_IMAGE = "NO-IMAGE"   # found, but the carrier gives no image again


def _ship(carrier: FakeCarrier, request: cg.ShipRequest) -> cg.Label:
    if request.reference.startswith(LOST):
        raise cg.OutcomeUnknown("timed out", reference=request.reference, carrier=carrier.alias)
    return cg.Label(carrier=carrier.alias, tracking_number="F1", label=b"%PDF-", label_format="PDF")


def _find(carrier: FakeCarrier, reference: str) -> cg.Label | None:
    if reference.startswith(LOST) or reference == NO_IMAGE:
        image = b"" if reference == NO_IMAGE else b"%PDF-found"
        return cg.Label(carrier=carrier.alias, tracking_number="FOUND1", label=image, label_format="PDF",
                        reference=reference, carrier_data={"shipment_id": "S-9"})
    return None


def _track(carrier: FakeCarrier, number: str) -> cg.TrackingInfo:
    if number.startswith("MISSING"):
        raise cg.NotFound(f"no parcel {number}", carrier=carrier.alias, code="404")
    event = cg.TrackingEvent(occurred_at=datetime(2030, 1, 2, tzinfo=UTC), status=cg.TrackingStatus.IN_TRANSIT,
                             description="Departed", location="Shanghai")
    return cg.TrackingInfo(carrier=carrier.alias, tracking_number=number, status=cg.TrackingStatus.IN_TRANSIT,
                           events=[event])


def _void(carrier: FakeCarrier, label: cg.Label) -> None:
    if label.carrier_data.get("shipment_id") != "S-9":
        raise cg.NotFound("no such shipment", carrier=carrier.alias, code="404")


Finder = fake_carrier("finder", capabilities={cg.Capability.SHIP, cg.Capability.TRACK, cg.Capability.FIND_LABEL,
                                              cg.Capability.VOID},
                      ship=Answer(_ship), find_label=Answer(_find), track=Answer(_track), void=Answer(_void),
                      track_batch=2)
#: Ships, but has no look-up by reference.
Blind = fake_carrier("blind", capabilities={cg.Capability.SHIP}, ship=Answer(_ship))


@pytest.fixture
def config(tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "fakes.toml"
    path.write_text("[finder]\n[blind]\n[table]\n", encoding="utf-8")
    with registered(Finder, Blind):
        yield str(path)


def invoke(args: list[str]) -> Any:
    return runner.invoke(cli.app, args)


def ship_args(carrier: str, reference: str, config: str) -> list[str]:
    return ["ship", "--from", SENDER, "--to", RECIPIENT, "--weight", "1kg", "--carrier", carrier,
            "--service", "x", "--reference", reference, "--config", config]


def advised_command(stderr: str) -> list[str]:
    """The find-label command the exit-7 line names, as arguments (without ``carriergate``)."""
    match = re.search(r"carriergate find-label .*$", stderr.strip())
    assert match, stderr
    words = shlex.split(match.group(0))
    assert words[:2] == ["carriergate", "find-label"]
    return words[1:]


# -- find-label ---------------------------------------------------------------------------------------

def test_find_label_prints_the_label_and_saves_its_image(config: str, tmp_path: Path) -> None:
    out = tmp_path / "found.pdf"
    result = invoke(["find-label", "--carrier", "finder", "--reference", f"{LOST}-A", "--output", str(out),
                     "--config", config])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == b"%PDF-found"
    assert "finder: tracking number FOUND1" in result.stdout
    assert f"reference: {LOST}-A" in result.stdout
    assert "carriergate void --carrier finder --tracking-number FOUND1 --data shipment_id=S-9" in result.stdout


def test_find_label_json_and_default_file(config: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = invoke(["find-label", "--carrier", "finder", "--reference", f"{LOST}-B", "--json", "--config", config])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert (doc["tracking_number"], doc["reference"], doc["label_file"]) == ("FOUND1", f"{LOST}-B", "label-FOUND1.pdf")
    assert (tmp_path / "label-FOUND1.pdf").read_bytes() == b"%PDF-found"


def test_find_label_without_an_image_writes_no_file(config: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    result = invoke(["find-label", "--carrier", "finder", "--reference", NO_IMAGE, "--config", config])
    assert result.exit_code == 0, result.output
    assert "the carrier gave no label image" in result.stdout
    assert list(here.iterdir()) == []
    doc = json.loads(invoke(["find-label", "--carrier", "finder", "--reference", NO_IMAGE, "--json",
                             "--config", config]).stdout)
    assert doc["label_file"] is None


def test_find_label_not_found_exits_1(config: str) -> None:
    result = invoke(["find-label", "--carrier", "finder", "--reference", "ORDER-NEVER", "--config", config])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "error: [finder] not_found: no label under reference 'ORDER-NEVER'\n"
    doc = json.loads(invoke(["find-label", "--carrier", "finder", "--reference", "ORDER-NEVER", "--json",
                             "--config", config]).stdout)
    assert (doc["error"]["type"], doc["error"]["code"]) == ("NotFound", "not_found")


@pytest.mark.parametrize("reference", ["   ", "R" * 65])
def test_find_label_bad_reference_exits_2(config: str, reference: str) -> None:
    result = invoke(["find-label", "--carrier", "finder", "--reference", reference, "--config", config])
    assert result.exit_code == 2
    assert result.stderr == "error: [finder] reference (--reference): must be 1 to 64 characters\n"


@pytest.mark.parametrize("carrier", ["blind", "table"])
def test_find_label_not_supported_exits_6(config: str, carrier: str) -> None:
    result = invoke(["find-label", "--carrier", carrier, "--reference", "ORDER-1", "--config", config])
    assert result.exit_code == 6
    assert result.stderr.startswith(f"error: [{carrier}] not_supported:")
    assert result.stderr.count("\n") == 1


# -- the exit-7 advice --------------------------------------------------------------------------------

@pytest.mark.parametrize("reference", [f"{LOST}-C", f"{LOST} with spaces"])
def test_outcome_unknown_names_a_find_label_command_that_works(config: str, reference: str,
                                                               tmp_path: Path) -> None:
    shipped = invoke(ship_args("finder", reference, config))
    assert shipped.exit_code == 7
    assert shipped.stderr.count("\n") == 1
    assert f"reference {reference!r}" in shipped.stderr
    assert "look the label up before shipping again: carriergate find-label --carrier finder" in shipped.stderr
    args = advised_command(shipped.stderr)
    assert args[args.index("--reference") + 1] == reference
    assert args[args.index("--config") + 1] == config
    found = invoke([*args, "--output", str(tmp_path / "found.pdf")])
    assert found.exit_code == 0, found.output
    assert "tracking number FOUND1" in found.stdout
    assert (tmp_path / "found.pdf").read_bytes() == b"%PDF-found"


def test_outcome_unknown_advice_is_in_the_json_error(config: str) -> None:
    shipped = invoke([*ship_args("finder", f"{LOST}-D", config), "--json"])
    assert shipped.exit_code == 7
    error = json.loads(shipped.stdout)["error"]
    assert (error["type"], error["reference"]) == ("OutcomeUnknown", f"{LOST}-D")
    assert "carriergate find-label --carrier finder --reference LOST-7-D --config" in error["advice"]


def test_outcome_unknown_without_a_look_up_says_to_ask_the_carrier(config: str) -> None:
    shipped = invoke(ship_args("blind", f"{LOST}-E", config))
    assert shipped.exit_code == 7
    assert "blind offers no look-up by reference" in shipped.stderr
    assert "find-label" not in shipped.stderr


# -- track NUMBER... ----------------------------------------------------------------------------------

def test_track_several_numbers_all_tracked(config: str) -> None:
    result = invoke(["track", "A1", "B2", "C3", "--carrier", "finder", "--config", config])
    assert result.exit_code == 0, result.output
    for number in ("A1", "B2", "C3"):
        assert f"finder {number}: in_transit" in result.stdout
    assert result.stdout.index("finder A1") < result.stdout.index("finder B2") < result.stdout.index("finder C3")
    assert "not tracked" not in result.stdout


def test_track_several_numbers_some_failed_exits_3(config: str) -> None:
    result = invoke(["track", "A1", "MISSING1", "B2", "A1", "--carrier", "finder", "--config", config])
    assert result.exit_code == 3
    assert "finder A1: in_transit" in result.stdout
    assert "finder B2: in_transit" in result.stdout
    assert "Numbers not tracked:\nMISSING1: 404: no parcel MISSING1" in result.stdout
    doc = json.loads(invoke(["track", "A1", "MISSING1", "B2", "--carrier", "finder", "--json",
                             "--config", config]).stdout)
    assert [t["tracking_number"] for t in doc["tracked"]] == ["A1", "B2"]
    assert doc["tracked"][0]["status"] == "in_transit"
    assert doc["errors"] == [{"tracking_number": "MISSING1", "carrier": "finder", "code": "404",
                              "message": "no parcel MISSING1", "type": "NotFound", "retryable": False,
                              "http_status": None}]
    assert (doc["complete"], doc["exit_code"]) == (False, 3)


def test_track_several_numbers_none_tracked_exits_1(config: str) -> None:
    result = invoke(["track", "MISSING1", "MISSING2", "--carrier", "finder", "--config", config])
    assert result.exit_code == 1
    assert "MISSING1: 404" in result.stdout
    assert "MISSING2: 404" in result.stdout


def test_track_several_numbers_on_a_carrier_that_cannot_track_exits_6(config: str) -> None:
    result = invoke(["track", "A1", "B2", "--carrier", "table", "--json", "--config", config])
    assert result.exit_code == 6
    doc = json.loads(result.stdout)
    assert {e["type"] for e in doc["errors"]} == {"NotSupported"}
    assert doc["exit_code"] == 6


def test_track_several_numbers_bad_one_exits_2_naming_it(config: str) -> None:
    result = invoke(["track", "A1", "B/2", "--carrier", "finder", "--config", config])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: tracking_numbers[1] (NUMBER): must start with a letter or digit")


# -- across processes: the sandbox server loses the ship's answer -------------------------------------

#: carrier -> the path of its label request below the carrier's prefix (the answer lost there).
SHIP_PATHS = {"ups": "/api/shipments", "fedex": "/ship/v1/shipments"}
SERVICES = {"ups": "65", "fedex": "INTERNATIONAL_ECONOMY"}
LA = "US,90071,Los Angeles,CA;name=Jane Roe;street=350 S Grand Ave;phone=+1 213 555 0100"


@pytest.mark.parametrize("carrier", sorted(SHIP_PATHS))
def test_the_advised_command_finds_the_label_whose_answer_was_lost(carrier: str, tmp_path: Path) -> None:
    """Ship (answer lost: exit 7), run the find-label command the error names (the label is found),
    then track it with an unknown number beside it (exit 3), each command its own gateway."""
    if cg.Capability.FIND_LABEL not in carrier_class(carrier).capabilities:
        pytest.skip(f"{carrier} has no look-up by reference")
    faults = tmp_path / "faults.toml"
    faults.write_text(f'[carriers.{carrier}.lost_response]\nfirst = 1\npaths = ["{SHIP_PATHS[carrier]}"]\n',
                      encoding="utf-8")
    env = {**{k: v for k, v in os.environ.items() if k != "CARRIERGATE_SPECS_DIR"}, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen([sys.executable, "-m", "carriergate.cli.app", "sandbox", "serve", "--port", "0",
                               "--faults", str(faults)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        accounts = read_config(server)
        config = tmp_path / "sandbox.toml"
        config.write_text("".join(f"[{name}]\n" + "".join(f"{key} = {json.dumps(value)}\n"
                                                          for key, value in settings.items())
                                  for name, settings in accounts.items()), encoding="utf-8")
        shipped = invoke(["ship", "--from", SENDER, "--to", LA, "--weight", "2.5kg", "--size", "30x20x10cm",
                          "--item", "Cotton T-shirt,610910,2,60.00 USD", "--carrier", carrier,
                          "--service", SERVICES[carrier],
                          "--reference", "ORDER-LOST-1", "--config", str(config),
                          "--output", str(tmp_path / "never.pdf")])
        assert shipped.exit_code == 7, shipped.output
        found = invoke([*advised_command(shipped.stderr), "--json", "--output", str(tmp_path / "found")])
        assert found.exit_code == 0, found.output
        doc = json.loads(found.stdout)
        assert doc["carrier"] == carrier
        assert doc["tracking_number"]
        assert not (tmp_path / "never.pdf").exists()
        number, unknown = doc["tracking_number"], doc["tracking_number"][:-6] + "999999"
        tracked = invoke(["track", number, unknown, "--carrier", carrier, "--json", "--config", str(config)])
        assert tracked.exit_code == 3, tracked.output  # one tracked, one not
        both = json.loads(tracked.stdout)
        assert [t["tracking_number"] for t in both["tracked"]] == [number]
        assert [(e["tracking_number"], e["type"]) for e in both["errors"]] == [(unknown, "NotFound")]
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()
