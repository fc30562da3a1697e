"""The daily summary's parts: figures from the real store path, the text, the chart, the claim."""

from __future__ import annotations

import asyncio
import io
import logging
import struct
import warnings
from datetime import datetime, timedelta

import pytest

from bot.chart import font_families, render_chart
from bot.pipeline import Pipeline
from bot.settings import load_settings
from bot.store import CustomerRef, DayData, Store
from bot.summary import FOLLOW_SHOWN, SummaryInputs, gather, summarise
from bot.summary_text import MESSAGE_LIMIT, format_summary, pack, utf16_len
from strategies.models import LANGS, Event, Lang
from tests.conftest import TZ
from tests.harness import domain, texts

TEAM = -100555
DAY = "20261123"
NOON = datetime(2026, 11, 23, 12, 0, tzinfo=TZ)


def pipeline(store: Store) -> Pipeline:
    return Pipeline(load_settings(_env_file=None), store, domain())


async def say(p: Pipeline, customer: CustomerRef, text: str, at: datetime, n: int, agent: int = 7) -> None:
    await p.handle(
        team=TEAM,
        customer=customer,
        text=text,
        agent_id=agent,
        update_id=n,
        now=at,
        lang="zh-Hans",
        burst_seconds=0,
    )


def text_of(inputs: SummaryInputs, lang: Lang = "zh-Hans", **kw: object) -> str:
    messages = format_summary(
        summarise(inputs),
        title="客服一组",
        agent_names={7: "小李"},
        playbook=domain().playbook,
        texts=texts(),
        lang=lang,
        tz=TZ,
    )
    assert all(utf16_len(m) <= MESSAGE_LIMIT for m in messages)
    return "\n".join(messages)


async def test_figures_come_from_the_days_counters(store: Store) -> None:
    p = pipeline(store)
    amy, bob = CustomerRef("u1", "Amy", "user"), CustomerRef("u2", "Bob", "user")
    # earlier days: 2 messages four days ago, 4 yesterday (Amy both times)
    for i in range(2):
        await say(p, amy, "你好", NOON - timedelta(days=4), 100 + i)
    for i in range(4):
        await say(p, amy, "这个多少钱", NOON - timedelta(days=1), 200 + i)
    await say(p, amy, "能便宜点吗？最低多少钱", NOON, 1)
    await say(p, amy, "别家比你们便宜", NOON + timedelta(minutes=1), 2)
    await say(p, bob, "你们什么破服务！太气人了，我要投诉！", NOON + timedelta(minutes=2), 3, agent=8)
    await store.count_feedback(TEAM, now=NOON, agent_id=7, dimension="behavior", agreed=True)
    await store.count_feedback(TEAM, now=NOON, agent_id=7, dimension="mood", agreed=False)

    s = summarise(await gather(store, TEAM, DAY))
    assert (s.today.messages, s.today.customers, s.today.new, s.today.returning) == (3, 2, 1, 1)
    assert s.previous is not None and s.previous.messages == 4
    assert s.average is not None and s.average.messages == 3 and s.average_days == 2, "days with activity"
    assert dict(s.distributions["behavior"]).get("bargainer") == 1
    assert dict(s.intents)["bargain"] == 2
    assert [f.name for f in s.follow["negative"].shown] == ["Bob"]
    assert [(a.agent_id, a.forwards, a.feedback) for a in s.agents] == [(7, 2, 2), (8, 1, 0)]
    assert s.agreement == 0.5
    assert [t[1] for t in s.trend] == [0, 0, 2, 0, 0, 4, 3]


async def test_long_follow_up_lists_are_trimmed_and_only_their_names_are_read(store: Store) -> None:
    p = pipeline(store)
    for n in range(40):
        who = CustomerRef(f"u{n}", f"<顾客{n}>", "user")
        await say(p, who, "气死了，等了一个星期还没发货，再不发我就投诉", NOON + timedelta(seconds=n), n)
    for n in range(3):
        await p.record_event(TEAM, CustomerRef(f"u{n}", f"<顾客{n}>", "user"), Event(kind="order", at=NOON))
    await p.record_event(
        TEAM, CustomerRef("u99", "later", "user"), Event(kind="order", at=NOON + timedelta(days=1))
    )
    inputs = await gather(store, TEAM, DAY)
    assert len(inputs.names) == FOLLOW_SHOWN, "names of the listed customers only"
    s = summarise(inputs)
    assert s.follow["negative"].total == 40 and s.follow["negative"].more == 40 - FOLLOW_SHOWN
    assert s.follow["nopay"].total == 3, "orders placed after the day are not that day's"
    text = text_of(inputs)
    assert f"另有 {40 - FOLLOW_SHOWN} 位" in text
    assert "&lt;顾客0&gt;" in text and "<顾客0>" not in text


def test_a_huge_day_still_fits_telegram_messages() -> None:
    customers = {f"u{i}": "bargainer|friendly|angry|none|none" for i in range(5000)}
    stats = {"messages": 9000, "customers": 5000, "customers_new": 5000}
    stats |= {f"agent:{i}": 10 for i in range(1, 60)}
    follow = {f"{kind}|u{i}": 1 for kind in ("negative", "interest", "repeat", "vip") for i in range(500)}
    names = {f"u{i}": "名" * 80 for i in range(5000)}
    inputs = SummaryInputs(TEAM, DayData(DAY, stats, customers, follow), {}, 0, [], names)
    agents = format_summary(
        summarise(inputs),
        title="组" * 200,
        agent_names={i: "Agent " * 20 for i in range(60)},
        playbook=domain().playbook,
        texts=texts(),
        lang="en",
        tz=TZ,
    )
    assert all(utf16_len(m) <= MESSAGE_LIMIT for m in agents)
    joined = "\n".join(agents)
    assert "+488 more" in joined and "+44 more agents" in joined
    assert "名" * 31 + "…" in joined and "名" * 33 not in joined, "names are clipped"


def test_pack_splits_at_sections_and_lines() -> None:
    blocks = [["a" * 3000], ["b" * 2000, "c" * 2000, "d" * 2000], ["e"]]
    messages = pack(blocks)
    assert all(utf16_len(m) <= MESSAGE_LIMIT for m in messages)
    assert "".join(messages).replace("\n", "") == "a" * 3000 + "b" * 2000 + "c" * 2000 + "d" * 2000 + "e"
    assert len(messages) == 3


def test_a_quiet_day_says_so() -> None:
    inputs = SummaryInputs(TEAM, DayData(DAY), {})
    s = summarise(inputs)
    assert s.quiet
    assert "没有记录到顾客消息" in text_of(inputs)
    assert "No customer messages" in text_of(inputs, "en")


@pytest.mark.parametrize("lang", LANGS)
def test_the_chart_is_a_phone_sized_png_with_every_glyph(
    lang: Lang, caplog: pytest.LogCaptureFixture
) -> None:
    customers = {
        f"u{i}": f"{b}|{p}|{m}|none|none"
        for i, (b, p, m) in enumerate(
            [
                ("bargainer", "friendly", "angry"),
                ("no_pay", "analytical", "hesitant"),
                ("none", "none", "none"),
            ]
            * 7
        )
    }
    earlier = {f"202611{d}": {"messages": d, "customers": d // 2} for d in range(16, 23)}
    inputs = SummaryInputs(TEAM, DayData(DAY, {"messages": 30, "customers": 21}, customers), earlier)
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        png = render_chart(summarise(inputs), playbook=domain().playbook, texts=texts(), lang=lang)
    assert not [w for w in caught if "missing from font" in str(w.message)], [str(w.message) for w in caught]
    assert not [r for r in caplog.records if r.name.startswith("matplotlib")], caplog.text
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert struct.unpack(">II", png[16:24]) == (900, 1300)
    assert 20_000 < len(png) < 1_000_000
    assert "CJK" in font_families()[0] or "Hei" in font_families()[0]


def test_the_chart_renders_concurrently() -> None:
    inputs = SummaryInputs(
        TEAM, DayData(DAY, {"messages": 1, "customers": 1}, {"u1": "polite|none|positive"}), {}
    )
    s = summarise(inputs)

    async def both() -> list[bytes]:
        return await asyncio.gather(
            *(
                asyncio.to_thread(render_chart, s, playbook=domain().playbook, texts=texts(), lang="zh-Hans")
                for _ in range(3)
            )
        )

    pngs = asyncio.run(both())
    assert len({len(p) for p in pngs}) == 1 and io.BytesIO(pngs[0]).read(8) == b"\x89PNG\r\n\x1a\n"


async def test_a_claim_is_released_only_by_its_owner(store: Store) -> None:
    assert await store.claim_summary(TEAM, DAY, "one")
    assert not await store.claim_summary(TEAM, DAY, "two")
    assert not await store.release_summary(TEAM, DAY, "two")
    assert await store.summary_claimed(TEAM, DAY)
    assert await store.release_summary(TEAM, DAY, "one")
    assert not await store.summary_claimed(TEAM, DAY)
    assert await store.claim_summary(TEAM, DAY, "two")
