"""The message/event pipeline against a real Redis: what gets stored for the summary and the whisper."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.pipeline import Pipeline
from bot.settings import load_settings
from bot.store import CustomerRef, Store
from strategies.models import Event
from tests.conftest import TZ
from tests.harness import domain

TEAM = -100777
NOON = datetime(2026, 11, 23, 12, 0, tzinfo=TZ)
MEI = CustomerRef("n:mei", "Mei", "name")


def pipeline(store: Store) -> Pipeline:
    return Pipeline(load_settings(_env_file=None), store, domain())


async def test_second_paid_order_makes_a_repeat_customer_flagged_once(store: Store) -> None:
    p = pipeline(store)
    _, profile = await p.record_event(TEAM, MEI, Event(kind="paid", at=NOON - timedelta(days=30)))
    assert profile.value.label == "one_time"
    _, profile = await p.record_event(TEAM, MEI, Event(kind="paid", at=NOON))
    assert profile.value.label == "captive"
    _, profile = await p.record_event(TEAM, MEI, Event(kind="received", at=NOON + timedelta(hours=1)))
    day = await store.day_data(TEAM, "20261123")
    assert set(day.follow) == {"repeat|n:mei"}
    assert day.stats["event:paid"] == 1 and "messages" not in day.stats, "events are not messages"


async def test_a_referral_makes_a_vip_candidate(store: Store) -> None:
    _, profile = await pipeline(store).record_event(TEAM, MEI, Event(kind="referral", at=NOON))
    assert profile.value.label == "vip"
    assert "vip|n:mei" in (await store.day_data(TEAM, "20261123")).follow


async def test_message_then_correction_changes_the_next_whisper(store: Store) -> None:
    p = pipeline(store)
    first = await p.handle(
        team=TEAM, customer=MEI, text="请问这款有货吗", agent_id=7, update_id=1, now=NOON, lang="zh-Hans"
    )
    assert first is not None and first.profile.behavior.label != "bargainer"
    await p.record_event(
        TEAM, MEI, Event(kind="correction", at=NOON, dimension="behavior", label="bargainer", agent_id=7)
    )
    second = await p.handle(
        team=TEAM, customer=MEI, text="那什么时候发货", agent_id=7, update_id=2, now=NOON, lang="zh-Hans"
    )
    assert second is not None
    assert second.profile.behavior.label == "bargainer" and second.profile.behavior.corrected
