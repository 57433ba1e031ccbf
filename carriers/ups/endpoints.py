"""Where UPS requests go and the headers every one of them carries.

Every UPS API lives under ``<host>/api/``; the OAuth token endpoint under ``<host>/security``.
Each exchange carries ``transId`` (32 characters, correlating the exchange in UPS's logs and
ours) and ``transactionSrc`` (naming us to UPS). The builders take the transId as an argument,
so a golden test can compare a whole request; the carrier makes a fresh one per exchange.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from carriergate.carriers.ups.account import UPSAccount
from carriergate.protocols.http import json_request

ACCEPT_JSON = {"accept": "application/json"}


def new_trans_id() -> str:
    """A fresh ``transId`` for one exchange."""
    return uuid.uuid4().hex


def token_url(base_url: str) -> str:
    return f"{base_url}/security/v1/oauth/token"


def api_url(base_url: str, path: str) -> str:
    return f"{base_url}/api/{path.lstrip('/')}"


def headers(account: UPSAccount, trans_id: str, **extra: str) -> dict[str, str]:
    return {"transId": trans_id, "transactionSrc": account.transaction_source, **extra}


def post_json(path: str, body: Any, account: UPSAccount, *, base_url: str, trans_id: str,
              **extra_headers: str) -> httpx.Request:
    """A POST of ``body`` as compact JSON to ``/api/<path>``."""
    return json_request("POST", api_url(base_url, path), body, headers=headers(account, trans_id, **extra_headers))


def without_body(method: str, path: str, account: UPSAccount, *, base_url: str, trans_id: str,
                 params: dict[str, str] | None = None, **extra_headers: str) -> httpx.Request:
    """A GET or DELETE of ``/api/<path>``, asking for JSON."""
    return httpx.Request(method, api_url(base_url, path), params=params,
                         headers={**ACCEPT_JSON, **headers(account, trans_id, **extra_headers)})
