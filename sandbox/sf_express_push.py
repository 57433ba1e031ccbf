"""SF route pushes (顺丰路由推送) from the SF emulator: each waybill's next scan POSTed to the push URL.

SF has no per-waybill subscription call: a partner configures one push URL at 丰桥 and SF pushes the
route nodes of its waybills there. So a :class:`RoutePusher` is made for one emulator and one URL
(``RoutePusher(emulator, url)``). Written from SF's push format, never from carriergate's carrier
code: the envelope is a request's (``partnerID``, ``requestID``, ``serviceCode``, ``timestamp`` in
milliseconds, ``msgData``, ``msgDigest`` over ``msgData + timestamp`` with the partner's checkword);
``msgData`` is ``{"Body": {"WaybillRoute": [node]}}``, one node (``id``, ``mailno``, ``orderid``,
``acceptTime``, ``acceptAddress``, ``remark``, ``opCode``) per push. :data:`SERVICE_CODE` is the old
BSP name of the service: the value SF sends today is not confirmed.

:meth:`RoutePusher.push_request` reveals the waybill's next scan (as a route query would) and pushes
it; ``advance=False`` pushes the last node again, re-signed with a new timestamp, as SF does when it
got no acknowledgement; ``forged=True`` signs with a checkword that is not the partner's.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

import httpx

from carriergate.protocols.auth.sf_digest import FORM_CONTENT_TYPE, encode_form, msg_digest
from carriergate.sandbox.sf_express import SCANS, TIME_FORMAT, SFExpressEmulator

#: ``serviceCode`` of a push (BSP's RoutePushService; unconfirmed for the 丰桥 JSON push).
SERVICE_CODE = "RoutePushService"
#: What the receiver must answer for SF to consider a push delivered.
ACKNOWLEDGED = {"return_code": "0000", "return_msg": "成功"}


@dataclass
class RoutePusher:
    """Pushes ``emulator``'s waybill routes to ``url``; ``pushed`` holds every msgData sent, per waybill."""

    emulator: SFExpressEmulator
    url: str
    pushed: dict[str, list[str]] = field(default_factory=dict)
    #: Pushes sent so far: each one's timestamp differs (a repeat is signed afresh).
    sent: int = 0

    def _node(self, waybill: str) -> dict[str, str]:
        """The waybill's newest scan after revealing one more, as a push node."""
        order = self.emulator.by_waybill[waybill]
        order.reveal(self.emulator.clock())
        if not order.scanned_at:
            raise ValueError(f"waybill {waybill} has no scan to push (cancelled)")
        index = order.scans_seen - 1
        code, remark = SCANS[index]
        return {"id": f"{int(waybill[2:]) * 100 + index}", "mailno": waybill, "orderid": order.order_id,
                "acceptTime": order.scanned_at[index].strftime(TIME_FORMAT),
                "acceptAddress": order.origin if index < 3 else order.destination, "remark": remark,
                "opCode": code}

    def push_request(self, waybill: str, *, advance: bool = True, forged: bool = False) -> httpx.Request:
        """The next push about ``waybill`` (``advance`` False: the last one again), signed afresh."""
        with self.emulator.lock:
            sent = self.pushed.setdefault(waybill, [])
            if advance or not sent:
                sent.append(json.dumps({"Body": {"WaybillRoute": [self._node(waybill)]}}, ensure_ascii=False))
            msg_data = sent[-1]
            self.sent += 1
            stamp = str(int(self.emulator.clock().timestamp() * 1000) + self.sent)
        checkword = self.emulator.account["checkword"] + ("-forged" if forged else "")
        form = {"partnerID": self.emulator.account["partner_id"], "requestID": uuid.uuid4().hex,
                "serviceCode": SERVICE_CODE, "timestamp": stamp, "msgData": msg_data,
                "msgDigest": msg_digest(msg_data, stamp, checkword)}
        return httpx.Request("POST", self.url, content=encode_form(form), headers={"content-type": FORM_CONTENT_TYPE})

    def fire(self, waybill: str, client: httpx.Client, *, advance: bool = True, forged: bool = False) -> httpx.Response:
        """Send the next push of ``waybill`` with ``client``; the receiver's answer."""
        return client.send(self.push_request(waybill, advance=advance, forged=forged))

    async def afire(self, waybill: str, client: httpx.AsyncClient, *, advance: bool = True,
                    forged: bool = False) -> httpx.Response:
        """:meth:`fire` with an async client (an ASGI app in-process, say)."""
        return await client.send(self.push_request(waybill, advance=advance, forged=forged))


__all__ = ["ACKNOWLEDGED", "SERVICE_CODE", "RoutePusher"]
