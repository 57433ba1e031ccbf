"""SF's route push (顺丰路由推送): SF POSTs each waybill's new route nodes to the push URL the partner
configured at 丰桥; the checkout webhook (``POST /webhooks/{account}``) hands it to
:meth:`SFExpress.read_push <carriergate.carriers.sf_express.carrier.SFExpress.read_push>`.

What the push holds (confirmed by several independent merchant implementations of SF's push, not by
SF's own page, which no source reachable here reproduces): ``{"Body": {"WaybillRoute": [...]}}``, each
node with ``id`` (one route node; a new id is a new node), ``mailno`` (the waybill), ``orderid`` (our
reference), ``acceptTime`` (China time), ``acceptAddress``, ``remark`` and ``opCode`` (plus
``reasonCode``/``reasonName`` on exceptions), at most ten nodes a push. The nodes are read by
:func:`carriergate.carriers.sf_express.track.parse_route_push`: its opCode mapping is the route
query's, so a push and a query say the same status for the same scan.

Signature: only the signed envelope is accepted, the same form as a request (``partnerID``,
``requestID``, ``serviceCode``, ``timestamp``, ``msgData``, ``msgDigest`` = SF's msgDigest of
``msgData + timestamp`` under the account's checkword, compared in constant time), as carriergate's
carrier notes state SF's push. UNCONFIRMED: some merchants receive the bare JSON body with no
digest at all (and guard their URL with a secret token instead); such a push cannot be verified here
and is refused as unsigned (401), never read. ``serviceCode`` of a push is not checked (its value
for the route push is not confirmed).

Acknowledgement: SF expects ``{"return_code": "0000", "return_msg": "成功"}`` (confirmed by the same
implementations); anything else makes it push again later. A refusal answers ``return_code``
``"1000"`` (used by one implementation; SF's list of refusal codes is not confirmed) with the HTTP
status the receiver chose.

No subscription is made for a push: SF pushes the routes of the partner's own waybills once a push
URL is configured. SF also lists a route registration call (EXP_RECE_REGISTER_ROUTE, 路由注册) for
other waybills; its request fields are not confirmed, so carriergate does not offer it (no SUBSCRIBE).

An update is one waybill's nodes of one push; its key is made of the nodes themselves (time, opCode,
remark, place), so the same nodes pushed again, even re-signed with a new timestamp, are one update.
A push carries only its new nodes, not the waybill's whole route: an update's ``info`` has those.
"""

from __future__ import annotations

from pydantic import SecretStr

from carriergate.carriers.sf_express.track import parse_route_push
from carriergate.core.errors import AuthenticationError, MalformedResponse
from carriergate.core.subscriptions import PushAnswer, TrackingUpdate
from carriergate.core.tracking import TrackingInfo
from carriergate.protocols.auth.sf_digest import decode_form

ACK: dict[str, str] = {"return_code": "0000", "return_msg": "成功"}
#: The refusal code answered with a non-2xx status (SF retries); unconfirmed as SF's own list.
REFUSED = "1000"
#: The envelope fields a signed push must carry to be verified.
SIGNED = ("msgData", "timestamp", "msgDigest")


def _looks_unsigned(body: bytes, content_type: str) -> bool:
    """A bare JSON push (no envelope): ``application/json``, or a body that is a JSON document."""
    return "json" in content_type.lower() or body.lstrip()[:1] in (b"{", b"[")


def parse_push(body: bytes, content_type: str, checkword: SecretStr | str, *,
               carrier: str) -> list[TrackingUpdate]:
    """The verified updates of one route push, one per waybill, in the order pushed.

    AuthenticationError (code ``bad_digest``) when the push is not the signed envelope or its digest
    does not verify; MalformedResponse when a verified push cannot be read."""
    if _looks_unsigned(body, content_type):
        raise AuthenticationError("SF route push is not the signed form (msgData, timestamp, msgDigest): "
                                  "an unsigned push is refused", carrier=carrier, code="bad_digest")
    try:
        form = decode_form(body)
    except ValueError:
        raise MalformedResponse("SF route push is not a UTF-8 form", carrier=carrier) from None
    if any(not form.get(name) for name in SIGNED):
        raise AuthenticationError("SF route push has no msgData, timestamp or msgDigest", carrier=carrier,
                                  code="bad_digest")
    infos = [i for i in parse_route_push(form, checkword, carrier=carrier) if i.events]  # digest, then msgData
    if not infos:
        raise MalformedResponse("SF route push has no readable route node (mailno, acceptTime)", carrier=carrier)
    return [TrackingUpdate(carrier=carrier, info=info, key=update_key(carrier, info)) for info in infos]


def update_key(carrier: str, info: TrackingInfo) -> str:
    """Equal for the same nodes of the same waybill, however often (and however signed) they come."""
    nodes = sorted(f"{e.occurred_at.isoformat()}|{e.code or ''}|{e.description}|{e.location or ''}"
                   for e in info.events)
    return TrackingUpdate.make_key(carrier, info.tracking_number, *nodes)


def push_answer(ok: bool, message: str = "", status: int = 400) -> PushAnswer:
    """SF's acknowledgement (HTTP 200), or a refusal with ``status`` (SF pushes it again)."""
    if ok:
        return PushAnswer(200, ACK)
    return PushAnswer(status, {"return_code": REFUSED, "return_msg": message or "refused"})


__all__ = ["ACK", "REFUSED", "parse_push", "push_answer", "update_key"]
