"""Customer and team state in Redis (DESIGN.md §5).

One forwarded message costs three round trips at most: :meth:`Store.record_message` (one Lua script:
dedupe, append, read back the customer), :meth:`Store.save_outcome` (one pipeline: the customer's new
labels and the team's daily counters) and :meth:`Store.remember_whisper` (one pipeline). Scripts are
atomic, so concurrent updates of one customer — from one process or several — never lose a count.

Redis failures surface as :class:`StoreUnavailable`, which the handlers turn into a whisper built from
the message alone.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import redis.asyncio as aioredis
from redis import exceptions as redis_errors
from redis.asyncio.cluster import RedisCluster

from bot.keys import Keys
from strategies.models import Event

Client = aioredis.Redis | RedisCluster
log = logging.getLogger(__name__)
T = TypeVar("T")

_LUA_DIR = Path(__file__).resolve().parent / "lua"
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


class Store:
    """Zhiyin's state in Redis. All methods raise :class:`StoreUnavailable` when Redis is down."""

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

    # one forwarded message ----------------------------------------------------------------------------
    async def record_message(
        self,
        team: int,
        customer: CustomerRef,
        *,
        update_id: int,
        agent_id: int,
        text: str,
        now: datetime,
        burst_seconds: float,
    ) -> Recorded | None:
        """Append a message to the customer's history (round trip 1). None if this update was seen."""
        entry = f"{update_id}|{epoch(now)}|{agent_id}|{text}"
        result = await self._eval(
            "record_message",
            self.keys.customer_keys(team, customer.id),
            [
                update_id,
                epoch(now),
                entry,
                self.history_limit,
                self.ttl,
                customer.name,
                customer.kind,
                agent_id,
                burst_seconds,
                DEDUPE_SECONDS,
            ],
        )
        if int(result[0]) == 0:
            return None
        _, is_new, _count, profile, history, events, action, whisper = result
        state = self._customer_state(customer.id, _pairs(profile), history, events)
        return Recorded(
            state, bool(int(is_new)), _s(action), Whisper.decode(_s(whisper) if whisper else None)
        )

    async def save_outcome(
        self,
        team: int,
        customer: CustomerState,
        *,
        now: datetime,
        labels: dict[str, str],
        agent_id: int,
        counters: Sequence[str],
        follow: dict[str, bool],
    ) -> None:
        """Count the message for the team's day, with the customer's labels (round trip 2).

        One script on the team's keys: one command where a pipeline would need a dozen, and a single
        slot, so Redis Cluster runs it too. New customers are a per-day set, so counting needs no read.
        """
        day = self.day_of(now)
        keys = [
            self.keys.day(team, day, "s"),
            self.keys.day(team, day, "c"),
            self.keys.day(team, day, "f"),
            self.keys.day(team, day, "n"),
            self.keys.names(team),
            self.keys.recent(team),
            self.keys.days(team),
        ]
        args: list[str | int] = [
            customer.id,
            customer.name,
            epoch(now),
            day,
            self.day_start(day),
            int(self.day_of(customer.first_seen) == day),
            "|".join(labels.get(d, "none") for d in LABEL_ORDER),
            self.day_ttl,
            " ".join(f"{name}:{int(on)}" for name, on in follow.items()),
            "messages",
            f"agent:{agent_id}",
            *counters,
        ]
        await self._eval("team_day", keys, args)

    async def flag_follow_ups(
        self, team: int, customer_id: str, *, now: datetime, follow: dict[str, bool]
    ) -> None:
        """Put a customer on (or take them off) the day's follow-up lists, e.g. after an event."""
        follow_key = self.keys.day(team, self.day_of(now), "f")

        async def run() -> None:
            pipe = self.client.pipeline(transaction=False)
            for name, on in follow.items():
                if on:
                    pipe.hset(follow_key, f"{name}|{customer_id}", epoch(now))
                else:
                    pipe.hdel(follow_key, f"{name}|{customer_id}")
            pipe.expire(follow_key, self.day_ttl)
            await pipe.execute()

        if follow:
            await self._guard(run)

    async def remember_whisper(
        self,
        team: int,
        customer_id: str,
        whisper: Whisper,
        *,
        now: datetime,
        route: str,
        callback: tuple[str, dict[str, Any]] | None = None,
    ) -> None:
        """Point the customer's burst at this whisper, count it, keep its buttons' payload (round trip 3).

        ``route`` is ``private``, ``group`` (fallback reply) or ``edit`` (a burst's whisper updated).
        """
        stats = self.keys.day(team, self.day_of(now), "s")

        async def run() -> None:
            pipe = self.client.pipeline(transaction=False)
            pipe.hset(self.keys.profile(team, customer_id), "w", whisper.encode())
            pipe.hdel(self.keys.profile(team, customer_id), "wp")
            pipe.hincrby(stats, f"whispers_{route}", 1)
            if callback is not None:
                token, payload = callback
                pipe.set(self.keys.callback(token), _json(payload), ex=CALLBACK_TTL)
                index = self.keys.customer_callbacks(team, customer_id)
                pipe.sadd(index, token)  # so /forget finds the payload that names the customer
                pipe.expire(index, CALLBACK_TTL)
            await pipe.execute()

        await self._guard(run)

    async def release_whisper_claim(self, team: int, customer_id: str) -> None:
        """Give up the claim to send a burst's whisper (sending failed), so the next forward sends."""
        await self._guard(lambda: self.client.hdel(self.keys.profile(team, customer_id), "wp"))

    async def current_whisper(self, team: int, customer_id: str) -> Whisper | None:
        raw = await self._guard(lambda: self.client.hget(self.keys.profile(team, customer_id), "w"))
        return Whisper.decode(_s(raw) if raw else None)

    # customers ------------------------------------------------------------------------------------------
    async def load_customer(self, team: int, customer_id: str) -> CustomerState | None:
        """A customer's stored state, or None when unknown (or expired)."""
        p, h, e, _ = self.keys.customer_keys(team, customer_id)

        async def run() -> list[Any]:
            pipe = self.client.pipeline(transaction=False)
            pipe.hgetall(p)
            pipe.lrange(h, 0, -1)
            pipe.lrange(e, 0, -1)
            return list(await pipe.execute())

        profile, history, events = await self._guard(run)
        if not profile:
            return None
        return self._customer_state(customer_id, {_s(k): _s(v) for k, v in profile.items()}, history, events)

    async def add_event(self, team: int, customer: CustomerRef, event: Event) -> CustomerState:
        """Record an event (order, paid, correction…) for a customer, creating them if needed."""
        p, h, e, _ = self.keys.customer_keys(team, customer.id)
        at = epoch(event.at)
        day = self.day_of(event.at)
        stats = self.keys.day(team, day, "s")

        async def run() -> None:
            pipe = self.client.pipeline(transaction=False)
            pipe.hsetnx(p, "first", at)
            pipe.hsetnx(p, "n", 0)
            pipe.hset(p, mapping={"name": customer.name, "kind": customer.kind, "last": at})
            pipe.rpush(e, event.model_dump_json(exclude_none=True))
            pipe.ltrim(e, -EVENTS_CAP, -1)
            for key in (p, h, e):
                pipe.expire(key, self.ttl)
            pipe.hset(self.keys.names(team), customer.id, customer.name)
            pipe.zadd(self.keys.recent(team), {customer.id: at})
            pipe.zadd(self.keys.days(team), {day: self.day_start(day)})
            pipe.hincrby(stats, f"event:{event.kind}", 1)
            if event.kind == "correction" and event.agent_id is not None:
                pipe.hincrby(stats, f"corrections:{event.agent_id}", 1)
            pipe.expire(stats, self.day_ttl)
            if event.kind == "order":
                pipe.zadd(self.keys.nopay(team), {customer.id: at}, nx=True)
            elif event.kind in ("paid", "cancel", "received"):
                pipe.zrem(self.keys.nopay(team), customer.id)
            await pipe.execute()

        await self._guard(run)
        state = await self.load_customer(team, customer.id)
        assert state is not None  # just written
        return state

    async def count_feedback(
        self, team: int, *, now: datetime, agent_id: int, dimension: str, agreed: bool
    ) -> None:
        """Count an agent's verdict on a classification (✓ agreed, ✎ corrected) for /stats and summaries."""
        stats = self.keys.day(team, self.day_of(now), "s")

        async def run() -> None:
            pipe = self.client.pipeline(transaction=False)
            pipe.hincrby(stats, f"{'agree' if agreed else 'disagree'}:{dimension}", 1)
            pipe.hincrby(stats, f"feedback:{agent_id}", 1)
            pipe.expire(stats, self.day_ttl)
            await pipe.execute()

        await self._guard(run)

    async def customer_names(self, team: int) -> dict[str, str]:
        """Customer id → display name for the team (for /find and fuzzy /customer)."""
        raw = await self._guard(lambda: self.client.hgetall(self.keys.names(team)))
        return {_s(k): _s(v) for k, v in raw.items()}

    async def last_seen(self, team: int, customer_ids: Sequence[str]) -> dict[str, int]:
        if not customer_ids:
            return {}
        scores = await self._guard(lambda: self.client.zmscore(self.keys.recent(team), list(customer_ids)))
        return {c: int(s) for c, s in zip(customer_ids, scores, strict=True) if s is not None}

    async def forget(self, team: int, customer_id: str) -> bool:
        """Delete every key of a customer and every mention in the team's lists. True if they existed.

        Button payloads that name the customer (whispers, pick lists, confirmations) go too: their tokens
        are indexed under the customer (:meth:`put_customer_callback`).
        """

        async def run() -> bool:
            index = self.keys.customer_callbacks(team, customer_id)
            tokens = [_s(t) for t in await self.client.smembers(index)]
            days = [_s(d) for d in await self.client.zrange(self.keys.days(team), 0, -1)]
            follow_fields: list[tuple[str, list[str]]] = []
            for day in days:
                fields = [_s(f) for f in await self.client.hkeys(self.keys.day(team, day, "f"))]
                follow_fields.append((day, [f for f in fields if f.split("|", 1)[-1] == customer_id]))
            pipe = self.client.pipeline(transaction=False)
            pipe.delete(*self.keys.customer_keys(team, customer_id))
            pipe.hdel(self.keys.names(team), customer_id)
            pipe.zrem(self.keys.recent(team), customer_id)
            pipe.zrem(self.keys.nopay(team), customer_id)
            for day, fields in follow_fields:
                pipe.hdel(self.keys.day(team, day, "c"), customer_id)
                pipe.srem(self.keys.day(team, day, "n"), customer_id)
                if fields:
                    pipe.hdel(self.keys.day(team, day, "f"), *fields)
            pipe.delete(index, self.keys.votes(team, customer_id))
            for token in tokens:  # callback keys live in other slots: one command each
                pipe.delete(self.keys.callback(token))
            results = await pipe.execute()
            return bool(results[0] or results[1])

        return await self._guard(run)

    async def prune_directory(self, team: int, now: datetime) -> int:
        """Forget what outlived retention in the team's lists; returns how many customers were dropped.

        A customer's own keys expire by TTL; the team's directory (names, last activity, unpaid
        orders) and its index of days and sent summaries are trimmed here, by the daily maintenance.
        """
        cutoff = epoch(now) - self.ttl
        old_days = epoch(now) - self.day_ttl
        oldest_day = self.day_of(datetime.fromtimestamp(old_days, self.tz))

        async def run() -> int:
            stale = [_s(c) for c in await self.client.zrangebyscore(self.keys.recent(team), "-inf", cutoff)]
            sent = [
                _s(d) for d in await self.client.hkeys(self.keys.summary_sent(team)) if _s(d) < oldest_day
            ]
            pipe = self.client.pipeline(transaction=False)
            if stale:
                pipe.hdel(self.keys.names(team), *stale)
                pipe.zrem(self.keys.recent(team), *stale)
                pipe.zrem(self.keys.nopay(team), *stale)
            if sent:
                pipe.hdel(self.keys.summary_sent(team), *sent)
            pipe.zremrangebyscore(self.keys.days(team), "-inf", old_days)
            await pipe.execute()
            return len(stale)

        return await self._guard(run)

    # team days ----------------------------------------------------------------------------------------------
    async def day_data(self, team: int, day: str) -> DayData:
        """One day of a team as counted when messages arrived (one round trip, no customer scanned)."""

        async def run() -> list[Any]:
            pipe = self.client.pipeline(transaction=False)
            for kind in ("s", "c", "f"):
                pipe.hgetall(self.keys.day(team, day, kind))
            pipe.scard(self.keys.day(team, day, "n"))
            return list(await pipe.execute())

        stats, custs, follow, new = await self._guard(run)
        return DayData(
            day=day,
            stats=_with_customers({_s(k): int(v) for k, v in stats.items()}, len(custs), int(new)),
            customers={_s(k): _s(v) for k, v in custs.items()},
            follow={_s(k): int(v) for k, v in follow.items()},
        )

    async def day_stats(self, team: int, days: Sequence[str]) -> dict[str, dict[str, int]]:
        """The counters of several days in one round trip (for comparisons and trends)."""

        async def run() -> list[Any]:
            pipe = self.client.pipeline(transaction=False)
            for day in days:
                pipe.hgetall(self.keys.day(team, day, "s"))
                pipe.hlen(self.keys.day(team, day, "c"))
                pipe.scard(self.keys.day(team, day, "n"))
            return list(await pipe.execute())

        rows = await self._guard(run)
        return {
            day: _with_customers(
                {_s(k): int(v) for k, v in rows[3 * i].items()}, int(rows[3 * i + 1]), int(rows[3 * i + 2])
            )
            for i, day in enumerate(days)
        }

    async def nopay_list(self, team: int) -> dict[str, int]:
        raw: list[Any] = await self._guard(
            lambda: self.client.zrange(self.keys.nopay(team), 0, -1, withscores=True)
        )
        return {_s(c): int(s) for c, s in raw}

    async def nopay_until(self, team: int, until: int, limit: int) -> tuple[int, list[tuple[str, int]]]:
        """Orders placed by ``until`` (epoch) and still unpaid: how many, and the ``limit`` oldest."""

        async def run() -> list[Any]:
            pipe = self.client.pipeline(transaction=False)
            pipe.zcount(self.keys.nopay(team), "-inf", until)
            pipe.zrangebyscore(self.keys.nopay(team), "-inf", until, start=0, num=limit, withscores=True)
            return list(await pipe.execute())

        total, oldest = await self._guard(run)
        return int(total), [(_s(c), int(s)) for c, s in oldest]

    async def names_of(self, team: int, customer_ids: Sequence[str]) -> dict[str, str]:
        """Display names of a few customers (one HMGET, never the whole directory)."""
        if not customer_ids:
            return {}
        ids = list(customer_ids)
        raw = await self._guard(lambda: self.client.hmget(self.keys.names(team), ids))
        return {c: _s(n) for c, n in zip(ids, raw, strict=True) if n is not None}

    async def claim_summary(self, team: int, day: str, owner: str) -> bool:
        """Claim the right to send ``day``'s summary for ``team``: exactly one caller ever gets True."""
        return bool(await self._guard(lambda: self.client.hsetnx(self.keys.summary_sent(team), day, owner)))

    async def summary_claimed(self, team: int, day: str) -> bool:
        return bool(await self._guard(lambda: self.client.hexists(self.keys.summary_sent(team), day)))

    async def release_summary(self, team: int, day: str, owner: str) -> bool:
        """Give the claim back (nothing could be sent), so a later check can retry; only the owner can."""
        return bool(await self._eval("release_claim", [self.keys.summary_sent(team)], [day, owner]))

    # commands and agents' feedback ----------------------------------------------------------------------
    async def put_customer_callback(
        self,
        token: str,
        payload: dict[str, Any],
        customers: Sequence[tuple[int, str]],
        ttl: int = CALLBACK_TTL,
    ) -> None:
        """Keep a button's payload that names ``customers`` (team, id), indexed so /forget removes it."""

        async def run() -> None:
            pipe = self.client.pipeline(transaction=False)
            pipe.set(self.keys.callback(token), _json(payload), ex=ttl)
            for team, customer_id in customers:
                index = self.keys.customer_callbacks(team, customer_id)
                pipe.sadd(index, token)
                pipe.expire(index, CALLBACK_TTL)
            await pipe.execute()

        await self._guard(run)

    async def drop_callback(self, token: str) -> None:
        """Delete a one-shot button's payload once it was used (the index entry expires by itself)."""
        await self._guard(lambda: self.client.delete(self.keys.callback(token)))

    async def claim_vote(self, team: int, customer_id: str, agent_id: int, version: str) -> bool:
        """True the first time ``agent_id`` confirms this ``version`` of a customer's classification."""
        votes = self.keys.votes(team, customer_id)

        async def run() -> bool:
            pipe = self.client.pipeline(transaction=False)
            pipe.hsetnx(votes, f"{agent_id}:{version}", 1)
            pipe.expire(votes, self.ttl)
            first, _ = await pipe.execute()
            return bool(first)

        return await self._guard(run)

    async def count_agreement(
        self, team: int, *, now: datetime, agent_id: int, dimensions: Sequence[str]
    ) -> None:
        """One ✓ press: agreement with each shown dimension, one piece of feedback from the agent."""
        stats = self.keys.day(team, self.day_of(now), "s")

        async def run() -> None:
            pipe = self.client.pipeline(transaction=False)
            for dimension in dimensions:
                pipe.hincrby(stats, f"agree:{dimension}", 1)
            pipe.hincrby(stats, f"feedback:{agent_id}", 1)
            pipe.expire(stats, self.day_ttl)
            await pipe.execute()

        await self._guard(run)

    # small global things -------------------------------------------------------------------------
    async def first_delivery(self, update_id: int, ttl: int = 86400) -> bool:
        """True the first time an update id is seen (Telegram redelivers webhooks)."""
        return bool(
            await self._guard(lambda: self.client.set(self.keys.update(update_id), 1, nx=True, ex=ttl))
        )

    async def put_callback(self, token: str, payload: dict[str, Any], ttl: int = CALLBACK_TTL) -> None:
        await self._guard(lambda: self.client.set(self.keys.callback(token), _json(payload), ex=ttl))

    async def get_callback(self, token: str) -> dict[str, Any] | None:
        raw = await self._guard(lambda: self.client.get(self.keys.callback(token)))
        if raw is None:
            return None
        try:
            value = json.loads(_s(raw))
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    async def user_setting(self, user_id: int, name: str) -> str | None:
        raw = await self._guard(lambda: self.client.hget(self.keys.user(user_id), name))
        return _s(raw) if raw is not None else None

    async def set_user_setting(self, user_id: int, name: str, value: str) -> None:
        await self._guard(lambda: self.client.hset(self.keys.user(user_id), name, value))

    async def cache_member(self, chat_id: int, user_id: int, status: str, ttl: int = 300) -> None:
        await self._guard(lambda: self.client.set(self.keys.member(chat_id, user_id), status, ex=ttl))

    async def cached_member(self, chat_id: int, user_id: int) -> str | None:
        raw = await self._guard(lambda: self.client.get(self.keys.member(chat_id, user_id)))
        return _s(raw) if raw is not None else None


def recent_days(day: str, count: int) -> list[str]:
    """``count`` days ending with ``day`` (oldest first), as YYYYMMDD."""
    d = datetime.strptime(day, "%Y%m%d").date()
    return [(d - timedelta(days=i)).strftime("%Y%m%d") for i in range(count - 1, -1, -1)]


def day_label(day: str) -> date:
    return datetime.strptime(day, "%Y%m%d").date()
