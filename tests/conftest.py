"""Shared fixtures: a real Redis server started for the test session (never a fake or mocked store)."""

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
from tests.fakebot import FakeTelegram

TZ = ZoneInfo("Asia/Shanghai")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_redis(
    directory: Path, *extra: str, port: int | None = None, binary: str | None = None
) -> tuple[subprocess.Popen[bytes], int]:
    """A throwaway redis-server on a loopback port (a free one unless given), data in ``directory``
    (``binary``: which server; by default the one the embedded mode runs)."""
    port = port or free_port()
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


def _cluster_ports(count: int) -> list[int]:
    """Free ports whose cluster-bus twins (port + 10000) are free too."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port + 10000 > 65535 or port in ports:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        ports.append(port)
    return ports


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[int]]:
    """A real three-node Redis Cluster on loopback (no replicas); yields the nodes' ports."""
    procs = []
    ports = _cluster_ports(3)
    for port in ports:
        proc, _ = start_redis(
            tmp_path_factory.mktemp(f"cluster{port}"),
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            f"nodes-{port}.conf",
            "--cluster-node-timeout",
            "2000",
            port=port,
        )
        procs.append(proc)
    cli = Path(find_redis_server()).with_name("redis-cli")
    subprocess.run(
        [
            str(cli),
            "--cluster",
            "create",
            *(f"127.0.0.1:{p}" for p in ports),
            "--cluster-replicas",
            "0",
            "--cluster-yes",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        states = [redis.Redis(port=p).cluster("info").get("cluster_state") for p in ports]
        if all(state == "ok" for state in states):
            break
        time.sleep(0.1)
    else:
        raise RuntimeError("test Redis Cluster did not become ready")
    yield ports
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def redis_sentinel(tmp_path_factory: pytest.TempPathFactory, redis_port: int) -> Iterator[int]:
    """A real Redis Sentinel watching the session's test server as master "zhiyin"; yields its port."""
    directory = tmp_path_factory.mktemp("sentinel")
    port = free_port()
    config = directory / "sentinel.conf"
    config.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {directory}\n"
        f"sentinel monitor zhiyin 127.0.0.1 {redis_port} 1\n"
        "sentinel down-after-milliseconds zhiyin 5000\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [find_redis_server(), str(config), "--sentinel"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(redis.ConnectionError, redis.ResponseError):
            if client.execute_command("SENTINEL", "get-master-addr-by-name", "zhiyin"):
                break
        time.sleep(0.05)
    else:
        proc.kill()
        raise RuntimeError("test Redis Sentinel did not start")
    client.close()
    yield port
    proc.terminate()
    proc.wait(timeout=10)


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


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """The fake Telegram Bot API server, as the bot's tests need it: bot @zhiyin_bot, privacy mode off."""
    async with FakeTelegram(username="zhiyin_bot", can_read_all_group_messages=True) as server:
        yield server
