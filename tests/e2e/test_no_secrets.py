"""End to end through every carrier's emulator with DEBUG logging and event hooks on: no credential,
token, password or checkword appears in any log line, hook view, repr or error."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest

import carriergate as cg
from carriergate.adapters.events import Exchange
from carriergate.sandbox.registry import sandbox_accounts, sandbox_gateway_kwargs

from support.shipments import beijing, domestic_request, international_request, shanghai
from support.usps_samples import us_domestic_request


def _secrets(config: dict[str, dict[str, Any]]) -> list[str]:
    found = []
    for settings in config.values():
        for key in ("client_secret", "password", "checkword", "app_secret", "secret", "key", "salt", "source_key"):
            if key in settings:
                found.append(str(settings[key]))
    ups = config["ups"]
    found.append(base64.b64encode(f"{ups['client_id']}:{ups['client_secret']}".encode()).decode())
    return found


def _issued_tokens(transport: Any) -> list[str]:
    tokens: list[str] = []
    for emulator in transport.emulators.values():
        for holder in (emulator, getattr(emulator, "state", None)):
            tokens.extend(getattr(holder, "tokens", ()) or ())
            tokens.extend(getattr(holder, "payment_tokens", ()) or ())  # USPS's payment authorizations
    return tokens


def test_every_carrier_round_trip_leaks_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    setup = sandbox_gateway_kwargs()
    seen: list[Exchange] = []
    hooks = {"request": [seen.append], "response": [seen.append]}
    texts: list[str] = []
    with caplog.at_level(logging.DEBUG), \
            cg.Gateway(setup["config"], transport=setup["transport"], event_hooks=hooks) as gw:
        texts.append(repr(gw.rate(international_request())))
        texts.append(repr(gw.rate(cg.RateRequest(origin=shanghai(), destination=beijing(),
                                                 parcels=domestic_request().parcels))))
        label = gw.ship(cg.ShipRequest(**international_request().model_dump(), carrier="fedex",
                                       service="INTERNATIONAL_ECONOMY", reference="ORDER-7"))
        texts.append(repr(gw.track(label.tracking_number, carrier="fedex")))
        us = us_domestic_request()
        texts.append(repr(gw.rate(us, carriers=["usps"])))
        texts.append(repr(gw.ship(cg.ShipRequest(**us.model_dump(), carrier="usps", service="USPS_GROUND_ADVANTAGE",
                                                 reference="ORDER-8"))))
        texts.append(repr(gw.carrier("ups").carrier) + repr(gw.carrier("dhl_express").carrier))
        with pytest.raises(cg.CarrierError) as info:
            gw.track("1Z0000000000000000", carrier="ups")
        texts.append(str(info.value) + repr(info.value))
    tokens = _issued_tokens(setup["transport"])
    assert tokens, "the OAuth carriers fetched tokens"
    assert {e.carrier for e in seen} >= {"ups", "fedex", "dhl_express", "sf_express", "kuaidi100", "yunexpress", "4px",
                                         "usps"}
    assert any(isinstance(t, str) and len(t) > 8 for t in tokens)
    haystack = "\n".join([caplog.text, *texts, *(repr(e) for e in seen)])
    assert "sandbox" in caplog.text  # the log really holds the exchanges
    for secret in [*_secrets(sandbox_accounts()), *tokens]:
        assert secret not in haystack
