"""Exit codes of the ``carriergate`` command, and the one place errors become one line of text."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import IntEnum

import typer

from carriergate.core.errors import (
    CarrierError,
    ConfigurationError,
    NotSupported,
    OutcomeUnknown,
    ValidationError,
)


class ExitCode(IntEnum):
    OK = 0               # every carrier asked answered / the operation succeeded
    CARRIER_ERROR = 1    # the carrier refused or could not be reached (single-carrier operations)
    BAD_INPUT = 2        # the command line or the request is invalid; nothing was sent
    PARTIAL = 3          # rates: some quotes, and some carriers failed (a carrier that does not serve the
    #                      shipment is "not applicable", not a failure); track: some numbers tracked, some not
    NO_QUOTE = 4         # rates: no quote at all
    CONFIGURATION = 5    # configuration file, environment or account settings are wrong
    NOT_SUPPORTED = 6    # the carrier does not offer this operation
    OUTCOME_UNKNOWN = 7  # a label or pickup may have been created: check by reference before retrying
    #                      (a label: `carriergate find-label --carrier C --reference R`, as the message says)


def exit_code_for(error: CarrierError) -> ExitCode:
    if isinstance(error, ValidationError):
        return ExitCode.BAD_INPUT
    if isinstance(error, ConfigurationError):
        return ExitCode.CONFIGURATION
    if isinstance(error, NotSupported):
        return ExitCode.NOT_SUPPORTED
    if isinstance(error, OutcomeUnknown):
        return ExitCode.OUTCOME_UNKNOWN
    return ExitCode.CARRIER_ERROR


# Which command-line option feeds each request field, for the error line.
_OPTIONS = (("origin", "--from"), ("destination", "--to"), ("parcels", "--weight/--size"),
            ("insurance", "--insure"), ("customs.items", "--item"), ("customs", "--item/--documents"),
            ("address", "--at"), ("window", "--start/--end"), ("total_weight", "--weight"), ("carrier_data", "--data"),
            ("reference", "--reference"), ("tracking_numbers", "NUMBER"), ("output", "--output"),
            ("carriers", "--carriers"), ("cheapest", "--cheapest"), ("carrier", "--carrier"), ("phone", "--phone"),
            ("company", "--company"))


def option_for(field: str) -> str | None:
    if ".dimensions" in field and field.startswith("parcels"):
        return "--size"
    if ".weight" in field and field.startswith("parcels"):
        return "--weight"
    for prefix, option in _OPTIONS:
        if field == prefix or field.startswith((f"{prefix}.", f"{prefix}[")):
            return option
    return None


def one_line(error: CarrierError, advice: str | None = None) -> str:
    """The error as one line, with ``advice`` (what to do next) after it; messages never hold
    credentials (see core.errors)."""
    if isinstance(error, ValidationError):
        option = option_for(error.field)
        where = f"{error.field} ({option})" if option else error.field
        carrier = f"[{error.carrier}] " if error.carrier else ""
        return f"error: {carrier}{where}: {error.reason}"
    line = f"error: {error}".replace("\n", " ")
    return f"{line}; {advice}" if advice else line


#: What to do next after an error, if anything (a command's own knowledge: which look-up to run).
Advice = Callable[[CarrierError], str | None]


def error_document(error: CarrierError) -> dict[str, object]:
    doc: dict[str, object] = {"carrier": error.carrier, "code": error.code, "message": error.message,
                              "type": type(error).__name__, "retryable": error.retryable,
                              "http_status": error.http_status}
    if isinstance(error, ValidationError):
        doc["field"] = error.field
    if isinstance(error, OutcomeUnknown):
        doc["reference"] = error.reference
    return doc


@contextmanager
def guarded(as_json: bool = False, advice: Advice | None = None) -> Iterator[None]:
    """Turn a CarrierError into one line on stderr (and a JSON document with --json) and an exit code;
    ``advice`` adds what to do next (as ``advice`` in the JSON document)."""
    try:
        yield
    except CarrierError as error:
        hint = advice(error) if advice is not None else None
        if as_json:
            document = error_document(error)
            if hint:
                document["advice"] = hint
            typer.echo(json.dumps({"error": document}, ensure_ascii=False, indent=2))
        typer.echo(one_line(error, hint), err=True)
        raise typer.Exit(int(exit_code_for(error))) from None
