"""What ``carriergate track`` asks and prints: one number or several, from the account ``--carrier``
names, or (no ``--carrier``) from the courier Kuaidi100 detects (:mod:`.detecting`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated

import typer

from carriergate.cli import output
from carriergate.cli.detecting import Detected, detect_and_track, detect_and_track_many, detector_account, track_courier
from carriergate.cli.parsing import bad
from carriergate.core.errors import CarrierError, NotFound
from carriergate.core.tracking import TrackingInfo, TrackingResult
from carriergate.gateway.gateways import Gateway

Carrier = Annotated[str | None, typer.Option(
    "--carrier", metavar="NAME", help="Carrier account name, e.g. ups (default: the courier is detected from "
                                      "the number by the kuaidi100 account)")]
Company = Annotated[str | None, typer.Option(
    "--company", metavar="CODE", help="Kuaidi100's code of the courier (see carriers --kuaidi100), instead of "
                                      "detecting it")]
Phone = Annotated[str | None, typer.Option(
    "--phone", metavar="PHONE", help="Sender's or recipient's phone, or its last four digits (Kuaidi100 needs it "
                                     "for SF Express and ZTO)")]


@dataclass
class Tracked:
    """One number's tracking (``info``) or several numbers' (``result``), and what detection said."""

    info: TrackingInfo | None = None
    result: TrackingResult | None = None
    detected: list[Detected] = field(default_factory=list)


def track_numbers(gw: Gateway, numbers: Sequence[str], *, carrier: str | None, deadline: float,
                  company: str | None = None, phone: str | None = None) -> Tracked:
    """Track ``numbers`` within one deadline of ``deadline`` seconds (detection included)."""
    limit = gw.deadline(deadline)
    first = numbers[0].strip()
    if carrier is None and company is None:
        if len(numbers) == 1:
            detected, info = detect_and_track(gw, first, phone=phone, deadline=limit)
            return Tracked(info=info, detected=[detected])
        detections, result = detect_and_track_many(gw, numbers, phone=phone, deadline=limit)
        return Tracked(result=result, detected=detections)
    if company is not None or phone is not None:
        if len(numbers) != 1:
            raise bad("company" if company is not None else "phone", "goes with one tracking number at a time")
        account = carrier if carrier is not None else detector_account(gw)
        return Tracked(info=track_courier(gw, first, account=account, company=company, phone=phone, deadline=limit))
    assert carrier is not None
    if len(numbers) == 1:
        return Tracked(info=gw.track(first, carrier=carrier, deadline=limit))
    return Tracked(result=gw.track_many(numbers, carrier=carrier, deadline=limit))


def advice(error: CarrierError) -> str | None:
    """After a failed detection: how to name the courier instead."""
    if isinstance(error, NotFound) and error.code == "no_company":
        return "name the carrier with --carrier NAME"
    return None


def show(found: Tracked, asked: list[str], as_json: bool) -> int:
    """Print what was found (detections first) and return the exit code."""
    if found.info is not None:
        if as_json:
            single = output.tracking_document(found.info)
            if found.detected:
                single["detected"] = found.detected[0].document()
            output.print_json(single)
        else:
            _print_detections(found.detected)
            output.print_tracking(found.info)
        return 0
    result = found.result if found.result is not None else TrackingResult()
    if as_json:
        document = output.tracking_result_document(result, asked)
        if found.detected:
            document["detected"] = [d.document() for d in found.detected]
        output.print_json(document)
    else:
        _print_detections(found.detected)
        output.print_tracking_result(result, asked)
    return int(output.track_exit_code(result))


def _print_detections(detections: list[Detected]) -> None:
    for detected in detections:
        for line in detected.lines():
            typer.echo(line)


__all__ = ["Carrier", "Company", "Phone", "Tracked", "advice", "show", "track_numbers"]
