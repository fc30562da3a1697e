"""Customer messages forwarded (or tagged) in an agents' group → a whisper to the agent who sent them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from telegram import Update
from telegram.ext import BaseHandler, ContextTypes, MessageHandler, filters

from bot.logs import pseudonym
from bot.services import Services
from handlers.identity import identify, parse_reference
from handlers.whisper import Destination, deliver

log = logging.getLogger(__name__)

#: Telegram's account that stands for an anonymous group admin: it cannot receive private messages.
ANONYMOUS_ADMIN_ID = 1087968824


class CustomerLocks:
    """One FIFO lock per (team, customer), created on demand and dropped when nobody holds or awaits it."""

    def __init__(self) -> None:
        self._locks: dict[tuple[int, str], tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, key: tuple[int, str]) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


def intake_handlers(
    services: Services,
) -> list[tuple[int, BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]]:
    """The handler for customer messages in authorised groups (group 1, after commands)."""
    locks = CustomerLocks()

    async def on_group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or message.from_user is None:
            return
        started = time.perf_counter()
        identified = identify(message)
        agent = message.from_user
        if identified is None:
            reference = parse_reference(message.text or message.caption or "")
            if reference is not None and message.forward_origin is None:  # "#nick" with nothing after it
                lang = await services.lang_of(agent.id)
                await message.reply_text(services.texts.get("intake.reference_usage", lang))
            return
        agent_id = None if agent.is_bot or agent.id == ANONYMOUS_ADMIN_ID else agent.id
        # Taken before the first await, so one customer's messages are handled in the order Telegram
        # sent them (the lock is FIFO) while other customers' messages run concurrently.
        async with locks.hold((message.chat_id, identified.customer.id)):
            lang = await services.lang_of(agent_id)
            outcome = await services.pipeline.handle(
                team=message.chat_id,
                customer=identified.customer,
                text=identified.text,
                agent_id=agent_id or 0,
                update_id=update.update_id,
                now=services.now(),
                lang=lang,
            )
            if outcome is None:
                services.metrics.duplicates.inc()
                return
            services.metrics.customer_messages.inc()
            dest = Destination(
                team=message.chat_id,
                group_chat_id=message.chat_id,
                agent_id=agent_id,
                reply_to=message.message_id,
                customer_id=identified.customer.id,
            )
            delivered = await deliver(context.bot, services, outcome, dest, lang)
        elapsed = time.perf_counter() - started
        services.metrics.handling.observe(elapsed)
        log.info(
            "customer message handled",
            extra={
                "team": message.chat_id,
                # a stable pseudonym: customer ids of name-only customers are their names
                "customer": pseudonym(identified.customer.id),
                "route": delivered.route if delivered else "failed",
                "degraded": outcome.recorded is None,
                "ms": round(elapsed * 1000, 1),
            },
        )

    text_or_caption = filters.TEXT | filters.CAPTION
    return [
        (
            1,
            MessageHandler(
                filters.UpdateType.MESSAGE & filters.ChatType.GROUPS & text_or_caption, on_group_message
            ),
        )
    ]
