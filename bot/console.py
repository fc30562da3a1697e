"""The offline console: try the playbooks without Telegram.

Type (or pipe) lines of the form ``name: message`` and the whisper an agent would get is printed each
time, with each customer's state kept in Redis across lines (and across runs). A few commands help
rehearse a conversation: ``/event NAME order|paid|cancel|received|refund|referral [amount]``,
``/tag NAME DIMENSION TYPE``, ``/forget NAME``, ``/help``, ``/quit``.
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
from collections.abc import Iterable
from datetime import datetime
from typing import TextIO

from bot.i18n import Texts
from bot.pipeline import Pipeline
from bot.render import render
from bot.store import StoreUnavailable
from handlers.identity import by_name
from strategies import taxonomy
from strategies.models import EVENT_KINDS, Event, Lang

#: The console's customers live under this team id, apart from every real group.
CONSOLE_TEAM = 0
_LINE = re.compile(r"^\s*(?P<name>[^:：]{1,64}?)\s*[:：]\s*(?P<text>.+?)\s*$")
RULE = "─" * 48


def _update_ids() -> Iterable[int]:
    """Unique, increasing ids across runs (the store deduplicates by update id)."""
    base = time.time_ns() // 1000
    n = 0
    while True:
        n += 1
        yield base + n


class Console:
    """Reads lines, prints whispers. ``out`` is stdout unless a test passes its own stream."""

    def __init__(self, pipeline: Pipeline, texts: Texts, lang: Lang, out: TextIO = sys.stdout) -> None:
        self.pipeline = pipeline
        self.texts = texts
        self.lang = lang
        self.out = out
        self.ids = iter(_update_ids())

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    async def handle_line(self, line: str) -> bool:
        """Handle one input line; False means quit."""
        line = line.strip()
        if not line or line.startswith("#!"):
            return True
        if line.startswith("/"):
            return await self._command(line)
        m = _LINE.match(line)
        if m is None:
            self.say(self.texts.get("console.usage", self.lang))
            return True
        customer = by_name(m.group("name"))
        settings = self.pipeline.settings
        outcome = await self.pipeline.handle(
            team=CONSOLE_TEAM,
            customer=customer,
            text=m.group("text"),
            agent_id=0,
            update_id=next(self.ids),
            now=self._now(),
            lang=self.lang,
            burst_seconds=0,
        )
        if outcome is None:  # cannot happen with fresh ids, but never print a stale whisper
            return True
        self.say(RULE)
        self.say(
            render(
                outcome.view,
                playbook=self.pipeline.domain.playbook,
                texts=self.texts,
                lang=self.lang,
                tz=settings.tz,
                fmt="plain",
            )
        )
        return True

    def _now(self) -> datetime:
        return datetime.now(self.pipeline.settings.tz)

    async def _command(self, line: str) -> bool:
        parts = line.split()
        cmd = parts[0].lower()
        t = self.texts.get
        if cmd in ("/quit", "/exit", "/q"):
            return False
        if cmd == "/help":
            self.say(t("console.help", self.lang))
            return True
        store = self.pipeline.store
        try:
            if (
                cmd == "/event"
                and len(parts) in (3, 4)
                and parts[2] in EVENT_KINDS
                and parts[2] != "correction"
            ):
                amount = float(parts[3]) if len(parts) == 4 else None
                event = Event.model_validate({"kind": parts[2], "at": self._now(), "amount": amount})
                await store.add_event(CONSOLE_TEAM, by_name(parts[1]), event)
                self.say(t("console.event_saved", self.lang, kind=parts[2], name=parts[1]))
                return True
            if (
                cmd == "/tag"
                and len(parts) == 4
                and taxonomy.is_valid(parts[2], parts[3])
                and parts[2] in taxonomy.CORRECTABLE
            ):
                event = Event(kind="correction", at=self._now(), dimension=parts[2], label=parts[3])
                await store.add_event(CONSOLE_TEAM, by_name(parts[1]), event)
                self.say(t("console.tag_saved", self.lang, name=parts[1], dimension=parts[2], label=parts[3]))
                return True
            if cmd == "/forget" and len(parts) == 2:
                gone = await store.forget(CONSOLE_TEAM, by_name(parts[1]).id)
                self.say(
                    t("console.forgotten" if gone else "console.unknown_customer", self.lang, name=parts[1])
                )
                return True
        except ValueError:
            pass
        except StoreUnavailable:
            self.say(t("console.store_down", self.lang))
            return True
        self.say(t("console.help", self.lang))
        return True

    async def run(self, stream: TextIO) -> None:
        interactive = stream.isatty()
        if interactive:
            self.say(self.texts.get("console.welcome", self.lang))
        while True:
            if interactive:
                print("> ", end="", file=self.out, flush=True)
            line = await asyncio.to_thread(stream.readline)
            if not line:
                break
            if not await self.handle_line(line):
                break
