"""YunExpress (云途物流) open-platform adapter: price trial (rate), order create with its PDF label
(ship), cancel (void), tracking, order look-up by our reference (find_label) and tracking
subscriptions. Signed with an access token and HMAC-SHA256 (protocols/auth/yunexpress.py)."""

from carriergate.carriers.yunexpress.account import YunExpressAccount
from carriergate.carriers.yunexpress.carrier import YunExpress

__all__ = ["YunExpress", "YunExpressAccount"]
