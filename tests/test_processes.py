"""The bot as real processes (``python -m bot``): signals, crashes, and two workers sharing one Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import redis

from tests.conftest import free_port
from tests.fakebot import FakeTelegram, FromUser
from tests.harness import ROOT, make_team

SECRET = "wh-Secret_for_tests_42"


def bot_env(fake: FakeTelegram, group_id: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT")}
    env.update(
        TELEGRAM_BOT_TOKEN=fake.token,
        TELEGRAM_API_URL=fake.base_url,
        AGENT_CHAT_IDS=str(group_id),
        LISTEN_HOST="127.0.0.1",
        LOG_LEVEL="INFO",
        RATE_LIMIT_PER_SECOND="0",
        GROUP_RATE_LIMIT_PER_MINUTE="0",
    )
    env.update(extra)
    return env


@contextlib.asynccontextmanager
async def bot_process(env: dict[str, str]) -> AsyncIterator[asyncio.subprocess.Process]:
    """``python -m bot`` in its own session; yields once /healthz answers; killed if still running."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{env['LISTEN_PORT']}/healthz"
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                if proc.returncode is not None:
                    raise AssertionError(f"bot exited early: {(await proc.stderr.read()).decode()}")  # type: ignore[union-attr]
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(url) as resp:
                        if resp.status == 200:
                            break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("bot did not become healthy")
        yield proc
    finally:
        if proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            await proc.wait()


async def test_sigterm_shuts_down_cleanly_and_logs_no_secret_or_customer_text(
    fake, redis_url, key_prefix
) -> None:
    team = make_team(fake)
    customer = fake.user(first_name="Secretive")
    env = bot_env(
        fake,
        team.group.id,
        REDIS_URL=redis_url,
        KEY_PREFIX=key_prefix,
        LISTEN_PORT=str(free_port()),
        WEBHOOK_SECRET=SECRET,
    )
    async with bot_process(env) as proc:
        await fake.push_forward(
            team.agent, FromUser(customer), "我的暗号是 紫色长颈鹿42 请保密", chat=team.group
        )
        await fake.wait_for_message(team.agent, timeout=15)
        await fake.push_text(team.agent, "#神秘买家Q 下周三能送到吗", chat=team.group)
        await fake.wait_for_message(team.agent, timeout=15)
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), timeout=20)
        stderr = (await proc.stderr.read()).decode()  # type: ignore[union-attr]
    assert code == 0, stderr
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert lines and all("level" in entry and "msg" in entry for entry in lines), "structured JSON logs"
    messages = [e["msg"] for e in lines]
    assert "zhiyin is running" in messages and "stopping" in messages
    assert any(e["msg"] == "customer message handled" and e["route"] == "private" for e in lines)
    # no secret, no customer words, no customer names (ids of name-only customers are names)
    for secret in (
        fake.token,
        fake.token.split(":")[1],
        SECRET,
        "紫色长颈鹿",
        "暗号",
        "神秘买家",
        "下周三",
        "Secretive",
    ):
        assert secret not in stderr, f"{secret!r} leaked into the log"


async def test_killed_and_restarted_the_embedded_redis_keeps_its_data(fake, tmp_path: Path) -> None:
    team = make_team(fake)
    customer = fake.user(first_name="Phoenix")
    env = bot_env(
        fake, team.group.id, DATA_DIR=str(tmp_path), LISTEN_PORT=str(free_port()), BURST_SECONDS="0"
    )
    async with bot_process(env) as proc:
        for text in ("在吗", "这个有货吗", "今天能发吗"):
            await fake.push_forward(team.agent, FromUser(customer), text, chat=team.group)
            await fake.wait_for_message(team.agent, timeout=15)
        await asyncio.sleep(1.5)  # appendfsync everysec: at most one second of writes is at risk
        os.killpg(proc.pid, signal.SIGKILL)  # the bot and its Redis die together, as in a power cut
        await proc.wait()
    async with bot_process(env):
        await fake.push_forward(team.agent, FromUser(customer), "好的，那我下单了", chat=team.group)
        again = await fake.wait_for_message(team.agent, timeout=15)
    assert "第 4 条消息" in (again.text or ""), again.text


async def test_the_embedded_redis_never_outlives_the_bot(fake, tmp_path: Path) -> None:
    team = make_team(fake)
    env = bot_env(fake, team.group.id, DATA_DIR=str(tmp_path), LISTEN_PORT=str(free_port()))
    async with bot_process(env) as proc:
        socket_path = tmp_path / "redis" / "redis.sock"
        assert redis.Redis(unix_socket_path=str(socket_path)).ping()
        proc.kill()  # only the bot, by SIGKILL
        await proc.wait()
    for _ in range(100):
        try:
            redis.Redis(unix_socket_path=str(socket_path), socket_timeout=0.2).ping()
        except (redis.ConnectionError, FileNotFoundError):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the embedded redis-server kept running after the bot died")


async def test_two_workers_share_state_for_1000_concurrent_messages(fake, redis_url, key_prefix) -> None:
    team = make_team(fake)
    customer = fake.user(first_name="Many")
    ports = [free_port(), free_port()]
    common = {
        "REDIS_URL": redis_url,
        "KEY_PREFIX": key_prefix,
        "MODE": "webhook",
        "WEBHOOK_SECRET": SECRET,
        "HISTORY_LIMIT": "500",
        "BURST_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
    }
    envs = [
        bot_env(
            fake, team.group.id, LISTEN_PORT=str(p), WEBHOOK_URL=f"http://127.0.0.1:{p}/webhook", **common
        )
        for p in ports
    ]

    def update(n: int) -> dict[str, object]:
        return {
            "update_id": 500_000 + n,
            "message": {
                "message_id": 10_000 + n,
                "date": 1763870000,
                "chat": {"id": team.group.id, "type": "supergroup", "title": team.group.title},
                "from": {"id": team.agent.id, "is_bot": False, "first_name": team.agent.first_name},
                "forward_origin": {
                    "type": "user",
                    "date": 1763869990,
                    "sender_user": {"id": customer.id, "is_bot": False, "first_name": "Many"},
                },
                "text": f"第{n:04d}个问题：这个还有货吗",
            },
        }

    async with bot_process(envs[0]), bot_process(envs[1]), aiohttp.ClientSession() as http:
        gate = asyncio.Semaphore(64)

        async def post(n: int, port: int) -> None:
            async with (
                gate,
                http.post(
                    f"http://127.0.0.1:{port}/webhook",
                    json=update(n),
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                ) as resp,
            ):
                assert resp.status == 200

        sends = [post(n, ports[n % 2]) for n in range(1000)]
        # Telegram redelivers: 100 of them arrive again, at the other worker
        sends += [post(n, ports[(n + 1) % 2]) for n in range(0, 1000, 10)]
        await asyncio.gather(*sends)
        for _ in range(600):
            if len(fake.messages_in(team.agent, by_bot=True)) >= 1000:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # would a duplicate still arrive?

    assert len(fake.messages_in(team.agent, by_bot=True)) == 1000, "one whisper per message, none doubled"
    client = redis.Redis.from_url(redis_url)
    try:
        tag = f"{key_prefix}:{{{team.group.id}:u{customer.id}}}"
        assert client.hget(f"{tag}:p", "n") == b"1000"
        history = [e.decode().split("|", 3)[3] for e in client.lrange(f"{tag}:h", 0, -1)]
        assert len(history) == 500 == len(set(history)), "capped, no duplicates"
        day_stats = {
            k.decode(): int(v)
            for k, v in client.hgetall(next(iter(client.scan_iter(f"{key_prefix}:*:s")))).items()
        }
        assert day_stats["messages"] == 1000
    finally:
        client.close()
