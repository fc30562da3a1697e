"""The store's foundations: the client, the breaker that turns an outage into :class:`StoreUnavailable`,
Lua script loading, and the records the store returns."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import redis.asyncio as aioredis
from redis import exceptions as redis_errors
from redis.asyncio.cluster import RedisCluster

from bot.keys import Keys
from strategies.models import Event

Client = aioredis.Redis | RedisCluster
log = logging.getLogger("bot.store")
T = TypeVar("T")

_LUA_DIR = Path(__file__).resolve().parents[1] / "lua"
#: Events kept per customer: enough for value tiers and a year of corrections, small in memory.
EVENTS_CAP = 200
#: Day keys outlive the day by this much: the summary compares with the previous day and 7-day average.
DAY_KEY_DAYS = 40
#: Redelivered updates are recognised for this long (Telegram keeps undelivered updates for a day).
DEDUPE_SECONDS = 86400
#: The order of labels in a day's customer hash ("behavior|personality|mood|value|shopper").
LABEL_ORDER = ("behavior", "personality", "mood", "value", "shopper")
#: Whisper buttons keep working this long after the whisper was last updated.
CALLBACK_TTL = 7 * 86400
#: After Redis is found down, operations fail fast for this long before it is tried again, so a dead
#: Redis costs one timeout per few seconds rather than one per message.
BREAKER_SECONDS = 2.0
UNAVAILABLE = (
    redis_errors.ConnectionError,
    redis_errors.TimeoutError,
    redis_errors.BusyLoadingError,
    redis_errors.ReadOnlyError,
    redis_errors.ClusterDownError,
    redis_errors.TryAgainError,
    OSError,
)


class StoreUnavailable(RuntimeError):
    """Redis cannot be reached right now (down, loading, failing over)."""


@dataclass(frozen=True)
class CustomerRef:
    """Who a message is from: a stable id within the team, a display name and how we know them."""

    id: str
    name: str
    kind: str  # user | name | chat


@dataclass(frozen=True)
class StoredMessage:
    """One history entry."""

    update_id: int
    at: datetime
    agent_id: int
    text: str


@dataclass(frozen=True)
class Whisper:
    """Where the current whisper of a burst is, so further forwards edit it."""

    agent_id: int
    chat_id: int
    message_id: int
    updated_at: int
    messages: int

    def encode(self) -> str:
        return f"{self.agent_id}|{self.chat_id}|{self.message_id}|{self.updated_at}|{self.messages}"

    @classmethod
    def decode(cls, raw: str | None) -> Whisper | None:
        if not raw:
            return None
        try:
            a, c, m, t, n = raw.split("|")
            return cls(int(a), int(c), int(m), int(t), int(n))
        except ValueError:
            return None


@dataclass(frozen=True)
class CustomerState:
    """A customer as stored: profile fields, history (oldest first) and events."""

    id: str
    name: str
    kind: str
    first_seen: datetime
    last_seen: datetime
    messages: int
    fields: dict[str, str]
    history: tuple[StoredMessage, ...]
    events: tuple[Event, ...]


@dataclass(frozen=True)
class Recorded:
    """What :meth:`Store.record_message` returns for a new (not duplicate) message."""

    customer: CustomerState
    is_new_customer: bool
    action: str  # send | edit | wait
    whisper: Whisper | None


@dataclass
class DayData:
    """One team's day as kept by the counters: no customer was scanned to build it."""

    day: str
    stats: dict[str, int] = field(default_factory=dict)
    customers: dict[str, str] = field(default_factory=dict)
    follow: dict[str, int] = field(default_factory=dict)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _with_customers(stats: dict[str, int], customers: int, new: int) -> dict[str, int]:
    """Add the day's customer counts (kept as a hash and a set, not counters) to its counters."""
    if customers:
        stats.update(customers=customers, customers_new=new, customers_returning=customers - new)
    return stats


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _pairs(flat: Sequence[Any]) -> dict[str, str]:
    return {_s(flat[i]): _s(flat[i + 1]) for i in range(0, len(flat) - 1, 2)}


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def parse_history_entry(raw: str, tz: ZoneInfo) -> StoredMessage | None:
    """Parse "update_id|epoch|agent_id|text"; None for a corrupt entry (it is skipped, not fatal)."""
    try:
        uid, ts, agent, text = raw.split("|", 3)
        return StoredMessage(int(uid), datetime.fromtimestamp(int(ts), tz), int(agent), text)
    except ValueError:
        return None


def parse_event(raw: str) -> Event | None:
    try:
        return Event.model_validate_json(raw)
    except ValueError:
        return None


class StoreBase:
    """The connection, the breaker and script loading that every part of the store builds on."""

    def __init__(
        self,
        client: Client,
        keys: Keys,
        tz: ZoneInfo,
        *,
        history_limit: int = 20,
        retention_days: int = 90,
    ) -> None:
        self.client = client
        self.keys = keys
        self.tz = tz
        self.history_limit = history_limit
        self.ttl = retention_days * 86400
        #: A day's keys list customers, so they never outlive retention either.
        self.day_ttl = min(DAY_KEY_DAYS * 86400, self.ttl)
        self._scripts = {p.stem: p.read_text(encoding="utf-8") for p in _LUA_DIR.glob("*.lua")}
        self._shas: dict[str, str] = {}
        self._down_since: float | None = None
        self._retry_at = 0.0
        #: Operations that found Redis down (exported as a metric).
        self.failures = 0

    # plumbing -------------------------------------------------------------------------------------
    async def _guard(self, make: Callable[[], Awaitable[T]]) -> T:
        """Run a Redis operation; fail fast for a while once Redis is found down (the breaker)."""
        if self._down_since is not None and time.monotonic() < self._retry_at:
            raise StoreUnavailable("Redis unavailable (waiting before the next attempt)")
        try:
            result = await make()
        except UNAVAILABLE as exc:
            if self._down_since is None:
                self._down_since = time.monotonic()
                log.warning(
                    "redis unavailable; whispers continue without profiles",
                    extra={"error": type(exc).__name__},
                )
            self._retry_at = time.monotonic() + BREAKER_SECONDS
            self.failures += 1
            raise StoreUnavailable(f"Redis unavailable: {type(exc).__name__}") from exc
        if self._down_since is not None:
            log.warning(
                "redis available again", extra={"down_seconds": round(time.monotonic() - self._down_since, 1)}
            )
            self._down_since = None
        return result

    @property
    def available(self) -> bool:
        """False while the breaker is open (Redis was found down moments ago)."""
        return self._down_since is None

    async def _sha(self, name: str) -> str:
        if name not in self._shas:
            self._shas[name] = _s(await self.client.script_load(self._scripts[name]))
        return self._shas[name]

    async def _eval(self, name: str, keys: Sequence[str], args: Sequence[Any]) -> Any:
        async def run() -> Any:
            try:
                return await self.client.evalsha(await self._sha(name), len(keys), *keys, *args)
            except redis_errors.NoScriptError:  # Redis restarted or failed over: load again, once
                self._shas.pop(name, None)
                return await self.client.evalsha(await self._sha(name), len(keys), *keys, *args)

        return await self._guard(run)

    async def ping(self) -> bool:
        """Whether Redis answers now (bypasses the breaker, and closes it when Redis is back)."""
        self._retry_at = 0.0
        try:
            return bool(await self._guard(lambda: self.client.ping()))
        except (StoreUnavailable, redis_errors.RedisError):
            return False

    def day_of(self, moment: datetime) -> str:
        return moment.astimezone(self.tz).strftime("%Y%m%d")

    def day_start(self, day: str) -> int:
        d = datetime.strptime(day, "%Y%m%d").replace(tzinfo=self.tz)
        return epoch(d)

    def _customer_state(
        self, customer_id: str, profile: dict[str, str], history: Sequence[Any], events: Sequence[Any]
    ) -> CustomerState:
        parsed = [parse_history_entry(_s(h), self.tz) for h in history]
        msgs = tuple(reversed([m for m in parsed if m is not None]))
        evs = tuple(e for e in (parse_event(_s(x)) for x in events) if e is not None)
        first = int(profile.get("first", "0") or 0)
        last = int(profile.get("last", first) or first)
        return CustomerState(
            id=customer_id,
            name=profile.get("name", customer_id),
            kind=profile.get("kind", ""),
            first_seen=datetime.fromtimestamp(first, self.tz),
            last_seen=datetime.fromtimestamp(last, self.tz),
            messages=int(profile.get("n", "0") or 0),
            fields=profile,
            history=msgs,
            events=evs,
        )
