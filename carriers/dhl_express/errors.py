"""DHL Express ``Notification`` codes as typed errors, or as warnings beside a success.

Every reply of the rate book carries one or more ``Notification`` elements; code ``0`` is success,
any other code is DHL's refusal with its own message (``1003``: "pick-up service is not provided on
this day"). Such a reply is an error, never an empty result. A reply that succeeded (it carries a
code ``0`` notification, or the result itself: a waybill, priced products) may list further
non-zero notifications and ``Warning`` elements beside it: those are DHL's remarks on the result,
kept as :class:`Notice` s (:func:`notices`), never raised and never dropped.
"""

from __future__ import annotations

import re

from carriergate.carriers.dhl_express.replies import Note
from carriergate.core.errors import AuthenticationError, CarrierError, NotServed
from carriergate.core.notices import Notice

# DHL reports refused logins as SOAP faults; some gateways word them as a notification instead.
#: DHL notifications that mean no product serves the lane or shipment asked: 1001 "The requested
#: product(s) not available based on your search criteria", 1004 "Product not available between
#: this origin and destination". Not a failure: :class:`NotServed`, with DHL's code.
NOT_SERVED_CODES = frozenset({"1001", "1004"})
_AUTH_WORDS = re.compile(r"authenticat|unauthori[sz]ed|access denied|invalid (user|credential|password)", re.I)


def notification_error(code: str, message: str | None) -> CarrierError:
    text = (message or "").strip() or f"DHL Express refused the request (code {code})"
    if _AUTH_WORDS.search(text):
        return AuthenticationError(text, code=code)
    if code in NOT_SERVED_CODES:
        return NotServed(text, code=code)
    return CarrierError(text, code=code)


def raise_for_notes(notes: list[Note]) -> None:
    """Raise the first non-zero notification as a CarrierError carrying DHL's code and message."""
    for note in notes:
        code = (note.code or "").strip()
        if code and code != "0":
            raise notification_error(code, note.message)


def _code(note: Note) -> str:
    return (note.code or "").strip()


def notices(notes: list[Note], warnings: list[Note], *, answered: bool) -> list[Notice]:
    """The warnings of a reply: raises the first refusal unless DHL succeeded (``answered``: the
    reply holds its result, or a code ``0`` notification says so), else every non-zero notification
    and every ``Warning`` as a Notice with DHL's code."""
    if not answered and not any(_code(note) == "0" for note in notes):
        raise_for_notes(notes)
    out: list[Notice] = []
    for note in [*(n for n in notes if _code(n) not in ("", "0")), *warnings]:
        message = (note.message or "").strip()
        if message or _code(note) not in ("", "0"):
            out.append(Notice(message=message or f"DHL Express notification {_code(note)}",
                              code=_code(note) or None))
    return out
