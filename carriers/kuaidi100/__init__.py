"""Kuaidi100 (快递100): tracking across hundreds of Chinese couriers by one account, and subscriptions
whose signed pushes the checkout webhook reads.

Operations: track (real-time query ``poll/query.do``, MD5-signed; the courier is the call's
``company``, the account's, the number's printed prefix, or detected with ``/autonumber/auto``),
detect (that detection alone), subscribe (``poll``, with ``callbackurl`` and ``salt``), and
read_push (a push, verified by ``md5(param + salt)``), and estimate_price (the business API ``price``,
signed ``md5(param + t + key + secret)``; not yet the declared RATE operation). Labels, orders and
courier pickups are not implemented yet: those operations raise NotSupported.
"""

from carriergate.carriers.kuaidi100.account import Kuaidi100Account
from carriergate.carriers.kuaidi100.autonumber import Candidate
from carriergate.carriers.kuaidi100.carrier import Kuaidi100
from carriergate.carriers.kuaidi100.companies import COMPANIES, PHONE_REQUIRED, guess
from carriergate.carriers.kuaidi100.push import parse_push, push_sign, verify_push

__all__ = ["COMPANIES", "PHONE_REQUIRED", "Candidate", "Kuaidi100", "Kuaidi100Account", "guess", "parse_push",
           "push_sign", "verify_push"]
