"""Who may use Zhiyin, checked before any other handler runs.

- Only the groups in ``AGENT_CHAT_IDS`` are served. In any other group the bot says once that it is not
  authorised and shows the chat id for the admin; nothing from that group is stored or whispered.
- In private chats, agents are members of an authorised group and leads are its admins/creator or listed
  in ``LEAD_USER_IDS`` (asked with getChatMember, remembered briefly). A stranger gets a polite refusal.
- Commands, buttons and private messages are handled once per ``update_id`` (Telegram redelivers
  webhooks); customer messages are deduplicated by the store's script instead, in the same round trip.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import time

from telegram import Bot, Chat, ChatMember, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, BaseHandler, ChatMemberHandler, ContextTypes, TypeHandler

from bot.i18n import parse_lang
from bot.services import Services
from bot.store import StoreUnavailable
from handlers.identity import identify
from strategies.models import Lang

log = logging.getLogger(__name__)

#: How long a membership answer from Telegram is trusted.
MEMBER_CACHE_SECONDS = 300
_MEMBER = {ChatMember.MEMBER, ChatMember.RESTRICTED}
_ADMIN = {ChatMember.ADMINISTRATOR, ChatMember.OWNER}


class Role(enum.IntEnum):
    STRANGER = 0
    AGENT = 1
    LEAD = 2


class Access:
    """Role checks with a small in-process cache in front of Redis and getChatMember."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._cache: dict[tuple[int, int], tuple[float, str]] = {}
        self.announced: set[int] = set()

    async def _status(self, bot: Bot, chat_id: int, user_id: int) -> str:
        key = (chat_id, user_id)
        hit = self._cache.get(key)
        if hit and time.monotonic() - hit[0] < MEMBER_CACHE_SECONDS:
            return hit[1]
        store = self.services.store
        status: str | None = None
        with contextlib.suppress(StoreUnavailable):
            status = await store.cached_member(chat_id, user_id)
        if status is None:
            try:
                status = str((await bot.get_chat_member(chat_id, user_id)).status)
            except TelegramError as exc:
                log.info("membership check failed", extra={"chat": chat_id, "error": type(exc).__name__})
                status = ChatMember.LEFT
            if status in _MEMBER | _ADMIN:  # a stranger leaves no trace in Redis
                with contextlib.suppress(StoreUnavailable):
                    await store.cache_member(chat_id, user_id, status, MEMBER_CACHE_SECONDS)
        self._cache[key] = (time.monotonic(), status)
        return status

    async def role(self, bot: Bot, user_id: int) -> Role:
        """The user's highest role over all authorised groups."""
        settings = self.services.settings
        if user_id in settings.lead_user_ids:
            return Role.LEAD
        best = Role.STRANGER
        for chat_id in settings.agent_chat_ids:
            status = await self._status(bot, chat_id, user_id)
            if status in _ADMIN:
                return Role.LEAD
            if status in _MEMBER:
                best = Role.AGENT
        return best

    async def teams_of(self, bot: Bot, user_id: int) -> list[int]:
        """The authorised groups the user belongs to (leads in LEAD_USER_IDS see every group)."""
        settings = self.services.settings
        if user_id in settings.lead_user_ids:
            return list(settings.agent_chat_ids)
        return [c for c in settings.agent_chat_ids if await self._status(bot, c, user_id) in _MEMBER | _ADMIN]

    async def is_lead_of(self, bot: Bot, user_id: int, chat_id: int) -> bool:
        if user_id in self.services.settings.lead_user_ids:
            return True
        return await self._status(bot, chat_id, user_id) in _ADMIN


def _is_group(chat: Chat | None) -> bool:
    return chat is not None and chat.type in (Chat.GROUP, Chat.SUPERGROUP)


def access_handlers(
    services: Services, access: Access
) -> list[tuple[int, BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]]:
    """The guard (runs first, group -10) and the bot-added-to-a-group notice."""
    t = services.texts.get

    async def announce_unauthorised(bot: Bot, chat_id: int) -> None:
        if chat_id in access.announced:
            return
        access.announced.add(chat_id)
        lang = services.settings.language
        try:
            await bot.send_message(chat_id, t("access.group_not_authorised", lang, chat_id=chat_id))
        except TelegramError as exc:
            log.info(
                "could not announce to unauthorised chat",
                extra={"chat": chat_id, "error": type(exc).__name__},
            )

    async def guard(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        services.metrics.updates.labels(kind=_kind(update)).inc()
        if update.my_chat_member is not None:
            return  # handled by on_added below
        if _is_group(chat):
            assert chat is not None
            if not services.settings.is_agent_chat(chat.id):
                services.metrics.refused.labels(reason="group").inc()
                if update.effective_message and _addressed_to_bot(update, services.bot_username):
                    await announce_unauthorised(context.bot, chat.id)
                raise ApplicationHandlerStop
            message = update.message
            if message is not None and (
                not (message.text or "").startswith("/") or identify(message) is not None
            ):
                # Customer messages are deduplicated by the store's script in the same round trip, and
                # agents' chatter is ignored: neither may leave a trace here.
                return
        elif chat is not None and chat.type == Chat.CHANNEL:
            raise ApplicationHandlerStop
        elif chat is not None and chat.type == Chat.PRIVATE:
            user = update.effective_user
            if user is None or await access.role(context.bot, user.id) == Role.STRANGER:
                services.metrics.refused.labels(reason="stranger").inc()
                if update.callback_query is not None:
                    await update.callback_query.answer(
                        t("access.stranger", services.settings.language), show_alert=True
                    )
                elif update.effective_message is not None:
                    lang = _guess_lang(user.language_code if user else None, services.settings.language)
                    await update.effective_message.reply_text(t("access.stranger", lang))
                raise ApplicationHandlerStop
        try:
            first = await services.store.first_delivery(update.update_id)
        except StoreUnavailable:
            first = True  # better to answer twice than not at all
        if not first:
            services.metrics.duplicates.inc()
            raise ApplicationHandlerStop

    async def on_added(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        if change is None or change.new_chat_member.status not in _MEMBER | _ADMIN:
            return
        chat = change.chat
        if not services.settings.is_agent_chat(chat.id):
            await announce_unauthorised(context.bot, chat.id)
            return
        me = await context.bot.get_me()
        lang = services.settings.language
        key = (
            "access.added_privacy_on"
            if not me.can_read_all_group_messages and change.new_chat_member.status not in _ADMIN
            else "access.added_ok"
        )
        try:
            await context.bot.send_message(chat.id, t(key, lang, bot=services.bot_username))
        except TelegramError as exc:
            log.info("could not greet group", extra={"chat": chat.id, "error": type(exc).__name__})

    return [
        (-10, TypeHandler(Update, guard)),
        (-9, ChatMemberHandler(on_added, ChatMemberHandler.MY_CHAT_MEMBER)),
    ]


def _addressed_to_bot(update: Update, username: str) -> bool:
    """Forwards, tags and commands are meant for the bot; plain chatter in a foreign group is not."""
    message = update.effective_message
    if message is None:
        return False
    text = message.text or message.caption or ""
    return (
        message.forward_origin is not None
        or text.startswith(("/", "#", "＃"))
        or (bool(username) and f"@{username}" in text)
    )


def _guess_lang(code: str | None, default: Lang) -> Lang:
    return parse_lang(code) or default


def _kind(update: Update) -> str:
    if update.callback_query is not None:
        return "callback"
    if update.my_chat_member is not None:
        return "membership"
    message = update.effective_message
    if message is None:
        return "other"
    if message.forward_origin is not None:
        return "forward"
    if (message.text or "").startswith("/"):
        return "command"
    return "message"
