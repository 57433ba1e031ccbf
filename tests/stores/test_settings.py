"""The one setting: ``redis_url`` in the gateway configuration's ``gateway`` table, else
``CARRIERGATE_REDIS_URL``; in memory without either, with redis-py never imported; a missing redis-py
named by its extra; the URL's password never shown.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import carriergate as cg
from carriergate.gateway.config import load_toml, split_config
from carriergate.stores import settings
from carriergate.stores.settings import ENV_VAR, redacted, redis_url


def test_the_config_wins_over_the_environment_and_empty_means_unset() -> None:
    env = {ENV_VAR: "redis://env-host:6379/1"}
    assert redis_url({"gateway": {"redis_url": "redis://cfg-host/0"}}, environ=env) == "redis://cfg-host/0"
    assert redis_url({"ups": {}}, environ=env) == "redis://env-host:6379/1"
    assert redis_url({"gateway": {"redis_url": " "}}, environ=env) == "redis://env-host:6379/1"
    assert redis_url(None, environ={ENV_VAR: ""}) is None
    assert redis_url({}, environ={}) is None


def test_a_url_that_is_not_redis_is_refused_showing_no_password() -> None:
    with pytest.raises(cg.ConfigurationError) as raised:
        redis_url({"gateway": {"redis_url": "http://user:hunter2@host/0"}}, environ={})
    assert "hunter2" not in str(raised.value)
    assert "redis://" in raised.value.message


@pytest.mark.parametrize(("url", "shown"), [
    ("redis://:pw1@host:6379/0", "redis://:***@host:6379/0"),
    ("rediss://user:pw2@host/0", "rediss://user:***@host/0"),
    ("redis://pw3@host/0", "redis://***@host/0"),
    ("redis://host/0?password=pw4&db=1", "redis://host/0?password=%2A%2A%2A&db=1"),
    ("unix:///run/redis.sock", "unix:///run/redis.sock"),
])
def test_redacted_hides_every_form_of_password(url: str, shown: str) -> None:
    assert redacted(url) == shown


def test_the_gateway_table_is_not_an_account_and_takes_only_known_settings(tmp_path: Path) -> None:
    file = tmp_path / "carriergate.toml"
    file.write_text('[gateway]\nredis_url = "redis://127.0.0.1:6399/0"\n\n[carriers.table]\n', encoding="utf-8")
    accounts, url = split_config(load_toml(file))
    assert list(accounts) == ["table"]
    assert url == "redis://127.0.0.1:6399/0"
    with pytest.raises(cg.ConfigurationError, match="unknown setting 'redis_uri'"):
        split_config({"gateway": {"redis_uri": "x"}, "table": {}})
    with pytest.raises(cg.ConfigurationError, match="no carrier account"):
        cg.Gateway({"gateway": {}})


def test_without_a_url_the_gateway_stays_in_memory_and_never_imports_redis() -> None:
    code = textwrap.dedent("""
        import os, sys
        os.environ.pop("CARRIERGATE_REDIS_URL", None)
        import carriergate as cg
        with cg.Gateway({"table": {}}) as gw:
            gw.rate_cache(ttl=60)
            assert not gw.shared_state.shared
        assert "redis" not in sys.modules, "redis was imported"
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.stdout.strip() == "ok", done.stderr


def test_without_redis_py_a_url_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)  # import redis now fails
    with pytest.raises(cg.ConfigurationError) as raised:
        settings.require_redis()
    assert "carriergate[redis]" in raised.value.message
    with pytest.raises(cg.ConfigurationError, match=r"carriergate\[redis\]"):
        cg.Gateway({"gateway": {"redis_url": "redis://:pw@127.0.0.1:1/0"}, "table": {}})
