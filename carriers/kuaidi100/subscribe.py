"""Subscription (订阅, ``POST /poll``): Kuaidi100 watches a number and pushes each change to our callback.

Request: form fields ``schema`` json and ``param``, a JSON object ``{"company", "number", "key",
"parameters": {"callbackurl", "salt", "resultv2", "phone"?}}`` (the key travels inside param; the
call itself is not signed). With ``salt`` set, every push carries ``sign = upper(md5(param + salt))``,
which the webhook checks: carriergate never subscribes without a salt, since unsigned pushes cannot
be told from forged ones.

Answer: ``{"result": true, "returnCode": "200", "message": "提交成功"}``; 501 (重复订阅) means the number
was subscribed already, which is no failure (:attr:`Subscription.already`). Other codes: :mod:`.errors`.
"""

from __future__ import annotations

import httpx

from carriergate.carriers.kuaidi100.account import Kuaidi100Account
from carriergate.carriers.kuaidi100.companies import checked_company
from carriergate.carriers.kuaidi100.envelope import dumps, form_request
from carriergate.carriers.kuaidi100.errors import ALREADY_SUBSCRIBED, SUBSCRIBE_ERRORS, body_of, refusal
from carriergate.carriers.kuaidi100.track import checked_number, phone_for
from carriergate.core.errors import ConfigurationError, MalformedResponse
from carriergate.core.subscriptions import Subscription, callback_url
from carriergate.protocols.json_reading import text

SUBSCRIBE_PATH = "/poll"


def build_subscribe(number: str, company: str, url: str, account: Kuaidi100Account, *, base_url: str, carrier: str,
                    phone: str | None = None) -> httpx.Request:
    """The subscription of ``number`` at courier ``company``, pushing to ``url``; refused before sending
    when the account has no salt or the input is bad (the field is named)."""
    if account.salt is None or not account.salt.get_secret_value():
        raise ConfigurationError("Kuaidi100 subscriptions need the account's salt: without it pushes are unsigned "
                                 "and cannot be verified", carrier=carrier)
    num = checked_number(number, carrier=carrier)
    com = checked_company(company)
    parameters = {"callbackurl": callback_url(url), "salt": account.salt.get_secret_value(),
                  "resultv2": account.resultv2}
    chosen = phone_for(com, phone, account, carrier=carrier)
    if chosen:
        parameters["phone"] = chosen
    param = {"company": com, "number": num, "key": account.key.get_secret_value(), "parameters": parameters}
    return form_request(base_url + SUBSCRIBE_PATH, [("schema", "json"), ("param", dumps(param))])


def parse_subscribe(response: httpx.Response, *, number: str, company: str, url: str, carrier: str) -> Subscription:
    body = body_of(response, carrier=carrier)
    if not isinstance(body, dict):
        raise MalformedResponse("Kuaidi100 subscription answer is not an object", carrier=carrier)
    code = text(body.get("returnCode"))
    message = text(body.get("message")) or ""
    if code == ALREADY_SUBSCRIBED:
        return Subscription(carrier=carrier, tracking_number=number, callback_url=url, company=company,
                            already=True, message=message)
    error = refusal(body, SUBSCRIBE_ERRORS, carrier=carrier, http_status=response.status_code)
    if error is not None:
        raise error
    if body.get("result") is not True:
        raise MalformedResponse("Kuaidi100 subscription answer has no result", carrier=carrier)
    return Subscription(carrier=carrier, tracking_number=number, callback_url=url, company=company, message=message)
