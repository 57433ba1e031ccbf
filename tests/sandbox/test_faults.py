"""Sandbox fault injection (in-process transport) and the emulator registry."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest

import carriergate as cg
from carriergate.sandbox import registry
from carriergate.sandbox.base import SANDBOX_HOST, Emulator, json_response
from carriergate.sandbox.faults import (
    MALFORMED_BODY,
    CarrierFaults,
    FaultInjector,
    FaultRule,
    Faults,
    FaultySandboxTransport,
    LostResponseRule,
    RateLimitRule,
    ServerErrorRule,
)

from support.fake_carrier import fake_carrier, registered


class NoteEmulator(Emulator):
    """Stores every POSTed note (a write), answers JSON."""

    name: ClassVar[str] = "notes"
    account: ClassVar[dict[str, str]] = {"api_key": "sandbox-key"}

    def __init__(self) -> None:
        super().__init__()
        self.notes: list[str] = []

    def handle(self, request: httpx.Request, path: str) -> httpx.Response:
        if request.method == "POST":
            with self.lock:
                self.notes.append(request.content.decode())
        return json_response(200, {"path": path, "notes": len(self.notes), "padding": "x" * 40})


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)

    async def asleep(self, seconds: float) -> None:
        self.calls.append(seconds)


def transport(faults: CarrierFaults, sleeps: Sleeps | None = None, seed: int = 0) -> FaultySandboxTransport:
    s = sleeps or Sleeps()
    return FaultySandboxTransport({"notes": NoteEmulator()}, Faults(seed=seed, carriers={"notes": faults}),
                                  sleep=s, async_sleep=s.asleep)


def url(path: str = "/v1/note") -> str:
    return f"{SANDBOX_HOST}/notes{path}"


def test_latency_and_hang_use_the_injected_sleep_sync() -> None:
    sleeps = Sleeps()
    t = transport(CarrierFaults(latency=0.25, hang=FaultRule(first=1)), sleeps)
    with httpx.Client(transport=t, timeout=httpx.Timeout(7.0, connect=1.0)) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.get(url())
        # a hang lasts the read timeout, counted from sending: the latency is inside it, not added to it
        assert sleeps.calls == [7.0]
        assert client.get(url()).json()["path"] == "/v1/note"
    assert sleeps.calls == [7.0, 0.25]


def test_hang_async_awaits_the_sleep_and_never_reaches_the_emulator() -> None:
    sleeps = Sleeps()
    t = transport(CarrierFaults(hang=FaultRule(first=1)), sleeps)

    async def main() -> None:
        async with httpx.AsyncClient(transport=t, timeout=3.0) as client:
            with pytest.raises(httpx.ReadTimeout):
                await client.post(url(), content=b"a")

    asyncio.run(main())
    assert sleeps.calls == [3.0]
    emulator = t.emulators["notes"]
    assert isinstance(emulator, NoteEmulator)
    assert emulator.notes == []


def test_server_errors_then_rate_limits_for_the_first_requests() -> None:
    t = transport(CarrierFaults(server_error=ServerErrorRule(first=2, status=502),
                                rate_limited=RateLimitRule(first=1, retry_after=7)))
    with httpx.Client(transport=t) as client:
        statuses = [client.get(url()) for _ in range(4)]
    assert [r.status_code for r in statuses] == [502, 502, 429, 200]
    assert statuses[2].headers["retry-after"] == "7"


def test_lost_response_performs_the_write() -> None:
    t = transport(CarrierFaults(lost_response=LostResponseRule(first=1)))
    emulator = t.emulators["notes"]
    assert isinstance(emulator, NoteEmulator)
    with httpx.Client(transport=t) as client:
        with pytest.raises(httpx.ReadTimeout):
            client.post(url(), content=b"label-1")
        assert emulator.notes == ["label-1"]  # the carrier created it; we never heard back
    disconnect = transport(CarrierFaults(lost_response=LostResponseRule(first=1, error="disconnect")))
    with httpx.Client(transport=disconnect) as client, pytest.raises(httpx.RemoteProtocolError):
        client.post(url(), content=b"x")


def test_malformed_and_truncated_bodies() -> None:
    t = transport(CarrierFaults(malformed=FaultRule(first=1), truncated=FaultRule(first=1)))
    with httpx.Client(transport=t) as client:
        malformed, truncated, fine = client.get(url()), client.get(url()), client.get(url())
    assert malformed.status_code == 200
    assert malformed.content == MALFORMED_BODY
    assert len(truncated.content) == len(fine.content) // 2
    with pytest.raises(json.JSONDecodeError):
        json.loads(truncated.content)
    assert fine.json()["path"] == "/v1/note"


def test_paths_narrow_a_rule() -> None:
    t = transport(CarrierFaults(server_error=ServerErrorRule(first=5, paths=["/rate"])))
    with httpx.Client(transport=t) as client:
        assert client.get(url("/track/1")).status_code == 200
        assert client.get(url("/rate/shop")).status_code == 503


def test_probabilities_are_deterministic_per_seed() -> None:
    config = Faults(seed=42, carriers={"ups": CarrierFaults(server_error=ServerErrorRule(probability=0.5))})

    def pattern(faults: Faults) -> list[bool]:
        injector = FaultInjector(faults)
        return [injector.decide("ups", "/x").fault is not None for _ in range(40)]

    first = pattern(config)
    assert first == pattern(config)
    assert 5 < sum(first) < 35
    assert first != pattern(config.model_copy(update={"seed": 43}))
    assert FaultInjector(config).decide("fedex", "/x").fault is None


def test_faults_load_from_toml(tmp_path: Path) -> None:
    file = tmp_path / "faults.toml"
    file.write_text('seed = 3\n[carriers.ups]\nlatency = 1\nrate_limited = { first = 2, retry_after = 5 }\n')
    faults = Faults.from_toml(file)
    assert faults.seed == 3
    assert faults.carriers["ups"].latency == 1.0
    assert faults.carriers["ups"].rate_limited == RateLimitRule(first=2, retry_after=5)
    file.write_text('[carriers.ups]\nlatency = "slow"\n')
    with pytest.raises(cg.ConfigurationError, match="latency"):
        Faults.from_toml(file)


def test_faults_model_is_strict() -> None:
    loaded = Faults.model_validate({"seed": 1, "carriers": {"ups": {"latency": 0.5, "hang": {"first": 2}}}})
    assert loaded.carriers["ups"].hang == FaultRule(first=2)
    with pytest.raises(ValueError, match="unknown"):
        Faults.model_validate({"carriers": {"ups": {"latency": 0.5, "unknown": 1}}})
    with pytest.raises(ValueError, match="probability"):
        Faults.model_validate({"carriers": {"ups": {"hang": {"probability": 1.5}}}})


#: A carrier whose emulator is the NoteEmulator above, and one whose emulator module does not exist.
NoteCarrier = fake_carrier("notes", account={"api_key": ""}, emulator=f"{__name__}:NoteEmulator")
GhostCarrier = fake_carrier("ghost", emulator="carriergate.sandbox.ghost:GhostEmulator")


@pytest.fixture
def note_and_ghost() -> Iterator[None]:
    with registered(NoteCarrier, GhostCarrier):
        yield


@pytest.mark.usefixtures("note_and_ghost")
def test_registry_finds_emulators_through_the_carriers_and_skips_missing_ones_with_a_reason() -> None:
    assert "ghost" in registry.unavailable()
    accounts = registry.sandbox_accounts()
    assert accounts["notes"] == {"api_key": "sandbox-key", "base_url": f"{SANDBOX_HOST}/notes"}
    assert accounts["table"] == {}  # offline: no emulator needed
    assert "ghost" not in accounts
    assert {"ups", "fedex", "dhl_express", "sf_express"} <= set(accounts)
    with pytest.raises(cg.ConfigurationError, match="ghost"):
        registry.sandbox_accounts(["ghost"])
    kwargs: dict[str, Any] = registry.sandbox_gateway_kwargs(["notes"])
    assert list(kwargs["config"]) == ["notes"]
    assert isinstance(kwargs["transport"].emulators["notes"], NoteEmulator)


def test_sandbox_gateway_rates_end_to_end_through_faults() -> None:
    from support.shipments import domestic_request

    missing = registry.unavailable(["sf_express"])
    if missing:
        pytest.skip(f"SF Express emulator not available: {missing['sf_express']}")
    faults = Faults(carriers={"sf_express": CarrierFaults(server_error=ServerErrorRule(first=1))})
    kwargs = registry.sandbox_gateway_kwargs(["sf_express", "table"], faults=faults)
    slept: list[float] = []
    with cg.Gateway(**kwargs, sleep=slept.append) as gw:
        result = gw.rate(domestic_request(), deadline=5.0)
    # the injected 503 is retried (rating is idempotent); the emulator saw only the second attempt
    assert {q.carrier for q in result.quotes} == {"sf_express", "table"}
    assert len(slept) == 1
    assert not result.errors
    assert len(kwargs["transport"].emulators["sf_express"].requests) == 1
