"""The embedded Redis keeps its data under DATA_DIR across restarts."""

from __future__ import annotations

from pathlib import Path

import redis

from bot.embedded_redis import EmbeddedRedis


def test_data_survives_a_restart(tmp_path: Path) -> None:
    first = EmbeddedRedis(tmp_path)
    url = first.start()
    client = redis.Redis.from_url(url)
    client.set("zy:test", "kept")
    client.close()
    first.stop()

    second = EmbeddedRedis(tmp_path)
    try:
        client = redis.Redis.from_url(second.start())
        assert client.get("zy:test") == b"kept"
        client.close()
    finally:
        second.stop()
    assert (tmp_path / "redis").is_dir()


def test_a_second_process_reuses_the_running_server(tmp_path: Path) -> None:
    first = EmbeddedRedis(tmp_path)
    try:
        url = first.start()
        second = EmbeddedRedis(tmp_path)
        assert second.start() == url
        second.stop()  # did not start it, so it must not stop it
        assert redis.Redis.from_url(url).ping()
    finally:
        first.stop()


def test_long_data_dir_falls_back_to_loopback(tmp_path: Path) -> None:
    deep = tmp_path / ("x" * 60) / ("y" * 60)
    server = EmbeddedRedis(deep)
    try:
        url = server.start()
        assert url.startswith("redis://127.0.0.1:")
        assert redis.Redis.from_url(url).ping()
    finally:
        server.stop()
