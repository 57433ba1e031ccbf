"""Pushes (推送) of a subscription: Kuaidi100 POSTs our callback URL whenever a watched number changes.

Push: a form with ``param`` (JSON) and ``sign = upper(hex(md5(param + salt)))``. The signature is
checked, in constant time, before anything of ``param`` is read. ``param`` holds ``status`` (the
monitoring: polling, shutdown once delivered, abort when Kuaidi100 gave up: "3天查询无记录" or
"60天无变化"; updateall: a full re-push), ``message``, ``autoCheck``/``comOld``/``comNew`` (Kuaidi100
corrected the courier code), and ``lastResult``, the full tracking in the query answer's shape.

Kuaidi100 documents that an aborted number is watched again when subscribed anew after half an hour:
an abort update carries ``resubscribe_after`` 1800 seconds. The acknowledgement it requires is
``{"result": true, "returnCode": "200", "message": "成功"}``; anything else makes it push again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

from pydantic import SecretStr

from carriergate.carriers.kuaidi100.track import tracking_info
from carriergate.core.errors import AuthenticationError, MalformedResponse
from carriergate.core.subscriptions import PushAnswer, TrackingUpdate
from carriergate.protocols.json_reading import obj, text

#: Kuaidi100's documented delay before re-subscribing a number whose monitoring was aborted.
RESUBSCRIBE_AFTER = 1800.0
ACK = {"result": True, "returnCode": "200", "message": "成功"}


def push_sign(param: str, salt: str) -> str:
    """``upper(hex(md5(param + salt)))``, the push signature."""
    return hashlib.md5((param + salt).encode("utf-8")).hexdigest().upper()  # noqa: S324 - Kuaidi100's scheme


def verify_push(param: str, sign: str, salt: SecretStr | str) -> bool:
    """Whether ``sign`` is the push signature of ``param`` (constant-time comparison)."""
    secret = salt.get_secret_value() if isinstance(salt, SecretStr) else salt
    if not secret:
        return False
    expected = push_sign(param, secret).encode("ascii")
    return hmac.compare_digest(expected, sign.strip().upper().encode("utf-8", "replace"))


def push_form(body: bytes, *, carrier: str) -> dict[str, str]:
    try:
        fields = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        raise MalformedResponse("Kuaidi100 push is not a UTF-8 form", carrier=carrier) from None
    return dict(fields)


def parse_push(body: bytes, salt: SecretStr | str | None, *, carrier: str) -> list[TrackingUpdate]:
    """The verified update of one push. Raises AuthenticationError when the signature does not
    verify (or no salt is configured to verify it with), MalformedResponse when it cannot be read."""
    form = push_form(body, carrier=carrier)
    param, sign = form.get("param"), form.get("sign")
    if param is None or sign is None:
        raise AuthenticationError("Kuaidi100 push has no param or no sign", carrier=carrier, code="bad_sign")
    if salt is None or not verify_push(param, sign, salt):
        raise AuthenticationError("Kuaidi100 push signature does not verify", carrier=carrier, code="bad_sign")
    try:
        doc: Any = json.loads(param, parse_float=Decimal)
    except ValueError:
        raise MalformedResponse("Kuaidi100 push param is not JSON", carrier=carrier) from None
    last = obj(doc.get("lastResult")) if isinstance(doc, dict) else {}
    number = text(last.get("nu"))
    if not isinstance(doc, dict) or number is None:
        raise MalformedResponse("Kuaidi100 push has no lastResult.nu", carrier=carrier)
    info = tracking_info(last, number=number, carrier=carrier)
    monitor = text(doc.get("status")) or "polling"
    newest = (info.events[0].occurred_at.isoformat(), info.events[0].description) if info.events else ("", "")
    key = TrackingUpdate.make_key(carrier, number, monitor, info.raw_status or "", str(len(info.events)), *newest)
    return [TrackingUpdate(carrier=carrier, info=info, monitor=monitor, message=text(doc.get("message")) or "",
                           resubscribe_after=RESUBSCRIBE_AFTER if monitor == "abort" else None, key=key)]


def push_answer(ok: bool, message: str = "", status: int = 400) -> PushAnswer:
    """Kuaidi100's required acknowledgement (HTTP 200), or a refusal with ``status`` it will retry."""
    if ok:
        return PushAnswer(200, ACK)
    return PushAnswer(status, {"result": False, "returnCode": str(status), "message": message or "refused"})
