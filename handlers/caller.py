"""Who is asking, where, and how the answer goes back: the common ground of every command and button.

A command in an agents' group applies to that group's team; in a private chat, to every authorised group
the user belongs to (:meth:`Access.teams_of`). Answers are Telegram HTML: interface texts are escaped
here, and so is every value filled into them unless it is marked :class:`Html` (already escaped markup).

:func:`command` and :func:`button` wrap a body so that bad arguments answer with the command's usage
line and a Redis outage answers "storage unavailable" instead of failing silently or with a traceback.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from telegram import Bot, CallbackQuery, Chat, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot.services import Services
from bot.store import StoreUnavailable
from handlers.access import Access, Role
from strategies.models import Lang

log = logging.getLogger(__name__)

Handler = BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]
Handlers = list[tuple[int, Handler]]
#: Command and button handlers run in this group, after the guard (-10) and before the intake (1).
COMMAND_GROUP = 0
#: Telegram's limit for a callback query's alert text.
ALERT_LIMIT = 200


class Html(str):
    """A string that is already Telegram HTML: filled into a text as it is, not escaped again."""

    __slots__ = ()


def esc(value: object) -> Html:
    """Any value as escaped HTML (customer names, messages, ids)."""
    return value if isinstance(value, Html) else Html(html.escape(str(value), quote=False))


def bold(value: object) -> Html:
    return Html(f"<b>{esc(value)}</b>")


def italic(value: object) -> Html:
    return Html(f"<i>{esc(value)}</i>")


def code(value: object) -> Html:
    return Html(f"<code>{esc(value)}</code>")


class BadArguments(Exception):
    """Raised by a command's body: the command answers with its usage line."""


@dataclass
class Caller:
    """One user asking something, in one chat, in their language."""

    services: Services
    access: Access
    bot: Bot
    user_id: int
    chat: Chat
    lang: Lang
    message: Message | None = None  # the command's message (None for a button)
    query: CallbackQuery | None = None  # the pressed button (None for a command)

    @property
    def in_group(self) -> bool:
        return self.chat.type in (Chat.GROUP, Chat.SUPERGROUP)

    def t(self, key: str, /, **values: Any) -> str:
        """An interface text as plain text (for alerts and button labels)."""
        return self.services.texts.get(key, self.lang, **values)

    def h(self, key: str, /, **values: Any) -> Html:
        """An interface text as HTML: the template escaped, each value escaped unless it is :class:`Html`."""
        template = html.escape(self.services.texts.template(key, self.lang), quote=False)
        return Html(template.format(**{k: esc(v) for k, v in values.items()}))

    async def teams(self) -> list[int]:
        """The teams this request may see: the group's own, or every group of the user in private."""
        if self.in_group:
            return [self.chat.id]
        return await self.access.teams_of(self.bot, self.user_id)

    async def lead_teams(self) -> list[int]:
        """The teams this user leads among :meth:`teams`."""
        return [t for t in await self.teams() if await self.access.is_lead_of(self.bot, self.user_id, t)]

    async def role(self) -> Role:
        return await self.access.role(self.bot, self.user_id)

    async def say(self, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
        """Answer: a reply to the command, or the pressed button's message edited in place."""
        if self.query is not None:
            try:
                await self.query.edit_message_text(
                    text, parse_mode=ParseMode.HTML, reply_markup=keyboard, disable_web_page_preview=True
                )
            except BadRequest as exc:
                if "not modified" not in exc.message.lower():
                    raise
            return
        if self.message is not None:
            await self.message.reply_text(
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard,
                disable_web_page_preview=True,
                do_quote=self.in_group,
            )


CommandBody = Callable[[Caller, list[str]], Awaitable[None]]
#: A button's body gets the parts of its callback data after the prefix; it returns the alert to show.
ButtonBody = Callable[[Caller, list[str]], Awaitable[str | None]]


async def caller_of(update: Update, context: ContextTypes.DEFAULT_TYPE, services: Services) -> Caller | None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return None
    access: Access = context.bot_data["access"]
    return Caller(
        services=services,
        access=access,
        bot=context.bot,
        user_id=user.id,
        chat=chat,
        lang=await services.lang_of(user.id),
        message=update.message,
        query=update.callback_query,
    )


def command(
    names: str | Collection[str], services: Services, body: CommandBody, *, usage: str | None = None
) -> tuple[int, Handler]:
    """A command handler for ``names`` whose ``body`` may raise :class:`BadArguments` (→ ``usage``)."""

    async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        caller = await caller_of(update, context, services)
        if caller is None:
            return
        try:
            await body(caller, list(context.args or []))
        except BadArguments:
            await caller.say(caller.h(usage or "cmd.usage_generic"))
        except StoreUnavailable:
            log.warning("command answered without storage", extra={"command": _name(names)})
            await caller.say(caller.h("cmd.store_down"))

    # Forwarded customer messages that happen to start with "/" are the intake's, not commands.
    only = filters.UpdateType.MESSAGE & ~filters.FORWARDED
    return COMMAND_GROUP, CommandHandler(names, callback, filters=only)


def button(prefix: str, services: Services, body: ButtonBody) -> tuple[int, Handler]:
    """A callback-button handler for data ``prefix:part:part…``; the query is always answered."""

    async def callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        caller = await caller_of(update, context, services)
        if query is None or caller is None:
            return
        parts = (query.data or "").split(":")[1:]
        try:
            alert = await body(caller, parts)
        except StoreUnavailable:
            log.warning("button answered without storage", extra={"button": prefix})
            alert = caller.t("cmd.store_down")
        if alert:
            await query.answer(alert[:ALERT_LIMIT], show_alert=True)
        else:
            await query.answer()

    return COMMAND_GROUP, CallbackQueryHandler(callback, pattern=rf"^{prefix}:")


def _name(names: str | Collection[str]) -> str:
    return names if isinstance(names, str) else "/".join(names)
