"""Many one-number jobs, few carrier calls: numbers of one account are gathered into batches of the
carrier's size (FedEx 30, DHL Express and SF Express 10, others 1) and tracked with one
``AsyncGateway.track_many`` call per batch.

A job hands its number to the account's :class:`Batcher` and awaits that number's answer. A batch
leaves as soon as it is full, or ``linger`` seconds after its first number arrived, whichever comes
first: the worker runs many jobs at once (``--concurrency``), so under load batches fill, and a lone
number waits ``linger`` at most. :class:`Pacer` spaces one account's calls when a per-process
ceiling is set (``calls_per_second``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Sequence

from carriergate.core.errors import CarrierError, FieldError, MalformedResponse, ValidationError
from carriergate.core.tracking import TrackingResult
from carriergate.workers.outcomes import Outcome

TrackMany = Callable[[Sequence[str]], Awaitable[TrackingResult]]
Sleep = Callable[[float], Awaitable[None]]


class Pacer:
    """At most ``rate`` calls a second from this process (None: no ceiling): each call takes the
    next free slot, ``1 / rate`` seconds after the previous one."""

    def __init__(self, rate: float | None, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Sleep = asyncio.sleep) -> None:
        if rate is not None and not rate > 0:
            raise ValidationError(FieldError("calls_per_second", "must be greater than zero"))
        self.interval = 0.0 if rate is None else 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next = 0.0

    async def wait(self) -> None:
        if not self.interval:
            return
        now = self._clock()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await self._sleep(slot - now)


class Batcher:
    """Gathers the numbers of one account into calls of at most ``size`` numbers.

    One sender task per batcher: it waits for numbers, lets a short batch fill for ``linger``
    seconds, then waits for the pacer's slot and only then takes up to ``size`` numbers. Numbers that
    arrive while it waits for the slot join the batch, so a paced account sends full batches."""

    def __init__(self, track_many: TrackMany, *, size: int, linger: float, pacer: Pacer | None = None) -> None:
        self._track_many = track_many
        self.size = max(1, size)
        self.linger = linger
        self._pacer = pacer or Pacer(None)
        self._pending: list[tuple[str, asyncio.Future[Outcome]]] = []
        self._wake = asyncio.Event()
        self._full = asyncio.Event()
        self._sender: asyncio.Task[None] | None = None
        self._calls: set[asyncio.Task[None]] = set()

    async def track(self, number: str) -> Outcome:
        """``number``'s TrackingInfo, or the CarrierError the carrier gave for it."""
        answer: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._pending.append((number, answer))
        self._wake.set()
        if len(self._pending) >= self.size:
            self._full.set()
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send())
        return await answer

    async def _send(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if not self._pending:
                continue
            if len(self._pending) < self.size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), self.linger)
            await self._pacer.wait()
            batch, self._pending = self._pending[:self.size], self._pending[self.size:]
            self._full.clear()
            if len(self._pending) >= self.size:
                self._full.set()
            if self._pending:
                self._wake.set()
            live = [(n, a) for n, a in batch if not a.done()]  # a job cancelled meanwhile needs no answer
            if live:
                call = asyncio.create_task(self._call(live))
                self._calls.add(call)
                call.add_done_callback(self._calls.discard)

    async def _call(self, batch: list[tuple[str, asyncio.Future[Outcome]]]) -> None:
        numbers = [number for number, _ in batch]
        try:
            result = await self._track_many(numbers)
        except CarrierError as error:  # the batch as a whole (the gateway keeps most errors per number)
            result = TrackingResult(errors=dict.fromkeys(numbers, error))
        except asyncio.CancelledError:  # the worker is stopping: its jobs are retried by saq
            for _, answer in batch:
                answer.cancel()
            raise
        except Exception as exc:  # a bug, not a carrier failure: every waiting job fails with it (saq retries)
            for _, answer in batch:
                if not answer.done():
                    answer.set_exception(exc)
            return
        for number, answer in batch:
            if answer.done():  # its job was cancelled meanwhile
                continue
            outcome: Outcome | None = result.tracked.get(number) or result.errors.get(number)
            if outcome is None:
                outcome = MalformedResponse(f"the carrier's answer did not mention {number}")
            answer.set_result(outcome)

    async def aclose(self) -> None:
        """Stop sending; cancel the calls in flight (their jobs go back to the queue)."""
        tasks = [t for t in (self._sender, *self._calls) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for _, answer in self._pending:
            answer.cancel()
        self._pending = []


__all__ = ["Batcher", "Pacer", "TrackMany"]
