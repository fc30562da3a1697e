"""The bot's HTTP server (aiohttp): ``/healthz``, ``/metrics`` and, in webhook mode, ``/webhook``.

The webhook checks Telegram's ``X-Telegram-Bot-Api-Secret-Token`` header in constant time before
reading the body, so a forged request is refused without a trace in Redis. Accepted updates go into the
Application's queue; duplicates (Telegram redelivers) are dropped where they are handled.
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from aiohttp import web
from telegram import Update

from bot.app import AnyApp
from bot.services import Services

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name, not a secret
#: Telegram's updates are small; anything bigger is not from Telegram.
MAX_BODY = 1024 * 1024
WEBHOOK_PATH = "/webhook"


#: Update fields that carry a message, and those that carry a chat and a user.
_MESSAGES = ("message", "edited_message", "channel_post", "edited_channel_post")
_MEMBERSHIP = ("my_chat_member", "chat_member")


def _is_chat(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("id"), int) and isinstance(value.get("type"), str)


def _is_user(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("id"), int)
        and isinstance(value.get("first_name"), str)
    )


def _is_message(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("message_id"), int)
        and isinstance(value.get("date"), int)
        and _is_chat(value.get("chat"))
        and ("from" not in value or _is_user(value["from"]))
    )


def well_formed(data: dict[str, Any]) -> bool:
    """The parts of an update the bot relies on have Telegram's shape (ids, chats, senders).

    Telegram's own updates always do; this refuses forged or broken ones at the door, before
    python-telegram-bot turns a missing chat into ``None`` somewhere deep in a filter.
    """
    for key in _MESSAGES:
        if key in data and not _is_message(data[key]):
            return False
    query = data.get("callback_query")
    if query is not None and not (
        isinstance(query, dict)
        and isinstance(query.get("id"), str)
        and _is_user(query.get("from"))
        and ("message" not in query or _is_message(query["message"]))
    ):
        return False
    for key in _MEMBERSHIP:
        change = data.get(key)
        if change is not None and not (
            isinstance(change, dict) and _is_chat(change.get("chat")) and _is_user(change.get("from"))
        ):
            return False
    return True


def build_web_app(services: Services, application: AnyApp | None) -> web.Application:
    """The aiohttp app; the webhook route only exists in webhook mode with an application to feed."""
    app = web.Application(client_max_size=MAX_BODY)

    async def healthz(_: web.Request) -> web.Response:
        redis_ok = await services.store.ping()
        services.metrics.redis_up.set(1 if redis_ok else 0)
        body = {
            "status": "ok" if redis_ok else "degraded",
            "redis": "up" if redis_ok else "down",
            "mode": services.settings.mode,
            "bot": services.bot_username or None,
        }
        return web.json_response(body)

    async def metrics(_: web.Request) -> web.Response:
        services.metrics.redis_up.set(1 if await services.store.ping() else 0)
        services.metrics.redis_failures.set(services.store.failures)
        return web.Response(body=services.metrics.render(), content_type="text/plain", charset="utf-8")

    async def webhook(request: web.Request) -> web.Response:
        assert application is not None and services.settings.webhook_secret is not None
        expected = services.settings.webhook_secret.get_secret_value().encode()
        got = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(got, expected):
            services.metrics.refused.labels(reason="webhook_secret").inc()
            log.warning("webhook call with a wrong or missing secret", extra={"remote": request.remote})
            return web.Response(status=401, text="unauthorized")
        try:
            data = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400, text="body is not JSON")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int) or not well_formed(data):
            return web.Response(status=400, text="not a Telegram update")
        try:
            update = Update.de_json(data, application.bot)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            log.warning(
                "malformed update refused",
                extra={"update_id": data.get("update_id"), "error": type(exc).__name__},
            )
            return web.Response(status=400, text="malformed update")
        await application.update_queue.put(update)
        return web.Response(status=200)

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    if application is not None and services.settings.mode == "webhook":
        app.router.add_post(WEBHOOK_PATH, webhook)
    return app
