"""The running bot's parts, built once at start-up and handed to every handler factory."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.i18n import Texts
from bot.metrics import Metrics
from bot.pipeline import Domain, Pipeline
from bot.settings import Settings
from bot.store import Store, StoreUnavailable
from strategies.models import Lang

#: How long a user's language choice is trusted from memory before asking Redis again.
LANG_CACHE_SECONDS = 60.0


@dataclass
class Services:
    """Settings, storage, domain and texts: what handlers need, passed down explicitly."""

    settings: Settings
    store: Store
    domain: Domain
    texts: Texts
    metrics: Metrics
    clock: Callable[[], datetime]
    pipeline: Pipeline = field(init=False)
    bot_username: str = ""
    _langs: dict[int, tuple[float, Lang]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.pipeline = Pipeline(self.settings, self.store, self.domain)

    def now(self) -> datetime:
        return self.clock().astimezone(self.settings.tz)

    async def lang_of(self, user_id: int | None) -> Lang:
        """The interface language a user chose with /lang, else the LANGUAGE setting."""
        if user_id is None:
            return self.settings.language
        cached = self._langs.get(user_id)
        if cached and time.monotonic() - cached[0] < LANG_CACHE_SECONDS:
            return cached[1]
        try:
            chosen = await self.store.user_setting(user_id, "lang")
        except StoreUnavailable:
            return cached[1] if cached else self.settings.language
        lang: Lang = chosen if chosen in ("zh-Hans", "zh-Hant", "en") else self.settings.language  # type: ignore[assignment]
        self._langs[user_id] = (time.monotonic(), lang)
        return lang

    async def set_lang(self, user_id: int, lang: Lang) -> None:
        await self.store.set_user_setting(user_id, "lang", lang)
        self._langs[user_id] = (time.monotonic(), lang)
