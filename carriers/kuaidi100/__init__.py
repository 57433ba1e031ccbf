"""Kuaidi100 (快递100): tracking across hundreds of Chinese couriers by one account, and subscriptions
whose signed pushes the checkout webhook reads.

Operations: track (real-time query ``poll/query.do``, MD5-signed; the courier is the call's
``company``, the account's, the number's printed prefix, or detected with ``/autonumber/auto``),
detect (that detection alone), subscribe (``poll``, with ``callbackurl`` and ``salt``), and
read_push (a push, verified by ``md5(param + salt)``); and the business APIs, signed ``md5(param + t +
key + secret)``: rate (商家寄件 ``price`` per listed courier, with the ``time`` delivery estimate), ship
and void (电子面单 ``label/order`` order and cancel, the label image fetched from its link), and
schedule_pickup / cancel_pickup (商家寄件 ``bOrder`` and ``cancel``).
"""

from carriergate.carriers.kuaidi100.account import Kuaidi100Account, WaybillAccount
from carriergate.carriers.kuaidi100.autonumber import Candidate
from carriergate.carriers.kuaidi100.carrier import Kuaidi100
from carriergate.carriers.kuaidi100.companies import COMPANIES, PHONE_REQUIRED, guess
from carriergate.carriers.kuaidi100.push import parse_push, push_sign, verify_push

__all__ = [
           "COMPANIES",
           "PHONE_REQUIRED",
           "Candidate",
           "Kuaidi100",
           "Kuaidi100Account",
           "WaybillAccount",
           "guess",
           "parse_push",
           "push_sign",
           "verify_push",
]
