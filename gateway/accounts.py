"""One carrier account's operations, with no fan-out: ``gateway.carrier("ups")``.

:class:`CarrierClient` and :class:`AsyncCarrierClient` have the same methods (awaited on the async
one). Each call runs within one Deadline made by the gateway (``deadline`` in seconds, or a
:class:`~carriergate.core.deadline.Deadline` the caller already has) through :mod:`.fanout`'s
:func:`~.fanout.run` / :func:`~.fanout.arun`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from carriergate.adapters.executor import AsyncExecutor, Executor
from carriergate.core.contract import AnyCarrier, Flow
from carriergate.core.contract import tracking_number as check_tracking_number
from carriergate.core.deadline import Deadline
from carriergate.core.errors import FieldError, ValidationError
from carriergate.core.quotes import Quote
from carriergate.core.results import Label, Pickup
from carriergate.core.shipment import PickupRequest, RateRequest, ShipRequest
from carriergate.core.subscriptions import Subscription
from carriergate.core.tracking import TrackingInfo
from carriergate.gateway.fanout import arun, run

T = TypeVar("T")
ExecutorT = TypeVar("ExecutorT", Executor, AsyncExecutor)
#: Makes the Deadline of one call: the gateway's :meth:`~carriergate.gateway.gateways.BaseGateway.deadline`.
MakeDeadline = Callable[[float | Deadline | None], Deadline]


def checked_reference(reference: str) -> str:
    """Our reference as a look-up sends it: stripped, 1 to 64 characters (as ShipRequest allows)."""
    value = reference.strip() if isinstance(reference, str) else ""
    if not value or len(value) > 64:
        raise ValidationError(FieldError("reference", "must be 1 to 64 characters"))
    return value


def _checked_label(label: Label) -> Label:
    check_tracking_number(label.tracking_number)
    return label


class _AccountClient(Generic[ExecutorT]):
    def __init__(self, carrier: AnyCarrier, executor: ExecutorT, deadline: MakeDeadline) -> None:
        self.carrier = carrier
        self._executor: ExecutorT = executor
        self._deadline = deadline

    @property
    def name(self) -> str:
        """The account's alias (``"ups-eu"``), as errors and quotes name it."""
        return self.carrier.alias


class CarrierClient(_AccountClient[Executor]):
    """One carrier account's operations, synchronous."""

    def run(self, make_flow: Callable[[], Flow[T]], *, deadline: float | Deadline | None = None) -> T:
        """Run one of this carrier's own flows, one the contract does not name, as every operation runs:
        within a deadline, through the executor's timeouts, retries, breaker and write safety.

        ``gw.carrier("kuaidi100").run(lambda: kuaidi100.detect("SF1234567890123"))``, where
        ``kuaidi100`` is ``client.carrier`` narrowed to the carrier's class."""
        return run(self._executor, self.carrier, make_flow, self._deadline(deadline))

    def _run(self, make_flow: Callable[[], Flow[T]], deadline: float | Deadline | None) -> T:
        return self.run(make_flow, deadline=deadline)

    def rate(self, request: RateRequest, *, deadline: float | Deadline | None = None) -> list[Quote]:
        """This account's quotes for ``request``."""
        return self._run(lambda: self.carrier.rate(request), deadline)

    def ship(self, request: ShipRequest, *, deadline: float | Deadline | None = None) -> Label:
        """Buy a label from this account (bad input refused before sending)."""
        return self._run(lambda: self.carrier.ship(self.carrier.prepare_ship(request)), deadline)

    def void(self, label: Label, *, deadline: float | Deadline | None = None) -> None:
        """Void ``label`` at this account's carrier."""
        self._run(lambda: self.carrier.void(_checked_label(label)), deadline)

    def schedule_pickup(self, request: PickupRequest, *, deadline: float | Deadline | None = None) -> Pickup:
        """Book a courier pickup with this account."""
        return self._run(lambda: self.carrier.schedule_pickup(request), deadline)

    def cancel_pickup(self, pickup: Pickup, *, deadline: float | Deadline | None = None) -> None:
        """Cancel a pickup this account booked."""
        self._run(lambda: self.carrier.cancel_pickup(pickup), deadline)

    def modify_pickup(self, pickup: Pickup, request: PickupRequest, *,
                      deadline: float | Deadline | None = None) -> Pickup:
        """Move a pickup this account booked to ``request``'s window, address and parcels."""
        return self._run(lambda: self.carrier.modify_pickup(pickup, request), deadline)

    def track(self, tracking_number: str, *, deadline: float | Deadline | None = None) -> TrackingInfo:
        """Where the parcel ``tracking_number`` is, from this account."""
        return self._run(lambda: self.carrier.track(check_tracking_number(tracking_number)), deadline)

    def find_label(self, reference: str, *, deadline: float | Deadline | None = None) -> Label | None:
        """The label this account made under our ``reference``, or None."""
        return self._run(lambda: self.carrier.find_label(checked_reference(reference)), deadline)

    def subscribe(self, tracking_number: str, *, callback_url: str,
                  deadline: float | Deadline | None = None) -> Subscription:
        """Ask this account's carrier to push ``tracking_number``'s updates to ``callback_url``."""
        return self._run(lambda: self.carrier.subscribe(check_tracking_number(tracking_number), callback_url),
                         deadline)


class AsyncCarrierClient(_AccountClient[AsyncExecutor]):
    """One carrier account's operations, awaited."""

    async def run(self, make_flow: Callable[[], Flow[T]], *, deadline: float | Deadline | None = None) -> T:
        """The async twin of :meth:`CarrierClient.run`."""
        return await arun(self._executor, self.carrier, make_flow, self._deadline(deadline))

    async def _run(self, make_flow: Callable[[], Flow[T]], deadline: float | Deadline | None) -> T:
        return await self.run(make_flow, deadline=deadline)

    async def rate(self, request: RateRequest, *, deadline: float | Deadline | None = None) -> list[Quote]:
        """The async twin of :meth:`CarrierClient.rate`."""
        return await self._run(lambda: self.carrier.rate(request), deadline)

    async def ship(self, request: ShipRequest, *, deadline: float | Deadline | None = None) -> Label:
        """The async twin of :meth:`CarrierClient.ship`."""
        return await self._run(lambda: self.carrier.ship(self.carrier.prepare_ship(request)), deadline)

    async def void(self, label: Label, *, deadline: float | Deadline | None = None) -> None:
        """The async twin of :meth:`CarrierClient.void`."""
        await self._run(lambda: self.carrier.void(_checked_label(label)), deadline)

    async def schedule_pickup(self, request: PickupRequest, *, deadline: float | Deadline | None = None) -> Pickup:
        """The async twin of :meth:`CarrierClient.schedule_pickup`."""
        return await self._run(lambda: self.carrier.schedule_pickup(request), deadline)

    async def cancel_pickup(self, pickup: Pickup, *, deadline: float | Deadline | None = None) -> None:
        """The async twin of :meth:`CarrierClient.cancel_pickup`."""
        await self._run(lambda: self.carrier.cancel_pickup(pickup), deadline)

    async def modify_pickup(self, pickup: Pickup, request: PickupRequest, *,
                            deadline: float | Deadline | None = None) -> Pickup:
        """The async twin of :meth:`CarrierClient.modify_pickup`."""
        return await self._run(lambda: self.carrier.modify_pickup(pickup, request), deadline)

    async def track(self, tracking_number: str, *, deadline: float | Deadline | None = None) -> TrackingInfo:
        """The async twin of :meth:`CarrierClient.track`."""
        return await self._run(lambda: self.carrier.track(check_tracking_number(tracking_number)), deadline)

    async def find_label(self, reference: str, *, deadline: float | Deadline | None = None) -> Label | None:
        """The async twin of :meth:`CarrierClient.find_label`."""
        return await self._run(lambda: self.carrier.find_label(checked_reference(reference)), deadline)

    async def subscribe(self, tracking_number: str, *, callback_url: str,
                        deadline: float | Deadline | None = None) -> Subscription:
        """The async twin of :meth:`CarrierClient.subscribe`."""
        return await self._run(lambda: self.carrier.subscribe(check_tracking_number(tracking_number), callback_url),
                               deadline)


__all__ = ["AsyncCarrierClient", "CarrierClient"]
