"""The store's part of commands and feedback: button payloads /forget can find, ✓ counted once."""

from __future__ import annotations

from datetime import datetime

from bot.keys import whisper_token
from bot.store import Client, CustomerRef, Store, Whisper
from tests.conftest import TZ

TEAM = -100123
BOB = CustomerRef("u77", "Bob", "user")
EVE = CustomerRef("u88", "Eve", "user")
NOON = datetime(2026, 11, 23, 12, 0, tzinfo=TZ)


async def test_forget_removes_every_button_payload_naming_the_customer(
    store: Store, redis_client: Client
) -> None:
    for n, who in enumerate((BOB, EVE), start=1):
        rec = await store.record_message(
            TEAM, who, update_id=n, agent_id=7, text="hi", now=NOON, burst_seconds=0
        )
        assert rec is not None
        await store.remember_whisper(
            TEAM,
            who.id,
            Whisper(7, 7, n, 0, 1),
            now=NOON,
            route="private",
            callback=(whisper_token(TEAM, who.id), {"team": TEAM, "customer": who.id, "name": who.name}),
        )
    both = [(TEAM, BOB.id), (TEAM, EVE.id)]
    await store.put_customer_callback("pick", {"o": [[TEAM, BOB.id, "Bob"], [TEAM, EVE.id, "Eve"]]}, both)
    assert await store.claim_vote(TEAM, BOB.id, 7, "1.0")
    assert await store.forget(TEAM, BOB.id)
    assert await store.get_callback(whisper_token(TEAM, BOB.id)) is None
    assert await store.get_callback("pick") is None
    assert await store.get_callback(whisper_token(TEAM, EVE.id)) is not None, "Eve's whisper still works"
    bob_keys = [k async for k in redis_client.scan_iter(f"{store.keys.customer_tag(TEAM, BOB.id)}*")]
    assert bob_keys == []


async def test_a_confirmation_counts_once_per_agent_and_version(store: Store) -> None:
    assert await store.claim_vote(TEAM, BOB.id, 7, "3.0")
    assert not await store.claim_vote(TEAM, BOB.id, 7, "3.0")
    assert await store.claim_vote(TEAM, BOB.id, 8, "3.0"), "another agent"
    assert await store.claim_vote(TEAM, BOB.id, 7, "4.0"), "a newer classification"
    await store.count_agreement(TEAM, now=NOON, agent_id=7, dimensions=["behavior", "mood"])
    day = await store.day_data(TEAM, store.day_of(NOON))
    assert day.stats == {"agree:behavior": 1, "agree:mood": 1, "feedback:7": 1}
