"""YunExpress tracking codes in our closed set of statuses.

A parcel's ``package_status`` (包裹状态) is documented as N not found, F electronic forecast received,
T in transit, D delivered, E possibly abnormal, R returned, C order cancelled. Events carry a
``track_node_code`` from YunExpress's track-node table (轨迹节点表), which could not be read in full:
the codes below are those public YunExpress pushes and integrations show, a few of the older
slash-codes among them; any other code is kept raw with the status UNKNOWN.
"""

from __future__ import annotations

from carriergate.core.tracking import TrackingStatus as S

NOT_FOUND = "N"
PACKAGE_STATUS: dict[str, S] = {
    "F": S.PRE_TRANSIT, "T": S.IN_TRANSIT, "D": S.DELIVERED, "E": S.EXCEPTION, "R": S.RETURNED_TO_SENDER,
    "C": S.CANCELLED,
}
#: track_node_code -> status. DELIVERY_ATTEMPT is described 派送中 ("out for delivery") in the pushes seen.
NODES: dict[str, S] = {
    "ORDER_CREATION": S.PRE_TRANSIT,
    "FIRST_MILE_ARRIVE": S.IN_TRANSIT, "XD/ZC": S.IN_TRANSIT, "XD/CS": S.IN_TRANSIT,
    "INTERNATIONAL_SHIP": S.IN_TRANSIT, "IN_TRANSIT": S.IN_TRANSIT, "MAIN_LINE_ARRIVE": S.IN_TRANSIT,
    "CUSTOMS_CLEARANCE": S.IN_TRANSIT,
    "LAST_MILE_DELIVERY": S.OUT_FOR_DELIVERY, "DELIVERY_ATTEMPT": S.OUT_FOR_DELIVERY,
    "DELIVERED": S.DELIVERED, "MD/TT": S.DELIVERED,
}
#: Event statuses more precise than ``package_status`` T: the parcel's status follows its latest event.
FINER_THAN_TRANSIT = frozenset({S.OUT_FOR_DELIVERY, S.DELIVERY_ATTEMPTED, S.AVAILABLE_FOR_PICKUP})


def package_status(code: str | None) -> S:
    return PACKAGE_STATUS.get((code or "").strip().upper(), S.UNKNOWN)


def node_status(code: str | None) -> S:
    return NODES.get((code or "").strip().upper(), S.UNKNOWN)
