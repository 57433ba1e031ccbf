"""Price estimate of merchant shipping (商家寄件下单价格, ``POST order/borderapi.do`` method ``price``).

A business API: form fields ``method``, ``param`` and ``key``, ``t`` (milliseconds) and ``sign =
upper(md5(param + t + key + secret))``, the last three added on every attempt by
:class:`carriergate.protocols.auth.md5_form.Kuaidi100Auth` in business mode. ``param``:
``{"kuaidiCom", "sendManPrintAddr", "recManPrintAddr", "weight" (kg), "serviceType"}`` (the name
``kuaidiCom`` is the apifox document's and the Java SDK's; the Python demo writes ``kuaidicom``);
addresses are whole printed Chinese addresses. Answer: ``{"result": true, "returnCode": "200",
"data": {"kuaidiCom", "serviceType", "price", "firstPrice", "overPrice", "defPrice", "defFirstPrice",
"defOverPrice"}}`` in CNY; ``price`` is the discounted total this account pays (折后总价), ``def*``
the list prices. The RATE operation (:mod:`.rate`) asks it once per courier.
"""

from __future__ import annotations

import httpx

from carriergate.carriers.kuaidi100.account import STANDARD
from carriergate.carriers.kuaidi100.companies import checked_company, title
from carriergate.carriers.kuaidi100.envelope import dumps, form_request
from carriergate.carriers.kuaidi100.errors import BORDER_ERRORS, body_of, refusal
from carriergate.carriers.kuaidi100.parties import kilograms, printed
from carriergate.core.errors import FieldError, MalformedResponse, ValidationError
from carriergate.core.money import Money
from carriergate.core.quotes import Charge, Quote
from carriergate.core.shipment import RateRequest
from carriergate.protocols.json_reading import decimal, obj, text

BORDER_PATH = "/order/borderapi.do"


def build_price(request: RateRequest, company: str, *, base_url: str, carrier: str,
                service_type: str = STANDARD) -> httpx.Request:
    """The (unsigned) price request of ``request`` at courier ``company``: mainland China only."""
    problems = [FieldError(f"{side}.country", "Kuaidi100 prices mainland China shipments only")
                for side, address in (("origin", request.origin), ("destination", request.destination))
                if address.country != "CN"]
    if problems:
        raise ValidationError(problems, carrier=carrier)
    param = {"kuaidiCom": checked_company(company), "sendManPrintAddr": printed(request.origin),
             "recManPrintAddr": printed(request.destination), "weight": kilograms(request.parcels),
             "serviceType": service_type}
    return form_request(base_url + BORDER_PATH, [("method", "price"), ("param", dumps(param))])


def service_code(company: str, service: str) -> str:
    """A quote's service code, which :mod:`.ship` takes back as ``ShipRequest.service``."""
    return f"{company}:{service}"


def parse_price(response: httpx.Response, *, company: str, carrier: str) -> Quote:
    body = body_of(response, carrier=carrier)
    error = refusal(body, BORDER_ERRORS, carrier=carrier, http_status=response.status_code)
    if error is not None:
        raise error
    data = obj(body.get("data")) if isinstance(body, dict) else {}
    price = decimal(data.get("price"))
    if price is None:
        raise MalformedResponse("Kuaidi100 price answer has no data.price", carrier=carrier)
    service = text(data.get("serviceType")) or STANDARD
    charges = [Charge(kind=kind, name=name, amount=Money(amount, "CNY"))
               for kind, name, amount in (("base", "first weight", decimal(data.get("firstPrice"))),
                                          ("surcharge", "additional weight", decimal(data.get("overPrice"))))
               if amount is not None]
    code = text(data.get("kuaidiCom")) or company
    return Quote(carrier=carrier, service_code=service_code(code, service), service_name=f"{title(code)} {service}",
                 total=Money(price, "CNY"), charges=charges)
