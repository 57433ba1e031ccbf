"""The Kuaidi100 carrier: every Call its operations make is assembled here, and nowhere else.

Kuaidi100 is an aggregator: one account tracks the parcels of hundreds of couriers, each named by
its courier code (``com``). A call may name the code (``company=``); else the account's ``company``
is used; else it is detected first from the number (a read of ``/autonumber/auto``), taking the most
likely candidate. Queries are signed with MD5 (``param + key + customer``); subscriptions carry the
key in their param. Pushes are read by :meth:`Kuaidi100.read_push` (the checkout webhook calls it).

The business APIs (rating, labels, pickups) are signed ``md5(param + t + key + secret)`` with ``t``
from the injected ``clock``: rating asks each listed courier's price, then its delivery-time
estimate; a label is ordered (a write, never repeated after an ambiguous failure), then its image
fetched from the link the order answers (a read; when that fails the label is still returned, its
link kept, with a warning); a pickup is a 商家寄件 booking.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import ClassVar

from carriergate.carriers.kuaidi100 import autonumber, pickup, price, push, rate, ship, subscribe, track, void
from carriergate.carriers.kuaidi100.account import AUTONUMBER_HOST, HOSTS, LABEL_HOST, Kuaidi100Account
from carriergate.carriers.kuaidi100.autonumber import Candidate
from carriergate.carriers.kuaidi100.companies import COMPANIES, PHONE_REQUIRED, checked_company, guess
from carriergate.core.contract import Capability, Carrier, Flow
from carriergate.core.contract import tracking_number as check_tracking_number
from carriergate.core.errors import CarrierError, FieldError, ValidationError
from carriergate.core.notices import Notice
from carriergate.core.quotes import Quote
from carriergate.core.results import Label, Pickup
from carriergate.core.shipment import LabelFormat, PickupRequest, RateRequest, ShipRequest
from carriergate.core.subscriptions import PushAnswer, Subscription, TrackingUpdate
from carriergate.core.subscriptions import callback_url as check_callback_url
from carriergate.core.tracking import TrackingInfo
from carriergate.protocols.auth.md5_form import Kuaidi100Auth


class Kuaidi100(Carrier[Kuaidi100Account]):
    name = "kuaidi100"
    title = "Kuaidi100 快递100"
    hosts: ClassVar[dict[str, str]] = HOSTS
    capabilities = frozenset({Capability.TRACK, Capability.SUBSCRIBE, Capability.RATE, Capability.SHIP,
                              Capability.VOID, Capability.SCHEDULE_PICKUP, Capability.CANCEL_PICKUP})
    label_formats: ClassVar[tuple[LabelFormat, ...]] = ("PNG",)
    account_model = Kuaidi100Account
    emulator = "carriergate.sandbox.kuaidi100:Kuaidi100Emulator"
    #: The couriers reached through Kuaidi100: code -> (Chinese name, English name); and the codes it
    #: answers only with the recipient's or sender's phone (``carriergate carriers --kuaidi100``).
    companies: ClassVar[Mapping[str, tuple[str, str]]] = COMPANIES
    phone_required: ClassVar[frozenset[str]] = PHONE_REQUIRED

    def __init__(self, account: Kuaidi100Account, *, alias: str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        super().__init__(account, alias=alias)
        self.clock = clock
        # Only queries are signed this way (a subscription or a detection would be refused with a
        # sign field it does not expect), so the signer is given to those calls alone.
        self._signer = Kuaidi100Auth(key=account.key, mode="tracking", customer=account.customer,
                                     carrier=self.alias)
        self._business = Kuaidi100Auth(key=account.key, mode="business", secret=account.secret, carrier=self.alias,
                                       clock=lambda: self.clock())

    @property
    def autonumber_url(self) -> str:
        return (self.account.base_url or AUTONUMBER_HOST).rstrip("/")

    @property
    def label_url(self) -> str:
        """Where the label/order family is served (api.kuaidi100.com), unless ``base_url`` says otherwise."""
        return (self.account.base_url or LABEL_HOST).rstrip("/")

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC)

    def secrets(self) -> list[str]:
        return [*super().secrets(), *self.account.business_secrets()]

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

    # -- business APIs: rating, labels, pickups ----------------------------------------------------
    def estimate_price(self, request: RateRequest, *, company: str | None = None) -> Flow[Quote]:
        """The price of sending ``request`` with courier ``company`` (else the account's), in CNY."""
        code = company or self.account.company
        if code is None:
            raise ValidationError(FieldError("company", "name the courier to price with (or set the account's "
                                                        "company)"), carrier=self.alias)
        http = price.build_price(request, code, base_url=self.base_url, carrier=self.alias,
                                 service_type=self.account.service_type)
        quote: Quote = yield self.read(http, partial(price.parse_price, company=code, carrier=self.alias),
                                       operation="price", auth=self._business)
        return quote

    def rate(self, request: RateRequest) -> Flow[list[Quote]]:
        """One quote per listed courier; a courier whose price fails is left out (all failing: the
        first failure is raised), one whose time estimate fails is quoted with a warning."""
        rate.check_lane(request, carrier=self.alias)
        quotes: list[Quote] = []
        failures: list[CarrierError] = []
        for code in rate.companies(request, self.account, carrier=self.alias):
            try:
                quote: Quote = yield from self.estimate_price(request, company=code)
            except CarrierError as err:
                failures.append(err)
                continue
            now = self.now()
            http = rate.build_time(request, code, self.account, base_url=self.label_url, now=now)
            parse = partial(rate.parse_time_estimate, ordered=rate.order_time(request, now), carrier=self.alias)
            try:
                estimate: rate.Estimate = yield self.read(http, parse, operation="time", auth=self._business)
            except CarrierError as err:
                quotes.append(rate.with_estimate(quote, None, err.message))
                continue
            quotes.append(rate.with_estimate(quote, estimate))
        if not quotes and failures:
            raise failures[0]
        if request.insurance is not None:  # the price API takes no insured value (商家寄件下单价格 document)
            notice = Notice(message="Kuaidi100's price leaves out the insured-value fee", code="insurance_not_priced")
            quotes = [q.model_copy(update={"warnings": [*q.warnings, notice]}) for q in quotes]
        return quotes

    def ship(self, request: ShipRequest) -> Flow[Label]:
        company, kind = ship.service_of(request.service, self.account)
        http = ship.build_ship(request, self.account, base_url=self.label_url, carrier=self.alias)
        made: ship.Waybill = yield self.write(http, partial(ship.parse_ship, carrier=self.alias), operation="ship",
                                              reference=request.reference, auth=self._business)
        data = {"company": company, "service": kind}
        data.update({k: v for k, v in (("task_id", made.task_id), ("courier_order", made.courier_order),
                                       ("label_url", made.label_url)) if v})
        image, kind_of_image, warnings = b"", request.label_format, []
        if made.label_url is None:
            warnings.append(Notice(message="Kuaidi100 answered no label link", code="no_label"))
        else:
            try:
                fetch = ship.build_label_image(made.label_url, base_url=self.label_url, carrier=self.alias)
                image, kind_of_image = yield self.read(fetch, partial(ship.parse_label_image, carrier=self.alias),
                                                       operation="label_image")
            except CarrierError as err:
                warnings.append(Notice(message=f"label image not fetched ({err.message}): fetch carrier_data"
                                               "['label_url'] again", code="label_not_fetched"))
        return Label(carrier=self.alias, tracking_number=made.tracking_number,
                     tracking_numbers=[made.tracking_number, *made.more_numbers], label=image,
                     label_format=kind_of_image, reference=request.reference, created_at=self.now(),
                     carrier_data=data, warnings=warnings)

    def void(self, label: Label) -> Flow[None]:
        http = void.build_void(label, self.account, base_url=self.label_url, carrier=self.alias)
        yield self.write(http, partial(void.parse_void, carrier=self.alias), operation="void",
                         reference=label.tracking_number, idempotent=True, auth=self._business)

    def schedule_pickup(self, request: PickupRequest) -> Flow[Pickup]:
        http = pickup.build_pickup(request, self.account, base_url=self.base_url, now=self.now(), carrier=self.alias)
        booked: Pickup = yield self.write(http, partial(pickup.parse_pickup, request=request, carrier=self.alias),
                                          operation="pickup", reference=request.reference, auth=self._business)
        return booked

    def cancel_pickup(self, booked: Pickup) -> Flow[None]:
        http = pickup.build_cancel_pickup(booked, base_url=self.base_url, carrier=self.alias)
        yield self.write(http, partial(pickup.parse_cancel_pickup, carrier=self.alias), operation="cancel_pickup",
                         reference=booked.confirmation_number, idempotent=True, auth=self._business)

    # -- pushes (PushReceiver) -------------------------------------------------------------------
    def read_push(self, body: bytes, content_type: str = "") -> list[TrackingUpdate]:
        return push.parse_push(body, self.account.salt, carrier=self.alias)

    def push_answer(self, ok: bool, message: str = "", status: int = 400) -> PushAnswer:
        return push.push_answer(ok, message, status)
