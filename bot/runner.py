"""Starting and stopping everything: Redis (embedded or not), the Telegram application, the web server.

Start-up order: Redis → Telegram (getMe, with retries) → web server → updates (polling or webhook).
Stopping goes in reverse, letting in-flight updates finish. ``python -m bot`` runs :func:`run_bot`;
tests use :class:`Zhiyin` directly to run the same start-up in-process.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import gc
import logging
import signal
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType

from aiohttp import web
from telegram.error import InvalidToken, NetworkError
from telegram.ext import AIORateLimiter

from bot.app import ALLOWED_UPDATES, AnyApp, build_application
from bot.embedded_redis import EmbeddedRedis
from bot.i18n import Texts
from bot.keys import Keys
from bot.metrics import Metrics
from bot.pipeline import Domain
from bot.redis_conn import connect
from bot.services import Services
from bot.settings import Settings
from bot.store import Client, Store
from bot.web import build_web_app
from handlers.menus import register_menus

log = logging.getLogger(__name__)

#: getMe is retried this often at start-up (network blips, Telegram hiccups) before giving up.
STARTUP_ATTEMPTS = 5


class StartupError(RuntimeError):
    """Start-up failed for a reason the operator must fix; ``exit_code`` 2 for settings, 1 otherwise."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass
class Storage:
    client: Client
    store: Store
    embedded: EmbeddedRedis | None


@contextlib.asynccontextmanager
async def open_storage(settings: Settings) -> AsyncIterator[Storage]:
    """The configured Redis, or an embedded one under DATA_DIR when REDIS_URL is unset."""
    embedded = None
    if settings.redis_url is None:
        embedded = EmbeddedRedis(settings.data_dir)
        # Started from the main thread on purpose: the server is tied to the thread that forks it
        # (it gets SIGTERM when that thread's process dies), and worker threads come and go.
        url = embedded.start()
        log.info("embedded redis started", extra={"data_dir": str(embedded.dir)})
    else:
        url = settings.redis_url.get_secret_value()
    client = await connect(url)
    store = Store(
        client,
        Keys(settings.key_prefix),
        settings.tz,
        history_limit=settings.history_limit,
        retention_days=settings.retention_days,
    )
    try:
        yield Storage(client, store, embedded)
    finally:
        await client.aclose()
        if embedded is not None:
            embedded.stop()


def make_services(
    settings: Settings,
    store: Store,
    domain: Domain,
    texts: Texts,
    clock: Callable[[], datetime] | None = None,
) -> Services:
    return Services(
        settings=settings,
        store=store,
        domain=domain,
        texts=texts,
        metrics=Metrics(),
        clock=clock or (lambda: datetime.now(settings.tz)),
    )


def default_rate_limiter(settings: Settings) -> AIORateLimiter:
    """Telegram's limits from the settings; a 429 is retried after the pause Telegram asks for."""
    return AIORateLimiter(
        overall_max_rate=settings.rate_limit_per_second,
        overall_time_period=1,
        group_max_rate=settings.group_rate_limit_per_minute,
        group_time_period=60,
        max_retries=3,
    )


class Zhiyin:
    """The whole running bot. ``async with Zhiyin(...)`` starts it; leaving the block stops it."""

    def __init__(
        self,
        settings: Settings,
        domain: Domain,
        texts: Texts,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.domain = domain
        self.texts = texts
        self.clock = clock
        self._stack = contextlib.AsyncExitStack()
        self.services: Services
        self.application: AnyApp
        self.port = 0

    async def start(self) -> None:
        settings = self.settings
        try:
            storage = await self._stack.enter_async_context(open_storage(settings))
            self.services = make_services(settings, storage.store, self.domain, self.texts, self.clock)
            self.application = build_application(self.services, default_rate_limiter(settings))
            await _initialize(self.application)
            self._stack.push_async_callback(self.application.shutdown)
            me = self.application.bot.bot
            self.services.bot_username = me.username
            await register_menus(self.application.bot, self.services)
            if not me.can_read_all_group_messages:
                log.warning(
                    "privacy mode is on: in groups the bot only sees commands unless it is an admin; "
                    "turn it off with @BotFather /setprivacy"
                )
            runner = web.AppRunner(build_web_app(self.services, self.application), access_log=None)
            await runner.setup()
            self._stack.push_async_callback(runner.cleanup)
            site = web.TCPSite(runner, settings.listen_host, settings.listen_port)
            try:
                await site.start()
            except OSError as exc:
                where = f"{settings.listen_host}:{settings.listen_port}"
                raise StartupError(f"LISTEN_PORT: cannot listen on {where} ({exc.strerror})", 2) from None
            self.port = runner.addresses[0][1] if runner.addresses else settings.listen_port
            await self.application.start()
            self._stack.push_async_callback(self._stop_application)
            if settings.mode == "polling":  # start_polling also removes any webhook
                assert self.application.updater is not None
                await self.application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            else:
                assert settings.webhook_url and settings.webhook_secret
                await self.application.bot.set_webhook(
                    settings.webhook_url,
                    secret_token=settings.webhook_secret.get_secret_value(),
                    allowed_updates=ALLOWED_UPDATES,
                )
        except BaseException:
            await self._stack.aclose()
            raise
        log.info(
            "zhiyin is running",
            extra={"mode": settings.mode, "bot": me.username, "groups": len(settings.agent_chat_ids)},
        )

    async def _stop_application(self) -> None:
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()

    async def stop(self) -> None:
        log.info("stopping")
        await self._stack.aclose()

    async def __aenter__(self) -> Zhiyin:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()


async def run_bot(settings: Settings, domain: Domain, texts: Texts) -> None:
    """Run until SIGTERM or SIGINT. Raises :class:`StartupError` on problems the operator must fix."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    async with Zhiyin(settings, domain, texts):
        settle_heap()
        await stop.wait()


def settle_heap() -> None:
    """Take what start-up built (playbook, lexicon, the application) out of the garbage collector's sight.

    Those ~120,000 objects live as long as the process, yet every full collection walked them all: a
    60–130 ms pause now and then, and every message in flight waited for it (the benchmark's p99 latency,
    bench/e2e.py). ``gc.freeze`` moves them to a permanent generation; later objects are collected as
    before. Called once, after start-up, by the process that runs the bot.
    """
    gc.collect()
    gc.freeze()
    _return_free_memory()


def _return_free_memory() -> None:
    """Hand memory freed during start-up (OpenCC's phrase dictionaries, ~43 MB) back to the system.

    glibc keeps freed blocks for reuse rather than returning them, so without this the resident size
    would still count them; elsewhere (musl, macOS) there is nothing to do.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


async def _initialize(application: AnyApp) -> None:
    """``Application.initialize`` (which calls getMe), retried on network trouble."""
    delay = 1.0
    for attempt in range(1, STARTUP_ATTEMPTS + 1):
        try:
            await application.initialize()
            return
        except InvalidToken:
            raise StartupError(
                "TELEGRAM_BOT_TOKEN: Telegram rejected this token; copy it again from @BotFather", 2
            ) from None
        except NetworkError as exc:
            if attempt == STARTUP_ATTEMPTS:
                raise StartupError(f"cannot reach Telegram at TELEGRAM_API_URL ({exc.message})") from None
            log.warning("telegram not reachable, retrying", extra={"attempt": attempt})
            await asyncio.sleep(delay)
            delay *= 2
