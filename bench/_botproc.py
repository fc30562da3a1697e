"""The bot under load, in its own process: ``python -m bench._botproc zhiyin|echo|echo-aiohttp CONFIG``.

``zhiyin`` is the real bot (``bot.runner.Zhiyin``: Redis, web server, polling, every handler) with
production logging (JSON lines on stderr). ``echo`` is a bare python-telegram-bot bot — PTB's own httpx
transport — whose only handler sends the forwarded text back to the agent; it gets Zhiyin's pool size,
timeouts, concurrent updates and rate limiter, so that only the work differs. ``echo-aiohttp`` is the same
echo bot on Zhiyin's own transport (``bot.telegram_request.AiohttpRequest``, via ``application_builder``):
what is left between it and Zhiyin is Zhiyin's own work per message. All use ``AIORateLimiter`` with
Telegram's 30 messages/s and 20/min-per-group limits switched off (as the tests do): the benchmarks
measure the bot, not the limits.
Prints ``ready`` on stdout once polling runs, a JSON line of garbage-collector pauses on SIGUSR1; stops
cleanly on SIGTERM. With ``"profile": PATH`` in the config the whole run is profiled with cProfile and the
stats written to PATH.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import functools
import gc
import json
import signal
import sys
import time
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes, MessageHandler, filters
from telegram.request import HTTPXRequest

from bot.app import ALLOWED_UPDATES, HTTP_CONNECTIONS, POLL_TIMEOUTS, SEND_TIMEOUTS, application_builder
from bot.logs import setup_logging
from bot.runner import default_rate_limiter
from bot.settings import Settings, load_settings


def _settings(config: dict[str, Any]) -> Settings:
    return load_settings(
        _env_file=None,
        telegram_bot_token=config["token"],
        telegram_api_url=config["api"],
        redis_url=config.get("redis"),
        key_prefix=config["prefix"],
        agent_chat_ids=[config["group"]],
        listen_host="127.0.0.1",
        listen_port=config["port"],
        burst_seconds=config["burst"],
        shop_name="茶语小铺",
        rate_limit_per_second=0,  # Telegram's limits off in both bots, as in the tests
        group_rate_limit_per_minute=0,
    )


class GcPauses:
    """Garbage collections by generation: how many, total and longest pause (seconds)."""

    def __init__(self) -> None:
        self.stats: dict[int, list[float]] = {}
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
            return
        pause = time.perf_counter() - self._started
        count, total, longest = self.stats.get(info["generation"], [0, 0.0, 0.0])
        self.stats[info["generation"]] = [count + 1, total + pause, max(longest, pause)]

    def report(self) -> None:
        """One JSON line on stdout with the pauses since the last report (the driver sends SIGUSR1)."""
        print(json.dumps({"gc": self.stats}), flush=True)
        self.stats = {}


PAUSES = GcPauses()


async def _until_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.add_signal_handler(signal.SIGUSR1, PAUSES.report)
    print("ready", flush=True)
    await stop.wait()


async def run_zhiyin(settings: Settings) -> None:
    from bot.__main__ import load_domain
    from bot.i18n import load_texts
    from bot.runner import Zhiyin, settle_heap

    async with Zhiyin(settings, load_domain(None), load_texts()):
        settle_heap()  # as run_bot does
        await _until_stopped()


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.message
    if message is None or message.from_user is None:
        return
    await context.bot.send_message(message.from_user.id, f"{update.update_id} {message.text}")


async def run_echo(settings: Settings, *, bare: bool) -> None:
    builder = application_builder(settings, default_rate_limiter(settings))
    if bare:  # python-telegram-bot's own transport, with the same pool and timeouts
        builder.request(HTTPXRequest(connection_pool_size=HTTP_CONNECTIONS, **SEND_TIMEOUTS))
        builder.get_updates_request(HTTPXRequest(**POLL_TIMEOUTS))
    app = builder.build()
    app.add_handler(
        MessageHandler(filters.UpdateType.MESSAGE & filters.ChatType.GROUPS & filters.TEXT, _echo)
    )
    await app.initialize()
    try:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
        await _until_stopped()
        await app.updater.stop()
        await app.stop()
    finally:
        await app.shutdown()


def main(argv: list[str]) -> None:
    kind, config = argv[0], json.loads(argv[1])
    settings = _settings(config)
    setup_logging(settings.log_level, settings.log_format, settings.secrets())
    runners = {
        "zhiyin": run_zhiyin,
        "echo": functools.partial(run_echo, bare=True),
        "echo-aiohttp": functools.partial(run_echo, bare=False),
    }
    run = runners[kind]
    profile = config.get("profile")
    profiler = cProfile.Profile() if profile else None
    with contextlib.suppress(KeyboardInterrupt):
        if profiler is not None:
            profiler.enable()
        asyncio.run(run(settings))
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)


if __name__ == "__main__":
    main(sys.argv[1:])
