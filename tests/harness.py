"""Running the real bot in-process against the fake Telegram server and a real Redis.

    async with start_bot(fake, settings) as bot:
        await fake.push_forward(agent, FromUser(customer), "能便宜点吗", chat=group)
        whisper = await fake.wait_for_message(agent)

``start_bot`` runs the same start-up as ``python -m bot`` (getMe, web server, polling or webhook), with
a rate limiter roomy enough for tests and, optionally, a fake clock.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from telegram import Chat, User

from bot.__main__ import load_domain
from bot.i18n import Texts, load_texts
from bot.pipeline import Domain
from bot.runner import Zhiyin
from bot.settings import Settings, load_settings
from tests.conftest import free_port
from tests.fakebot import FakeTelegram

ROOT = Path(__file__).resolve().parents[1]


@cache
def domain() -> Domain:
    """The built-in playbook and lexicon, loaded once for the whole test session."""
    return load_domain(None)


@cache
def texts() -> Texts:
    return load_texts()


@dataclass
class Team:
    """An authorised agents' group with an agent who pressed Start and a lead (the group's admin)."""

    group: Chat
    agent: User
    lead: User


def make_team(fake: FakeTelegram, *, title: str = "客服一组", agent_started: bool = True) -> Team:
    group = fake.group(title=title)
    agent = fake.user(first_name="小李", language_code="zh-hans", started=agent_started)
    lead = fake.user(first_name="王组长", language_code="zh-hans")
    fake.set_member(group, agent, "member")
    fake.set_member(group, lead, "administrator")
    return Team(group, agent, lead)


def bot_settings(
    fake: FakeTelegram, *, redis_url: str | None, key_prefix: str, groups: list[int], **extra: Any
) -> Settings:
    """Settings pointing at the fake server; nothing is read from a .env file."""
    values: dict[str, Any] = {
        "_env_file": None,
        "telegram_bot_token": fake.token,
        "telegram_api_url": fake.base_url,
        "redis_url": redis_url,
        "key_prefix": key_prefix,
        "agent_chat_ids": groups,
        "listen_host": "127.0.0.1",
        "listen_port": free_port(),
        "shop_name": "茶语小铺",
    }
    values.update(extra)
    return load_settings(**values)


@contextlib.asynccontextmanager
async def start_bot(
    settings: Settings, *, clock: Callable[[], datetime] | None = None
) -> AsyncIterator[Zhiyin]:
    roomy = settings.model_copy(update={"rate_limit_per_second": 0, "group_rate_limit_per_minute": 0})
    async with Zhiyin(roomy, domain(), texts(), clock=clock) as bot:
        yield bot


def run_cli(
    *args: str, env: dict[str, str], stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``python -m bot …`` in a subprocess, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=timeout,
    )


def copy_texts(message: Any) -> list[str]:
    """The texts of a fake-server message's copy buttons."""
    return [b["copy_text"]["text"] for b in message.buttons if "copy_text" in b]
