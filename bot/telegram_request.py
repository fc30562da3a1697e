"""How the bot talks HTTP to Telegram: aiohttp, with JSON request bodies instead of form encoding.

python-telegram-bot's own transport is httpx (over httpcore, anyio and h11). Measured on bench/e2e.py
with py-spy, that stack took ~1.2 ms of CPU per Bot API call — about a quarter of all the bot's work
per whisper, more than the classifier. aiohttp (already a dependency, for the webhook server) does the
same call for a fraction of that: its HTTP parser and connection pool are written in C/Cython.

Calls without files go as a UTF-8 JSON body: form-encoded, PTB nests keyboards and entities as JSON
strings inside the form and a whisper (~2 KB of Chinese HTML plus a keyboard) grows to ~9 KB; as JSON it
is ~3.5 KB. The Bot API accepts both. Uploads (the summary chart) go as multipart form data, as PTB does.

At most ``connection_pool_size`` requests are at Telegram at once; the rest wait in a semaphore for a
free slot (a FIFO: a freed slot goes to the next waiter at once), up to the pool timeout, after which
the call fails unsent with :class:`telegram.error.TimedOut`, as PTB's transport does.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import certifi
from telegram._utils.types import ODVInput  # the base class's own parameter type
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_POOL_BUSY = "Pool timeout: every connection to Telegram is busy; the request was not sent"
_JSON_HEADERS = {"Content-Type": "application/json"}


def _pick(value: object, default: float | None) -> float | None:
    if value is BaseRequest.DEFAULT_NONE:
        return default
    assert value is None or isinstance(value, int | float)
    return value


class AiohttpRequest(BaseRequest):
    """A :class:`telegram.request.BaseRequest` on aiohttp.

    Timeouts as PTB's own: ``connect_timeout`` to open a connection, ``read_timeout`` between bytes of
    the answer, ``pool_timeout`` to wait for a free connection; aiohttp has no separate write timeout,
    so a call as a whole may take at most connect + write + read (``media_write_timeout`` instead of
    ``write_timeout`` for uploads). One instance per role, like PTB's: the bot's calls and
    ``getUpdates`` each get their own.
    """

    def __init__(
        self,
        connection_pool_size: int = 1,
        *,
        connect_timeout: float | None = 5.0,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._connect = connect_timeout
        self._read = read_timeout
        self._write = write_timeout
        self._pool = pool_timeout
        self._media_write = media_write_timeout
        self._slots = asyncio.Semaphore(connection_pool_size)
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[tuple[str, str], str | None] = {}

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # Mozilla's CA bundle, as PTB's httpx uses, rather than whatever the host has installed.
            tls = ssl.create_default_context(cafile=certifi.where())
            connector = aiohttp.TCPConnector(limit=self._pool_size, ssl=tls)
            self._session = aiohttp.ClientSession(
                connector=connector, headers={"User-Agent": self.USER_AGENT}
            )
            self._proxies = {}  # the environment is read again

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _proxy_for(self, url: str) -> str | None:
        """The proxy for ``url`` from HTTPS_PROXY / HTTP_PROXY / ALL_PROXY and NO_PROXY, as httpx honoured
        them: shops that reach Telegram through a proxy set these.

        Read once per host, not per call: aiohttp's own ``trust_env`` re-reads the environment and
        ~/.netrc in a worker thread on every request (py-spy: ~1.5 ms of CPU per whisper).
        """
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname or "")
        if key not in self._proxies:
            found = urllib.request.getproxies_environment()
            # public and documented in urllib, though typeshed does not list it
            in_no_proxy = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
            bypass = not parts.hostname or in_no_proxy(parts.hostname, found)
            self._proxies[key] = None if bypass else found.get(parts.scheme) or found.get("all")
        return self._proxies[key]

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
        session = self._session
        if session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        uploads = request_data is not None and request_data.contains_files
        connect = _pick(connect_timeout, self._connect)
        read = _pick(read_timeout, self._read)
        write = _pick(write_timeout, self._media_write if uploads else self._write)
        parts = (connect, write, read)
        total = None if None in parts else sum(p for p in parts if p is not None)
        timeout = aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read)
        try:
            await asyncio.wait_for(self._slots.acquire(), _pick(pool_timeout, self._pool))
        except TimeoutError as err:
            raise TimedOut(_POOL_BUSY) from err
        try:
            body: Any = None
            headers = None
            if request_data is not None and uploads:
                body = _form(request_data)
            elif request_data is not None:
                body = json.dumps(request_data.parameters, ensure_ascii=False, separators=(",", ":"))
                body = body.encode()
                headers = _JSON_HEADERS
            proxy = self._proxy_for(url)
            async with session.request(
                method, url, data=body, headers=headers, timeout=timeout, proxy=proxy
            ) as res:
                return res.status, await res.read()
        except TimeoutError as err:  # aiohttp's own timeouts are TimeoutErrors too
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
        finally:
            self._slots.release()


def _form(request_data: RequestData) -> aiohttp.FormData:
    """Multipart form data for a call with files: the other parameters as PTB encodes them."""
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, upload in request_data.multipart_data.items():
        filename, content, *mime = upload
        form.add_field(name, content, filename=filename, content_type=mime[0] if mime else None)
    return form
