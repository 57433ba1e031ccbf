"""Tracking webhooks: ``POST /webhooks/{account}`` receives a carrier's pushes for a subscription.

Each push is handed to the account's carrier (a :class:`~carriergate.core.subscriptions.PushReceiver`),
which checks its signature before reading it, in constant time (Kuaidi100: ``md5(param + salt)`` of a
subscription's push; SF Express: the route push's ``msgDigest`` of ``msgData + timestamp`` under the
account's checkword, pushed to the URL configured at 丰桥 with no subscription call). A push that does
not verify is answered 401 and never reaches the application. A verified one
is normalised to :class:`~carriergate.core.subscriptions.TrackingUpdate` values and each is given to
the user's hook once: the same update pushed again (a carrier retries when it missed our answer) is
acknowledged without calling the hook a second time. The answer is the carrier's required
acknowledgement (Kuaidi100 ``{"result": true, "returnCode": "200", ...}``, SF ``{"return_code": "0000",
"return_msg": "成功"}``). When the hook raises, the push is answered 500 and not remembered, so the carrier
pushes it again later.

When a carrier stops watching a parcel and documents that subscribing again after a delay resumes
it (Kuaidi100's ``abort``: half an hour), a receiver given ``resubscribe_url`` (``{account}`` is
replaced by the account's name) subscribes the number again after that delay, in the background of
the serving event loop. Such a pending re-subscription lives in memory only: a restart forgets it.

    async def on_update(update: TrackingUpdate) -> None: ...
    app = create_app(gateway, webhooks=WebhookReceiver(gateway, on_update))

or from the command line: ``carriergate serve --on-update myshop.tracking:on_update``.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from carriergate.core.errors import AuthenticationError, CarrierError, ConfigurationError
from carriergate.core.subscriptions import PushAnswer, PushReceiver, TrackingUpdate
from carriergate.gateway.gateways import AsyncGateway

logger = logging.getLogger("carriergate.checkout.webhooks")

Hook = Callable[[TrackingUpdate], Awaitable[None] | None]
#: How many update keys are remembered to recognise repeats (oldest forgotten first).
DEFAULT_MEMORY = 100_000


class SeenUpdates:
    """The keys of updates already handed to the hook, oldest forgotten first past ``size``. Replace it
    with a shared store (same two methods) when several processes serve the webhook."""

    def __init__(self, size: int = DEFAULT_MEMORY) -> None:
        if size < 1:
            raise ValueError("size must be positive")
        self.size = size
        self._keys: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def add(self, key: str) -> None:
        self._keys[key] = None
        self._keys.move_to_end(key)
        while len(self._keys) > self.size:
            self._keys.popitem(last=False)


class WebhookReceiver:
    """Reads pushes for the accounts of ``gateway`` and hands each new update to ``hook``."""

    def __init__(self, gateway: AsyncGateway, hook: Hook, *, seen: SeenUpdates | None = None,
                 resubscribe_url: str | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.gateway = gateway
        self.hook = hook
        self.seen = seen or SeenUpdates()
        self.resubscribe_url = resubscribe_url
        self._sleep = sleep
        self._lock = asyncio.Lock()
        #: Re-subscriptions waiting for their delay (kept referenced until done).
        self.pending: set[asyncio.Task[None]] = set()

    def _resubscribe_later(self, account: str, update: TrackingUpdate) -> None:
        if self.resubscribe_url is None or update.resubscribe_after is None:
            return
        url = self.resubscribe_url.replace("{account}", account)
        task = asyncio.get_running_loop().create_task(self._resubscribe(account, update, url),
                                                      name=f"carriergate-resubscribe-{account}")
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _resubscribe(self, account: str, update: TrackingUpdate, url: str) -> None:
        await self._sleep(update.resubscribe_after or 0.0)
        number = update.info.tracking_number
        try:
            await self.gateway.subscribe(number, carrier=account, callback_url=url)
        except CarrierError as exc:
            logger.warning("webhook %s: re-subscribing %s failed: %s", account, number, exc)
        else:
            logger.info("webhook %s: %s subscribed again after %s", account, number, update.monitor)

    def _receiver(self, account: str) -> PushReceiver | None:
        if account not in self.gateway.accounts:
            return None
        carrier = self.gateway.carrier(account).carrier
        return carrier if isinstance(carrier, PushReceiver) else None

    async def receive(self, account: str, body: bytes, content_type: str) -> PushAnswer:
        """The answer to one push for ``account``."""
        receiver = self._receiver(account)
        if receiver is None:
            return PushAnswer(404, {"error": "not_found", "message": f"no account {account!r} receives pushes"})
        try:
            updates = receiver.read_push(body, content_type)
        except AuthenticationError as exc:
            logger.warning("webhook %s: push refused: %s", account, exc.message)
            return receiver.push_answer(False, "signature does not verify", 401)
        except ConfigurationError as exc:
            logger.error("webhook %s: cannot verify pushes: %s", account, exc.message)
            return receiver.push_answer(False, "receiver misconfigured", 500)
        except CarrierError as exc:
            logger.warning("webhook %s: push unreadable: %s", account, exc.message)
            return receiver.push_answer(False, "push unreadable", 400)
        async with self._lock:  # one push at a time: a repeat arriving meanwhile waits, then is seen
            for update in updates:
                if update.key and update.key in self.seen:
                    logger.info("webhook %s: repeated update for %s ignored", account, update.info.tracking_number)
                    continue
                try:
                    result: Any = self.hook(update)
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    logger.exception("webhook %s: the hook failed on %s", account, update.info.tracking_number)
                    return receiver.push_answer(False, "hook failed", 500)
                if update.key:
                    self.seen.add(update.key)
                self._resubscribe_later(account, update)
        return receiver.push_answer(True)


__all__ = ["DEFAULT_MEMORY", "Hook", "SeenUpdates", "WebhookReceiver"]
