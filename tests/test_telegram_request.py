"""The HTTP layer to Telegram: JSON bodies, and waiting for a free connection without losing requests."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram.error import TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram_request import JsonRequest


class SlowApi:
    """A Bot API stand-in that holds each call ``delay`` seconds and records what it received."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.bodies: list[dict[str, object]] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def handle(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            assert request.content_type == "application/json"
            self.bodies.append(await request.json())
            await asyncio.sleep(self.delay)
            return web.json_response({"ok": True, "result": True})
        finally:
            self.in_flight -= 1


@pytest.fixture
async def slow_api() -> AsyncIterator[tuple[SlowApi, str]]:
    api = SlowApi(delay=0.2)
    app = web.Application()
    app.router.add_post("/{method}", api.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield api, f"http://127.0.0.1:{port}"
    await runner.cleanup()


def call(text: str) -> RequestData:
    return RequestData([RequestParameter.from_input("text", text)])


async def test_more_calls_than_connections_all_arrive_once_and_in_json(slow_api) -> None:
    api, base = slow_api
    request = JsonRequest(connection_pool_size=2, pool_timeout=10)
    await request.initialize()
    try:
        texts = [f"客户{i} <b>" for i in range(7)]
        results = await asyncio.gather(
            *(request.do_request(f"{base}/sendMessage", "POST", call(t)) for t in texts)
        )
    finally:
        await request.shutdown()
    assert [status for status, _ in results] == [200] * 7
    assert all(json.loads(body)["ok"] for _, body in results)
    assert sorted(b["text"] for b in api.bodies) == sorted(texts)
    assert api.most_in_flight == 2  # never more than the pool at Telegram at once


async def test_a_call_that_finds_no_free_connection_in_time_times_out_unsent(slow_api) -> None:
    api, base = slow_api
    request = JsonRequest(connection_pool_size=1, pool_timeout=10)
    await request.initialize()
    try:
        first = asyncio.create_task(request.do_request(f"{base}/sendMessage", "POST", call("first")))
        await asyncio.sleep(0.05)  # the first call holds the only connection
        with pytest.raises(TimedOut, match="busy"):
            await request.do_request(f"{base}/sendMessage", "POST", call("second"), pool_timeout=0.05)
        assert (await first)[0] == 200
        # the slot is free again: the next call goes through
        assert (await request.do_request(f"{base}/sendMessage", "POST", call("third")))[0] == 200
    finally:
        await request.shutdown()
    assert [b["text"] for b in api.bodies] == ["first", "third"]
