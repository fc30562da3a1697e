"""A customer's stored state: loading, events, lookup, feedback on their whispers, and forgetting them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.keys import whisper_token
from bot.store.base import (
    CALLBACK_TTL,
    EVENTS_CAP,
    CustomerRef,
    CustomerState,
    StoreBase,
    _json,
    _s,
    epoch,
)
from strategies.models import Event


class CustomerOps(StoreBase):
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

        Button payloads that name the customer go too: the whisper buttons' (its token is derived from
        the customer) and those of pick lists and confirmations (indexed by :meth:`put_customer_callback`).
        """

        async def run() -> bool:
            index = self.keys.customer_callbacks(team, customer_id)
            tokens = [_s(t) for t in await self.client.smembers(index)] + [whisper_token(team, customer_id)]
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
