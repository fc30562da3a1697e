"""The HTTP layer to Telegram (aiohttp): JSON bodies, uploads as multipart, waiting for a free connection
without losing requests, and failures turned into PTB's errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.telegram_request import AiohttpRequest
from tests.conftest import free_port


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
            if request.content_type == "multipart/form-data":
                form = await request.post()
                self.bodies.append(
                    {k: (v.filename, v.file.read()) if hasattr(v, "file") else v for k, v in form.items()}
                )
            else:
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
    request = AiohttpRequest(connection_pool_size=2, pool_timeout=10)
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
    request = AiohttpRequest(connection_pool_size=1, pool_timeout=10)
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


async def test_uploads_go_as_multipart_with_the_other_parameters(slow_api) -> None:
    api, base = slow_api
    request = AiohttpRequest(pool_timeout=10)
    await request.initialize()
    png = b"\x89PNG\r\n\x1a\nchart"
    data = RequestData(
        [
            RequestParameter.from_input("chat_id", 42),
            RequestParameter.from_input("caption", "今天 <b>"),
            RequestParameter.from_input("photo", InputFile(png, filename="summary.png")),
        ]
    )
    try:
        status, _ = await request.do_request(f"{base}/sendPhoto", "POST", data)
    finally:
        await request.shutdown()
    assert status == 200
    assert api.bodies == [{"chat_id": "42", "caption": "今天 <b>", "photo": ("summary.png", png)}]


async def test_a_slow_answer_is_a_timeout_and_a_refused_connection_a_network_error(slow_api) -> None:
    _api, base = slow_api
    request = AiohttpRequest(read_timeout=0.05, pool_timeout=10)
    await request.initialize()
    try:
        with pytest.raises(TimedOut):
            await request.do_request(f"{base}/sendMessage", "POST", call("slow"))
        closed = f"http://127.0.0.1:{free_port()}/sendMessage"
        with pytest.raises(NetworkError, match="aiohttp"):
            await request.do_request(closed, "POST", call("nobody there"))
        # a longer read timeout for this one call (as getUpdates asks) lets the answer arrive
        assert (await request.do_request(f"{base}/sendMessage", "POST", call("ok"), read_timeout=5))[0] == 200
    finally:
        await request.shutdown()


async def test_calls_before_initialize_or_after_shutdown_are_refused() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:9/getMe", "POST")
    await request.initialize()
    await request.shutdown()
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request("http://127.0.0.1:9/getMe", "POST")


async def test_a_proxy_from_the_environment_is_used_unless_no_proxy_names_the_host(
    slow_api, monkeypatch
) -> None:
    """Shops that reach Telegram through a proxy set HTTPS_PROXY (HTTP_PROXY here: the stand-in speaks
    plain HTTP); NO_PROXY exempts hosts. A proxy receives the full address of the call."""
    api, base = slow_api
    seen: list[str] = []

    async def forward(request: web.Request) -> web.Response:
        seen.append(str(request.url))
        return web.json_response({"ok": True, "result": "via proxy"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", forward)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    proxy_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy_port}")
    request = AiohttpRequest(pool_timeout=10)
    try:
        await request.initialize()
        _, body = await request.do_request(f"{base}/sendMessage", "POST", call("through the proxy"))
        assert json.loads(body)["result"] == "via proxy"
        assert seen == [f"{base}/sendMessage"] and api.bodies == []

        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        await request.shutdown()
        await request.initialize()  # the environment is read again when the transport starts
        _, body = await request.do_request(f"{base}/sendMessage", "POST", call("straight"))
        assert json.loads(body)["result"] is True
        assert len(seen) == 1 and [b["text"] for b in api.bodies] == ["straight"]
    finally:
        await request.shutdown()
        await runner.cleanup()
