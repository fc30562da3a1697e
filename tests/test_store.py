"""The Redis store against a real server: what a customer's state looks like after messages arrive."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster

from bot.keys import Keys
from bot.redis_conn import connect
from bot.store import Client, CustomerRef, Store, StoreUnavailable, Whisper
from strategies.models import Event
from tests.conftest import TZ, free_port


@pytest.fixture(params=["single", "cluster", "sentinel"])
async def redis_client(
    request: pytest.FixtureRequest, redis_url: str, key_prefix: str
) -> AsyncIterator[Client]:
    """This module's tests run on one server, a three-node Redis Cluster, and through Redis Sentinel."""
    if request.param == "cluster":
        ports = request.getfixturevalue("redis_cluster")
        client = await connect(f"redis://127.0.0.1:{ports[0]}/0")
        assert isinstance(client, RedisCluster), "connect() switches to the cluster client by itself"
    elif request.param == "sentinel":
        client = await connect(
            f"redis+sentinel://127.0.0.1:{request.getfixturevalue('redis_sentinel')}/zhiyin/0"
        )
    else:
        client = await connect(redis_url)
    yield client
    if request.param == "cluster":
        keys = [k async for k in client.scan_iter(f"{key_prefix}:*")]
        for key in keys:
            await client.delete(key)
    await client.aclose()


TEAM = -100123
ALICE = CustomerRef("u42", "Alice <b>", "user")
NOON = datetime(2026, 11, 23, 12, 0, tzinfo=TZ)


async def record(
    store: Store,
    n: int,
    *,
    customer: CustomerRef = ALICE,
    at: datetime = NOON,
    agent: int = 7,
    burst: float = 0,
):
    return await store.record_message(
        TEAM, customer, update_id=n, agent_id=agent, text=f"message {n}", now=at, burst_seconds=burst
    )


async def test_messages_accumulate_in_order_and_are_capped(store: Store) -> None:
    for n in range(1, 8):
        rec = await record(store, n, at=NOON + timedelta(seconds=n))
        assert rec is not None
    assert rec.customer.messages == 7
    # history_limit=5 in the fixture: the oldest two are gone, the rest oldest-first
    assert [m.text for m in rec.customer.history] == [f"message {n}" for n in range(3, 8)]
    assert rec.customer.name == "Alice <b>"
    assert rec.customer.first_seen == NOON + timedelta(seconds=1)
    assert rec.customer.last_seen == NOON + timedelta(seconds=7)


async def test_the_same_update_is_recorded_once(store: Store) -> None:
    first = await record(store, 10)
    again = await record(store, 10)
    assert first is not None and first.is_new_customer
    assert again is None
    state = await store.load_customer(TEAM, ALICE.id)
    assert state is not None and state.messages == 1 and len(state.history) == 1


async def test_text_with_separators_survives(store: Store) -> None:
    text = "a|b|c\n第二行 | <i>"
    await store.record_message(TEAM, ALICE, update_id=1, agent_id=7, text=text, now=NOON, burst_seconds=0)
    state = await store.load_customer(TEAM, ALICE.id)
    assert state is not None and state.history[0].text == text


async def test_customer_keys_expire_after_retention(store: Store, redis_client: aioredis.Redis) -> None:
    await record(store, 1)
    for key in store.keys.customer_keys(TEAM, ALICE.id)[:2]:
        ttl = await redis_client.ttl(key)
        assert 29 * 86400 < ttl <= 30 * 86400


async def test_concurrent_messages_for_one_customer_lose_nothing(store: Store) -> None:
    results = await asyncio.gather(*(record(store, n) for n in range(1, 201)))
    assert all(r is not None for r in results)
    state = await store.load_customer(TEAM, ALICE.id)
    assert state is not None and state.messages == 200
    assert sum(1 for r in results if r and r.is_new_customer) == 1


async def test_many_customers_at_once_each_get_their_own_answer(store: Store) -> None:
    """Many customers' forwards at once (as a getUpdates batch starts them): each recorded once, where it
    belongs. (Forwards in flight together have no order among themselves, so none is asserted.)"""
    people = [CustomerRef(f"u{i}", f"客户{i}", "user") for i in range(20)]
    results = await asyncio.gather(
        *(record(store, 1000 + 20 * n + i, customer=c) for n in range(3) for i, c in enumerate(people))
    )
    assert all(r is not None for r in results)
    for i, person in enumerate(people):
        state = await store.load_customer(TEAM, person.id)
        assert state is not None and state.name == f"客户{i}" and state.messages == 3
        assert sorted(m.text for m in state.history) == [f"message {1000 + 20 * n + i}" for n in range(3)]


async def test_scripts_flushed_from_redis_are_loaded_again(store: Store, redis_client: Client) -> None:
    await record(store, 1)  # the script is loaded and its digest remembered
    await redis_client.script_flush()  # as after a restart or failover
    people = [CustomerRef(f"v{i}", f"v{i}", "user") for i in range(5)]
    results = await asyncio.gather(*(record(store, 10 + i, customer=c) for i, c in enumerate(people)))
    assert [r.customer.messages if r else None for r in results] == [1] * 5


async def test_redis_gone_fails_every_operation_cleanly(key_prefix: str) -> None:
    client = await connect(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    dead = Store(client, Keys(key_prefix), TZ)
    outcomes = await asyncio.gather(
        *(record(dead, n, customer=CustomerRef(f"w{n}", "w", "user")) for n in range(4)),
        return_exceptions=True,
    )
    assert all(isinstance(o, StoreUnavailable) for o in outcomes), outcomes
    await client.aclose()


async def test_burst_first_forward_sends_then_edits(store: Store) -> None:
    first = await record(store, 1, burst=8)
    assert first is not None and first.action == "send"
    # while the first whisper is being sent, another worker is told to wait for it
    racing = await record(store, 2, at=NOON + timedelta(seconds=1), burst=8)
    assert racing is not None and racing.action == "wait"
    await store.remember_whisper(
        TEAM, ALICE.id, Whisper(7, 7, 555, int(NOON.timestamp()), 1), now=NOON, route="private"
    )
    follow = await record(store, 3, at=NOON + timedelta(seconds=5), burst=8)
    assert follow is not None and follow.action == "edit"
    assert follow.whisper == Whisper(7, 7, 555, int(NOON.timestamp()), 1)
    # after the window closes a new whisper starts
    late = await record(store, 4, at=NOON + timedelta(seconds=30), burst=8)
    assert late is not None and late.action == "send"


async def test_burst_is_per_agent(store: Store) -> None:
    await record(store, 1, burst=8)
    await store.remember_whisper(
        TEAM, ALICE.id, Whisper(7, 7, 555, int(NOON.timestamp()), 1), now=NOON, route="private"
    )
    other_agent = await record(store, 2, agent=8, at=NOON + timedelta(seconds=1), burst=8)
    assert other_agent is not None and other_agent.action == "send"


async def test_daily_counters_follow_the_messages(store: Store) -> None:
    bob = CustomerRef("n:bob", "Bob", "name")
    for n, (cust, mood) in enumerate([(ALICE, "angry"), (ALICE, "neutral"), (bob, "angry")], start=1):
        rec = await record(store, n, customer=cust)
        assert rec is not None
        await store.save_outcome(
            TEAM,
            rec.customer,
            now=NOON,
            labels={"behavior": "bargainer", "mood": mood},
            agent_id=7,
            counters=["intent:bargain", f"mood:{mood}"],
            follow={"negative": mood == "angry"},
        )
    day = await store.day_data(TEAM, "20261123")
    assert day.stats["messages"] == 3
    assert day.stats["customers"] == 2 and day.stats["customers_new"] == 2
    assert day.stats["intent:bargain"] == 3 and day.stats["mood:angry"] == 2
    assert day.stats["agent:7"] == 3
    assert day.customers == {
        "u42": "bargainer|none|neutral|none|none",
        "n:bob": "bargainer|none|angry|none|none",
    }
    # Alice calmed down, Bob did not: only Bob is left on the follow-up list
    assert set(day.follow) == {"negative|n:bob"}
    assert await store.customer_names(TEAM) == {"u42": "Alice <b>", "n:bob": "Bob"}


async def test_returning_customer_counts_as_returning(store: Store) -> None:
    yesterday = NOON - timedelta(days=1)
    rec = await record(store, 1, at=yesterday)
    assert rec is not None
    rec = await record(store, 2)
    assert rec is not None
    await store.save_outcome(TEAM, rec.customer, now=NOON, labels={}, agent_id=7, counters=[], follow={})
    day = await store.day_data(TEAM, "20261123")
    assert day.stats["customers_returning"] == 1 and day.stats["customers_new"] == 0


async def test_local_midnight_splits_days(store: Store) -> None:
    late = datetime(2026, 11, 23, 23, 59, tzinfo=TZ)
    early = datetime(2026, 11, 24, 0, 1, tzinfo=TZ)
    for n, at in enumerate([late, early], start=1):
        rec = await record(store, n, at=at)
        assert rec is not None
        await store.save_outcome(TEAM, rec.customer, now=at, labels={}, agent_id=7, counters=[], follow={})
    stats = await store.day_stats(TEAM, ["20261123", "20261124"])
    assert stats["20261123"]["messages"] == 1 and stats["20261124"]["messages"] == 1


async def test_events_feed_the_nopay_list(store: Store) -> None:
    state = await store.add_event(TEAM, ALICE, Event(kind="order", at=NOON, amount=59.0))
    assert [e.kind for e in state.events] == ["order"] and state.events[0].amount == 59.0
    assert list(await store.nopay_list(TEAM)) == ["u42"]
    await store.add_event(TEAM, ALICE, Event(kind="paid", at=NOON + timedelta(hours=1)))
    assert await store.nopay_list(TEAM) == {}


async def test_forget_leaves_no_trace(store: Store, redis_client: aioredis.Redis, key_prefix: str) -> None:
    rec = await record(store, 1)
    assert rec is not None
    await store.save_outcome(
        TEAM,
        rec.customer,
        now=NOON,
        labels={"mood": "angry"},
        agent_id=7,
        counters=[],
        follow={"negative": True},
    )
    await store.add_event(TEAM, ALICE, Event(kind="order", at=NOON))
    assert await store.forget(TEAM, ALICE.id)
    leftovers = []
    async for key in redis_client.scan_iter(f"{key_prefix}:*"):
        if b"u42" in key:
            leftovers.append(key)
            continue
        kind = await redis_client.type(key)
        if kind == b"hash":
            fields = await redis_client.hkeys(key)
            leftovers += [(key, f) for f in fields if b"u42" in f]
        elif kind == b"zset":
            members = await redis_client.zrange(key, 0, -1)
            leftovers += [(key, m) for m in members if b"u42" in m]
    assert leftovers == []
    assert await store.load_customer(TEAM, ALICE.id) is None
    assert not await store.forget(TEAM, ALICE.id)


async def test_summary_claim_is_exactly_once(store: Store) -> None:
    claims = await asyncio.gather(*(store.claim_summary(TEAM, "20261123", f"worker{i}") for i in range(10)))
    assert claims.count(True) == 1


async def test_update_dedupe_for_other_updates(store: Store) -> None:
    assert await store.first_delivery(99)
    assert not await store.first_delivery(99)


async def test_a_redelivery_is_recognised_long_after_history_moved_on(store: Store) -> None:
    for n in range(1, 12):  # history_limit=5: update 1 left the history long ago
        assert await record(store, n) is not None
    assert await record(store, 1) is None
    state = await store.load_customer(TEAM, ALICE.id)
    assert state is not None and state.messages == 11
