"""How the bot talks HTTP to Telegram: JSON request bodies instead of form encoding.

python-telegram-bot sends every call form-encoded, with nested values (keyboards, entities) as JSON
strings inside it. A whisper is ~2 KB of Chinese HTML plus a keyboard: form-encoded it grows to ~9 KB
and costs ~180 µs to encode; as UTF-8 JSON it is ~3.5 KB and ~10 µs. The Bot API accepts both.
Uploads (the summary chart) keep PTB's multipart encoding.

Requests also wait for a free connection here, in a semaphore, rather than in httpcore's pool queue:
httpcore rescans its whole queue against every connection each time a request starts or ends, so a
burst of a few hundred whispers queued there costs CPU quadratic in the burst (py-spy on bench/e2e.py:
12% of the bot's CPU in that scan); a semaphore hands a freed slot to the next waiter at once (bot CPU
per whisper under load 4.8 → 4.6 ms).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from telegram._utils.types import ODVInput  # the base class's own parameter type
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

_JSON = {"Content-Type": "application/json"}
_POOL_BUSY = "Pool timeout: every connection to Telegram is busy; the request was not sent"


def _pick(value: object, default: float | None) -> float | None:
    if value is BaseRequest.DEFAULT_NONE:
        return default
    assert value is None or isinstance(value, int | float)
    return value


class JsonRequest(HTTPXRequest):
    """:class:`HTTPXRequest` that sends calls without files as a JSON body.

    At most ``connection_pool_size`` requests are in httpcore at once; the rest wait (up to the pool
    timeout) for a slot.
    """

    def __init__(self, connection_pool_size: int = 1, **kwargs: Any) -> None:
        super().__init__(connection_pool_size=connection_pool_size, **kwargs)
        self._slots = asyncio.Semaphore(connection_pool_size)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        client = self._client
        defaults = client.timeout
        timeout = httpx.Timeout(
            connect=_pick(connect_timeout, defaults.connect),
            read=_pick(read_timeout, defaults.read),
            write=_pick(write_timeout, defaults.write),
            pool=_pick(pool_timeout, defaults.pool),
        )
        try:
            await asyncio.wait_for(self._slots.acquire(), timeout.pool)
        except TimeoutError as err:
            raise TimedOut(_POOL_BUSY) from err
        try:
            if request_data is None or request_data.contains_files:
                return await super().do_request(
                    url,
                    method,
                    request_data,
                    read_timeout,
                    write_timeout,
                    connect_timeout,
                    pool_timeout,
                )
            return await self._post_json(url, method, request_data.parameters, timeout)
        finally:
            self._slots.release()

    async def _post_json(
        self, url: str, method: str, parameters: dict[str, Any], timeouts: httpx.Timeout
    ) -> tuple[int, bytes]:
        body = json.dumps(parameters, ensure_ascii=False, separators=(",", ":")).encode()
        try:
            response = await self._client.request(
                method=method,
                url=url,
                headers={"User-Agent": self.USER_AGENT, **_JSON},
                timeout=timeouts,
                content=body,
            )
        except httpx.PoolTimeout as err:
            raise TimedOut(_POOL_BUSY) from err
        except httpx.TimeoutException as err:
            raise TimedOut from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return response.status_code, response.content
