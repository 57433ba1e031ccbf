"""Driving a carrier's flow: the generator that yields each :class:`~carriergate.core.contract.Call`,
takes back its result (or has its error thrown in) and finally returns the operation's result.

:class:`FlowRun` takes every decision of driving one, so that each executor's ``run`` only sends::

    run = FlowRun(carrier, make_flow, context)
    for call in run:                   # the flow's next call, given the previous one's answer
        with run.answering():          # a CarrierError raised here is thrown into the flow
            run.answer(executor.send(carrier, call, deadline, run.context))
    return run.result
"""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any, Generic, TypeVar

from carriergate.adapters.inflight import RunContext
from carriergate.core.contract import AnyCarrier, Call, Flow
from carriergate.core.errors import CarrierError, DeadlineExceeded

T = TypeVar("T")


class FlowRun(Generic[T]):
    """One run of the flow ``make_flow()`` makes for ``carrier``. Iterate it for the calls; report each
    call's result with :meth:`answer`, or raise its CarrierError inside :meth:`answering`; once the
    iteration ends, :attr:`result` holds what the flow returned. ``context`` collects the run's writes
    that may have been performed (a new one when None)."""

    def __init__(self, carrier: AnyCarrier, make_flow: Callable[[], Flow[T]], context: RunContext | None) -> None:
        self.context = RunContext() if context is None else context
        try:
            self._flow = make_flow()
        except CarrierError as err:
            if err.carrier is None:
                err.carrier = carrier.alias
            raise
        self._value: Any = None
        self._error: CarrierError | None = None
        self.result: T

    def __iter__(self) -> FlowRun[T]:
        return self

    def __next__(self) -> Call[Any]:
        """The flow's next call, after handing it the previous call's answer. A deadline error escaping
        the flow after one of its writes may have been performed becomes OutcomeUnknown with that
        write's reference (:meth:`.inflight.RunContext.judge`)."""
        value, error = self._value, self._error
        self._value, self._error = None, None
        try:
            return self._flow.throw(error) if error is not None else self._flow.send(value)
        except StopIteration as stop:
            self.result = stop.value
            raise StopIteration from None
        except DeadlineExceeded as err:
            judged = self.context.judge(err)
            if judged is err:
                raise
            raise judged from err

    def answer(self, value: Any) -> None:
        """The current call's result, handed to the flow with the next step."""
        self._value = value

    def answering(self) -> FlowRun[T]:
        """A context in which a CarrierError is the current call's answer, thrown into the flow with
        the next step; any other exception goes on up."""
        return self

    def __enter__(self) -> FlowRun[T]:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> bool:
        if isinstance(error, CarrierError):
            self._error = error
            return True
        return False


__all__ = ["FlowRun"]
