"""SF Express (顺丰, 丰桥 open platform): signed form POSTs carrying JSON ``msgData``.

Operations: rate (EXP_RECE_QUERY_DELIVERTM, mainland China), ship (EXP_RECE_CREATE_ORDER, then the
label from COM_RECE_CLOUD_PRINT_WAYBILLS), void (EXP_RECE_UPDATE_ORDER dealType 2), track
(EXP_RECE_SEARCH_ROUTES). The courier pickup travels with the order (``isDocall`` 1 and
``sendStartTm`` from ``ShipRequest.pickup``) and is cancelled with it; SF offers no stand-alone
pickup here, so schedule_pickup and cancel_pickup are NotSupported.

Shipping the same reference twice never makes two waybills: SF refuses a repeated ``orderId``
(business code 8016) and the flow then fetches the existing order (EXP_RECE_SEARCH_ORDER_RESP).
The same lookup reconciles a create whose outcome is unknown (timeout after sending).
"""

from __future__ import annotations

from typing import ClassVar

import httpx

from carriergate.carriers.sf_express import label as cloud_print
from carriergate.carriers.sf_express import order, rate, routes
from carriergate.carriers.sf_express.account import HOSTS, SFExpressAccount
from carriergate.carriers.sf_express.envelope import service_call
from carriergate.carriers.sf_express.errors import DuplicateOrder
from carriergate.carriers.sf_express.order import Order
from carriergate.carriers.sf_express.routes import parse_route_push
from carriergate.core.contract import Account, Capability, Carrier, Flow
from carriergate.core.errors import CarrierError, ConfigurationError, FieldError, OutcomeUnknown, ValidationError
from carriergate.core.quotes import Quote
from carriergate.core.results import Label
from carriergate.core.shipment import RateRequest, ShipRequest
from carriergate.core.tracking import TrackingInfo
from carriergate.protocols.auth.sf_digest import SFDigestAuth

__all__ = ["SFExpress", "SFExpressAccount", "parse_route_push"]


class SFExpress(Carrier[SFExpressAccount]):
    name = "sf_express"
    title = "SF Express 顺丰速运"
    hosts: ClassVar[dict[str, str]] = HOSTS
    capabilities = frozenset({Capability.RATE, Capability.SHIP, Capability.VOID, Capability.TRACK})
    emulator = "carriergate.sandbox.sf_express:SFExpressEmulator"
    label_formats = ("PDF",)
    account_model = SFExpressAccount

    def __init__(self, account: Account, *, alias: str | None = None) -> None:
        if not isinstance(account, SFExpressAccount):
            raise ConfigurationError("SF Express needs an SFExpressAccount", carrier=alias or self.name,
                                     code="configuration")
        super().__init__(account, alias=alias)
        self.sf = account

    def make_auth(self) -> httpx.Auth:
        return SFDigestAuth(self.sf.partner_id, self.sf.checkword)

    # -- calls --------------------------------------------------------------------------------
    def _find_order(self, reference: str) -> Flow[Order]:
        found: Order = yield service_call(
            self.base_url, self.sf.partner_id, order.SEARCH_ORDER, order.build_search_order(reference, self.sf),
            lambda r: order.parse_order(r, carrier=self.alias), operation="order_query", kind="read", idempotent=True,
            reference=reference)
        return found

    # -- operations ---------------------------------------------------------------------------
    def rate(self, request: RateRequest) -> Flow[list[Quote]]:
        msg = rate.build_rate(request, carrier=self.alias)
        quotes: list[Quote] = yield service_call(
            self.base_url, self.sf.partner_id, rate.QUERY_DELIVERTM, msg,
            lambda r: rate.parse_rate(r, request, carrier=self.alias), operation="rate", kind="read", idempotent=True)
        return quotes

    def ship(self, request: ShipRequest) -> Flow[Label]:
        try:
            msg = order.build_create_order(request, self.sf)
        except ValidationError as err:
            err.carrier = self.alias
            raise
        reference = request.reference
        try:
            created: Order = yield service_call(
                self.base_url, self.sf.partner_id, order.CREATE_ORDER, msg,
                lambda r: order.parse_order(r, carrier=self.alias), operation="ship", kind="write", idempotent=False,
                reference=reference)
        except DuplicateOrder:
            created = yield from self._find_order(reference)
        except OutcomeUnknown as unknown:
            try:
                created = yield from self._find_order(reference)
            except CarrierError:
                raise OutcomeUnknown("SF may have created the order and its order query found nothing yet; "
                                     "shipping again with the same reference is safe (SF refuses a repeated "
                                     "orderId and carriergate then returns the existing waybill)",
                                     reference=reference, carrier=self.alias, code=unknown.code) from unknown
        pdf: bytes = yield service_call(
            self.base_url, self.sf.partner_id, cloud_print.CLOUD_PRINT,
            cloud_print.build_print(created.master, self.sf.template_code),
            lambda r: cloud_print.parse_print(r, carrier=self.alias), operation="label", kind="read", idempotent=True,
            reference=reference)
        return Label(carrier=self.alias, tracking_number=created.master, tracking_numbers=created.waybills,
                     label=pdf, label_format="PDF", reference=reference,
                     carrier_data={"order_id": created.order_id or reference})

    def void(self, label: Label) -> Flow[None]:
        order_id = label.carrier_data.get("order_id") or label.reference
        if not order_id:
            raise ValidationError(FieldError("carrier_data.order_id", "the SF order id is needed to cancel"),
                                  carrier=self.alias)
        yield service_call(self.base_url, self.sf.partner_id, order.UPDATE_ORDER, order.build_cancel_order(order_id),
                           lambda r: order.parse_cancel(r, carrier=self.alias), operation="void",
                               kind="write", idempotent=True,
                           reference=order_id)
        return None

    def track(self, tracking_number: str) -> Flow[TrackingInfo]:
        number = tracking_number.strip()
        if not number:
            raise ValidationError(FieldError("tracking_number", "must not be empty"), carrier=self.alias)
        msg = routes.build_route_query([number], kind=routes.tracking_type(number), language=self.sf.language)
        info: TrackingInfo = yield service_call(
            self.base_url, self.sf.partner_id, routes.SEARCH_ROUTES, msg,
            lambda r: routes.parse_routes(r, number, carrier=self.alias), operation="track",
                kind="read", idempotent=True)
        return info
