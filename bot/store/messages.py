"""One forwarded message's round trips: record it, count it for the team's day, point at its whisper."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.store.base import (
    CALLBACK_TTL,
    DEDUPE_SECONDS,
    LABEL_ORDER,
    CustomerRef,
    CustomerState,
    Recorded,
    StoreBase,
    Whisper,
    _json,
    _pairs,
    _s,
    epoch,
)


class MessageOps(StoreBase):
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
            if callback is not None:  # no index needed: /forget derives the token (keys.whisper_token)
                token, payload = callback
                pipe.set(self.keys.callback(token), _json(payload), ex=CALLBACK_TTL)
            await pipe.execute()

        await self._guard(run)

    async def release_whisper_claim(self, team: int, customer_id: str) -> None:
        """Give up the claim to send a burst's whisper (sending failed), so the next forward sends."""
        await self._guard(lambda: self.client.hdel(self.keys.profile(team, customer_id), "wp"))

    async def current_whisper(self, team: int, customer_id: str) -> Whisper | None:
        raw = await self._guard(lambda: self.client.hget(self.keys.profile(team, customer_id), "w"))
        return Whisper.decode(_s(raw) if raw else None)
