"""The Carrier contract: what an adapter is, and the pure data it hands to the executor.

An adapter never performs I/O. Each operation is a *flow*: a generator that yields :class:`Call`
objects (an ``httpx.Request`` plus the pure function that parses its ``httpx.Response``) and
receives each parsed result back, then returns the domain result. The executor in
``carriergate.adapters`` drives the same flow synchronously or asynchronously, applying auth,
signing, timeouts, retries and the circuit breaker in one place. A flow may catch a
:class:`~carriergate.CarrierError` thrown into it (to reconcile a duplicate order, say).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Generic, Literal, TypeVar

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from carriergate.core.errors import CarrierError, ConfigurationError, FieldError, NotSupported, ValidationError
from carriergate.core.quotes import Quote
from carriergate.core.results import Label, Pickup
from carriergate.core.shipment import LabelFormat, PickupRequest, RateRequest, ShipRequest
from carriergate.core.subscriptions import Subscription
from carriergate.core.tracking import TrackingInfo, TrackingResult

T = TypeVar("T")


class Capability(StrEnum):
    RATE = "rate"
    SHIP = "ship"
    VOID = "void"
    SCHEDULE_PICKUP = "schedule_pickup"
    CANCEL_PICKUP = "cancel_pickup"
    TRACK = "track"
    #: A label the customer uses to send the parcel back (``ShipRequest(return_shipment=True)``).
    RETURN_LABEL = "return_label"
    #: Look a shipment up by our own reference (after an outcome-unknown ship, say).
    FIND_LABEL = "find_label"
    #: Move a booked pickup to another window, address or parcel count.
    MODIFY_PICKUP = "modify_pickup"
    #: Ask the carrier to push a parcel's tracking updates to a callback URL (a webhook).
    SUBSCRIBE = "subscribe"


#: The customs registrations a carrier may or may not carry (:attr:`Carrier.customs_ids`).
CUSTOMS_IDS = frozenset({"ioss_number", "vat_number", "eori_number"})

#: Operations whose repetition cannot create a second shipment or pickup.
IDEMPOTENT = frozenset({Capability.RATE, Capability.TRACK, Capability.VOID, Capability.CANCEL_PICKUP,
                        Capability.FIND_LABEL, Capability.SUBSCRIBE})
#: The operations every carrier of the first wave offered; ``frozenset(Capability)`` would claim new ones too.
CLASSIC = frozenset({Capability.RATE, Capability.SHIP, Capability.VOID, Capability.SCHEDULE_PICKUP,
                     Capability.CANCEL_PICKUP, Capability.TRACK})


#: What a call does at the carrier: ``read`` asks (rate, track, look-ups), ``write`` changes something
#: (a label, a pickup, a void). The circuit breaker keeps reads and writes apart by it.
Kind = Literal["read", "write"]


@dataclass(frozen=True, kw_only=True)
class Call(Generic[T]):
    """One exchange with a carrier, as data. ``parse`` turns the response into ``T`` or raises a
    ``CarrierError``. ``kind`` says whether it reads or writes; ``idempotent`` whether a retry after an
    ambiguous failure is safe (every read is; a void is a write that is); ``reference`` is our own
    reference for a write, carried by an outcome-unknown error. Carriers make calls with
    :meth:`Carrier.read` and :meth:`Carrier.write`."""

    request: httpx.Request
    parse: Callable[[httpx.Response], T]
    operation: str
    kind: Kind
    idempotent: bool
    reference: str | None = None
    auth: httpx.Auth | None = field(default=None, compare=False)
    honours_idempotency_key: bool = False

    def __post_init__(self) -> None:
        if self.kind == "read" and not self.idempotent:
            raise ValueError(f"{self.operation}: a read is always idempotent")


Flow = Generator[Call[Any], Any, T]


#: Request extension marking a request an auth flow sends on its own behalf (a token fetch): when
#: it fails, the call's own request was never sent, so even a write may safely be tried again.
SIDE_REQUEST = "carriergate.side_request"


def is_side_request(request: httpx.Request) -> bool:
    return bool(request.extensions.get(SIDE_REQUEST))


#: Longest tracking number accepted (carriers use 10 to 34 characters).
MAX_TRACKING_NUMBER = 40
_TRACKING_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def tracking_number(value: str, *, field: str = "tracking_number") -> str:
    """A tracking number as sent: stripped, non-empty, URL-path safe, of a sane length; otherwise a
    ValidationError naming ``field``, raised before anything is sent."""
    number = value.strip() if isinstance(value, str) else ""
    reason = None
    if not number:
        reason = "must not be empty"
    elif len(number) > MAX_TRACKING_NUMBER:
        reason = f"longer than {MAX_TRACKING_NUMBER} characters"
    elif not _TRACKING_NUMBER.fullmatch(number):
        # A number ends up in URL paths: '/', '?', '#', '%', a leading '.', spaces and control
        # characters must never pass.
        reason = "must start with a letter or digit and hold only letters, digits, '.', '_' and '-'"
    if reason:
        raise ValidationError(FieldError(field, reason))
    return number


def finished(value: T) -> Flow[T]:
    """A flow that needs no exchange (table rates, validation-only answers)."""
    return value
    yield  # pragma: no cover - makes this a generator


class Account(BaseModel):
    """Settings every carrier account shares. Secrets are ``SecretStr``: never printed."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    carrier: str | None = None  # the carrier kind when the account's name is an alias ("ups-eu")
    environment: Literal["sandbox", "production"] = "production"
    base_url: str | None = None
    timeout: float = Field(default=10.0, gt=0, le=120)
    connect_timeout: float = Field(default=5.0, gt=0, le=60)
    #: This account's quota: requests a second every worker together may send (None: the carrier's
    #: published :attr:`Carrier.quota`, if any). Honoured by the executor before each attempt.
    requests_per_second: float | None = Field(default=None, gt=0, le=10_000)


AccountT = TypeVar("AccountT", bound=Account)


class Carrier(Generic[AccountT]):
    """Base of every carrier adapter, generic over its account model: ``class UPS(Carrier[UPSAccount])``.

    Subclasses set ``name``, ``capabilities`` and ``account_model`` (the same class as ``AccountT``),
    and implement the operations they declare as flows; any other operation raises
    :class:`NotSupported`. Calls are made with :meth:`read` and :meth:`write` (see
    docs/writing-a-carrier.md)."""

    name: ClassVar[str]
    title: ClassVar[str] = ""
    #: The carrier's own hosts by environment (CARRIERS.md); ``Account.base_url`` overrides them.
    hosts: ClassVar[dict[str, str]] = {}
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    #: Label formats the carrier makes, its usual one first.
    label_formats: ClassVar[tuple[LabelFormat, ...]] = ("PDF",)
    account_model: ClassVar[type[Account]] = Account
    #: ``"module:Class"`` of the carrier's sandbox emulator (found through the registry, imported only
    #: by the sandbox), or None when there is none.
    emulator: ClassVar[str | None] = None
    #: True for a carrier that does no I/O at all (table rates): the sandbox needs no emulator for it.
    offline: ClassVar[bool] = False
    #: Which of the customs registrations on :class:`~carriergate.core.customs.CustomsDeclaration`
    #: (``ioss_number``, ``vat_number``, ``eori_number``) the carrier's API carries. A ship request
    #: naming another is refused before sending: a number the carrier never sees is worse than none.
    customs_ids: ClassVar[frozenset[str]] = frozenset()
    #: How many tracking numbers one :meth:`track_many` call may carry (FedEx: 30). The gateway splits
    #: a longer list into batches of this size and runs them concurrently.
    track_batch: ClassVar[int] = 1
    #: The carrier's published quota in requests a second per account (None: unpublished, no limit);
    #: an account's ``requests_per_second`` overrides it.
    quota: ClassVar[float | None] = None

    def __init__(self, account: AccountT, *, alias: str | None = None) -> None:
        if not isinstance(account, self.account_model):
            raise ConfigurationError(f"{self.name} needs a {self.account_model.__name__}, not "
                                     f"{type(account).__name__}", carrier=alias or self.name, code="configuration")
        self.account: AccountT = account
        self.alias = alias or self.name
        self._auth_lock = threading.Lock()
        self._auth_made = False
        self._auth: httpx.Auth | None = None

    @property
    def base_url(self) -> str:
        url = self.account.base_url or self.hosts.get(self.account.environment)
        if not url:
            raise ConfigurationError(f"no base_url for environment {self.account.environment!r}",
                                     carrier=self.alias, code="configuration")
        return url.rstrip("/")

    @property
    def auth(self) -> httpx.Auth | None:
        """The auth flow the executor applies to this carrier's calls (None: unauthenticated). Made once
        per carrier instance, even under concurrent first use, so every call shares one token cache."""
        if not self._auth_made:
            with self._auth_lock:
                if not self._auth_made:
                    self._auth = self.make_auth()
                    self._auth_made = True
        return self._auth

    @property
    def requests_per_second(self) -> float | None:
        """The quota this account's calls are held to: its own setting, else the carrier's published one."""
        own = self.account.requests_per_second
        return own if own is not None else self.quota

    def make_auth(self) -> httpx.Auth | None:
        """Build this account's auth flow; called once, by :attr:`auth`."""
        return None

    # -- making calls: the one place a Call is assembled ---------------------------------------------
    def read(self, request: httpx.Request, parse: Callable[[httpx.Response], T], *, operation: str,
             reference: str | None = None, auth: httpx.Auth | None = None) -> Call[T]:
        """A call that only asks (rate, track, a look-up): idempotent, retried on any transient failure."""
        return Call(request=request, parse=parse, operation=operation, kind="read", idempotent=True,
                    reference=reference, auth=auth)

    def write(self, request: httpx.Request, parse: Callable[[httpx.Response], T], *, operation: str,
              reference: str | None, idempotent: bool = False, honours_idempotency_key: bool = False,
              auth: httpx.Auth | None = None) -> Call[T]:
        """A call that changes something at the carrier. A label or pickup (``idempotent`` False) is
        never repeated after an ambiguous failure unless the carrier honours an idempotency key; a
        void or cancel is (``idempotent=True``). ``reference`` is carried by an outcome-unknown error."""
        return Call(request=request, parse=parse, operation=operation, kind="write", idempotent=idempotent,
                    reference=reference, auth=auth, honours_idempotency_key=honours_idempotency_key)

    def _unsupported(self, op: Capability) -> NotSupported:
        return NotSupported(f"{self.name} does not support {op.value}", carrier=self.alias, code="not_supported")

    def prepare_ship(self, request: ShipRequest) -> ShipRequest:
        """``request`` with the carrier's usual label format when the caller chose none and the
        default (PDF) is not one this carrier makes (UPS makes GIF). An explicit choice is kept as is
        and checked by the adapter."""
        if request.return_shipment and Capability.RETURN_LABEL not in self.capabilities:
            raise NotSupported(f"{self.name} makes no return labels here", carrier=self.alias)
        if request.customs is not None:
            unsent = [FieldError(f"customs.{name}", f"{self.name}'s API has no field for it")
                      for name in CUSTOMS_IDS - self.customs_ids if getattr(request.customs, name) is not None]
            if unsent:
                raise ValidationError(sorted(unsent, key=lambda e: e.field), carrier=self.alias)
        if "label_format" in request.model_fields_set or not self.label_formats or \
                request.label_format in self.label_formats:
            return request
        return request.model_copy(update={"label_format": self.label_formats[0]})

    def rate(self, request: RateRequest) -> Flow[list[Quote]]:
        raise self._unsupported(Capability.RATE)

    def ship(self, request: ShipRequest) -> Flow[Label]:
        raise self._unsupported(Capability.SHIP)

    def void(self, label: Label) -> Flow[None]:
        raise self._unsupported(Capability.VOID)

    def schedule_pickup(self, request: PickupRequest) -> Flow[Pickup]:
        raise self._unsupported(Capability.SCHEDULE_PICKUP)

    def cancel_pickup(self, pickup: Pickup) -> Flow[None]:
        raise self._unsupported(Capability.CANCEL_PICKUP)

    def modify_pickup(self, pickup: Pickup, request: PickupRequest) -> Flow[Pickup]:
        """``pickup`` moved to ``request``'s window, address and parcels, where the carrier allows it."""
        raise self._unsupported(Capability.MODIFY_PICKUP)

    def track(self, tracking_number: str) -> Flow[TrackingInfo]:
        raise self._unsupported(Capability.TRACK)

    def track_many(self, tracking_numbers: Sequence[str]) -> Flow[TrackingResult]:
        """At most :attr:`track_batch` numbers at once. This default tracks them one after another,
        each failure kept against its number; a carrier with a batch API overrides it."""
        result = TrackingResult()
        for number in tracking_numbers:
            try:
                result.tracked[number] = yield from self.track(number)
            except CarrierError as err:
                result.errors[number] = err
        return result

    def find_label(self, reference: str) -> Flow[Label | None]:
        """The shipment made under our ``reference`` (None: the carrier holds none), for a caller
        that got OutcomeUnknown on ship. The label image is there when the carrier can give it again."""
        raise self._unsupported(Capability.FIND_LABEL)

    def subscribe(self, tracking_number: str, callback_url: str) -> Flow[Subscription]:
        """Ask the carrier to push ``tracking_number``'s updates to ``callback_url`` (a webhook that
        checks each push's signature: checkout's ``POST /webhooks/{account}``). Subscribing again is
        harmless: a write that may be repeated."""
        raise self._unsupported(Capability.SUBSCRIBE)

    def secrets(self) -> list[str]:
        """Every secret value of this account, for redaction of logs and traces."""
        return [v.get_secret_value() for v in self.account.__dict__.values() if isinstance(v, SecretStr)]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.alias!r} environment={self.account.environment!r}>"


#: A carrier of any account type, for code that drives carriers without knowing which.
AnyCarrier = Carrier[Any]
