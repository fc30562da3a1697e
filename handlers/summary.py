"""Daily summaries for team leads: the scheduled job, `/summary [YYYY-MM-DD]`, `/subscribe`, `/unsubscribe`.

Every day at ``SUMMARY_TIME`` (in ``TIMEZONE``) each team's leads get the day's summary in private — the
leads (group admins and ``LEAD_USER_IDS``) who pressed Start or sent /subscribe, and did not send
/unsubscribe — and the group gets it too when ``SUMMARY_TO_GROUP`` is on. The job runs every minute
rather than once at the set time, so a summary missed while the bot was down goes out when it is back,
the same day. Before sending, a process claims the team's day in Redis (HSETNX): with several bot
processes exactly one sends it. If nothing could be delivered at all the claim is given back for a
later retry; a process that dies between claiming and sending loses that day's summary (at most once).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial

from telegram import Bot, Chat, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import BaseHandler, CommandHandler, ContextTypes, JobQueue

from bot.chart import render_chart
from bot.services import Services
from bot.store import StoreUnavailable
from bot.summary import DaySummary, gather, summarise
from bot.summary_text import AGENTS_SHOWN, caption, format_summary
from handlers.access import Access
from handlers.whisper import with_retries
from strategies.models import Lang

log = logging.getLogger(__name__)

#: The job looks every minute whether a team's summary is due (and not yet sent today).
CHECK_EVERY = 60.0
#: First look soon after start-up: that is when a summary missed during downtime goes out.
FIRST_CHECK = 10.0
#: A team whose summary reached nobody (no lead pressed Start, Telegram refused) is retried after this.
RETRY_AFTER = 600.0
#: Names of agents and groups asked from Telegram are remembered this long.
NAME_CACHE_SECONDS = 3600.0


@dataclass
class Built:
    """One team's day, ready to be rendered in any language."""

    summary: DaySummary
    title: str
    agent_names: dict[int, str]
    rendered: dict[Lang, tuple[list[str], bytes | None, str]] = field(default_factory=dict)


class Summaries:
    """Builds, renders and delivers summaries; one per running bot (see ``bot.app``)."""

    def __init__(self, services: Services, access: Access) -> None:
        self.services = services
        self.access = access
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._names: dict[tuple[int, int], tuple[float, str]] = {}
        self._retry_at: dict[tuple[int, str], float] = {}

    # building ----------------------------------------------------------------------------------------
    async def _remembered(self, key: tuple[int, int], fetch: Callable[[], Awaitable[str]]) -> str | None:
        """A name asked from Telegram (cached); None when Telegram can't say (then the id is shown)."""
        hit = self._names.get(key)
        if hit and time.monotonic() - hit[0] < NAME_CACHE_SECONDS:
            return hit[1]
        try:
            value = await fetch()
        except TelegramError:
            return None
        self._names[key] = (time.monotonic(), value)
        return value

    async def _agent_name(self, bot: Bot, team: int, agent_id: int) -> str | None:
        async def fetch() -> str:
            return (await bot.get_chat_member(team, agent_id)).user.full_name

        return await self._remembered((team, agent_id), fetch)

    async def _title(self, bot: Bot, team: int) -> str:
        async def fetch() -> str:
            return (await bot.get_chat(team)).title or str(team)

        return await self._remembered((team, 0), fetch) or str(team)

    async def build(self, bot: Bot, team: int, day: str) -> Built:
        """Read and compute ``team``'s ``day`` (raises StoreUnavailable when Redis is down)."""
        summary = summarise(await gather(self.services.store, team, day))
        agents = [a.agent_id for a in summary.agents[:AGENTS_SHOWN] if a.agent_id]
        names, title = await asyncio.gather(
            asyncio.gather(*(self._agent_name(bot, team, a) for a in agents)), self._title(bot, team)
        )
        return Built(summary, title, {a: n for a, n in zip(agents, names, strict=True) if n})

    async def render(self, built: Built, lang: Lang) -> tuple[list[str], bytes | None, str]:
        """The messages, the chart (None on a quiet day) and its caption in ``lang`` (rendered once)."""
        if lang not in built.rendered:
            s, services = built.summary, self.services
            playbook, texts = services.domain.playbook, services.texts
            messages = format_summary(
                s,
                title=built.title,
                agent_names=built.agent_names,
                playbook=playbook,
                texts=texts,
                lang=lang,
                tz=services.settings.tz,
            )
            png = None
            if not s.quiet:
                png = await asyncio.to_thread(render_chart, s, playbook=playbook, texts=texts, lang=lang)
            built.rendered[lang] = (messages, png, caption(s, title=built.title, texts=texts, lang=lang))
        return built.rendered[lang]

    # delivering --------------------------------------------------------------------------------------
    async def send(self, bot: Bot, chat_id: int, built: Built, lang: Lang) -> bool:
        """Send the summary to one chat; False if Telegram refused it (e.g. a lead never pressed Start)."""
        messages, png, cap = await self.render(built, lang)
        try:
            for text in messages:
                await with_retries(
                    partial(
                        bot.send_message,
                        chat_id,
                        text,
                        parse_mode=ParseMode.HTML,
                        disable_web_page_preview=True,
                    )
                )
            if png is not None:
                await with_retries(
                    lambda: bot.send_photo(chat_id, png, caption=cap, parse_mode=ParseMode.HTML)
                )
        except Forbidden:
            return False
        except TelegramError as exc:
            log.warning("summary not delivered", extra={"chat": chat_id, "error": type(exc).__name__})
            return False
        return True

    async def recipients(self, bot: Bot, team: int) -> list[int]:
        """The team's leads who can and want to get the summary in private."""
        store, settings = self.services.store, self.services.settings
        leads = set(settings.lead_user_ids)
        try:
            admins = await bot.get_chat_administrators(team)
            leads |= {m.user.id for m in admins if not m.user.is_bot}
        except TelegramError as exc:
            log.warning("could not list group admins", extra={"team": team, "error": type(exc).__name__})
        wanted = []
        for lead in sorted(leads):
            choice, started = await asyncio.gather(
                store.user_setting(lead, "summary"), store.user_setting(lead, "started")
            )
            if choice == "on" or (choice != "off" and started == "1"):
                wanted.append(lead)
        return wanted

    async def deliver_day(self, bot: Bot, team: int, day: str, leads: list[int]) -> int:
        """Send ``team``'s ``day`` to its leads (and the group if configured); how many chats got it."""
        built = await self.build(bot, team, day)
        delivered = 0
        for lead in leads:
            delivered += await self.send(bot, lead, built, await self.services.lang_of(lead))
        if self.services.settings.summary_to_group:
            delivered += await self.send(bot, team, built, self.services.settings.language)
        return delivered

    async def run_due(self, bot: Bot) -> dict[int, int]:
        """The scheduled check: send every team's summary that is due today and not sent yet.

        Returns team → chats reached, for the teams this process sent. Safe to run any time, in any
        number of processes: only the process that claims a team's day sends it.
        """
        services = self.services
        store, settings = services.store, services.settings
        now = services.now()
        if now.time() < settings.summary_time:
            return {}
        day = store.day_of(now)
        sent: dict[int, int] = {}
        for team in settings.agent_chat_ids:
            if self._retry_at.get((team, day), 0.0) > time.monotonic():
                continue
            try:
                if await store.summary_claimed(team, day):
                    continue
                leads = await self.recipients(bot, team)
                if not leads and not settings.summary_to_group:
                    self._retry_at[(team, day)] = time.monotonic() + RETRY_AFTER
                    continue
                if not await store.claim_summary(team, day, self.owner):
                    continue
                try:
                    reached = await self.deliver_day(bot, team, day, leads)
                except Exception:
                    await store.release_summary(team, day, self.owner)
                    raise
                if reached == 0:
                    await store.release_summary(team, day, self.owner)
                    self._retry_at[(team, day)] = time.monotonic() + RETRY_AFTER
                    log.warning("daily summary reached nobody; will retry", extra={"team": team})
                    continue
                sent[team] = reached
                log.info("daily summary sent", extra={"team": team, "day": day, "chats": reached})
            except StoreUnavailable:
                log.warning("daily summary postponed: Redis unavailable", extra={"team": team})
        return sent

    async def job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await self.run_due(context.bot)
        except Exception:  # the next minute tries again; a bug must not stop the schedule
            log.exception("daily summary check failed")

    def schedule(self, job_queue: JobQueue[ContextTypes.DEFAULT_TYPE] | None) -> None:
        if job_queue is None:
            log.warning("no job queue (install python-telegram-bot[job-queue]): no daily summaries")
            return
        job_queue.run_repeating(self.job, interval=CHECK_EVERY, first=FIRST_CHECK, name="daily-summary")


def parse_day(arg: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(arg, fmt).date()
        except ValueError:
            continue
    return None


def summary_handlers(
    services: Services, access: Access, summaries: Summaries
) -> list[tuple[int, BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]]:
    """/summary, /subscribe and /unsubscribe (group 0, after the access guard)."""
    t = services.texts.get

    async def lead_teams(bot: Bot, user_id: int, chat: Chat) -> list[int]:
        """The teams the user leads, as far as this chat goes (in a group: that group only)."""
        if chat.type in (Chat.GROUP, Chat.SUPERGROUP):
            return [chat.id] if await access.is_lead_of(bot, user_id, chat.id) else []
        return [c for c in services.settings.agent_chat_ids if await access.is_lead_of(bot, user_id, c)]

    async def on_summary(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user, chat = update.effective_message, update.effective_user, update.effective_chat
        if message is None or user is None or chat is None:
            return
        lang = await services.lang_of(user.id)
        today = services.now().date()
        wanted = today
        if context.args:
            parsed = parse_day(context.args[0]) if len(context.args) == 1 else None
            if parsed is None:
                await message.reply_text(t("summary.usage", lang))
                return
            wanted = parsed
        if wanted > today:
            await message.reply_text(t("summary.future", lang, date=wanted.isoformat()))
            return
        kept_days = services.store.day_ttl // 86400
        if wanted <= today - timedelta(days=kept_days):
            await message.reply_text(t("summary.too_old", lang, date=wanted.isoformat(), days=kept_days))
            return
        teams = await lead_teams(context.bot, user.id, chat)
        if not teams:
            services.metrics.refused.labels(reason="not_lead").inc()
            await message.reply_text(t("summary.leads_only", lang))
            return
        try:
            for team in teams:
                built = await summaries.build(context.bot, team, wanted.strftime("%Y%m%d"))
                await summaries.send(context.bot, chat.id, built, lang)
        except StoreUnavailable:
            await message.reply_text(t("summary.store_down", lang))

    async def set_subscription(update: Update, context: ContextTypes.DEFAULT_TYPE, on: bool) -> None:
        message, user, chat = update.effective_message, update.effective_user, update.effective_chat
        if message is None or user is None or chat is None:
            return
        lang = await services.lang_of(user.id)
        if not await lead_teams(context.bot, user.id, chat):
            services.metrics.refused.labels(reason="not_lead").inc()
            await message.reply_text(t("summary.leads_only", lang))
            return
        settings = services.settings
        try:
            await services.store.set_user_setting(user.id, "summary", "on" if on else "off")
            started = (
                chat.type == Chat.PRIVATE or await services.store.user_setting(user.id, "started") == "1"
            )
        except StoreUnavailable:
            await message.reply_text(t("summary.store_down", lang))
            return
        when = {"time": settings.summary_time.strftime("%H:%M"), "tz": settings.timezone}
        if not on:
            key = "summary.unsubscribed"
        elif started:
            key = "summary.subscribed"
        else:
            key = "summary.subscribed_press_start"
        await message.reply_text(t(key, lang, bot=services.bot_username, **when))

    async def on_subscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await set_subscription(update, context, True)

    async def on_unsubscribe(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await set_subscription(update, context, False)

    return [
        (0, CommandHandler("summary", on_summary)),
        (0, CommandHandler("subscribe", on_subscribe)),
        (0, CommandHandler("unsubscribe", on_unsubscribe)),
    ]
