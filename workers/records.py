"""The per-number records and the counts per state, in Redis, next to the queue's own keys.

Two hashes under ``carriergate:tracking:{queue}``:

- ``numbers``: field ``{account}:{number}`` (a tracking number holds no ``:``), value the
  :class:`NumberRecord` as compact JSON: what makes an enqueue of a known number a no-op, and what
  tells a job re-run after a crash that it is stale;
- ``counts``: field a state, value how many numbers are in it: ``progress()`` is one HGETALL, never a
  scan over a million numbers.

Both change only through the Lua scripts below, so a record and its count move together (Redis runs
a script atomically) and two workers racing on one number cannot both win.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.asyncio import Redis

from carriergate.workers.outcomes import PENDING, STATES, NumberRecord

PREFIX = "carriergate:tracking"

#: KEYS: numbers, counts. ARGV: the pending record, then fields. New fields get the pending record;
#: returns how many were new.
_ADD = """
local added = 0
for i = 2, #ARGV do
    added = added + redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[1])
end
if added > 0 then redis.call('HINCRBY', KEYS[2], 'pending', added) end
return added
"""

#: KEYS: numbers, counts. ARGV: field, new record, its generation, its state. Stores the record only
#: if the stored one is of an older generation (or missing), moving the count from the old state to
#: the new one; returns 1 if stored, 0 if a newer generation was there already.
_ADVANCE = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
local old_state = false
if old then
    local rec = cjson.decode(old)
    if tonumber(rec['g']) >= tonumber(ARGV[3]) then return 0 end
    old_state = rec['s']
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if old_state ~= ARGV[4] then
    if old_state then redis.call('HINCRBY', KEYS[2], old_state, -1) end
    redis.call('HINCRBY', KEYS[2], ARGV[4], 1)
end
return 1
"""


def field(account: str, number: str) -> str:
    return f"{account}:{number}"


class RecordStore:
    """The records and counts of one queue, on an asyncio Redis client the caller owns."""

    def __init__(self, redis: Redis, queue_name: str) -> None:
        self.redis = redis
        base = f"{PREFIX}:{queue_name}"
        self.numbers_key = f"{base}:numbers"
        self.counts_key = f"{base}:counts"
        self._add = redis.register_script(_ADD)
        self._advance = redis.register_script(_ADVANCE)

    async def known(self, account: str, numbers: Sequence[str]) -> list[bool]:
        """For each number, whether the queue holds a record of it already."""
        if not numbers:
            return []
        found: list[Any] = await self.redis.hmget(self.numbers_key, [field(account, n) for n in numbers])
        return [value is not None for value in found]

    async def add(self, account: str, numbers: Sequence[str]) -> int:
        """Record ``numbers`` as pending where they are new; how many were."""
        if not numbers:
            return 0
        pending = NumberRecord().dumps()
        added = await self._add(keys=[self.numbers_key, self.counts_key],
                                args=[pending, *(field(account, n) for n in numbers)])
        return int(added)

    async def record(self, account: str, number: str) -> NumberRecord | None:
        raw = await self.redis.hget(self.numbers_key, field(account, number))
        return None if raw is None else NumberRecord.loads(raw)

    async def advance(self, account: str, number: str, record: NumberRecord) -> bool:
        """Store ``record`` unless a newer generation is stored already (then False)."""
        stored = await self._advance(keys=[self.numbers_key, self.counts_key],
                                     args=[field(account, number), record.dumps(), record.generation, record.state])
        return bool(stored)

    async def counts(self) -> dict[str, int]:
        """How many numbers are in each state (every state named, zero included)."""
        raw: dict[Any, Any] = await self.redis.hgetall(self.counts_key)
        found = {(k.decode() if isinstance(k, bytes) else str(k)): int(v) for k, v in raw.items()}
        ordered = {state: found.pop(state, 0) for state in STATES}
        return {**ordered, **found}


__all__ = ["PENDING", "PREFIX", "RecordStore", "field"]
