"""``carriergate --version`` and ``carriergate serve``'s options: --host, --exchange-rates,
--default-hs-code and --time-zone reach checkout and uvicorn; a bad one is a configuration error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import carriergate as cg
from carriergate.checkout.serving import uvicorn_settings
from carriergate.cli import app as cli

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(cli.app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"carriergate {cg.__version__}\n"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What ``serve`` hands checkout and uvicorn (nothing is served)."""
    import uvicorn

    import carriergate.checkout as checkout

    seen: dict[str, Any] = {}
    real = checkout.create_app

    def create_app(*args: Any, **kwargs: Any) -> Any:
        seen["create_app"] = kwargs
        return real(*args, **kwargs)

    monkeypatch.setattr(checkout, "create_app", create_app)
    monkeypatch.setattr(uvicorn, "run", lambda app, **settings: seen.update(app=app, settings=settings))
    return seen


def test_serve_defaults_to_loopback(served: dict[str, Any]) -> None:
    result = runner.invoke(cli.app, ["serve", "--sandbox"])
    assert result.exit_code == 0, result.output
    assert served["settings"] == uvicorn_settings("127.0.0.1", 8000)
    assert served["create_app"]["exchange_rates"] is None


def test_serve_passes_every_option_on(served: dict[str, Any], tmp_path: Path) -> None:
    rates = tmp_path / "rates.toml"
    rates.write_text('base = "USD"\n[rates]\nCNY = "7.10"\n', encoding="utf-8")
    result = runner.invoke(cli.app, ["serve", "--sandbox", "--host", "192.0.2.10", "--port", "9000",
                                     "--exchange-rates", str(rates), "--default-hs-code", "610910",
                                     "--time-zone", "Asia/Shanghai"])
    assert result.exit_code == 0, result.output
    assert served["settings"] == uvicorn_settings("192.0.2.10", 9000)
    options = served["create_app"]
    assert (options["exchange_rates"], options["default_hs_code"], options["time_zone"]) == \
        (rates, "610910", "Asia/Shanghai")


def test_serve_with_a_rate_cache_quotes_through_a_caching_shopper(served: dict[str, Any]) -> None:
    from carriergate.gateway.shopping import AsyncRateShopper

    result = runner.invoke(cli.app, ["serve", "--sandbox", "--rate-cache", "300"])
    assert result.exit_code == 0, result.output
    shopper = served["app"].shopper
    assert isinstance(shopper, AsyncRateShopper)
    assert shopper.cache is not None
    assert (shopper.cache.ttl, shopper.cache.stale_while_revalidate) == (300, 300)
    assert shopper.fallback_table == "table"  # backup rates as without the cache
    plain = runner.invoke(cli.app, ["serve", "--sandbox"])
    assert plain.exit_code == 0
    assert served["app"].shopper.cache is None


@pytest.mark.parametrize(("args", "words"), [
    (["--exchange-rates", "missing-rates.toml"], "exchange rates"),
    (["--time-zone", "Mars/Olympus"], "IANA time zone"),
    (["--host", " "], "--host"),
])
def test_bad_serve_settings_are_configuration_errors(served: dict[str, Any], args: list[str], words: str) -> None:
    result = runner.invoke(cli.app, ["serve", "--sandbox", *args])
    assert result.exit_code == 5, result.output
    assert result.stderr.startswith("error: ")
    assert words in result.stderr
    assert "settings" not in served
