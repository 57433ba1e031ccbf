"""Where a label's file goes, checked before the label is bought, and the void command printed after.

A label costs money: ``ship`` checks its output path (or the default one in the current directory)
before anything is sent, so a typo never leaves a paid label with nowhere to be written. The ``void
with:`` line printed after ``ship`` is a command that really voids the label: the carrier builds its
void call from exactly the arguments printed (nothing is sent), and a carrier that cannot void it
(DHL Express without a booked pickup) gets a sentence saying so instead of a command that fails.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import typer

from carriergate.cli import parsing
from carriergate.cli.exits import ExitCode
from carriergate.core.contract import AnyCarrier
from carriergate.core.errors import CarrierError, NotSupported
from carriergate.core.results import Label

#: File name endings each label format may be written under (ZPL / EPL are printer text).
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "PDF": (".pdf",), "PNG": (".png",), "GIF": (".gif",),
    "ZPL": (".zpl", ".zpl2", ".txt", ".prn"), "EPL": (".epl", ".epl2", ".txt", ".prn"),
}


def default_path(tracking_number: str, label_format: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", tracking_number) or "label"
    return Path(f"label-{safe}.{label_format.lower()}")


def label_path(requested: Path | None, tracking_number: str, label_format: str) -> Path:
    return requested if requested is not None else default_path(tracking_number, label_format)


def check_output(path: Path | None, label_format: str | None) -> None:
    """Refuse an output path the label could not be written to, naming ``--output``: an existing
    directory, a folder that does not exist or cannot be written, an ending that is not the
    ``label_format`` asked for. ``path`` None: the default file in the current directory."""
    try:
        folder = path.parent if path is not None else Path.cwd()
    except FileNotFoundError:  # the current folder was removed under us
        raise parsing.bad("output", "folder '.' (the current one) does not exist any more") from None
    if path is not None:
        if path.is_dir():
            raise parsing.bad("output", f"{str(path)!r} is a directory: give a file name, e.g. {path / 'label.pdf'}")
        if path.exists() and not os.access(path, os.W_OK):
            raise parsing.bad("output", f"{str(path)!r} exists and cannot be written")
        asked = (label_format or "").upper()
        wanted = EXTENSIONS.get(asked)
        if wanted and path.suffix and path.suffix.lower() not in wanted:
            raise parsing.bad("output", f"{str(path)!r} does not end in {' or '.join(wanted)} "
                                        f"as a {asked} label should")
    if not folder.is_dir():
        raise parsing.bad("output", f"folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise parsing.bad("output", f"folder {str(folder)!r} cannot be written")


def write(label: Label, path: Path) -> None:
    """Write the label's image; a failure after the label was bought says so and exits 1."""
    try:
        path.write_bytes(label.label)
    except OSError as exc:
        typer.echo(f"error: label {label.tracking_number} was created but could not be written to {path}: "
                   f"{exc.strerror or type(exc).__name__}", err=True)
        raise typer.Exit(int(ExitCode.CARRIER_ERROR)) from None


def _gateway_flags(config: Path | None, sandbox: bool) -> list[str]:
    words = ["--config", str(config)] if config is not None else []
    return [*words, "--sandbox"] if sandbox else words


def void_command(label: Label, config: Path | None = None, sandbox: bool = False) -> list[str]:
    """The ``carriergate void`` words for ``label`` on the same accounts (every carrier reference
    as ``--data``)."""
    words = ["carriergate", "void", "--carrier", label.carrier, "--tracking-number", label.tracking_number]
    for key, value in label.carrier_data.items():
        words += ["--data", f"{key}={value}"]
    return words + _gateway_flags(config, sandbox)


def void_refusal(carrier: AnyCarrier, label: Label) -> CarrierError | None:
    """Why ``carrier`` would refuse to void the label that :func:`void_command` rebuilds, or None when
    it builds the void call. Only the carrier's pure build runs (the flow is closed at its first call,
    never sent)."""
    rebuilt = parsing.void_label(label.carrier, label.tracking_number,
                                 [f"{k}={v}" for k, v in label.carrier_data.items()])
    try:
        flow = carrier.void(rebuilt)
    except CarrierError as error:  # refused before a flow exists (no VOID at all)
        return error
    try:
        next(flow)
    except StopIteration:
        return None
    except CarrierError as error:
        return error
    finally:
        flow.close()
    return None


def void_advice(carrier: AnyCarrier | None, label: Label, config: Path | None, sandbox: bool) -> str:
    """The line printed after ``ship``: a command that voids the label, or why none does."""
    command = shlex.join(void_command(label, config, sandbox))
    try:
        refusal = None if carrier is None else void_refusal(carrier, label)
    except Exception as exc:  # a paid label is printed whatever a carrier's void build does
        return f"void with (not checked: {type(exc).__name__} building the void call): {command}"
    if isinstance(refusal, NotSupported):
        return f"void: not possible through carriergate: {refusal.message}"
    if refusal is not None:
        return f"void: the carrier would refuse: {refusal}"
    where = " (the in-process sandbox keeps no label between commands)" if sandbox else ""
    return f"void with{where}: {command}"
