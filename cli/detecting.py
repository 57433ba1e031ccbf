"""``carriergate track NUMBER`` without ``--carrier``: the courier is detected from the number.

Only Kuaidi100 (快递100) can tell a Chinese courier from a bare number (its 智能单号识别, autonumber),
and it can then track the parcel of that courier. So the command needs a kuaidi100 account (with
``--sandbox``: the sandbox's); without one it is refused, naming ``--carrier``, before anything is
sent. The command line never imports a carrier (carriers are plugins found through the registry):
the account's carrier is reached by the shape of its methods (:class:`Detector`), as
``gw.carrier(alias).run(...)`` runs a carrier's own flows.

An ambiguous number (several couriers claim it) is tracked with the most likely courier, as
Kuaidi100 orders them; the others are listed so that the user can ask again naming the courier
(``--company CODE``). Detection and tracking share one deadline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from carriergate.cli.couriers import KUAIDI100, courier_title, couriers
from carriergate.core.contract import Flow
from carriergate.core.deadline import Deadline
from carriergate.core.errors import CarrierError, ConfigurationError, FieldError, NotFound, ValidationError
from carriergate.core.tracking import TrackingInfo, TrackingResult
from carriergate.gateway.gateways import Gateway

NEEDS_CARRIER = (f"name the account with --carrier NAME: detecting the courier from the number needs a "
                 f"{KUAIDI100} account, and none is configured")


class Candidate(Protocol):
    """One courier a number may belong to, as Kuaidi100's detection answers it."""

    @property
    def company(self) -> str: ...

    @property
    def name(self) -> str | None: ...


@runtime_checkable
class Detector(Protocol):
    """A carrier that detects a number's courier and tracks a parcel of a courier it names (Kuaidi100)."""

    def detect(self, tracking_number: str) -> Flow[Sequence[Candidate]]: ...

    def track(self, tracking_number: str, *, company: str | None = None,
              phone: str | None = None) -> Flow[TrackingInfo]: ...


@dataclass(frozen=True)
class Courier:
    code: str
    title: str

    def document(self) -> dict[str, str]:
        return {"company": self.code, "title": self.title}


@dataclass(frozen=True)
class Detected:
    """What detection said of one number: the account that detected it, the courier tracked, the others."""

    account: str
    number: str
    courier: Courier
    others: list[Courier] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        return {"account": self.account, "tracking_number": self.number, **self.courier.document(),
                "others": [c.document() for c in self.others]}

    def lines(self) -> list[str]:
        out = [f"{self.account}: {self.number} detected as {self.courier.title}"]
        if self.others:
            out.append("  also possible (choose with --company CODE): "
                       + ", ".join(c.title for c in self.others))
        return out


def detector_account(gw: Gateway) -> str:
    """The kuaidi100 account that detects couriers; a ValidationError naming ``carrier`` when none."""
    found = [name for name in gw.accounts if gw.carrier_kind(name) == KUAIDI100]
    if not found:
        raise ValidationError(FieldError("carrier", NEEDS_CARRIER))
    return found[0]


def _detector(gw: Gateway, account: str) -> Detector:
    carrier = gw.carrier(account).carrier
    if not isinstance(carrier, Detector):
        raise ConfigurationError(f"account {account!r} cannot detect couriers", carrier=account, code="configuration")
    return carrier


def detect_and_track(gw: Gateway, number: str, *, phone: str | None,
                     deadline: Deadline) -> tuple[Detected, TrackingInfo]:
    """Detect ``number``'s courier, then track it with the most likely one, both within ``deadline``."""
    account = detector_account(gw)
    detector, client = _detector(gw, account), gw.carrier(account)
    found = list(client.run(lambda: detector.detect(number), deadline=deadline))
    if not found:
        raise NotFound(f"{account} could not tell the courier of {number!r}", carrier=account, code="no_company")
    known = couriers()
    titled = [Courier(c.company, courier_title(c.company, c.name, known)) for c in found]
    detected = Detected(account=account, number=number, courier=titled[0], others=titled[1:])
    info = client.run(lambda: detector.track(number, company=detected.courier.code, phone=phone), deadline=deadline)
    return detected, info


def detect_and_track_many(gw: Gateway, numbers: Sequence[str], *, phone: str | None,
                          deadline: Deadline) -> tuple[list[Detected], TrackingResult]:
    """Each number detected and tracked in turn within one deadline; a number that fails has its
    reason in the result's ``errors`` (no account to detect with fails them all, first)."""
    detector_account(gw)
    detections: list[Detected] = []
    result = TrackingResult()
    for number in dict.fromkeys(n.strip() for n in numbers):
        try:
            detected, info = detect_and_track(gw, number, phone=phone, deadline=deadline)
        except CarrierError as error:
            result.errors[number] = error
            continue
        detections.append(detected)
        result.tracked[number] = info
    return detections, result


def track_courier(gw: Gateway, number: str, *, account: str, company: str | None, phone: str | None,
                  deadline: Deadline) -> TrackingInfo:
    """``--company CODE`` and/or ``--phone``: the parcel of a courier the user names, through a kuaidi100
    account (the only kind that takes them)."""
    carrier = gw.carrier(account).carrier
    if not isinstance(carrier, Detector):
        option = "company" if company is not None else "phone"
        raise ValidationError(FieldError(option, f"goes with a {KUAIDI100} account only"), carrier=account)
    return gw.carrier(account).run(lambda: carrier.track(number, company=company, phone=phone), deadline=deadline)


__all__ = ["Candidate", "Courier", "Detected", "Detector", "detect_and_track", "detect_and_track_many",
           "detector_account", "track_courier"]
