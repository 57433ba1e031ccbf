"""``rates --sort price|time``, ``rates --cheapest`` (never a table-rate estimate), full-width commas
in every comma-separated list, and money that is not a number refused naming --insure."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from carriergate.cli import app as cli

runner = CliRunner()
SH = "CN,200120,Shanghai,Shanghai"
BJ = "CN,100010,Beijing,Beijing"
LA = "US,90071,Los Angeles,CA"
DOMESTIC = ["rates", "--from", SH, "--to", BJ, "--weight", "2.5kg", "--size", "30x20x10cm"]


def doc(args: list[str], code: int = 0) -> dict[str, Any]:
    result = runner.invoke(cli.app, [*args, "--json"])
    assert result.exit_code == code, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def test_sort_time_puts_the_fastest_first() -> None:
    by_price = [q["service_code"] for q in doc(DOMESTIC)["quotes"]]
    by_time = [q["service_code"] for q in doc([*DOMESTIC, "--sort", "time"])["quotes"]]
    assert by_price == ["standard", "express"]  # 22.00 CNY in 2-3 days, 42.50 CNY in 1-2 days
    assert by_time == ["express", "standard"]
    assert [q["service_code"] for q in doc([*DOMESTIC, "--sort", "price"])["quotes"]] == by_price
    table = runner.invoke(cli.app, [*DOMESTIC, "--sort", "time"])
    assert "Quotes (fastest first)" in table.stdout
    assert table.stdout.index("42.50 CNY") < table.stdout.index("22.00 CNY")


def test_sort_refuses_other_orders() -> None:
    result = runner.invoke(cli.app, [*DOMESTIC, "--sort", "cost"])
    assert result.exit_code == 2
    assert "--sort" in result.output


def test_cheapest_never_picks_a_table_rate() -> None:
    lane = ["rates", "--sandbox", "--carriers", "table,sf_express,dhl_express", "--from", SH, "--to", BJ,
            "--weight", "2.5kg", "--size", "30x20x10cm"]
    everything = doc(lane)
    assert everything["quotes"][0]["carrier"] == "table"  # the table estimate is the cheapest quote shown
    live = [q for q in everything["quotes"] if q["source"] != "table"]
    picked = doc([*lane, "--cheapest"])
    assert picked["quotes"] == [live[0]]
    table = runner.invoke(cli.app, [*lane, "--cheapest"])
    assert table.exit_code == 0
    assert "Cheapest quote a label can be bought for" in table.stdout
    assert f"{live[0]['service_name']} ({live[0]['service_code']})" in table.stdout


def test_cheapest_with_only_table_rates_is_no_quote() -> None:
    picked = doc([*DOMESTIC, "--cheapest"], code=4)
    assert picked["quotes"] == []
    assert picked["exit_code"] == 4


def test_full_width_commas_in_carriers_items_sizes_and_addresses() -> None:
    ascii_doc = doc(["rates", "--sandbox", "--carriers", "table,sf_express", "--from", SH, "--to", BJ,
                     "--weight", "2.5kg", "--weight", "1kg", "--size", "30x20x10cm,20x20x20cm"])
    wide_doc = doc(["rates", "--sandbox", "--carriers", "table，sf_express", "--from", "CN，200120，Shanghai，Shanghai",
                    "--to", "CN，100010，Beijing，Beijing", "--weight", "2.5kg", "--weight", "1kg",
                    "--size", "30x20x10cm，20x20x20cm"])
    assert {q["carrier"] for q in wide_doc["quotes"]} == {"table", "sf_express"}
    assert wide_doc["quotes"] == ascii_doc["quotes"]
    abroad = doc(["rates", "--from", SH, "--to", LA, "--weight", "2.5kg", "--size", "30x20x10cm",
                  "--item", "Cotton T-shirt，610910，2，60.00 USD"])
    assert abroad["quotes"]


def test_sizes_must_match_the_parcels() -> None:
    result = runner.invoke(cli.app, ["rates", "--from", SH, "--to", BJ, "--weight", "1kg", "--weight", "2kg",
                                     "--weight", "3kg", "--size", "30x20x10cm，20x20x20cm"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: parcels (--weight/--size): give one --size for all parcels or one per")


def test_insure_that_is_not_a_number_says_so() -> None:
    for spec in ("abc", "12a USD"):
        result = runner.invoke(cli.app, [*DOMESTIC, "--insure", spec])
        assert result.exit_code == 2
        word = spec.split()[0]
        assert result.stderr == (f"error: insurance.amount (--insure): {word!r} is not a number (expected an amount "
                                 "and a currency such as '300 USD')\n")
    missing = runner.invoke(cli.app, [*DOMESTIC, "--insure", "120"])
    assert missing.stderr.startswith("error: insurance.currency (--insure): a currency is required")


def test_empty_carriers_list_is_bad_input() -> None:
    result = runner.invoke(cli.app, [*DOMESTIC, "--carriers", "，"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: carriers (--carriers): name at least one account")
