"""The Kuaidi100 carrier: every Call its operations make is assembled here, and nowhere else.

Kuaidi100 is an aggregator: one account tracks the parcels of hundreds of couriers, each named by
its courier code (``com``). A call may name the code (``company=``); else the account's ``company``
is used; else it is detected first from the number (a read of ``/autonumber/auto``), taking the most
likely candidate. Queries are signed with MD5 (``param + key + customer``); subscriptions carry the
key in their param. Pushes are read by :meth:`Kuaidi100.read_push` (the checkout webhook calls it).
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

from carriergate.carriers.kuaidi100 import autonumber, price, push, subscribe, track
from carriergate.carriers.kuaidi100.account import AUTONUMBER_HOST, HOSTS, Kuaidi100Account
from carriergate.carriers.kuaidi100.autonumber import Candidate
from carriergate.carriers.kuaidi100.companies import checked_company, guess
from carriergate.core.contract import Capability, Carrier, Flow
from carriergate.core.contract import tracking_number as check_tracking_number
from carriergate.core.errors import FieldError, ValidationError
from carriergate.core.quotes import Quote
from carriergate.core.shipment import RateRequest
from carriergate.core.subscriptions import PushAnswer, Subscription, TrackingUpdate
from carriergate.core.subscriptions import callback_url as check_callback_url
from carriergate.core.tracking import TrackingInfo
from carriergate.protocols.auth.md5_form import Kuaidi100Auth


class Kuaidi100(Carrier[Kuaidi100Account]):
    name = "kuaidi100"
    title = "Kuaidi100 快递100"
    hosts: ClassVar[dict[str, str]] = HOSTS
    capabilities = frozenset({Capability.TRACK, Capability.SUBSCRIBE})
    account_model = Kuaidi100Account
    emulator = "carriergate.sandbox.kuaidi100:Kuaidi100Emulator"

    def __init__(self, account: Kuaidi100Account, *, alias: str | None = None) -> None:
        super().__init__(account, alias=alias)
        # Only queries are signed this way (a subscription or a detection would be refused with a
        # sign field it does not expect), so the signer is given to those calls alone.
        self._signer = Kuaidi100Auth(key=account.key, mode="tracking", customer=account.customer,
                                     carrier=self.alias)
        self._business = Kuaidi100Auth(key=account.key, mode="business", secret=account.secret, carrier=self.alias)

    @property
    def autonumber_url(self) -> str:
        return (self.account.base_url or AUTONUMBER_HOST).rstrip("/")

    def detect(self, tracking_number: str) -> Flow[list[Candidate]]:
        """The couriers ``tracking_number`` may belong to, most likely first (NotFound: none)."""
        number = track.checked_number(check_tracking_number(tracking_number), carrier=self.alias)
        http = autonumber.build_autonumber(number, self.account, base_url=self.autonumber_url)
        found: list[Candidate] = yield self.read(http, partial(autonumber.parse_autonumber, number=number,
                                                               carrier=self.alias), operation="detect")
        return found

    def _company(self, number: str, company: str | None) -> Flow[str]:
        """The courier code to ask: the call's, the account's, the number's printed prefix, else detected."""
        if company is not None:
            return checked_company(company)
        known = self.account.company or guess(number)
        if known is not None:
            return known
        found: list[Candidate] = yield from self.detect(number)
        return found[0].company

    def track(self, tracking_number: str, *, company: str | None = None,
              phone: str | None = None) -> Flow[TrackingInfo]:
        number = track.checked_number(check_tracking_number(tracking_number), carrier=self.alias)
        code: str = yield from self._company(number, company)
        http = track.build_track(number, code, self.account, base_url=self.base_url, carrier=self.alias, phone=phone)
        info: TrackingInfo = yield self.read(http, partial(track.parse_track, number=number, carrier=self.alias),
                                             operation="track", auth=self._signer)
        return info

    def subscribe(self, tracking_number: str, callback_url: str, *, company: str | None = None,
                  phone: str | None = None) -> Flow[Subscription]:
        number = track.checked_number(check_tracking_number(tracking_number), carrier=self.alias)
        url = check_callback_url(callback_url)
        code: str = yield from self._company(number, company)
        http = subscribe.build_subscribe(number, code, url, self.account, base_url=self.base_url,
                                         carrier=self.alias, phone=phone)
        parse = partial(subscribe.parse_subscribe, number=number, company=code, url=url, carrier=self.alias)
        made: Subscription = yield self.write(http, parse, operation="subscribe", reference=number, idempotent=True)
        return made

    def estimate_price(self, request: RateRequest, *, company: str | None = None) -> Flow[Quote]:
        """The price of sending ``request`` with courier ``company`` (else the account's), in CNY: a
        business API, signed with the secret. Not the RATE operation yet (see :mod:`.price`)."""
        code = company or self.account.company
        if code is None:
            raise ValidationError(FieldError("company", "name the courier to price with (or set the account's "
                                                        "company)"), carrier=self.alias)
        http = price.build_price(request, code, base_url=self.base_url, carrier=self.alias)
        quote: Quote = yield self.read(http, partial(price.parse_price, company=code, carrier=self.alias),
                                       operation="price", auth=self._business)
        return quote

    # -- pushes (PushReceiver) -------------------------------------------------------------------
    def read_push(self, body: bytes, content_type: str = "") -> list[TrackingUpdate]:
        return push.parse_push(body, self.account.salt, carrier=self.alias)

    def push_answer(self, ok: bool, message: str = "", status: int = 400) -> PushAnswer:
        return push.push_answer(ok, message, status)
