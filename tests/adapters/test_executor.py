"""The executor: fresh, freshly signed request per attempt; writes never repeated after an ambiguous
failure; failures classified coherently. All over httpx.MockTransport, no real sleeps."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Generator, Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

import carriergate as cg
from carriergate.adapters.executor import AsyncExecutor, Executor
from carriergate.adapters.retry import RetryPolicy
from carriergate.adapters.verdicts import transport_error
from carriergate.core.contract import Call, Flow
from carriergate.core.deadline import Deadline
from carriergate.protocols.http import error_for_status

from support.fake_carrier import Exchange, FakeCarrier, Turn, checked, fake_carrier, quote, registered
from support.shipments import domestic_request
from support.timing import never_asleep, never_sleep, no_sleep

NO_JITTER = RetryPolicy(jitter=None)


def _quotes(turn: Turn, response: httpx.Response) -> list[cg.Quote]:
    return [quote(turn, response.json()["price"])]


def _label(turn: Turn, response: httpx.Response) -> cg.Label:
    return cg.Label(carrier=turn.alias, tracking_number=response.json()["tn"], label=b"%PDF", label_format="PDF")


def label_carrier(auth: Callable[[FakeCarrier], httpx.Auth | None] | None = None) -> type[FakeCarrier]:
    """Buys a label with one POST; rates with one POST; ``auth`` makes its accounts' auth flow."""
    return fake_carrier(
        "labels", account={"api_key": SecretStr("label-key-0000")}, hosts={"production": "https://labels.test"},
        auth=auth, rate=Exchange(lambda turn: httpx.Request("POST", turn.url("/rate"), json={"kg": "1"}),
                                 checked(_quotes)),
        ship=Exchange(lambda turn: httpx.Request("POST", turn.url("/labels"), json={"ref": turn.argument.reference}),
                      checked(_label)))


LabelCarrier = label_carrier()


@pytest.fixture(autouse=True)
def labels_registered() -> Iterator[None]:
    with registered(LabelCarrier):
        yield


def ship_request() -> cg.ShipRequest:
    return cg.ShipRequest(**domestic_request().model_dump(), carrier="labels", service="std", reference="ORDER-1001")


# -- a label whose answer is lost is sent exactly once --------------------------------------------

LOST = [httpx.ReadTimeout("answer lost"), httpx.RemoteProtocolError("server disconnected"),
        httpx.ReadError("connection reset by peer")]


@pytest.mark.parametrize("lost", LOST, ids=lambda e: type(e).__name__)
def test_lost_label_answer_is_outcome_unknown_and_sent_once(lost: httpx.HTTPError) -> None:
    received: list[bytes] = []

    def handle(request: httpx.Request) -> httpx.Response:
        received.append(request.content)  # the carrier got it ...
        raise lost  # ... and its answer never arrived

    with cg.Gateway({"labels": {}}, transport=httpx.MockTransport(handle), sleep=never_sleep) as gw, \
            pytest.raises(cg.OutcomeUnknown) as info:
        gw.ship(ship_request())
    assert received == [b'{"ref":"ORDER-1001"}']
    assert info.value.reference == "ORDER-1001"
    assert "ORDER-1001" in str(info.value)
    assert info.value.carrier == "labels"


@pytest.mark.parametrize("lost", LOST, ids=lambda e: type(e).__name__)
def test_lost_label_answer_async(lost: httpx.HTTPError) -> None:
    received: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        received.append(request)
        raise lost

    async def go() -> None:
        async with cg.AsyncGateway({"labels": {}}, transport=httpx.MockTransport(handle), sleep=never_asleep) as gw:
            await gw.ship(ship_request())

    with pytest.raises(cg.OutcomeUnknown) as info:
        asyncio.run(go())
    assert len(received) == 1
    assert info.value.reference == "ORDER-1001"


@pytest.mark.parametrize("status", [500, 502, 504])
def test_label_5xx_is_outcome_unknown_and_not_repeated(status: int) -> None:
    received: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        received.append(request)
        return httpx.Response(status, text="<html>oops</html>")

    with cg.Gateway({"labels": {}}, transport=httpx.MockTransport(handle), sleep=never_sleep) as gw, \
            pytest.raises(cg.OutcomeUnknown) as info:
        gw.ship(ship_request())
    assert (len(received), info.value.reference, info.value.http_status) == (1, "ORDER-1001", status)


def test_label_refused_connection_is_retried_then_succeeds() -> None:
    calls: list[float] = []
    answers: Iterator[Any] = iter([httpx.ConnectError("refused"), httpx.Response(503),
                                   httpx.Response(200, json={"tn": "1Z999"})])

    def handle(request: httpx.Request) -> httpx.Response:
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer  # type: ignore[no-any-return]

    with cg.Gateway({"labels": {}}, transport=httpx.MockTransport(handle), sleep=calls.append,
                    retry_policy=NO_JITTER) as gw:
        assert gw.ship(ship_request()).tracking_number == "1Z999"
    assert calls == [0.25, 0.5]


# -- every attempt is a fresh copy, signed afresh --------------------------------------------------

class SigningAuth(httpx.Auth):
    """Signs like SF/HMAC schemes do: adds a header AND rewrites the body. Records what it was given."""

    def __init__(self) -> None:
        self.given: list[tuple[list[str], bytes]] = []

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.given.append((request.headers.get_list("x-signature"), request.content))
        signature = hashlib.sha256(request.content).hexdigest()
        request.headers["x-signature"] = signature
        request.stream = httpx.ByteStream(request.content + b"&sig=" + signature.encode())
        request._content = request.content + b"&sig=" + signature.encode()
        request.headers["content-length"] = str(len(request._content))
        yield request


def text_or_error(response: httpx.Response) -> str:
    if response.status_code >= 400:
        raise error_for_status(response, carrier="labels")
    return response.text


def test_each_attempt_starts_from_the_unsigned_original() -> None:
    auth = SigningAuth()
    seen: list[httpx.Request] = []
    answers = iter([503, 500, 200])

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(next(answers), text="ok")

    original = httpx.Request("POST", "https://labels.test/rate", content=b"a=1")
    call = Call(request=original, parse=text_or_error, operation="rate", kind="read", idempotent=True, auth=auth)

    def flow() -> Flow[str]:
        answer: str = yield call
        return answer

    with httpx.Client(transport=httpx.MockTransport(handle)) as client:
        executor = Executor(client, sleep=no_sleep, retry=NO_JITTER)
        assert executor.run(LabelCarrier.with_account(), flow, Deadline(5.0)) == "ok"
    assert auth.given == [([], b"a=1")] * 3  # never a signature already present
    assert [r.content for r in seen] == [b"a=1&sig=" + hashlib.sha256(b"a=1").hexdigest().encode()] * 3
    assert all(len(r.headers.get_list("x-signature")) == 1 for r in seen)
    assert len({id(r) for r in seen}) == 3
    assert original not in seen
    assert "timeout" not in original.extensions
    assert "x-signature" not in original.headers


def test_carrier_auth_applies_to_every_attempt_when_call_has_none() -> None:
    auth = SigningAuth()

    Signed = label_carrier(auth=lambda carrier: auth)
    answers = iter([httpx.Response(503), httpx.Response(200, json={"price": "4.00"})])
    with httpx.Client(transport=httpx.MockTransport(lambda r: next(answers))) as client:
        executor = Executor(client, sleep=no_sleep, retry=NO_JITTER)
        carrier = Signed.with_account()
        quotes = executor.run(carrier, lambda: carrier.rate(domestic_request()), Deadline(5.0))
    assert quotes[0].total == cg.Money("4.00", "USD")
    assert len(auth.given) == 2


def test_auth_flow_error_passes_through_typed() -> None:
    class Refusing(httpx.Auth):
        def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
            raise cg.AuthenticationError("token endpoint said no", code="invalid_client", http_status=401)
            yield request  # pragma: no cover

    Refused = label_carrier(auth=lambda carrier: Refusing())
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as client:
        executor = Executor(client, sleep=never_sleep)
        carrier = Refused.with_account()
        with pytest.raises(cg.AuthenticationError) as info:
            executor.run(carrier, lambda: carrier.rate(domestic_request()), Deadline(5.0))
    assert (info.value.carrier, info.value.code) == ("labels", "invalid_client")


def test_flow_can_catch_a_typed_error_and_continue() -> None:
    def flow() -> Flow[str]:
        try:
            yield Call(request=httpx.Request("POST", "https://labels.test/ship"), parse=lambda r: "x",
                       operation="ship", kind="write", idempotent=False, reference="R-7")
        except cg.OutcomeUnknown as err:
            looked_up: str = yield Call(request=httpx.Request("GET", f"https://labels.test/by-ref/{err.reference}"),
                                        parse=lambda r: r.text, operation="ship_lookup", kind="read", idempotent=True)
            return looked_up
        return "unreachable"

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            raise httpx.ReadTimeout("lost")
        return httpx.Response(200, text=request.url.path)

    with httpx.Client(transport=httpx.MockTransport(handle)) as client:
        executor = Executor(client, sleep=never_sleep)
        assert executor.run(LabelCarrier.with_account(), flow, Deadline(5.0)) == "/by-ref/R-7"


# -- classification of transport failures ----------------------------------------------------------

REQ = httpx.Request("POST", "https://labels.test/x")


@pytest.mark.parametrize(("exc", "read", "write", "read_code"), [
    (httpx.ConnectError("refused"), cg.CarrierUnavailable, cg.CarrierUnavailable, "connect"),
    (httpx.ConnectTimeout("slow dns"), cg.CarrierUnavailable, cg.CarrierUnavailable, "connect"),
    (httpx.PoolTimeout("pool"), cg.CarrierUnavailable, cg.CarrierUnavailable, "connect"),
    (httpx.ReadTimeout("slow"), cg.CarrierUnavailable, cg.OutcomeUnknown, "timeout"),
    (httpx.WriteTimeout("slow"), cg.CarrierUnavailable, cg.OutcomeUnknown, "timeout"),
    (httpx.RemoteProtocolError("eof"), cg.CarrierUnavailable, cg.OutcomeUnknown, "transport"),
    (httpx.ReadError("reset"), cg.CarrierUnavailable, cg.OutcomeUnknown, "transport"),
    (httpx.UnsupportedProtocol("ftp"), cg.CarrierError, cg.CarrierError, "invalid_request"),
])
def test_transport_error_table(exc: Exception, read: type[cg.CarrierError], write: type[cg.CarrierError],
                               read_code: str) -> None:
    carrier = LabelCarrier.with_account()
    calls = {kind: Call(request=REQ, parse=lambda r: None, operation=kind,
                        kind="read" if kind == "rate" else "write", idempotent=kind == "rate",
                        reference="R-1") for kind in ("rate", "ship")}
    as_read = transport_error(carrier, calls["rate"], exc, Deadline(5.0))
    as_write = transport_error(carrier, calls["ship"], exc, Deadline(5.0))
    assert (type(as_read), type(as_write), as_read.code) == (read, write, read_code)
    assert "label-key-0000" not in str(as_read) + str(as_write)


def test_timeout_after_the_deadline_is_deadline_exceeded() -> None:
    now = [0.0]
    deadline = Deadline(1.0, clock=lambda: now[0])
    now[0] = 1.0
    carrier = LabelCarrier.with_account()
    call = Call(request=REQ, parse=lambda r: None, operation="rate", kind="read", idempotent=True)
    err = transport_error(carrier, call, httpx.ReadTimeout("slow"), deadline)
    assert isinstance(err, cg.DeadlineExceeded)


def test_async_executor_bounds_a_hanging_write_by_the_deadline_as_outcome_unknown() -> None:
    received: list[httpx.Request] = []

    async def handle(request: httpx.Request) -> httpx.Response:
        received.append(request)
        await asyncio.Event().wait()  # MockTransport ignores httpx timeouts: only the deadline can stop this
        raise AssertionError("unreachable")

    async def go() -> cg.Label:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handle)) as client:
            carrier = LabelCarrier.with_account()
            executor = AsyncExecutor(client, sleep=never_asleep)
            return await executor.run(carrier, lambda: carrier.ship(ship_request()), Deadline(0.2))

    with pytest.raises(cg.OutcomeUnknown) as info:
        asyncio.run(go())
    assert (len(received), info.value.reference) == (1, "ORDER-1001")


def test_async_label_cut_off_by_the_deadline_is_outcome_unknown() -> None:
    received: list[httpx.Request] = []

    async def handle(request: httpx.Request) -> httpx.Response:
        received.append(request)
        await asyncio.Event().wait()  # the carrier got it and never answers
        raise AssertionError("unreachable")

    async def go() -> None:
        async with cg.AsyncGateway({"labels": {}}, transport=httpx.MockTransport(handle), sleep=never_asleep) as gw:
            await gw.ship(ship_request(), deadline=0.2)

    with pytest.raises(cg.OutcomeUnknown) as info:
        asyncio.run(go())
    assert (len(received), info.value.reference) == (1, "ORDER-1001")
