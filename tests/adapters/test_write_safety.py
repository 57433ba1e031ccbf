"""Write safety and deadlines in the request pipeline (code-review findings).

A label or pickup whose request may have reached the carrier must never come back as an error a
caller would simply retry (that ships twice): a garbled, truncated, oversized, trickling or cut-off
answer is OutcomeUnknown carrying the write's reference. A write that certainly was not sent (its
token fetch failed) is not. Deadlines bound every stage, hooks included. No real sleeps: clocks and
sleeps are injected; the few waits on asyncio timeouts are fractions of a second, hang guards generous.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

import carriergate as cg
from carriergate.adapters.events import EventHooks
from carriergate.adapters.events import Exchange as View
from carriergate.adapters.executor import AsyncExecutor, Executor
from carriergate.adapters.flows import FlowRun
from carriergate.adapters.retry import RetryPolicy
from carriergate.core.contract import AnyCarrier, Call
from carriergate.core.contract import is_side_request as is_token_request
from carriergate.core.deadline import HOOK_GRACE, Deadline
from carriergate.gateway import config as carrier_config
from carriergate.protocols.auth.oauth2 import OAuth2ClientCredentials
from carriergate.protocols.limits import TOO_LARGE, BodyReader
from carriergate.sandbox.faults import CarrierFaults, FaultRule, Faults
from carriergate.sandbox.registry import sandbox_gateway_kwargs

from support.fake_carrier import Exchange, FakeCarrier, Operation, Turn, fake_carrier, quote, registered
from support.sandbox_samples import labels_in, ship_request
from support.shipments import domestic_request
from support.timing import no_asleep, no_sleep

HANG_GUARD = 10_000  # chunks: a trickle that is not cut off fails instead of running for ever
TOKEN_URL = "https://auth.writes.test/oauth/token"
FAST_RETRY = RetryPolicy(initial_backoff=0.01, jitter=None)


def never_sleep(seconds: float) -> None:
    raise AssertionError(f"nothing may be retried here (asked to sleep {seconds})")


async def never_asleep(seconds: float) -> None:
    never_sleep(seconds)


async def hang_asleep(seconds: float) -> None:
    """A post-write stage that the executor does not bound itself: only the gateway's net can end it."""
    await asyncio.Event().wait()


def _quotes(turn: Turn, response: httpx.Response) -> list[cg.Quote]:
    return [quote(turn, response.json()["price"])]


def _label(turn: Turn, response: httpx.Response) -> cg.Label:
    if response.status_code >= 400:
        raise cg.CarrierError("refused", carrier=turn.alias, code="refused", http_status=response.status_code)
    return cg.Label(carrier=turn.alias, tracking_number=response.json()["tn"], label=b"%PDF", label_format="PDF")


def _document(turn: Turn, response: httpx.Response) -> cg.Label:
    """The label bought by the previous call, with the document fetched for it."""
    if response.status_code == 503:
        raise cg.CarrierUnavailable("busy", code="busy", http_status=503)
    label: cg.Label = turn.previous
    return label.model_copy(update={"label": response.content})


RATE = Exchange(lambda turn: httpx.Request("POST", turn.url("/rate")), _quotes)
SHIP = Exchange(lambda turn: httpx.Request("POST", turn.url("/labels")), _label)
DOCUMENT = Exchange(lambda turn: httpx.Request("GET", turn.url(f"/documents/{turn.previous.tracking_number}")),
                    _document, kind="read", operation="label_document")


def write_carrier(name: str, *, ship: Operation = SHIP,
                  auth: Callable[[FakeCarrier], httpx.Auth | None] | None = None) -> type[FakeCarrier]:
    """Rates with one POST (a read); buys a label with ``ship`` (a write, then whatever follows it)."""
    return fake_carrier(name, account={"api_key": SecretStr("write-key-0000")},
                        hosts={"production": "https://writes.test"}, auth=auth, rate=RATE, ship=ship)


WriteCarrier = write_carrier("writes")
#: Buys the label, then fetches its document with a second (idempotent) call.
DocumentCarrier = write_carrier("documents", ship=[SHIP, DOCUMENT])
#: The write carrier behind an OAuth2 token endpoint.
TokenCarrier = write_carrier("tokens", auth=lambda carrier: OAuth2ClientCredentials(
    carrier=carrier.alias, token_url=TOKEN_URL, client_id="client", client_secret=SecretStr("write-secret-0000")))


@pytest.fixture(autouse=True)
def carriers_registered() -> Iterator[None]:
    with registered(WriteCarrier, DocumentCarrier, TokenCarrier):
        yield


def a_label(carrier: str = "writes") -> cg.ShipRequest:
    return cg.ShipRequest(**domestic_request().model_dump(), carrier=carrier, service="std", reference="ORDER-77")


def run_sync_or_async(mode: str, handler: Callable[[httpx.Request], Any], go: Callable[[Any], Any],
                      **options: Any) -> Any:
    """``go(gateway)`` through a sync Gateway, or awaited through an AsyncGateway, over MockTransport."""
    if mode == "sync":
        with cg.Gateway({"writes": {}, "documents": {}}, transport=httpx.MockTransport(handler),
                        sleep=never_sleep, **options) as gw:
            return go(gw)

    async def main() -> Any:
        async with cg.AsyncGateway({"writes": {}, "documents": {}}, transport=httpx.MockTransport(handler),
                                   sleep=never_asleep, **options) as agw:
            return await go(agw)
    return asyncio.run(main())


# -- 1. a garbled, truncated or oversized answer to a write ----------------------------------------------------

@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("fault", ["truncated", "malformed"])
def test_garbled_label_answer_is_outcome_unknown_with_the_reference(fault: str, mode: str) -> None:
    rule = FaultRule(first=1, paths=["/api/shipments"])
    faults = CarrierFaults(truncated=rule) if fault == "truncated" else CarrierFaults(malformed=rule)
    kwargs = sandbox_gateway_kwargs(["ups"], Faults(carriers={"ups": faults}))
    request = ship_request("ups")

    def ship() -> None:
        if mode == "sync":
            with cg.Gateway(**kwargs, sleep=never_sleep) as gw:
                gw.ship(request)
            return

        async def main() -> None:
            async with cg.AsyncGateway(**kwargs, sleep=never_asleep) as agw:
                await agw.ship(request)
        asyncio.run(main())

    with pytest.raises(cg.OutcomeUnknown) as caught:
        ship()
    error = caught.value
    assert (error.reference, error.http_status, error.code, error.carrier) == (request.reference, 200, "malformed",
                                                                               "ups")
    assert labels_in(kwargs["transport"].emulators["ups"]) == 1  # the carrier made it; nobody asked twice


def oversized(status: int, declared: bool) -> Callable[[httpx.Request], httpx.Response]:
    body = b'{"tn": "' + b"9" * 4000 + b'"}'

    def handle(request: httpx.Request) -> httpx.Response:
        if declared:
            return httpx.Response(status, content=body)
        return httpx.Response(status, stream=httpx.ByteStream(body))  # no Content-Length: counted as read
    return handle


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
@pytest.mark.parametrize("status", [200, 422])
def test_oversized_label_answer_is_outcome_unknown_at_any_status(status: int, declared: bool, mode: str) -> None:
    def go(gw: Any) -> Any:
        return gw.ship(a_label())

    with pytest.raises(cg.OutcomeUnknown) as caught:
        run_sync_or_async(mode, oversized(status, declared), go, max_response_bytes=1000)
    assert (caught.value.reference, caught.value.code, caught.value.http_status) == ("ORDER-77", TOO_LARGE, status)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_oversized_answer_to_a_read_stays_malformed(mode: str) -> None:
    def go(gw: Any) -> Any:
        return gw.carrier("writes").rate(domestic_request())

    with pytest.raises(cg.MalformedResponse) as caught:
        run_sync_or_async(mode, oversized(200, False), go, max_response_bytes=1000)
    assert not isinstance(caught.value, cg.OutcomeUnknown)
    assert caught.value.code == TOO_LARGE


# -- 2. the async safety net and hooks --------------------------------------------------------------------------

def document_handler(posts: list[httpx.Request], document: int = 503) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posts.append(request)
            return httpx.Response(200, json={"tn": "1Z0001"})
        return httpx.Response(document, content=b"%PDF-document")
    return handle


def test_safety_net_after_a_performed_write_is_outcome_unknown_with_the_reference() -> None:
    posts: list[httpx.Request] = []

    async def main() -> cg.Label:
        async with cg.AsyncGateway({"documents": {}}, transport=httpx.MockTransport(document_handler(posts)),
                                   sleep=hang_asleep, retry_policy=FAST_RETRY) as agw:
            return await agw.carrier("documents").ship(a_label("documents"), deadline=0.1)

    with pytest.raises(cg.OutcomeUnknown) as caught:
        asyncio.run(main())
    assert (len(posts), caught.value.reference, caught.value.carrier) == (1, "ORDER-77", "documents")


def test_safety_net_when_no_write_was_performed_stays_deadline_exceeded() -> None:
    posts: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        posts.append(request)
        raise httpx.ConnectError("refused")  # never reached the carrier

    async def main() -> cg.Label:
        async with cg.AsyncGateway({"writes": {}}, transport=httpx.MockTransport(refuse), sleep=hang_asleep,
                                   retry_policy=FAST_RETRY) as agw:
            return await agw.ship(a_label(), deadline=0.1)

    with pytest.raises(cg.DeadlineExceeded) as caught:
        asyncio.run(main())
    assert len(posts) == 1
    assert caught.value.code == "deadline"


def test_deadline_after_a_performed_write_is_outcome_unknown() -> None:
    """Sync: the label was bought, then its document fetch ran out of deadline: not a retryable timeout."""
    now = [0.0]
    posts: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posts.append(request)
            return httpx.Response(200, json={"tn": "1Z0001"})
        now[0] += 60.0
        raise httpx.ReadTimeout("slow document")

    with cg.Gateway({"documents": {}}, transport=httpx.MockTransport(handle), clock=lambda: now[0],
                    sleep=never_sleep) as gw, pytest.raises(cg.OutcomeUnknown) as caught:
        gw.carrier("documents").ship(a_label("documents"), deadline=5.0)
    assert (len(posts), caught.value.reference) == (1, "ORDER-77")
    assert isinstance(caught.value.__cause__, cg.DeadlineExceeded)


def test_async_hooks_that_hang_or_raise_are_bounded_and_ignored(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []

    async def hang(view: View) -> None:
        seen.append(f"hang {view.operation}")
        await asyncio.Event().wait()

    def boom(view: View) -> None:
        raise RuntimeError("observer bug")

    hooks = EventHooks({"request": [boom, hang], "response": [hang, boom]}, timeout=0.05)
    posts: list[httpx.Request] = []

    async def main() -> cg.Label:
        async with httpx.AsyncClient(transport=httpx.MockTransport(document_handler(posts, 200))) as client:
            carrier = WriteCarrier.with_account()
            return await AsyncExecutor(client, sleep=never_asleep, hooks=hooks).run(
                carrier, lambda: carrier.ship(a_label()), Deadline(None))

    with caplog.at_level(logging.WARNING, logger="carriergate.events"):
        label = asyncio.run(main())
    assert label.tracking_number == "1Z0001"
    assert seen == ["hang ship", "hang ship"]
    assert sum("overran" in r.getMessage() for r in caplog.records) == 2
    assert sum("RuntimeError" in r.getMessage() for r in caplog.records) == 2


def test_a_hanging_response_hook_never_turns_a_label_into_an_error() -> None:
    """Hooks end by the deadline plus a grace below the safety margin: the gateway's net never fires."""
    async def hang(view: View) -> None:
        await asyncio.Event().wait()

    async def main() -> cg.Label:
        async with cg.AsyncGateway({"writes": {}}, transport=httpx.MockTransport(document_handler([], 200)),
                                   sleep=never_asleep, event_hooks={"response": [hang]}) as agw:
            return await agw.ship(a_label(), deadline=0.1)

    assert asyncio.run(main()).tracking_number == "1Z0001"


def test_hook_budget_is_bounded_by_the_deadline() -> None:
    hooks = EventHooks(timeout=1.0)
    assert hooks.budget(None) == 1.0
    assert hooks.budget(0.0) == pytest.approx(HOOK_GRACE)
    assert hooks.budget(30.0) == 1.0
    with pytest.raises(cg.ConfigurationError):
        EventHooks(timeout=0)


# -- 3. a carrier trickling its answer --------------------------------------------------------------------------

class Trickle(httpx.SyncByteStream, httpx.AsyncByteStream):
    """One byte per chunk, each arriving a second later on the injected clock, for ever."""

    def __init__(self, now: list[float]) -> None:
        self.now = now
        self.pulled = 0

    def _next(self) -> bytes:
        self.pulled += 1
        assert self.pulled < HANG_GUARD, "the trickle was never cut off"
        self.now[0] += 1.0
        return b" "

    def __iter__(self) -> Iterator[bytes]:
        while True:
            yield self._next()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            yield self._next()


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("operation", "expected"), [("rate", cg.DeadlineExceeded), ("ship", cg.OutcomeUnknown)])
def test_a_trickling_answer_is_cut_at_the_deadline(operation: str, expected: type[cg.CarrierError],
                                                   mode: str) -> None:
    now = [0.0]
    streams: list[Trickle] = []

    def handle(request: httpx.Request) -> httpx.Response:
        streams.append(Trickle(now))
        return httpx.Response(200, stream=streams[-1])

    def go(gw: Any) -> Any:
        client = gw.carrier("writes")
        return client.ship(a_label(), deadline=5.0) if operation == "ship" else client.rate(domestic_request(),
                                                                                            deadline=5.0)

    with pytest.raises(expected) as caught:
        run_sync_or_async(mode, handle, go, clock=lambda: now[0])
    assert len(streams) == 1  # never retried
    assert streams[0].pulled == 5  # stopped at the first chunk past the deadline
    assert caught.value.carrier == "writes"
    if isinstance(caught.value, cg.OutcomeUnknown):
        assert caught.value.reference == "ORDER-77"


# -- 4. a write whose token fetch fails was never sent ---------------------------------------------------------

def test_async_write_whose_token_fetch_hangs_past_the_deadline_is_not_outcome_unknown() -> None:
    posts: list[httpx.Request] = []

    async def handle(request: httpx.Request) -> httpx.Response:
        if is_token_request(request):
            await asyncio.Event().wait()  # the token endpoint never answers; only the deadline ends this
        posts.append(request)
        return httpx.Response(200, json={"tn": "1Z0001"})

    async def main() -> cg.Label:
        async with cg.AsyncGateway({"tokens": {}}, transport=httpx.MockTransport(handle), sleep=no_asleep) as agw:
            return await agw.ship(a_label("tokens"), deadline=0.1)

    with pytest.raises(cg.CarrierUnavailable) as caught:
        asyncio.run(main())
    assert not isinstance(caught.value, cg.OutcomeUnknown)
    assert isinstance(caught.value, cg.DeadlineExceeded)
    assert posts == []


def test_sync_write_whose_token_fetch_times_out_is_not_outcome_unknown() -> None:
    """The sync twin (a regression guard): a token fetch that times out leaves the label request unsent."""
    posts: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if is_token_request(request):
            raise httpx.ReadTimeout("token endpoint too slow")
        posts.append(request)
        return httpx.Response(200, json={"tn": "1Z0001"})

    with cg.Gateway({"tokens": {}}, transport=httpx.MockTransport(handle), sleep=no_sleep) as gw, \
            pytest.raises(cg.CarrierUnavailable) as caught:
        gw.ship(a_label("tokens"))
    assert not isinstance(caught.value, cg.OutcomeUnknown)
    assert posts == []


# -- 5. the token response is read under the size limit --------------------------------------------------------

class Endless(httpx.SyncByteStream, httpx.AsyncByteStream):
    """KiB after KiB, up to twice the default 10 MiB limit (a hang guard, never reached when refused)."""

    def __init__(self) -> None:
        self.pulled = 0

    def __iter__(self) -> Iterator[bytes]:
        while self.pulled < 20 * 1024:
            self.pulled += 1
            yield b"x" * 1024

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self:
            yield chunk


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_an_oversized_token_response_is_refused(mode: str) -> None:
    stream = Endless()
    auth = OAuth2ClientCredentials(carrier="tokens", token_url=TOKEN_URL, client_id="client",
                                   client_secret=SecretStr("write-secret-0000"), max_response_bytes=8 * 1024)

    def handle(request: httpx.Request) -> httpx.Response:
        assert is_token_request(request), "the API request must not be sent without a token"
        return httpx.Response(200, stream=stream)

    def fetch() -> None:
        if mode == "sync":
            with httpx.Client(transport=httpx.MockTransport(handle)) as client:
                client.get("https://writes.test/x", auth=auth)
            return

        async def main() -> None:
            async with httpx.AsyncClient(transport=httpx.MockTransport(handle)) as client:
                await client.get("https://writes.test/x", auth=auth)
        asyncio.run(main())

    with pytest.raises(cg.MalformedResponse) as caught:
        fetch()
    assert (caught.value.code, caught.value.carrier) == (TOO_LARGE, "tokens")
    assert stream.pulled <= 9


def test_an_oversized_token_response_on_a_write_is_not_outcome_unknown() -> None:
    """The oversized answer was the token's, not the label's: the label request never left."""
    posts: list[httpx.Request] = []
    stream = Endless()

    def handle(request: httpx.Request) -> httpx.Response:
        if is_token_request(request):
            return httpx.Response(200, stream=stream)
        posts.append(request)
        return httpx.Response(200, json={"tn": "1Z0001"})

    with cg.Gateway({"tokens": {}}, transport=httpx.MockTransport(handle), sleep=never_sleep) as gw, \
            pytest.raises(cg.MalformedResponse) as caught:
        gw.ship(a_label("tokens"))
    assert not isinstance(caught.value, cg.OutcomeUnknown)
    assert caught.value.code == TOO_LARGE
    assert posts == []
    assert stream.pulled <= 10 * 1024 + 1


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_token_answer_within_the_limit_is_used_and_cached(mode: str) -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if is_token_request(request):
            return httpx.Response(200, stream=httpx.ByteStream(b'{"access_token": "t0k", "expires_in": 3600}'))
        return httpx.Response(200, json={"tn": request.headers["authorization"]})

    def go(gw: Any) -> Any:
        return gw.ship(a_label("tokens"))

    options: dict[str, Any] = {}
    if mode == "sync":
        with cg.Gateway({"tokens": {}}, transport=httpx.MockTransport(handle), sleep=never_sleep) as gw:
            labels = [go(gw), go(gw)]
    else:
        async def main() -> list[cg.Label]:
            async with cg.AsyncGateway({"tokens": {}}, transport=httpx.MockTransport(handle), sleep=never_asleep,
                                       **options) as agw:
                return [await go(agw), await go(agw)]
        labels = asyncio.run(main())
    assert [label.tracking_number for label in labels] == ["Bearer t0k"] * 2
    assert sum(is_token_request(r) for r in seen) == 1


# -- 6. concurrent first use builds one carrier ----------------------------------------------------------------

class CountingDict(dict[str, AnyCarrier]):
    def __init__(self) -> None:
        super().__init__()
        self.lookups = 0
        self.changed = threading.Condition()

    def get(self, key: str, default: Any = None) -> Any:
        with self.changed:
            self.lookups += 1
            self.changed.notify_all()
        return super().get(key, default)


def test_eight_threads_on_first_use_get_one_carrier(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[AnyCarrier] = []
    real_build = carrier_config.build_carrier
    with cg.Gateway.sandbox(["ups"]) as gw:
        lookups = CountingDict()
        monkeypatch.setattr(gw, "_carriers", lookups)

        def slow_build(name: str, settings: Any) -> AnyCarrier:
            # Finish building only once every thread has looked the carrier up: without a lock, each of
            # them found nothing and builds its own.
            with lookups.changed:
                assert lookups.changed.wait_for(lambda: lookups.lookups >= 8, timeout=30), "threads never arrived"
            carrier = real_build(name, settings)
            built.append(carrier)
            return carrier

        monkeypatch.setattr("carriergate.gateway.gateways.build_carrier", slow_build)
        barrier = threading.Barrier(8)
        found: list[AnyCarrier] = []

        def first_use() -> None:
            barrier.wait(timeout=30)
            found.append(gw.carrier("ups").carrier)

        threads = [threading.Thread(target=first_use) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert len(found) == 8
    assert len(built) == 1
    assert all(carrier is built[0] for carrier in found)


# -- 7. one flow driver, one body reader -----------------------------------------------------------------------

def test_both_executors_take_the_same_decisions_through_shared_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    steps: list[tuple[str, str]] = []
    real_next, real_feed = FlowRun.__next__, BodyReader.feed

    def step(self: FlowRun[Any]) -> Call[Any]:
        try:
            call = real_next(self)
        except StopIteration:
            steps.append(("step", "done"))
            raise
        steps.append(("step", type(call).__name__))
        return call

    def feed(self: BodyReader, chunk: bytes) -> None:
        steps.append(("feed", self.operation))
        real_feed(self, chunk)

    monkeypatch.setattr(FlowRun, "__next__", step)
    monkeypatch.setattr(BodyReader, "feed", feed)

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=httpx.ByteStream(b'{"tn": "1Z0001"}'))

    carrier = WriteCarrier.with_account()
    with httpx.Client(transport=httpx.MockTransport(handle)) as client:
        sync_label = Executor(client, sleep=never_sleep).run(carrier, lambda: carrier.ship(a_label()), Deadline(5.0))
    sync_steps, steps[:] = list(steps), []

    async def main() -> cg.Label:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handle)) as client:
            return await AsyncExecutor(client, sleep=never_asleep).run(carrier, lambda: carrier.ship(a_label()),
                                                                      Deadline(5.0))

    assert asyncio.run(main()) == sync_label
    assert steps == sync_steps == [("step", "Call"), ("feed", "ship"), ("step", "done")]
