"""Tracking subscriptions: asking a carrier to push a parcel's updates to us, and what a push says.

A subscription is made once (``Carrier.subscribe``); from then on the carrier calls our webhook
(``POST /webhooks/{account}`` in the checkout app) whenever the parcel moves. A carrier that can be
subscribed to reads its own pushes: it implements :class:`PushReceiver`, which checks the push's
signature *before* reading anything and turns it into :class:`TrackingUpdate` values, and says what
acknowledgement the carrier requires. The webhook itself is carrier-agnostic (checkout/webhooks.py).

Each update has a :attr:`TrackingUpdate.key`: the same update pushed twice has the same key, so a
receiver hands it to the application once however often the carrier repeats it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable
from urllib.parse import urlsplit

from carriergate.core.errors import FieldError, ValidationError
from carriergate.core.tracking import TrackingInfo
from carriergate.core.validation import CarrierModel

#: Longest callback URL accepted (Kuaidi100 stores it with the subscription).
MAX_CALLBACK_URL = 512

#: What the carrier says of its monitoring in a push: still ``polling``, ``shutdown`` (the parcel's life
#: ended: delivered), ``abort`` (it gave up: no record for days, or no change for weeks), ``updateall``
#: (a full re-push). Anything else is kept as the carrier wrote it.
Monitor = Literal["polling", "shutdown", "abort", "updateall"] | str


class Subscription(CarrierModel):
    """A subscription the carrier accepted. ``already`` is True when the carrier said the number was
    subscribed before (the pushes then keep coming to the callback URL it holds)."""

    carrier: str
    tracking_number: str
    callback_url: str
    company: str | None = None  # the carrier's own code of the courier (Kuaidi100: "shunfeng")
    already: bool = False
    message: str = ""


@dataclass(frozen=True)
class TrackingUpdate:
    """One verified push about one parcel, normalised: ``info`` is the parcel's tracking as the push
    gives it; ``monitor`` the carrier's monitoring state; ``resubscribe_after`` (seconds) is set when
    the carrier stopped watching and documents that a new subscription after that delay resumes it."""

    carrier: str
    info: TrackingInfo
    monitor: Monitor = "polling"
    message: str = ""
    resubscribe_after: float | None = None
    #: Identifies the update: equal for the same update pushed again, different when anything changed.
    key: str = field(default="")

    @staticmethod
    def make_key(*parts: str) -> str:
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class PushAnswer:
    """What the webhook answers the carrier: HTTP status and JSON body (its required acknowledgement)."""

    status: int
    body: Mapping[str, object]


@runtime_checkable
class PushReceiver(Protocol):
    """A carrier that reads its own pushes. ``read_push`` checks the signature first and raises
    ``AuthenticationError`` when it does not verify, ``MalformedResponse`` when the push cannot be
    read; ``push_answer`` is the acknowledgement the carrier requires (``ok`` False: a refusal with HTTP
    ``status``, which it will retry)."""

    def read_push(self, body: bytes, content_type: str) -> list[TrackingUpdate]: ...

    def push_answer(self, ok: bool, message: str = "", status: int = 400) -> PushAnswer: ...


def callback_url(value: str, *, field: str = "callback_url") -> str:
    """A callback URL as sent: an absolute http(s) URL with a host, of a sane length; otherwise a
    ValidationError naming ``field``, raised before anything is sent."""
    url = value.strip() if isinstance(value, str) else ""
    reason = None
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if not url:
        reason = "must not be empty"
    elif len(url) > MAX_CALLBACK_URL:
        reason = f"longer than {MAX_CALLBACK_URL} characters"
    elif parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        reason = "must be an absolute http:// or https:// URL"
    elif any(ch.isspace() or ord(ch) < 32 for ch in url):
        reason = "must not contain spaces or control characters"
    if reason:
        raise ValidationError(FieldError(field, reason))
    return url


__all__ = ["MAX_CALLBACK_URL", "Monitor", "PushAnswer", "PushReceiver", "Subscription", "TrackingUpdate",
           "callback_url"]
