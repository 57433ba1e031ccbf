"""A write whose token fetch fails was never sent (code-review findings).

The label request leaves only with a token, so a token endpoint that hangs past the deadline, times
out or answers more than the size limit ends the write with an error that is not OutcomeUnknown: the
caller may safely try again. The token answer is read under that limit; one within it is used and
cached. No real sleeps; the one wait on an asyncio timeout is a fraction of a second.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

import carriergate as cg
from carriergate.core.contract import is_side_request as is_token_request
from carriergate.protocols.auth.oauth2 import OAuth2ClientCredentials
from carriergate.protocols.limits import TOO_LARGE

from support.timing import never_asleep, never_sleep, no_asleep, no_sleep
from support.write_carriers import TOKEN_URL, a_label, carriers_registered

__all__ = ["carriers_registered"]  # the autouse fixture, imported for pytest

Handler = Callable[[httpx.Request], httpx.Response]


def ship_behind_token(token: Handler, posts: list[httpx.Request], *, sleep: Callable[[float], None]) -> None:
    """Buys a label through a sync Gateway on the "tokens" carrier whose token endpoint ``token`` plays;
    the label request, if it is ever sent, is recorded in ``posts`` and answered with a label."""
    def handle(request: httpx.Request) -> httpx.Response:
        if is_token_request(request):
            return token(request)
        posts.append(request)
        return httpx.Response(200, json={"tn": "1Z0001"})

    with cg.Gateway({"tokens": {}}, transport=httpx.MockTransport(handle), sleep=sleep) as gw:
        gw.ship(a_label("tokens"))


# -- a write whose token fetch fails was never sent ---------------------------------------------------------

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

    def too_slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("token endpoint too slow")

    with pytest.raises(cg.CarrierUnavailable) as caught:
        ship_behind_token(too_slow, posts, sleep=no_sleep)
    assert not isinstance(caught.value, cg.OutcomeUnknown)
    assert posts == []


# -- the token response is read under the size limit --------------------------------------------------------

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

    with pytest.raises(cg.MalformedResponse) as caught:
        ship_behind_token(lambda request: httpx.Response(200, stream=stream), posts, sleep=never_sleep)
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
