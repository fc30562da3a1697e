"""Shared fixtures: a real Redis server started for the test session (never fakeredis)."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis

from bot.embedded_redis import find_redis_server
from bot.keys import Keys
from bot.redis_conn import connect
from bot.store import Client, Store

TZ = ZoneInfo("Asia/Shanghai")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_redis(
    directory: Path, *extra: str, binary: str | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    """A throwaway redis-server on a loopback port, data in ``directory`` (``binary``: which server;
    by default the one the embedded mode runs)."""
    port = free_port()
    proc = subprocess.Popen(
        [
            binary or find_redis_server(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(directory),
            "--save",
            "",
            "--appendonly",
            "no",
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(redis.ConnectionError):
            if client.ping():
                client.close()
                return proc, port
        time.sleep(0.02)
    proc.kill()
    raise RuntimeError("test redis-server did not start")


@pytest.fixture(scope="session")
def redis_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    proc, port = start_redis(tmp_path_factory.mktemp("redis"))
    yield port
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def redis_url(redis_port: int) -> str:
    return f"redis://127.0.0.1:{redis_port}/0"


@pytest.fixture
def key_prefix(redis_port: int) -> Iterator[str]:
    """A key prefix of this test's own; every key under it is deleted afterwards."""
    prefix = f"t{uuid.uuid4().hex[:10]}"
    yield prefix
    client = redis.Redis(port=redis_port)
    keys = list(client.scan_iter(f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[Client]:
    client = await connect(redis_url)
    yield client
    await client.aclose()


@pytest.fixture
def store(redis_client: Client, key_prefix: str) -> Store:
    return Store(redis_client, Keys(key_prefix), TZ, history_limit=5, retention_days=30)


@pytest.fixture(autouse=True)
def _hermetic_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's exported settings must not change what the tests see."""
    from bot.settings import Settings

    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
