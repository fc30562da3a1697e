"""The python-telegram-bot ``Application``: built here, and every handler registered here, in one place."""

from __future__ import annotations

import logging
from typing import Any, TypedDict

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter, ContextTypes

from bot.services import Services
from bot.settings import Settings
from bot.telegram_request import AiohttpRequest
from handlers.access import Access, access_handlers
from handlers.admin import admin_handlers
from handlers.customers import Picker
from handlers.feedback import feedback_handlers
from handlers.intake import intake_handlers
from handlers.lookup import lookup_handlers
from handlers.maintenance import schedule_maintenance
from handlers.playbook_commands import playbook_handlers
from handlers.summary import Summaries, summary_handlers

log = logging.getLogger(__name__)


class Timeouts(TypedDict, total=False):
    """Keyword arguments of a PTB request (ours or PTB's own), in seconds."""

    connect_timeout: float
    read_timeout: float
    write_timeout: float
    pool_timeout: float


AnyApp = Application[Any, Any, Any, Any, Any, Any]
AnyBuilder = ApplicationBuilder[Any, Any, Any, Any, Any, Any]
#: Connections to Telegram for sending. At Telegram's ~30 messages/s and ~0.2 s round trips, about six
#: are ever busy at once (the rate limiter holds the rest back).
HTTP_CONNECTIONS = 8
#: Seconds to wait for Telegram: for the bot's calls, and for getUpdates (its long poll adds to the read).
SEND_TIMEOUTS: Timeouts = {"pool_timeout": 10, "connect_timeout": 5, "read_timeout": 10, "write_timeout": 10}
POLL_TIMEOUTS: Timeouts = {"connect_timeout": 5, "read_timeout": 40}
#: Updates the bot asks Telegram for; everything else is never delivered.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
#: Whispers are sent while other updates are handled; per-customer order is kept by Redis scripts.
CONCURRENT_UPDATES = 64


def build_application(services: Services, rate_limiter: BaseRateLimiter[Any]) -> AnyApp:
    """An Application for ``services`` with rate limiting and all handlers registered.

    ``rate_limiter`` holds the bot to Telegram's limits (``runner.default_rate_limiter``).
    """
    app = application_builder(services.settings, rate_limiter).build()
    register_handlers(app, services)
    return app


def application_builder(settings: Settings, rate_limiter: BaseRateLimiter[Any]) -> AnyBuilder:
    """Zhiyin's Application settings (API address, HTTP transport, pools and timeouts, concurrency), no
    handlers.

    Separate so the benchmarks' echo bots run with the same settings (bench/e2e.py).
    """
    assert settings.token, "the caller checks that a token is configured"
    return (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_api_url.replace("/bot", "/file/bot"))
        .request(AiohttpRequest(connection_pool_size=HTTP_CONNECTIONS, **SEND_TIMEOUTS))
        .get_updates_request(AiohttpRequest(**POLL_TIMEOUTS))
        .rate_limiter(rate_limiter)
        .concurrent_updates(CONCURRENT_UPDATES)
    )


def register_handlers(app: AnyApp, services: Services) -> None:
    """Every handler of every module, with its group: the only place handlers are registered."""
    access = Access(services)
    app.bot_data["access"] = access
    summaries = Summaries(services, access)
    app.bot_data["summaries"] = summaries
    picker = Picker(services)  # pick lists shared by the commands that take a customer's name
    for group, handler in [
        *access_handlers(services, access),
        *intake_handlers(services),
        *lookup_handlers(services, picker),
        *playbook_handlers(services),
        *feedback_handlers(services, picker),
        *admin_handlers(services, picker),
        *picker.handlers(),
        *summary_handlers(services, access, summaries),
    ]:
        app.add_handler(handler, group=group)
    summaries.schedule(app.job_queue)
    schedule_maintenance(services, app.job_queue)
    app.add_error_handler(_log_error)


async def _log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    import logging

    logging.getLogger("bot.errors").error("unhandled error while handling an update", exc_info=context.error)
