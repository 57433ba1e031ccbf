"""DHL Express ``Notification`` codes as typed errors.

Every reply of the rate book carries one or more ``Notification`` elements; code ``0`` is success,
any other code is DHL's refusal with its own message (``1003``: "pick-up service is not provided on
this day"). Such a reply is an error, never an empty result.
"""

from __future__ import annotations

import re

from carriergate.carriers.dhl_express.replies import Note
from carriergate.core.errors import AuthenticationError, CarrierError

# DHL reports refused logins as SOAP faults; some gateways word them as a notification instead.
_AUTH_WORDS = re.compile(r"authenticat|unauthori[sz]ed|access denied|invalid (user|credential|password)", re.I)


def notification_error(code: str, message: str | None) -> CarrierError:
    text = (message or "").strip() or f"DHL Express refused the request (code {code})"
    if _AUTH_WORDS.search(text):
        return AuthenticationError(text, code=code)
    return CarrierError(text, code=code)


def raise_for_notes(notes: list[Note]) -> None:
    """Raise the first non-zero notification as a CarrierError carrying DHL's code and message."""
    for note in notes:
        code = (note.code or "").strip()
        if code and code != "0":
            raise notification_error(code, note.message)
