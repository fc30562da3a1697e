"""A team's days (the counters summaries are built from), its summary claims, and small global state."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.store.base import (
    CALLBACK_TTL,
    DayData,
    StoreBase,
    _json,
    _s,
    _with_customers,
)


class TeamOps(StoreBase):
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
