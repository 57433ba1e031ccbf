"""What the command line prints: rich tables for people, one JSON document for programs."""

from __future__ import annotations

import json
import shlex
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from carriergate.cli.exits import ExitCode, error_document, exit_code_for
from carriergate.core.errors import CarrierError, NotServed, NotSupported
from carriergate.core.money import Money, amount_text
from carriergate.core.quotes import Quote
from carriergate.core.results import Label, Pickup, RateResult
from carriergate.core.tracking import TrackingInfo, TrackingResult


def console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def add_row(table: Table, *cells: str) -> None:
    table.add_row(*(Text(cell) for cell in cells))  # carrier text is never read as rich markup


def shown(amount: Money) -> str:
    """For people: to the currency's minor unit (44.6 CNY shows as 44.60 CNY); JSON keeps the exact value."""
    return str(amount.rounded()) if amount.amount == amount.rounded().amount else str(amount)


def money(value: Money | None) -> dict[str, str] | None:
    return None if value is None else {"amount": amount_text(value.amount, value.currency), "currency": value.currency}


def transit(quote: Quote) -> str:
    low, high = quote.transit_days_min, quote.transit_days
    if high is None:
        return "-"
    if low is not None and low != high:
        return f"{low}-{high} days"
    return f"{high} day" if high == 1 else f"{high} days"


def not_applicable(error: CarrierError) -> bool:
    """A carrier that cannot quote this shipment by its nature, not because anything failed: it does
    not serve the lane (:class:`NotServed`) or does not offer what was asked (:class:`NotSupported`:
    no rating, no insurance on a rate card, SF Express outside mainland China)."""
    return isinstance(error, NotServed | NotSupported)


def failures(result: RateResult) -> dict[str, CarrierError]:
    """The carriers that failed: every error except the not applicable ones."""
    return {name: e for name, e in result.errors.items() if not not_applicable(e)}


def inapplicable(result: RateResult) -> dict[str, CarrierError]:
    return {name: e for name, e in result.errors.items() if not_applicable(e)}


def rates_exit_code(result: RateResult, quotes: list[Quote] | None = None) -> ExitCode:
    """NO_QUOTE without a quote (``quotes``: those shown, default all); PARTIAL when some carrier
    failed; OK otherwise, however many carriers were not applicable."""
    if not (result.quotes if quotes is None else quotes):
        return ExitCode.NO_QUOTE
    return ExitCode.PARTIAL if failures(result) else ExitCode.OK


def quote_document(quote: Quote) -> dict[str, Any]:
    return {
        "carrier": quote.carrier, "service_code": quote.service_code, "service_name": quote.service_name,
        "total": money(quote.total),
        "charges": [{"kind": c.kind, "name": c.name, "code": c.code, "amount": money(c.amount)} for c in quote.charges],
        "transit_days": quote.transit_days, "transit_days_min": quote.transit_days_min,
        "estimated_delivery": quote.estimated_delivery.isoformat() if quote.estimated_delivery else None,
        "source": quote.source, "billed_weight": quote.billed_weight,
    }


def rates_document(result: RateResult, quotes: list[Quote] | None = None) -> dict[str, Any]:
    """``quotes`` (default: all, in the result's order); ``errors`` the carriers that failed,
    ``not_applicable`` those that do not serve the shipment; ``complete``: no carrier failed."""
    shown_quotes = result.quotes if quotes is None else quotes
    return {"quotes": [quote_document(q) for q in shown_quotes],
            "errors": [error_document(e) for _, e in sorted(failures(result).items())],
            "not_applicable": [error_document(e) for _, e in sorted(inapplicable(result).items())],
            "complete": not failures(result), "exit_code": int(rates_exit_code(result, quotes))}


def print_json(document: dict[str, Any]) -> None:
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))


def print_errors(errors: dict[str, Any]) -> None:
    for name, error in sorted(errors.items()):
        code = f" {error.code}:" if error.code else ""
        typer.echo(f"{name}:{code} {error.message}")


def print_rates(result: RateResult, quotes: list[Quote] | None = None, title: str = "Quotes (cheapest first)") -> None:
    """The ``quotes`` table (default: all), then the carriers that failed, then those not applicable."""
    shown_quotes = result.quotes if quotes is None else quotes
    if shown_quotes:
        table = Table(title=title)
        for column in ("Carrier", "Service", "Total", "Transit", "Source"):
            table.add_column(column, justify="right" if column == "Total" else "left")
        for q in shown_quotes:
            add_row(table, q.carrier, f"{q.service_name} ({q.service_code})",
                    shown(q.total), transit(q), q.source)
        console().print(table)
    else:
        typer.echo("No quotes.")
    if failures(result):
        typer.echo("Carriers without a quote:")
        print_errors(failures(result))
    if inapplicable(result):
        typer.echo("Not applicable (the carrier does not serve this shipment):")
        print_errors(inapplicable(result))


def label_document(label: Label, path: str | None, void: str | None = None) -> dict[str, Any]:
    """``void``: the advice line on voiding it (see cli/labels.py)."""
    return {"carrier": label.carrier, "tracking_number": label.tracking_number,
            "tracking_numbers": label.tracking_numbers, "label_format": label.label_format,
            "label_file": path, "total": money(label.total), "reference": label.reference,
            "carrier_data": label.carrier_data, "void": void}


def print_label(label: Label, path: str | None, void: str) -> None:
    """The label and ``void``, the line that says how to void it; ``path`` None: the carrier gave no
    image (a label found again may come without one)."""
    typer.echo(f"{label.carrier}: tracking number {label.tracking_number}")
    if label.reference:
        typer.echo(f"reference: {label.reference}")
    if label.total is not None:
        typer.echo(f"total: {shown(label.total)}")
    if path is None:
        typer.echo("label: the carrier gave no label image")
    else:
        typer.echo(f"label ({label.label_format}, {len(label.label)} bytes) written to {path}")
    typer.echo(void)


def pickup_document(pickup: Pickup) -> dict[str, Any]:
    return {"carrier": pickup.carrier, "confirmation_number": pickup.confirmation_number,
            "ready_at": pickup.ready_at.isoformat() if pickup.ready_at else None,
            "close_at": pickup.close_at.isoformat() if pickup.close_at else None,
            "total": money(pickup.total), "carrier_data": pickup.carrier_data}


def print_pickup(pickup: Pickup) -> None:
    typer.echo(f"{pickup.carrier}: pickup confirmation {pickup.confirmation_number}")
    words = ["carriergate", "cancel-pickup", "--carrier", pickup.carrier,
             "--confirmation-number", pickup.confirmation_number]
    for key, value in pickup.carrier_data.items():
        words += ["--data", f"{key}={value}"]
    typer.echo(f"cancel with: {shlex.join(words)}")


def tracking_document(info: TrackingInfo) -> dict[str, Any]:
    return {"carrier": info.carrier, "tracking_number": info.tracking_number, "status": info.status.value,
            "raw_status": info.raw_status,
            "estimated_delivery": info.estimated_delivery.isoformat() if info.estimated_delivery else None,
            "delivered_at": info.delivered_at.isoformat() if info.delivered_at else None,
            "events": [{"occurred_at": e.occurred_at.isoformat(), "status": e.status.value, "code": e.code,
                        "description": e.description, "location": e.location} for e in info.events]}


def print_tracking(info: TrackingInfo) -> None:
    typer.echo(f"{info.carrier} {info.tracking_number}: {info.status.value}")
    if info.estimated_delivery:
        typer.echo(f"estimated delivery: {info.estimated_delivery.isoformat()}")
    if info.events:
        table = Table()
        for column in ("When", "Status", "Code", "Description", "Location"):
            table.add_column(column)
        for e in info.events:
            add_row(table, e.occurred_at.isoformat(), e.status.value, e.code or "", e.description, e.location or "")
        console().print(table)


def track_exit_code(result: TrackingResult) -> ExitCode:
    """OK when every number was tracked; PARTIAL when some were; none was: the errors' own code when
    they share one (all NotSupported: 6), else CARRIER_ERROR."""
    if not result.errors:
        return ExitCode.OK
    if result.tracked:
        return ExitCode.PARTIAL
    codes = {exit_code_for(e) for e in result.errors.values()}
    return codes.pop() if len(codes) == 1 else ExitCode.CARRIER_ERROR


def _in_order(result: TrackingResult, asked: list[str]) -> list[str]:
    """The numbers asked, in order, then any other number the answer names."""
    return asked + [n for n in (*result.tracked, *result.errors) if n not in asked]


def tracking_result_document(result: TrackingResult, asked: list[str]) -> dict[str, Any]:
    """Several numbers: each tracked one's document and each other's error, in the order asked."""
    asked = _in_order(result, asked)
    return {"tracked": [tracking_document(result.tracked[n]) for n in asked if n in result.tracked],
            "errors": [{"tracking_number": n, **error_document(result.errors[n])} for n in asked if n in result.errors],
            "complete": result.complete, "exit_code": int(track_exit_code(result))}


def print_tracking_result(result: TrackingResult, asked: list[str]) -> None:
    asked = _in_order(result, asked)
    for number in asked:
        if number in result.tracked:
            print_tracking(result.tracked[number])
    if result.errors:
        typer.echo("Numbers not tracked:")
        print_errors({n: result.errors[n] for n in asked if n in result.errors})


def print_carriers(rows: list[dict[str, Any]]) -> None:
    table = Table(title="Carriers")
    for column in ("Carrier", "Status", "Capabilities"):
        table.add_column(column)
    for row in rows:
        status = "available" if row["available"] else f"unavailable ({row['reason']})"
        add_row(table, row["name"], status, ", ".join(row["capabilities"]))
    console().print(table)
