"""Test helpers: asking the bot something, pressing buttons, a ticking clock, reading what Redis holds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.store import Client
from tests.conftest import TZ
from tests.fakebot import FakeTelegram, Message, User


def ticking_clock(
    start: datetime | None = None, step: timedelta = timedelta(minutes=1)
) -> Callable[[], datetime]:
    """A clock that moves on by ``step`` each time it is read, so "most recent first" is well defined."""
    moment = [start or datetime.now(TZ) - timedelta(hours=2)]

    def now() -> datetime:
        moment[0] += step
        return moment[0]

    return now


async def ask(
    fake: FakeTelegram, user: User, text: str, *, chat: Any = None, reply_to: Any = None
) -> Message:
    """Send ``text`` (a command) as ``user`` and return the bot's answer in that chat."""
    await fake.push_text(user, text, chat=chat, reply_to=reply_to)
    return await fake.wait_for_message(chat if chat is not None else user)


async def press(fake: FakeTelegram, user: User, message: Message, data: str) -> str | None:
    """Press the button with callback ``data`` and return the alert text (None for a silent answer)."""
    query_id = await fake.push_callback(user, message, data)
    call = await fake.wait_for("answerCallbackQuery", callback_query_id=query_id)
    text = call.params.get("text")
    return str(text) if text is not None else None


def data_with(message: Message, prefix: str) -> list[str]:
    return [d for d in message.callback_data if d.startswith(prefix)]


def button_data(message: Message, label: str) -> str:
    """The callback data of the button whose text contains ``label``."""
    for key in message.buttons:
        if label in key.get("text", "") and "callback_data" in key:
            return str(key["callback_data"])
    raise AssertionError(f"no button {label!r} on {message.buttons}")


async def keys_under(client: Client, prefix: str) -> list[str]:
    return sorted([k.decode() async for k in client.scan_iter(f"{prefix}:*", count=1000)])


async def mentions(client: Client, prefix: str, needles: list[str]) -> list[str]:
    """Every key, hash field or value, list item, set or zset member under ``prefix`` naming a needle."""
    found: list[str] = []

    def check(where: str, value: Any) -> None:
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        found.extend(f"{where}: {text[:80]}" for n in needles if n in text)

    for key in await keys_under(client, prefix):
        check("key", key)
        kind = (await client.type(key)).decode()
        if kind == "string":
            check(key, await client.get(key))
        elif kind == "hash":
            for field, value in (await client.hgetall(key)).items():
                check(f"{key} field", field)
                check(f"{key} value", value)
        elif kind == "list":
            for item in await client.lrange(key, 0, -1):
                check(f"{key} item", item)
        elif kind == "set":
            for member in await client.smembers(key):
                check(f"{key} member", member)
        elif kind == "zset":
            for member in await client.zrange(key, 0, -1):
                check(f"{key} member", member)
    return found
