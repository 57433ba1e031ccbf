"""Bulk tracking as tasks on a queue (saq on Redis): the worker, the enqueue API and progress.

    queue = TrackingQueue("redis://localhost:6379/0")     # or AsyncTrackingQueue, awaited
    queue.enqueue(["794600000001", ...], carrier="fedex")  # deduplicated by (account, number)
    print(queue.progress().counts)                         # numbers per state

    carriergate track-worker --config carriergate.toml --hook shop.tracking:on_update

``queue`` (the enqueue API and progress), ``worker`` (the saq worker and its task), ``batching``
(numbers of one account gathered into the carrier's batch size), ``policy`` (when a number is
refreshed), ``outcomes`` (what one attempt means for a number), ``records`` (per-number state and the
counts in Redis), ``jobs`` (saq job keys and settings), ``hooks``, ``connection`` (which Redis).
"""

from carriergate.workers.jobs import QueueSettings
from carriergate.workers.policy import RefreshPolicy
from carriergate.workers.queue import AsyncTrackingQueue, Progress, TrackingQueue
from carriergate.workers.worker import TrackingWorker, WorkerSettings

__all__ = ["AsyncTrackingQueue", "Progress", "QueueSettings", "RefreshPolicy", "TrackingQueue", "TrackingWorker",
           "WorkerSettings"]
