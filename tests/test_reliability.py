"""Staying up: Redis going away and coming back, Telegram failing for a moment."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import start_redis
from tests.fakebot import FromHiddenUser, FromUser
from tests.harness import bot_settings, make_team, start_bot


async def wait_until_redis_is_back(port: int) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(100):
            async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                if (await resp.json())["redis"] == "up":
                    return
            await asyncio.sleep(0.1)
    raise AssertionError("the bot never saw Redis come back")


async def test_redis_outage_keeps_whispers_coming_and_state_resumes(
    fake, tmp_path: Path, key_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    proc, port = start_redis(tmp_path, "--appendonly", "yes", "--appendfsync", "always")
    team = make_team(fake)
    customer = fake.user(first_name="Lin")
    settings = bot_settings(
        fake,
        redis_url=f"redis://127.0.0.1:{port}/0",
        key_prefix=key_prefix,
        groups=[team.group.id],
        burst_seconds=0,
    )
    try:
        async with start_bot(settings):
            await fake.push_forward(team.agent, FromUser(customer), "你好，在吗", chat=team.group)
            assert "新客户" in ((await fake.wait_for_message(team.agent)).text or "")

            proc.kill()
            proc.wait()
            degraded = []
            for text in ("怎么还没发货！！太慢了", "再不发我就退款了"):
                await fake.push_forward(team.agent, FromUser(customer), text, chat=team.group)
                degraded.append(await fake.wait_for_message(team.agent))
            for whisper in degraded:
                assert "客户档案暂时不可用" in (whisper.text or ""), whisper.text
                assert "新客户" not in (whisper.text or ""), (
                    "can't tell new from returning without the profile"
                )
                assert whisper.buttons, "copy buttons still work without Redis"
            # the message alone still gets read: its topic and ready replies are there
            assert "物流" in (degraded[0].text or "") and "参考话术" in (degraded[0].text or "")

            proc, _ = start_redis(tmp_path, "--appendonly", "yes", "--appendfsync", "always", port=port)
            await wait_until_redis_is_back(settings.listen_port)
            await fake.push_forward(team.agent, FromUser(customer), "好的，谢谢", chat=team.group)
            back = await fake.wait_for_message(team.agent)
            assert "第 2 条消息" in (back.text or ""), "history from before the outage is there again"
            assert "不可用" not in (back.text or "")
    finally:
        proc.kill()
        proc.wait()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "no errors logged"
    assert not [r for r in caplog.records if r.exc_info], "no stack traces"
    redis_lines = [r.getMessage() for r in caplog.records if r.name == "bot.store"]
    assert redis_lines.count("redis unavailable; whispers continue without profiles") == 1
    assert redis_lines.count("redis available again") == 1


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 429, "retry_after": 1},
        {"status": 502, "times": 2},
        {"status": 500},
        {"status": 500, "drop_connection": True},
    ],
    ids=["429-retry-after", "502-twice", "500", "dropped-connection"],
)
async def test_a_whisper_survives_transient_telegram_errors(fake, redis_url, key_prefix, failure) -> None:
    team = make_team(fake)
    settings = bot_settings(fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id])
    async with start_bot(settings):
        fake.fail_next("sendMessage", **failure)
        await fake.push_forward(team.agent, FromHiddenUser("Mo"), "这个什么时候能到", chat=team.group)
        whisper = await fake.wait_for_message(team.agent, timeout=15)
    assert "Mo" in (whisper.text or "")
    attempts = [c for c in fake.calls("sendMessage") if c.params.get("chat_id") == team.agent.id]
    assert len(attempts) == 1 + failure.get("times", 1)
    assert len(fake.messages_in(team.agent, by_bot=True)) == 1, "delivered once, not duplicated"
