"""Delivering a whisper: privately to the agent, or as a reply in the group when the agent never pressed
Start; edited in place while a burst of forwards about the same customer keeps coming.
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from telegram import Bot, CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.keys import whisper_token
from bot.pipeline import Outcome
from bot.render import WhisperView, render
from bot.services import Services
from bot.store import StoreUnavailable, Whisper
from strategies.models import Lang

log = logging.getLogger(__name__)
T = TypeVar("T")

#: How long a worker waits for another worker's whisper of the same burst before sending its own.
WAIT_FOR_PEER = 2.0
#: Transient Telegram failures (network, 5xx, a 429 the rate limiter gave up on) are retried this
#: many times, pausing BACKOFF, 2×BACKOFF… (or what Telegram's retry_after asks).
SEND_ATTEMPTS = 4
BACKOFF = 0.5


@dataclass(frozen=True)
class Destination:
    """Where a whisper is about and who gets it."""

    team: int
    group_chat_id: int
    agent_id: int | None  # None: the forward came from an anonymous admin, so only the group is possible
    reply_to: int
    customer_id: str


@dataclass(frozen=True)
class Delivered:
    chat_id: int
    message_id: int
    route: str  # private | group | edit


def whisper_keyboard(
    services: Services, outcome: Outcome, lang: Lang, token: str | None
) -> InlineKeyboardMarkup:
    t = services.texts.get
    rows = []
    copy_row = [
        InlineKeyboardButton(t("button.copy", lang, n=n), copy_text=CopyTextButton(reply.text))
        for n, reply in enumerate(outcome.view.advice.replies, start=1)
    ]
    if copy_row:
        rows.append(copy_row)
    if token:  # feedback needs Redis; without it the buttons would lead nowhere
        rows.append(
            [
                InlineKeyboardButton(t("button.agree", lang), callback_data=f"fb:ok:{token}"),
                InlineKeyboardButton(t("button.correct", lang), callback_data=f"fb:fix:{token}"),
            ]
        )
    return InlineKeyboardMarkup(rows)


def with_group_hint(services: Services, text: str, lang: Lang) -> str:
    """A whisper posted in the group ends with how to get whispers privately."""
    hint = html.escape(
        services.texts.get("whisper.fallback_hint", lang, bot=services.bot_username), quote=False
    )
    return f"{text}\n\n<i>{hint}</i>"


async def redraw(
    bot: Bot,
    services: Services,
    where: tuple[int, int],
    view: WhisperView,
    lang: Lang,
    token: str,
    *,
    in_group: bool,
) -> None:
    """Edit the whisper at ``where`` (chat id, message id) to show ``view``, e.g. after a correction."""
    playbook, texts, tz = services.domain.playbook, services.texts, services.settings.tz
    text = render(view, playbook=playbook, texts=texts, lang=lang, tz=tz)
    if in_group:
        text = with_group_hint(services, text, lang)
    outcome = Outcome(view=view, recorded=None, profile=view.profile, analysis=view.analysis)
    keyboard = whisper_keyboard(services, outcome, lang, token)
    chat_id, message_id = where
    try:
        await with_retries(
            lambda: bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
                disable_web_page_preview=True,
            )
        )
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def with_retries(call: Callable[[], Awaitable[T]]) -> T:
    """Run a Telegram call, retrying transient failures; refusals (400/403) are raised at once."""
    delay = BACKOFF
    for attempt in range(1, SEND_ATTEMPTS + 1):
        try:
            return await call()
        except (BadRequest, Forbidden):
            raise
        except RetryAfter as exc:
            if attempt == SEND_ATTEMPTS:
                raise
            wait = exc.retry_after
            await asyncio.sleep(wait if isinstance(wait, int | float) else wait.total_seconds())
        except NetworkError:
            if attempt == SEND_ATTEMPTS:
                raise
            await asyncio.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


async def deliver(
    bot: Bot, services: Services, outcome: Outcome, dest: Destination, lang: Lang
) -> Delivered | None:
    """Send or update the whisper for ``outcome``; None if Telegram refused it for good."""
    recorded = outcome.recorded
    token = whisper_token(dest.team, dest.customer_id) if recorded else None
    keyboard = whisper_keyboard(services, outcome, lang, token)
    target: Whisper | None = None
    if recorded and recorded.action == "edit":
        target = recorded.whisper
    elif recorded and recorded.action == "wait":
        target = await _peer_whisper(services, dest)

    def text_of(view: WhisperView) -> str:
        playbook, texts, tz = services.domain.playbook, services.texts, services.settings.tz
        return render(view, playbook=playbook, texts=texts, lang=lang, tz=tz)

    # The burst count is only known here: the whisper being edited says how many came before.
    view = outcome.view
    delivered = None
    if target is not None:
        view = replace(view, burst=target.messages + 1)
        delivered = await _edit(bot, target, text_of(view), keyboard)
    if delivered is None:
        view = replace(view, burst=1)
        text = text_of(view)
        try:
            delivered = await _send(bot, services, dest, text, keyboard, lang)
        except TelegramError as exc:
            services.metrics.whisper_failures.inc()
            log.warning("whisper not delivered", extra={"error": type(exc).__name__, "team": dest.team})
            if recorded and recorded.action == "send":
                await _quietly(services.store.release_whisper_claim(dest.team, dest.customer_id))
            return None
    services.metrics.whispers.labels(route=delivered.route).inc()

    if recorded is not None:
        now = services.now()
        pointer = Whisper(
            dest.agent_id or 0,
            delivered.chat_id,
            delivered.message_id,
            int(now.timestamp()),
            view.burst,
        )
        payload = {"team": dest.team, "customer": dest.customer_id, "name": outcome.view.customer}
        await _quietly(
            services.store.remember_whisper(
                dest.team,
                dest.customer_id,
                pointer,
                now=now,
                route=delivered.route,
                # an edited whisper keeps the buttons (and payload) it was sent with
                callback=(token, payload) if token and delivered.route != "edit" else None,
            )
        )
    return delivered


async def _quietly(aw: Awaitable[object]) -> None:
    """Bookkeeping after the whisper went out: if Redis just failed, the whisper still counts."""
    try:
        await aw
    except StoreUnavailable:
        log.warning("whisper bookkeeping skipped: Redis unavailable")


async def _peer_whisper(services: Services, dest: Destination) -> Whisper | None:
    """Another worker is sending this burst's whisper: wait briefly for it so we edit instead."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_FOR_PEER
    while loop.time() < deadline:
        try:
            found = await services.store.current_whisper(dest.team, dest.customer_id)
        except StoreUnavailable:
            return None
        if found and found.agent_id == (dest.agent_id or 0):
            return found
        await asyncio.sleep(0.05)
    return None


#: Sent with every whisper: HTML, no link previews.
_FORMAT = {"parse_mode": ParseMode.HTML, "link_preview_options": {"is_disabled": True}}


async def _call(bot: Bot, method: str, **params: object) -> dict[str, Any]:
    """A Bot API call for a whisper, answered as plain JSON.

    Telegram answers a sent or edited whisper with the whole message back (text, every entity, the
    keyboard); turning that into a :class:`telegram.Message` costs ~0.4 ms a whisper, and only its id is
    needed. Errors, retries and rate limits work as for ``bot.send_message``. The method name is given
    in lower case — Bot API methods are case-insensitive — because PTB warns when ``do_api_request``
    is used for a method it has a wrapper for, and matches that name exactly.
    """
    result = await bot.do_api_request(method.lower(), api_kwargs={**_FORMAT, **params})
    return result if isinstance(result, dict) else {}


async def _edit(bot: Bot, target: Whisper, text: str, keyboard: InlineKeyboardMarkup) -> Delivered | None:
    try:
        await with_retries(
            lambda: _call(
                bot,
                "editMessageText",
                chat_id=target.chat_id,
                message_id=target.message_id,
                text=text,
                reply_markup=keyboard,
            )
        )
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            return None  # deleted or too old to edit: a fresh whisper is sent instead
    except TelegramError:
        return None
    return Delivered(target.chat_id, target.message_id, "edit")


async def _send(
    bot: Bot, services: Services, dest: Destination, text: str, keyboard: InlineKeyboardMarkup, lang: Lang
) -> Delivered:
    """Privately to the agent; if they never pressed Start (403), as a reply in the group."""
    if dest.agent_id is not None:
        agent_id = dest.agent_id
        try:
            sent = await with_retries(
                lambda: _call(bot, "sendMessage", chat_id=agent_id, text=text, reply_markup=keyboard)
            )
            return Delivered(agent_id, int(sent["message_id"]), "private")
        except Forbidden:
            pass
    sent = await with_retries(
        lambda: _call(
            bot,
            "sendMessage",
            chat_id=dest.group_chat_id,
            text=with_group_hint(services, text, lang),
            reply_markup=keyboard,
            reply_parameters=ReplyParameters(dest.reply_to, allow_sending_without_reply=True),
        )
    )
    return Delivered(dest.group_chat_id, int(sent["message_id"]), "group")
