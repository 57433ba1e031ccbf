"""One configurable fake carrier, for every test that needs a carrier with no carrier semantics.

A test says what the carrier is (name, capabilities, account fields, auth) and, per operation,
the request it sends and how it reads the answer; :func:`fake_carrier` makes a real
``Carrier[FakeAccount]`` subclass of it, which the real executor drives like any other::

    Blob = fake_carrier("blob", track=Exchange(
        lambda turn: httpx.Request("GET", turn.url(f"/t/{turn.argument}")),
        parse=lambda turn, response: ...))
    with registered(Blob):
        ...  # cg.Gateway({"blob": {}}) now resolves it

Calls are made the one way a carrier makes them (``Carrier.read`` / ``Carrier.write``): an exchange
of ``rate`` or ``track`` is a read, of ``ship``, ``void`` or a pickup a write, idempotent exactly when
:data:`~carriergate.core.contract.IDEMPOTENT` says so; each exchange can say otherwise. A write
carries the argument's own ``reference`` (a ShipRequest's, a PickupRequest's) unless told otherwise.
An operation that is not given raises ``NotSupported`` as the base class does. Nothing here imports
pytest: a fresh interpreter (tests/structure/test_global_state.py) uses it too.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, Self, cast

import httpx
from pydantic import create_model

import carriergate as cg
from carriergate.core import registry
from carriergate.core.contract import IDEMPOTENT, AnyCarrier, Call, Capability, Flow, Kind, finished
from carriergate.core.shipment import LabelFormat
from carriergate.protocols.http import error_for_status

#: Operations that only ask; every other one changes something at the carrier.
READS = frozenset({Capability.RATE, Capability.TRACK, Capability.FIND_LABEL})


@dataclass(frozen=True)
class Turn:
    """What an exchange's request and parser see: the carrier, what the operation was called with
    (a RateRequest, ShipRequest, Label, PickupRequest, Pickup, tracking number, list of tracking numbers
    for ``track_many`` or reference for ``find_label``) and the parsed
    result of the operation's previous exchange (None for its first)."""

    carrier: FakeCarrier
    argument: Any
    previous: Any = None

    @property
    def account(self) -> FakeAccount:
        return self.carrier.account

    @property
    def alias(self) -> str:
        return self.carrier.alias

    def url(self, path: str) -> str:
        """``path`` below the account's base URL."""
        return f"{self.carrier.base_url}{path}"


def argument_reference(turn: Turn) -> str | None:
    """The reference a write carries by default: the argument's own, if it has one."""
    reference = getattr(turn.argument, "reference", None)
    return reference if isinstance(reference, str) else None


@dataclass(frozen=True)
class Exchange:
    """One call of an operation: the request it sends and how it parses the answer (which may raise a
    ``CarrierError``). ``kind`` and ``idempotent`` default from the operation (see the module text);
    ``operation`` names the call (default: the operation's own name)."""

    request: Callable[[Turn], httpx.Request]
    parse: Callable[[Turn, httpx.Response], Any]
    kind: Kind | None = None
    idempotent: bool | None = None
    operation: str | None = None
    reference: Callable[[Turn], str | None] = argument_reference
    honours_idempotency_key: bool = False

    def __post_init__(self) -> None:
        if self.kind == "read" and self.idempotent is False:
            raise ValueError("a read is always idempotent")


@dataclass(frozen=True)
class Answer:
    """An operation answered without I/O: ``respond(carrier, argument)`` returns the result or raises
    (at call time, as a carrier's own validation does)."""

    respond: Callable[[FakeCarrier, Any], Any]


#: How the fake performs one operation: one exchange, several in order, or an answer without I/O.
Operation = Exchange | Sequence[Exchange] | Answer


class FakeAccount(cg.Account):
    """Base of every fake's account; :func:`fake_carrier` adds the fields a test asks for (so to a type
    checker any field of a fake's account is ``Any``)."""

    if TYPE_CHECKING:
        def __getattr__(self, name: str) -> Any: ...


class FakeCarrier(cg.Carrier[FakeAccount]):
    """The carrier :func:`fake_carrier` specialises; its ``operations`` say how each one is performed."""

    name: ClassVar[str] = "fake"
    account_model: ClassVar[type[cg.Account]] = FakeAccount
    operations: ClassVar[Mapping[Capability, Operation]] = {}
    #: How ``track_many`` is performed (its argument: the batch, a list); None: the base class's
    #: default, one ``track`` after another.
    batch_tracking: ClassVar[Operation | None] = None
    auth_factory: ClassVar[Callable[[FakeCarrier], httpx.Auth | None] | None] = None

    @classmethod
    def with_account(cls, *, alias: str | None = None, **settings: Any) -> Self:
        """An instance on an account of these settings (the account's defaults for the rest), for
        tests that drive an executor without a gateway."""
        account = cls.account_model(**settings)
        assert isinstance(account, FakeAccount)
        return cls(account, alias=alias)

    def make_auth(self) -> httpx.Auth | None:
        factory = type(self).auth_factory
        return factory(self) if factory is not None else None

    def rate(self, request: cg.RateRequest) -> Flow[list[cg.Quote]]:
        return self._perform(Capability.RATE, request)

    def ship(self, request: cg.ShipRequest) -> Flow[cg.Label]:
        return self._perform(Capability.SHIP, request)

    def void(self, label: cg.Label) -> Flow[None]:
        return self._perform(Capability.VOID, label)

    def schedule_pickup(self, request: cg.PickupRequest) -> Flow[cg.Pickup]:
        return self._perform(Capability.SCHEDULE_PICKUP, request)

    def cancel_pickup(self, pickup: cg.Pickup) -> Flow[None]:
        return self._perform(Capability.CANCEL_PICKUP, pickup)

    def track(self, tracking_number: str) -> Flow[cg.TrackingInfo]:
        return self._perform(Capability.TRACK, tracking_number)

    def track_many(self, tracking_numbers: Sequence[str]) -> Flow[cg.TrackingResult]:
        spec = type(self).batch_tracking
        if spec is None:
            return super().track_many(tracking_numbers)
        return self._perform(Capability.TRACK, list(tracking_numbers), spec)

    def find_label(self, reference: str) -> Flow[cg.Label | None]:
        return self._perform(Capability.FIND_LABEL, reference)

    def _perform(self, capability: Capability, argument: Any, spec: Operation | None = None) -> Flow[Any]:
        """The operation's flow; an operation not configured fails at call time, as the base class's does."""
        if spec is None:
            spec = type(self).operations.get(capability)
        if spec is None:
            raise self._unsupported(capability)
        if isinstance(spec, Answer):
            return finished(spec.respond(self, argument))
        return self._exchanges(capability, [spec] if isinstance(spec, Exchange) else list(spec), argument)

    def _exchanges(self, capability: Capability, steps: list[Exchange], argument: Any) -> Flow[Any]:
        previous: Any = None
        for step in steps:
            previous = yield self._call(capability, step, Turn(self, argument, previous))
        return previous

    def _call(self, capability: Capability, step: Exchange, turn: Turn) -> Call[Any]:
        request, parse = step.request(turn), partial(step.parse, turn)
        operation = step.operation or capability.value
        if (step.kind or ("read" if capability in READS else "write")) == "read":
            return self.read(request, parse, operation=operation)
        idempotent = capability in IDEMPOTENT if step.idempotent is None else step.idempotent
        return self.write(request, parse, operation=operation, reference=step.reference(turn), idempotent=idempotent,
                          honours_idempotency_key=step.honours_idempotency_key)


def _camel(name: str) -> str:
    """``dhl_like`` -> ``DhlLike``: the fake's class names, so reprs and failures read as the test's carrier."""
    return "".join(part.title() for part in name.replace("-", "_").split("_")) or "Fake"


def fake_account(name: str, fields: Mapping[str, Any]) -> type[FakeAccount]:
    """A FakeAccount subclass with ``fields``: each a type (a required field, e.g. ``SecretStr``), a
    ``(type, default)`` pair, or a default value whose type is the field's (``SecretStr("k")``, ``"10.00"``)."""
    definitions: dict[str, Any] = {}
    for key, spec in fields.items():
        if isinstance(spec, type):
            definitions[key] = (spec, ...)
        elif isinstance(spec, tuple):
            definitions[key] = spec
        else:
            definitions[key] = (type(spec), spec)
    return cast(type[FakeAccount], create_model(f"{_camel(name)}Account", __base__=FakeAccount, **definitions))


def fake_carrier(
    name: str,
    *,
    capabilities: Collection[Capability] | None = None,
    account: Mapping[str, Any] | None = None,
    hosts: Mapping[str, str] | None = None,
    auth: Callable[[FakeCarrier], httpx.Auth | None] | None = None,
    emulator: str | None = None,
    offline: bool = False,
    title: str = "",
    label_formats: tuple[LabelFormat, ...] = ("PDF",),
    rate: Operation | None = None,
    ship: Operation | None = None,
    void: Operation | None = None,
    schedule_pickup: Operation | None = None,
    cancel_pickup: Operation | None = None,
    track: Operation | None = None,
    find_label: Operation | None = None,
    track_many: Operation | None = None,
    track_batch: int = 1,
) -> type[FakeCarrier]:
    """A carrier class registered (see :func:`registered`) as ``name``.

    ``capabilities`` defaults to the operations given (a test may declare more, or fewer, to see the
    gateway trust the declaration). ``account`` adds fields to the account (see :func:`fake_account`).
    ``hosts`` defaults to ``https://{name}.invalid`` for both environments. ``auth`` makes the
    account's auth flow, once per carrier instance. ``track_many`` (with ``track_batch``, the most
    numbers one call carries) performs a batch as one operation, a read like ``track``; without it
    the base class tracks a batch's numbers one after another."""
    given = {Capability.RATE: rate, Capability.SHIP: ship, Capability.VOID: void,
             Capability.SCHEDULE_PICKUP: schedule_pickup, Capability.CANCEL_PICKUP: cancel_pickup,
             Capability.TRACK: track, Capability.FIND_LABEL: find_label}
    operations = {capability: spec for capability, spec in given.items() if spec is not None}
    host = f"https://{name}.invalid"
    namespace: dict[str, Any] = {
        "name": name,
        "title": title,
        "capabilities": frozenset(operations if capabilities is None else capabilities),
        "account_model": fake_account(name, account or {}),
        "hosts": dict(hosts) if hosts is not None else {"production": host, "sandbox": host},
        "label_formats": label_formats,
        "emulator": emulator,
        "offline": offline,
        "operations": operations,
        "batch_tracking": track_many,
        "track_batch": track_batch,
        "auth_factory": auth,
    }
    return cast(type[FakeCarrier], type(f"{_camel(name)}Carrier", (FakeCarrier,), namespace))


@contextmanager
def registered(*carriers: type[AnyCarrier]) -> Iterator[None]:
    """Registers each carrier class under its ``name`` with core.registry for the ``with`` block."""
    for cls in carriers:
        registry.register(cls.name, cls)
    try:
        yield
    finally:
        for cls in carriers:
            registry.unregister(cls.name)


# -- parsing helpers the fakes share ------------------------------------------------------------------

def raise_for_status(turn: Turn, response: httpx.Response) -> None:
    """The typed error for a 4xx/5xx answer, named for the carrier's alias; nothing for a success."""
    if response.status_code >= 400:
        raise error_for_status(response, carrier=turn.alias)


def checked(parse: Callable[[Turn, httpx.Response], Any]) -> Callable[[Turn, httpx.Response], Any]:
    """``parse``, after :func:`raise_for_status`: what most fakes' parsers do."""
    def parse_checked(turn: Turn, response: httpx.Response) -> Any:
        raise_for_status(turn, response)
        return parse(turn, response)
    return parse_checked


def quote(turn: Turn, price: str, *, currency: str = "USD", service: str = "std", service_name: str = "Standard",
          transit_days: int | None = None) -> cg.Quote:
    """A quote from this carrier (its alias), as a fake's parser makes one."""
    return cg.Quote(carrier=turn.alias, service_code=service, service_name=service_name,
                    total=cg.Money(price, currency), transit_days=transit_days)


__all__ = [
    "READS",
    "Answer",
    "Exchange",
    "FakeAccount",
    "FakeCarrier",
    "Operation",
    "Turn",
    "argument_reference",
    "checked",
    "fake_account",
    "fake_carrier",
    "quote",
    "raise_for_status",
    "registered",
]
