"""The ``carriergate`` command: rate shopping and every other operation from a terminal."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer

from carriergate.cli import labels, output, parsing, servers, track_worker, tracking
from carriergate.cli.choosing import Cheapest, Sort, SortOrder, chosen_quotes
from carriergate.cli.config import build_gateway
from carriergate.cli.couriers import courier_rows, print_couriers
from carriergate.cli.exits import exit_code_for, guarded, one_line
from carriergate.core import registry
from carriergate.core.contract import AnyCarrier, Capability
from carriergate.core.errors import CarrierError, NotFound, OutcomeUnknown
from carriergate.core.results import Label

HELP = """Quote, ship, void, book pickups, track parcels (one number or several at once) and find a
label by the reference it was shipped under, across carriers.

Configuration: --config FILE (TOML, one table per account), else CARRIERGATE_<ACCOUNT>__<FIELD>
environment variables, else the table carrier with its sample rate card.

Exit codes: 0 ok (rates: a carrier that does not serve the shipment is listed as not applicable,
not a failure); 1 carrier error (find-label: no label under the reference; track: no number
tracked); 2 bad input (nothing sent); 3 some quotes, some carriers failed (track: some numbers
tracked, some not); 4 no quote; 5 configuration error; 6 operation not supported by the carrier;
7 outcome unknown (a label or pickup may exist: for a label, run the `carriergate find-label
--carrier NAME --reference TEXT` the message names before shipping again)."""

ADDRESS = ("COUNTRY,POSTAL[,CITY[,STATE]] then optional ;key=value pairs (name, company, street "
           "(repeatable), district, phone, email, tax_id, residential=yes). "
           "Example: 'CN,200120,Shanghai,Shanghai;name=Li Lei;street=88 Century Avenue'")

app = typer.Typer(name="carriergate", help=HELP, no_args_is_help=True, add_completion=False,
                  pretty_exceptions_enable=False, rich_markup_mode=None)


def _print_version(value: bool) -> None:
    if value:
        from carriergate import __version__

        typer.echo(f"carriergate {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True, help="Print the version and exit")] = False) -> None:
    """Options of the command itself (before any subcommand)."""

From = Annotated[str, typer.Option("--from", metavar="ADDRESS", help=f"Origin address: {ADDRESS}")]
To = Annotated[str, typer.Option("--to", metavar="ADDRESS", help="Destination address, same syntax as --from")]
Weights = Annotated[list[str], typer.Option(
    "--weight", metavar="WEIGHT", help="Parcel weight, e.g. 2.5kg, 800g, 3lb; repeat for more parcels")]
Sizes = Annotated[list[str] | None, typer.Option(
    "--size", metavar="LxWxH",
    help="Parcel size with unit, e.g. 30x20x10cm; one for all parcels or one per --weight "
         "(repeat it or separate by commas)")]
Insure = Annotated[str | None, typer.Option(
    "--insure", metavar="MONEY", help="Declared value to insure, e.g. '300 USD'")]
Items = Annotated[list[str] | None, typer.Option(
    "--item", metavar="ITEM",
    help="Customs line 'DESCRIPTION,HS_CODE,QUANTITY,UNIT_VALUE', e.g. 'Cotton T-shirt,610910,2,60.00 USD' "
         "(origin: the origin country; weight: the parcels' weight split over the units); repeatable. "
         "International shipments need --item or --documents")]
Documents = Annotated[bool, typer.Option("--documents", help="International shipment of documents only")]
Signer = Annotated[str | None, typer.Option(
    "--signer", metavar="NAME", help="Who signs the customs declaration (default: the sender's name)")]
Contents = Annotated[str, typer.Option(
    "--contents-type", metavar="TYPE", help="merchandise, gift, sample, return or other")]
Incoterm = Annotated[str, typer.Option("--incoterm", metavar="TERM", help="DAP (default), DDP, ...")]
Deadline = Annotated[float, typer.Option("--deadline", metavar="SECONDS", help="Seconds to wait for carriers")]
Json = Annotated[bool, typer.Option("--json", help="Print one JSON document instead of tables")]
Config = Annotated[Path | None, typer.Option("--config", metavar="FILE", help="Gateway configuration file (TOML)")]
Sandbox = Annotated[bool, typer.Option(
    "--sandbox", help="Use the built-in sandbox: every carrier emulated in-process, offline, plus table rates")]
CarrierName = Annotated[str, typer.Option("--carrier", metavar="NAME", help="Carrier account name, e.g. ups")]
Data = Annotated[list[str] | None, typer.Option(
    "--data", metavar="KEY=VALUE", help="Carrier reference key=value printed by ship or pickup; repeatable")]
Carriers = Annotated[str | None, typer.Option(
    "--carriers", metavar="NAMES", help="Comma-separated accounts, e.g. ups,fedex (default: all configured)")]
Services = Annotated[list[str] | None, typer.Option("--service", metavar="CODE", help="Only these service codes")]
Service = Annotated[str, typer.Option("--service", metavar="CODE", help="The carrier's service code (see rates)")]
Reference = Annotated[str, typer.Option(
    "--reference", metavar="TEXT", help="Your order reference (reconciles failures)")]
LabelFormat = Annotated[str | None, typer.Option(
    "--label-format", metavar="FORMAT", help="PDF, PNG, GIF, ZPL or EPL (default: PDF, or the carrier's usual one)")]
Output = Annotated[Path | None, typer.Option(
    "--output", metavar="FILE", help="Label file (default: label-<tracking number>.<format>)")]
TrackingNumber = Annotated[str, typer.Option(
    "--tracking-number", metavar="NUMBER", help="The label's tracking number")]


def _shipment(from_: str, to: str, weight: Sequence[str], size: Sequence[str] | None, insure: str | None,
              item: Sequence[str] | None, documents: bool, signer: str | None, contents_type: str,
              incoterm: str) -> dict[str, Any]:
    return {"origin": from_, "destination": to, "weights": list(weight), "sizes": list(size or []),
            "item_specs": list(item or []), "documents": documents, "insure": insure, "signer": signer,
            "contents_type": contents_type, "incoterm": incoterm}


def _confirm(json_: bool, document: dict[str, Any], line: str) -> None:
    """What a void or cancel prints once done: ``document`` with --json, else ``line``."""
    if json_:
        output.print_json(document)
    else:
        typer.echo(line)


def _check_deadline(deadline: float) -> None:
    if not deadline > 0:
        raise parsing.bad("deadline", "must be greater than zero seconds")


@app.command()
def rates(from_: From, to: To, weight: Weights, size: Sizes = None, insure: Insure = None, item: Items = None,
          documents: Documents = False, signer: Signer = None, contents_type: Contents = "merchandise",
          incoterm: Incoterm = "DAP",
          carriers: Carriers = None, service: Services = None,
          deadline: Deadline = 10.0, sort: Sort = SortOrder.price, cheapest: Cheapest = False, json_: Json = False,
          config: Config = None, sandbox: Sandbox = False) -> None:
    """Quotes from every configured carrier, cheapest first (--sort time: fastest first; --cheapest:
    only the cheapest quote a label can be bought for). A carrier that does not serve the shipment is
    listed as not applicable: exit 0 all the same; 3 only when a carrier failed."""
    with guarded(json_):
        request = parsing.build_rate_request(services=list(service or []), **_shipment(
            from_, to, weight, size, insure, item, documents, signer, contents_type, incoterm))
        _check_deadline(deadline)
        names = parsing.names(carriers)
        with build_gateway(config, sandbox) as gw:
            result = gw.rate(request, carriers=names, deadline=deadline)
        quotes, title = chosen_quotes(result, sort, cheapest)
    if json_:
        output.print_json(output.rates_document(result, quotes))
    else:
        output.print_rates(result, quotes, title)
    raise typer.Exit(int(output.rates_exit_code(result, quotes)))


@app.command()
def ship(from_: From, to: To, weight: Weights, carrier: CarrierName,
         service: Service, reference: Reference,
         size: Sizes = None, insure: Insure = None, item: Items = None, documents: Documents = False,
         signer: Signer = None, contents_type: Contents = "merchandise", incoterm: Incoterm = "DAP",
         label_format: LabelFormat = None, output_file: Output = None,
         deadline: Deadline = 30.0, json_: Json = False, config: Config = None,
         sandbox: Sandbox = False) -> None:
    """Buy a label. Addresses need ;name=... and ;street=... here. Exit code 7 (outcome unknown)
    names the find-label command to run before shipping again."""
    searchable: list[bool] = []  # whether the account's carrier can look a label up by reference

    def advice(error: CarrierError) -> str | None:
        if not isinstance(error, OutcomeUnknown):
            return None
        ref = error.reference or reference
        if searchable and not searchable[0]:
            return (f"{carrier} offers no look-up by reference: ask the carrier whether a label exists under "
                    f"reference {ref!r} before shipping again")
        where = " (the in-process sandbox keeps no label between commands)" if sandbox else ""
        return f"look the label up before shipping again{where}: {find_label_command(carrier, ref, config, sandbox)}"

    with guarded(json_, advice):
        request = parsing.build_ship_request(
            carrier=carrier, service=service, reference=reference, label_format=label_format,
            **_shipment(from_, to, weight, size, insure, item, documents, signer, contents_type, incoterm))
        _check_deadline(deadline)
        labels.check_output(output_file, label_format)  # before the label is bought
        with build_gateway(config, sandbox) as gw:
            account = gw.carrier(carrier).carrier
            searchable.append(Capability.FIND_LABEL in account.capabilities)
            label = gw.ship(request, deadline=deadline)
    path = labels.label_path(output_file, label.tracking_number, label.label_format)
    _save_label(label, path, json_, account, config, sandbox)


def find_label_command(carrier: str, reference: str, config: Path | None, sandbox: bool) -> str:
    """The ``carriergate find-label`` command line that looks ``reference`` up on the same accounts."""
    words = ["carriergate", "find-label", "--carrier", carrier, "--reference", reference]
    if config is not None:
        words += ["--config", str(config)]
    if sandbox:
        words.append("--sandbox")
    return shlex.join(words)


def _save_label(label: Label, path: Path | None, json_: bool, account: AnyCarrier, config: Path | None,
                sandbox: bool) -> None:
    """Write the label's image to ``path`` (None: the label has none to write) and print the label,
    with how to void it on ``account``."""
    if path is not None:
        labels.write(label, path)
    void = labels.void_advice(account, label, config, sandbox)
    if json_:
        output.print_json(output.label_document(label, None if path is None else str(path), void))
    else:
        output.print_label(label, None if path is None else str(path), void)


@app.command("find-label")
def find_label(carrier: CarrierName,
               reference: Annotated[str, typer.Option(
                   "--reference", metavar="TEXT", help="The reference the label was shipped under (ship --reference)")],
               output_file: Output = None, deadline: Deadline = 30.0, json_: Json = False, config: Config = None,
               sandbox: Sandbox = False) -> None:
    """Find a label by the reference it was shipped under.

    Run it after exit code 7 (outcome unknown), before shipping again. Saves the label's image when the
    carrier gives it again; exit code 1 when the carrier holds no label under the reference."""
    with guarded(json_):
        _check_deadline(deadline)
        labels.check_output(output_file, None)
        with build_gateway(config, sandbox) as gw:
            account = gw.carrier(carrier).carrier
            label = gw.find_label(reference, carrier=carrier, deadline=deadline)
        if label is None:
            raise NotFound(f"no label under reference {reference.strip()!r}", carrier=carrier)
    path = labels.label_path(output_file, label.tracking_number, label.label_format) if label.label else None
    _save_label(label, path, json_, account, config, sandbox)


@app.command()
def void(carrier: CarrierName,
         tracking_number: TrackingNumber,
         data: Data = None, deadline: Deadline = 30.0, json_: Json = False, config: Config = None,
         sandbox: Sandbox = False) -> None:
    """Void (cancel) a label."""
    with guarded(json_):
        label = parsing.void_label(carrier, tracking_number, data or [])
        _check_deadline(deadline)
        with build_gateway(config, sandbox) as gw:
            gw.void(label, deadline=deadline)
    _confirm(json_, {"voided": True, "carrier": carrier, "tracking_number": label.tracking_number},
             f"{carrier}: label {label.tracking_number} voided")


@app.command()
def track(numbers: Annotated[list[str], typer.Argument(
              metavar="NUMBER", help="Tracking numbers; several are tracked at once (in the carrier's batches)")],
          carrier: tracking.Carrier = None, company: tracking.Company = None, phone: tracking.Phone = None,
          deadline: Deadline = 30.0, json_: Json = False, config: Config = None,
          sandbox: Sandbox = False) -> None:
    """Where parcels are: status and events, newest first.

    Without --carrier the courier is detected from the number (Kuaidi100's autonumber, which needs a
    kuaidi100 account; --sandbox has one) and named before the tracking; an ambiguous number is
    tracked with the most likely courier and the others are listed (--company CODE names one).
    Several numbers are tracked at once: each one's answer or reason; exit code 3 when some were not
    tracked, 1 (or the errors' own code, e.g. 6) when none was."""
    with guarded(json_, tracking.advice):
        if len(numbers) == 1 and not numbers[0].strip():
            raise parsing.bad("tracking_number", "must not be empty")
        _check_deadline(deadline)
        with build_gateway(config, sandbox) as gw:
            found = tracking.track_numbers(gw, numbers, carrier=carrier, company=company, phone=phone,
                                           deadline=deadline)
    code = tracking.show(found, list(dict.fromkeys(n.strip() for n in numbers)), json_)
    if code:
        raise typer.Exit(code)


@app.command()
def pickup(carrier: CarrierName,
           at: Annotated[str, typer.Option("--at", metavar="ADDRESS", help=f"Pickup address: {ADDRESS}")],
           start: Annotated[str, typer.Option("--start", metavar="DATETIME", help="Ready from, ISO 8601 with offset, "
                                                              "e.g. 2030-05-01T09:00+08:00")],
           end: Annotated[str, typer.Option("--end", metavar="DATETIME", help="Closing time, ISO 8601 with offset")],
           weight: Annotated[str, typer.Option("--weight", metavar="WEIGHT", help="Total weight, e.g. 5kg")],
           parcels: Annotated[int, typer.Option("--parcels", metavar="N", help="Number of parcels")] = 1,
           reference: Annotated[str | None, typer.Option("--reference", metavar="TEXT", help="Your reference")] = None,
           instructions: Annotated[str | None, typer.Option("--instructions", metavar="TEXT")] = None,
           tracking_number: Annotated[list[str] | None, typer.Option("--tracking-number", metavar="NUMBER",
                                                                     help="Labels to collect; repeatable")] = None,
           destination_country: Annotated[str | None, typer.Option("--destination-country", metavar="COUNTRY")] = None,
           deadline: Deadline = 30.0, json_: Json = False, config: Config = None,
           sandbox: Sandbox = False) -> None:
    """Book a courier pickup."""
    with guarded(json_):
        request = parsing.pickup_request(at=at, start=start, end=end, parcel_count=parcels, total_weight=weight,
                                         reference=reference, instructions=instructions,
                                         tracking_numbers=tracking_number or [],
                                         destination_country=destination_country)
        _check_deadline(deadline)
        with build_gateway(config, sandbox) as gw:
            booked = gw.schedule_pickup(request, carrier=carrier, deadline=deadline)
    if json_:
        output.print_json(output.pickup_document(booked))
    else:
        output.print_pickup(booked)


@app.command("cancel-pickup")
def cancel_pickup(carrier: CarrierName,
                  confirmation_number: Annotated[str, typer.Option("--confirmation-number", metavar="NUMBER")],
                  data: Data = None, deadline: Deadline = 30.0, json_: Json = False, config: Config = None,
                  sandbox: Sandbox = False) -> None:
    """Cancel a booked pickup."""
    with guarded(json_):
        booked = parsing.pickup_to_cancel(carrier, confirmation_number, data or [])
        _check_deadline(deadline)
        with build_gateway(config, sandbox) as gw:
            gw.cancel_pickup(booked, deadline=deadline)
    _confirm(json_, {"cancelled": True, "carrier": carrier, "confirmation_number": booked.confirmation_number},
             f"{carrier}: pickup {booked.confirmation_number} cancelled")


@app.command()
def carriers(json_: Json = False, kuaidi100: Annotated[bool, typer.Option(
        "--kuaidi100", help="List the Chinese domestic couriers Kuaidi100 reaches: Chinese and English "
                            "names and the Kuaidi100 code (company=) of each")] = False) -> None:
    """Registered carriers and what they can do; a carrier that fails to load is listed as unavailable.
    With --kuaidi100: the couriers reached through a kuaidi100 account."""
    if kuaidi100:
        with guarded(json_):
            couriers = courier_rows()
        if json_:
            output.print_json({"couriers": couriers})
        else:
            print_couriers(couriers)
        return
    rows: list[dict[str, Any]] = []
    for name in registry.available():
        try:
            cls = registry.carrier_class(name)
        except Exception as exc:  # a broken adapter must not break the listing
            reason = exc.message if isinstance(exc, CarrierError) else f"{type(exc).__name__}: {exc}"
            rows.append({"name": name, "available": False, "title": "", "capabilities": [], "reason": reason})
            continue
        rows.append({"name": name, "available": True, "title": cls.title,
                     "capabilities": sorted(c.value for c in cls.capabilities), "reason": None})
    if json_:
        output.print_json({"carriers": rows})
    else:
        output.print_carriers(rows)


servers.register(app)
track_worker.register(app)


def _usage_problem(exc: Exception) -> tuple[str, int] | None:
    """A usage error of click (or of the click that typer vendors): its message and exit code."""
    message, code = getattr(exc, "format_message", None), getattr(exc, "exit_code", None)
    if callable(message) and isinstance(code, int):
        return str(message()), code
    return None


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: never a traceback for carriergate's own errors or for usage mistakes."""
    command = typer.main.get_command(app)
    code: Any
    try:
        code = command.main(args=list(argv) if argv is not None else None, prog_name="carriergate",
                            standalone_mode=False)
    except CarrierError as exc:
        typer.echo(one_line(exc), err=True)
        code = int(exit_code_for(exc))
    except typer.Abort:
        typer.echo("aborted", err=True)
        code = 1
    except Exception as exc:
        problem = _usage_problem(exc)
        if problem is None:
            raise
        message, code = problem
        if type(exc).__name__ == "NoArgsIsHelpError":
            typer.echo(message)  # no arguments: the help text
        else:
            typer.echo(f"error: {message}".replace("\n", " "), err=True)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
