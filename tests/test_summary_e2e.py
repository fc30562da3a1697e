"""Daily summaries end to end: real forwards in, the scheduled job or /summary out, through the fake Bot API
server and a real Redis. The job is triggered directly (``Summaries.run_due``) with a fake clock.
"""

from __future__ import annotations

import asyncio
import struct
from datetime import datetime

from pydantic import SecretStr

from bot.runner import Zhiyin
from bot.store import CustomerRef
from handlers.summary import Summaries
from strategies.models import Event
from tests.conftest import TZ
from tests.fakebot import FakeTelegram, FromHiddenUser, FromUser, Message, User
from tests.harness import Team, bot_settings, make_team, start_bot

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Clock:
    """A settable clock in the bot's time zone."""

    def __init__(self, *at: int) -> None:
        self.at = datetime(*at, tzinfo=TZ)  # type: ignore[misc]

    def set(self, *at: int) -> None:
        self.at = datetime(*at, tzinfo=TZ)  # type: ignore[misc]

    def __call__(self) -> datetime:
        return self.at


def summaries_of(bot: Zhiyin) -> Summaries:
    """The bot's summaries, with the every-minute job taken off the queue so only the test triggers it."""
    app = bot.application
    assert app.job_queue is not None
    jobs = app.job_queue.get_jobs_by_name("daily-summary")
    assert len(jobs) == 1, "the daily check is scheduled at start-up"
    jobs[0].schedule_removal()
    summaries = app.bot_data["summaries"]
    assert isinstance(summaries, Summaries)
    return summaries


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE), "a real PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def bot_texts(fake: FakeTelegram, chat: User | int) -> list[str]:
    return [m.text for m in fake.messages_in(chat, by_bot=True) if m.text]


def summaries_in(fake: FakeTelegram, chat: User | int) -> list[str]:
    """The summaries' first messages (they open with the group's title) sent to ``chat``."""
    return [t for t in bot_texts(fake, chat) if t.startswith("📋 客服一组 · ")]


async def forward(fake: FakeTelegram, team: Team, origin: object, text: str) -> Message:
    """Forward a customer's message and wait for its whisper, so it is counted when this returns."""
    await fake.push_forward(team.agent, origin, text, chat=team.group)  # type: ignore[arg-type]
    return await fake.wait_for_message(team.agent)


async def started(bot: Zhiyin, *users: User) -> None:
    """As the /start command records it."""
    for user in users:
        await bot.services.store.set_user_setting(user.id, "started", "1")


async def test_the_scheduled_summary_counts_what_was_forwarded_and_goes_to_leads_only(
    fake, redis_url, key_prefix
) -> None:
    team = make_team(fake)
    amy, bob = fake.user(first_name="Amy"), fake.user(first_name="Bob")
    clock = Clock(2026, 11, 22, 10, 0)
    settings = bot_settings(
        fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id], burst_seconds=0
    )
    async with start_bot(settings, clock=clock) as bot:
        summaries = summaries_of(bot)
        await started(bot, team.lead, team.agent)
        for text in ("能便宜点吗？最低多少钱", "别家比你们便宜", "你们什么破服务！太气人了，我要投诉！"):
            await forward(fake, team, FromUser(amy), text)
        await forward(fake, team, FromUser(bob), "什么时候发货？")
        await forward(fake, team, FromHiddenUser("小红"), "你好")
        clock.set(2026, 11, 22, 20, 59)
        assert await summaries.run_due(bot.application.bot) == {}, "not before SUMMARY_TIME"
        clock.set(2026, 11, 22, 21, 0, 30)
        assert await summaries.run_due(bot.application.bot) == {team.group.id: 1}
        await fake.wait_for("sendPhoto", chat_id=team.lead.id)
        assert await summaries.run_due(bot.application.bot) == {}, "once a day"
    text = "\n".join(bot_texts(fake, team.lead))
    assert "客服一组 · 2026-11-22（周日） 日报" in text
    assert "顾客消息 5" in text and "顾客 3（新 3 · 老 0）" in text
    assert "讲价 " in text  # the bargaining intent is among the top topics
    assert "Amy" in text and "情绪不好" in text, "the upset customer is on the follow-up list"
    assert "小李：转发 5" in text, "the agent's forwards, with the agent's name"
    photos = fake.photos_sent(team.lead)
    assert len(photos) == 1 and photos[0].data is not None
    assert png_size(photos[0].data) == (900, 1300)
    assert summaries_in(fake, team.agent) == [], "agents get whispers, not summaries"
    assert fake.messages_in(team.group, by_bot=True) == [], "SUMMARY_TO_GROUP is off"


async def test_summary_on_demand_for_leads_in_private_and_in_the_group_not_for_agents(
    fake, redis_url, key_prefix
) -> None:
    team = make_team(fake)
    boss = fake.user(first_name="<b>Boss</b>", last_name="& Co")
    clock = Clock(2026, 11, 22, 15, 0)
    settings = bot_settings(
        fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id], burst_seconds=0
    )
    async with start_bot(settings, clock=clock) as bot:
        summaries_of(bot)
        await forward(fake, team, FromUser(boss), "气死了，等了一个星期还没发货，再不发我就投诉")
        await bot.services.pipeline.record_event(
            team.group.id,
            CustomerRef(f"u{boss.id}", boss.full_name, "user"),
            Event(kind="order", at=clock(), amount=99),
        )
        await fake.push_command(team.agent, "summary")
        refusal = await fake.wait_for_message(team.agent)
        await fake.push_command(team.agent, "summary", chat=team.group)
        group_refusal = await fake.wait_for_message(team.group)
        await fake.push_command(team.lead, "summary")
        await fake.wait_for("sendPhoto", chat_id=team.lead.id)
        await fake.push_command(team.lead, "summary", "2026-11-21")
        quiet = await fake.wait_for_message(team.lead, contains="没有记录到顾客消息")
        await fake.push_command(team.lead, "summary", "yesterday")
        usage = await fake.wait_for_message(team.lead, contains="用法")
        await fake.push_command(team.lead, "summary", chat=team.group)
        await fake.wait_for("sendPhoto", chat_id=team.group.id)
    assert "组长" in (refusal.text or "") and "组长" in (group_refusal.text or "")
    assert fake.photos_sent(team.agent) == []
    lead_msgs = [m for m in fake.messages_in(team.lead, by_bot=True) if m.text and "日报" in m.text]
    today = lead_msgs[0]
    assert "顾客消息 1" in (today.text or "")
    # escaped for Telegram (the fake rejects broken HTML), shown as typed, on both follow-up lists
    assert "&lt;b&gt;Boss&lt;/b&gt; &amp; Co" in (today.source or "")
    assert (today.text or "").count("<b>Boss</b> & Co") == 2, "upset, and ordered without paying"
    assert "催付" in (today.text or "")
    assert "2026-11-21" in (quiet.text or "") and fake.photos_sent(team.lead).__len__() == 1
    assert "/summary" in (usage.text or "")
    assert len(summaries_in(fake, team.group.id)) == 1
    assert png_size(fake.photos_sent(team.group)[0].data or b"")[0] == 900


async def test_local_midnight_splits_the_days(fake, redis_url, key_prefix) -> None:
    team = make_team(fake)
    amy = fake.user(first_name="Amy")
    clock = Clock(2026, 11, 22, 23, 59, 30)
    settings = bot_settings(
        fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id], burst_seconds=0
    )
    async with start_bot(settings, clock=clock) as bot:
        summaries_of(bot)
        await forward(fake, team, FromUser(amy), "在吗？这个有货吗")
        clock.set(2026, 11, 23, 0, 1)
        await forward(fake, team, FromUser(amy), "那今天能发吗")
        await forward(fake, team, FromHiddenUser("Carol"), "你好")
        await fake.push_command(team.lead, "summary", "2026-11-22")
        first = await fake.wait_for_message(team.lead, contains="日报")
        await fake.push_command(team.lead, "summary", "2026-11-23")
        second = await fake.wait_for_message(team.lead, contains="日报")
    assert "2026-11-22" in (first.text or "") and "顾客消息 1" in (first.text or "")
    assert "顾客 1（新 1 · 老 0）" in (first.text or "")
    assert "2026-11-23" in (second.text or "") and "顾客消息 2" in (second.text or "")
    assert "顾客 2（新 1 · 老 1）" in (second.text or ""), "Amy came back after midnight"
    assert "前一天 1" in (second.text or ""), "compared with the day before"


async def test_each_lead_reads_it_in_their_language_and_can_unsubscribe(fake, redis_url, key_prefix) -> None:
    team = make_team(fake)
    boss = fake.user(first_name="Ana", language_code="en")
    fake.set_member(team.group, boss, "administrator")
    clock = Clock(2026, 11, 22, 12, 0)
    settings = bot_settings(
        fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id], burst_seconds=0
    )
    async with start_bot(settings, clock=clock) as bot:
        summaries = summaries_of(bot)
        await started(bot, team.lead, boss)
        await bot.services.set_lang(boss.id, "en")
        await forward(fake, team, FromUser(fake.user(first_name="Amy")), "能便宜点吗")
        await fake.push_command(team.lead, "unsubscribe")
        await fake.wait_for_message(team.lead, contains="不再私信日报")
        await fake.push_command(team.agent, "subscribe")
        await fake.wait_for_message(team.agent, contains="组长")
        clock.set(2026, 11, 22, 21, 30)
        assert await summaries.run_due(bot.application.bot) == {team.group.id: 1}
        await fake.wait_for("sendPhoto", chat_id=boss.id)
        await fake.push_command(team.lead, "subscribe")
        await fake.wait_for_message(team.lead, contains="每天 21:00")
    english = "\n".join(bot_texts(fake, boss))
    assert "daily summary" in english and "Customer messages 1" in english
    assert "日报" not in english
    assert summaries_in(fake, team.lead) == [], "unsubscribed"
    assert fake.photos_sent(team.agent) == []


async def test_missed_summary_is_sent_once_after_downtime(fake, redis_url, key_prefix) -> None:
    team = make_team(fake)
    clock = Clock(2026, 11, 22, 9, 30)
    settings = bot_settings(
        fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id], burst_seconds=0
    )
    async with start_bot(settings, clock=clock) as bot:
        summaries_of(bot)
        await started(bot, team.lead)
        await forward(fake, team, FromUser(fake.user(first_name="Amy")), "这个多少钱")
    # the bot was down at 21:00 and comes back at 22:40 the same day
    clock.set(2026, 11, 22, 22, 40)
    async with start_bot(settings, clock=clock) as bot:
        assert await summaries_of(bot).run_due(bot.application.bot) == {team.group.id: 1}
        await fake.wait_for("sendPhoto", chat_id=team.lead.id)
    clock.set(2026, 11, 22, 23, 10)
    async with start_bot(settings, clock=clock) as bot:
        assert await summaries_of(bot).run_due(bot.application.bot) == {}
    assert len(summaries_in(fake, team.lead)) == 1
    assert len(fake.photos_sent(team.lead)) == 1


async def test_two_bot_processes_send_each_summary_exactly_once(fake, redis_url, key_prefix) -> None:
    team = make_team(fake)
    other_lead = fake.user(first_name="赵经理")
    clock = Clock(2026, 11, 22, 11, 0)
    base = bot_settings(
        fake,
        redis_url=redis_url,
        key_prefix=key_prefix,
        groups=[team.group.id],
        burst_seconds=0,
        lead_user_ids=[other_lead.id],
        summary_to_group=True,
    )
    async with start_bot(base, clock=clock) as bot:
        summaries_of(bot)
        await started(bot, team.lead, other_lead)
        await forward(fake, team, FromUser(fake.user(first_name="Amy")), "包邮吗")
    clock.set(2026, 11, 22, 21, 1)

    def webhook() -> object:
        settings = bot_settings(
            fake,
            redis_url=redis_url,
            key_prefix=key_prefix,
            groups=[team.group.id],
            lead_user_ids=[other_lead.id],
            summary_to_group=True,
        )
        url = f"http://127.0.0.1:{settings.listen_port}/webhook"
        return settings.model_copy(
            update={"mode": "webhook", "webhook_url": url, "webhook_secret": SecretStr("s3cret")}
        )

    async with start_bot(webhook(), clock=clock) as one, start_bot(webhook(), clock=clock) as two:
        a, b = summaries_of(one), summaries_of(two)
        results = await asyncio.gather(
            *(s.run_due(bot.application.bot) for s, bot in [(a, one), (b, two)] * 3)
        )
        await fake.wait_for("sendPhoto", chat_id=team.group.id)
    assert sorted(r.get(team.group.id, 0) for r in results) == [0, 0, 0, 0, 0, 3], results
    for chat in (team.lead.id, other_lead.id, team.group.id):
        assert len(summaries_in(fake, chat)) == 1, chat
        assert len(fake.photos_sent(chat)) == 1
