"""``ship --output`` (and find-label's) is checked before the label is bought, naming --output; the
``void with:`` line after ship is a command that really voids the label, proven by running it
against the same sandbox; a label no command voids (DHL Express without a pickup) says so."""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import carriergate as cg
from carriergate.cli import app as cli
from carriergate.gateway.gateways import Gateway
from carriergate.sandbox.registry import sandbox_gateway_kwargs

from support.fake_carrier import Answer, FakeCarrier, fake_carrier, registered

runner = CliRunner()
SH = "CN,200120,Shanghai,Shanghai;name=Li Lei;street=88 Century Avenue;phone=13800138000"
BJ = "CN,100010,Beijing,Beijing;name=Han Meimei;street=1 Chang'an Avenue;phone=13900139000"
LA = "US,90071,Los Angeles,CA;name=Jane Roe;street=350 S Grand Ave;phone=+1 213 555 0100"
ABROAD = ["--from", SH, "--to", LA, "--weight", "2.5kg", "--size", "30x20x10cm",
          "--item", "Cotton T-shirt,610910,2,60.00 USD"]
SHIPPED: list[str] = []


def _ship(carrier: FakeCarrier, request: cg.ShipRequest) -> cg.Label:
    SHIPPED.append(request.reference)
    return cg.Label(carrier=carrier.alias, tracking_number="P1", label=b"%PDF-", label_format=request.label_format)


Paid = fake_carrier("paid", capabilities={cg.Capability.SHIP}, ship=Answer(_ship), label_formats=("PDF", "ZPL"))


@pytest.fixture
def paid(tmp_path: Path) -> Iterator[str]:
    path = tmp_path / "paid.toml"
    path.write_text("[paid]\n", encoding="utf-8")
    SHIPPED.clear()
    with registered(Paid):
        yield str(path)


def ship(config: str, *extra: str) -> Any:
    return runner.invoke(cli.app, ["ship", "--from", SH, "--to", BJ, "--weight", "1kg", "--carrier", "paid",
                                   "--service", "x", "--reference", "ORDER-1", "--config", config, *extra])


@pytest.mark.parametrize(("output", "extra", "reason"), [
    ("", [], "is a directory"),
    ("missing/label.pdf", [], "does not exist"),
    ("label.pdf", ["--label-format", "zpl"], "does not end in .zpl or .zpl2 or .txt or .prn"),
    ("label.pdf", ["--label-format", "png"], "does not end in .png as a PNG label should"),
])
def test_a_bad_output_is_refused_before_the_label_is_bought(paid: str, tmp_path: Path, output: str,
                                                             extra: list[str], reason: str) -> None:
    result = ship(paid, "--output", str(tmp_path / output) if output else str(tmp_path), *extra)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("error: output (--output): ")
    assert reason in result.stderr
    assert SHIPPED == []  # nothing bought


def test_a_good_output_is_written(paid: str, tmp_path: Path) -> None:
    result = ship(paid, "--output", str(tmp_path / "label.ZPL"), "--label-format", "ZPL")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "label.ZPL").read_bytes() == b"%PDF-"
    assert SHIPPED == ["ORDER-1"]


def test_an_unwritable_folder_is_refused(paid: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    if os.geteuid() == 0:  # root writes anywhere: let the check see the folder as a user would
        real = os.access
        monkeypatch.setattr(os, "access", lambda p, mode: Path(p) != locked and real(p, mode))
    result = ship(paid, "--output", str(locked / "label.pdf"))
    assert result.exit_code == 2
    assert "cannot be written" in result.stderr
    assert SHIPPED == []


def test_the_default_file_folder_is_checked_too(paid: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    result = ship(paid)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: output (--output): folder")
    assert SHIPPED == []


def test_a_label_without_void_says_so(paid: str, tmp_path: Path) -> None:
    result = ship(paid, "--output", str(tmp_path / "l.pdf"))
    assert "void: not possible through carriergate: paid does not support void" in result.stdout
    assert "void with:" not in result.stdout


@pytest.fixture
def shared_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command of the test on the same emulators, as ``carriergate sandbox serve`` would be."""
    setup = sandbox_gateway_kwargs(None, None)
    monkeypatch.setattr(cli, "build_gateway",
                        lambda config, sandbox: Gateway(setup["config"], transport=setup["transport"]))


def _void_words(stdout: str) -> list[str]:
    [line] = [line for line in stdout.splitlines() if line.startswith("void with")]
    words = shlex.split(line.split(": ", 1)[1])
    assert words[:2] == ["carriergate", "void"]
    return words[1:]


@pytest.mark.parametrize(("carrier", "service"), [("fedex", "INTERNATIONAL_ECONOMY"), ("ups", "08")])
def test_the_void_command_printed_voids_the_label(shared_sandbox: None, tmp_path: Path, carrier: str,
                                                  service: str) -> None:
    shipped = runner.invoke(cli.app, ["ship", "--sandbox", *ABROAD, "--carrier", carrier, "--service", service,
                                      "--reference", "ORDER-V", "--output", str(tmp_path / "label")])
    assert shipped.exit_code == 0, shipped.output
    words = _void_words(shipped.stdout)
    assert "--sandbox" in words
    voided = runner.invoke(cli.app, words)
    assert voided.exit_code == 0, voided.output
    assert "voided" in voided.stdout


def test_dhl_labels_without_a_pickup_get_no_void_command(shared_sandbox: None, tmp_path: Path) -> None:
    shipped = runner.invoke(cli.app, ["ship", "--sandbox", "--json", *ABROAD, "--carrier", "dhl_express",
                                      "--service", "P", "--reference", "ORDER-D", "--output", str(tmp_path / "l.pdf")])
    assert shipped.exit_code == 0, shipped.output
    document = json.loads(shipped.stdout)
    assert document["void"].startswith("void: not possible through carriergate: DHL Express cannot void")
    # the command the advice used to print fails: DHL has nothing to void without a pickup
    data = [w for k, v in document["carrier_data"].items() for w in ("--data", f"{k}={v}")]
    old = runner.invoke(cli.app, ["void", "--sandbox", "--carrier", "dhl_express", "--tracking-number",
                                  document["tracking_number"], *data])
    assert old.exit_code == 6
    assert "nothing_to_void" in old.stderr


def test_dhl_labels_with_a_pickup_get_a_quoted_void_command() -> None:
    from carriergate.cli.labels import void_advice

    with cg.Gateway.sandbox(["dhl_express"]) as gw:
        account = gw.carrier("dhl_express").carrier
    label = cg.Label(carrier="dhl_express", tracking_number="9100000001", label=b"", label_format="PDF",
                     carrier_data={"dispatch_confirmation_number": "PRG1", "ship_date": "2030-06-03",
                                   "pickup_country": "CN", "requestor_name": "Li Lei"})
    advice = void_advice(account, label, None, False)
    assert advice.startswith("void with: carriergate void --carrier dhl_express --tracking-number 9100000001")
    assert "--data 'requestor_name=Li Lei'" in advice  # one shell word, as the command needs
