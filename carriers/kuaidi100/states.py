"""Kuaidi100's ``state`` codes (快递单当前状态) and sub-states, mapped to our closed set of statuses.

The main states are documented for every answer; with ``resultv2`` 4 (subscriptions) or 6 (the 2024
query document) each event also carries a sub-state (``statusCode``, 高级状态) and the answer's
``state`` may be one. The raw code is always kept beside the status (``TrackingInfo.raw_status``,
``TrackingEvent.codes``); an unknown code is status ``unknown``, never an error.

Sources, checked: the 运单快递状态 table of the 实时快递查询 document (apifox project 514987,
api-8562559) lists 1 揽收 with 101 已下单, 102 待揽收, 103 已揽收; 0 在途 with 1001 到达派件城市, 1002 干线,
1003 转递; 5 派件 with 501 投柜或驿站; 3 签收 with 301 本人签收, 302 派件异常后签收, 303 代签, 304 投柜或站签收;
6 退回; 4 退签 with 401 已销单 and 14 拒签 (收件人拒签快件); 7 转投. The state list of the same document
names 2 疑难 and 10 待清关, 11 清关中, 12 已清关, 13 清关异常; the push document names 8 清关. Not seen in
an official excerpt (the table was cut off there): the 疑难 sub-states 201 超时未签收, 202 超时未更新, 203 拒收,
204 派件异常, 205 柜或驿站超时未取, 206 无法联系, 207 超区, 208 滞留, 209 破损, 210 销单 - a third-party enum
of Kuaidi100's states lists exactly these, so they are kept, unconfirmed. 14 (拒签) is mapped to
``exception`` (the recipient refused; the parcel is not back yet), though the table groups it under 4.

=====  ============================  ==================  ======================================
code   Kuaidi100                     status              sub-states
=====  ============================  ==================  ======================================
0      在途 in transit                in_transit          1001 到达派件城市, 1002 干线, 1003 转递
1      揽收 picked up                 in_transit          101 已下单, 102 待揽收 (pre_transit); 103
2      疑难 problem                   exception           204 派件异常, 206 无法联系
                                                         (delivery_attempted); 210 销单 (cancelled)
3      签收 signed                    delivered           301 本人, 302 异常后签收, 303 代签, 304 投柜
4      退签 refused, back at sender   returned_to_sender  401 已销单 (cancelled)
5      派件 out for delivery          out_for_delivery    501 投柜或驿站 (available_for_pickup)
6      退回 returning to sender       returned_to_sender
7      转投 transferred               in_transit
8      清关 customs                   in_transit
10-12  待清关/清关中/已清关 customs     in_transit
13     清关异常 customs problem        exception
14     拒签 rejected by the recipient exception
=====  ============================  ==================  ======================================
"""

from __future__ import annotations

from carriergate.core.tracking import TrackingStatus

_S = TrackingStatus
STATES: dict[str, TrackingStatus] = {
    **dict.fromkeys(("0", "1001", "1002", "1003"), _S.IN_TRANSIT),
    **dict.fromkeys(("1", "103"), _S.IN_TRANSIT),
    **dict.fromkeys(("101", "102"), _S.PRE_TRANSIT),
    **dict.fromkeys(("2", "201", "202", "203", "205", "207", "208", "209"), _S.EXCEPTION),
    **dict.fromkeys(("204", "206"), _S.DELIVERY_ATTEMPTED),
    **dict.fromkeys(("210", "401"), _S.CANCELLED),
    **dict.fromkeys(("3", "301", "302", "303", "304"), _S.DELIVERED),
    **dict.fromkeys(("4", "6"), _S.RETURNED_TO_SENDER),
    "5": _S.OUT_FOR_DELIVERY,
    "501": _S.AVAILABLE_FOR_PICKUP,
    **dict.fromkeys(("7", "8", "10", "11", "12"), _S.IN_TRANSIT),
    **dict.fromkeys(("13", "14"), _S.EXCEPTION),
}
#: The main state's name as an event's ``status`` gives it when no code is there.
NAMES: dict[str, str] = {"在途": "0", "揽收": "1", "疑难": "2", "签收": "3", "退签": "4", "派件": "5", "退回": "6",
                         "转投": "7", "转单": "7", "清关": "8", "待清关": "10", "清关中": "11", "已清关": "12",
                         "清关异常": "13", "拒签": "14"}


def status_for(code: str | None) -> TrackingStatus:
    return STATES.get((code or "").strip(), TrackingStatus.UNKNOWN)


def code_for_name(name: str | None) -> str | None:
    """The main state code of a state's name (``"签收"`` -> ``"3"``), None when unknown."""
    return NAMES.get((name or "").strip())
