"""The bot end to end: a forwarded customer message in, a private whisper out, state in Redis.

Real PTB client ↔ fake Bot API server (tests/fakebot.py) on 127.0.0.1; real Redis.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import aiohttp
import pytest
import redis
from pydantic import SecretStr

from strategies.playbook import load_playbook
from tests.fakebot import FromChannel, FromChat, FromHiddenUser, FromUser
from tests.harness import bot_settings, copy_texts, make_team, run_cli, start_bot
from tests.kit import keys_under, mentions


async def test_forward_gets_a_private_whisper_with_copy_buttons(fake, redis_url, key_prefix) -> None:
    team = make_team(fake)
    customer = fake.user(first_name="Amy", last_name="Chen")
    settings = bot_settings(fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id])
    async with start_bot(settings):
        await fake.push_forward(
            team.agent, FromUser(customer), "能便宜点吗？最低多少钱，别家比你们便宜", chat=team.group
        )
        whisper = await fake.wait_for_message(team.agent)
    text = whisper.text or ""
    assert "Amy Chen" in text and "新客户" in text
    assert "讲价型" in text, text
    assert "便宜" in text  # the customer's words quoted as evidence
    copies = copy_texts(whisper)
    assert 2 <= len(copies) <= 3 and all(0 < len(c) <= 256 for c in copies)
    assert all("{" not in c for c in copies)
    assert any(d.startswith("fb:ok:") for d in whisper.callback_data)
    assert any(d.startswith("fb:fix:") for d in whisper.callback_data)
    # nothing was posted in the group
    assert fake.messages_in(team.group, by_bot=True) == []


async def test_the_whisper_says_why_the_customer_buys_and_how_to_use_it(fake, redis_url, key_prefix) -> None:
    team = make_team(fake)
    customer = fake.user(first_name="Lily")
    settings = bot_settings(fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id])
    async with start_bot(settings):
        await fake.push_forward(
            team.agent, FromUser(customer), "这个牌子是大牌吗？朋友都在用这款", chat=team.group
        )
        whisper = await fake.wait_for_message(team.agent)
    text = whisper.text or ""
    assert "消费心理: 求名型 “牌子”、从众型 “朋友都在用”" in text, text
    brand = load_playbook().types["motives"]["brand"]
    assert f"• {brand.do[0].zh_hans}" in text, "the brand-seeker's angle is in the strategy"


async def test_agent_who_never_pressed_start_gets_the_whisper_in_the_group(
    fake, redis_url, key_prefix
) -> None:
    team = make_team(fake, agent_started=False)
    customer = fake.user(first_name="Bob")
    settings = bot_settings(fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id])
    async with start_bot(settings):
        update = await fake.push_forward(team.agent, FromUser(customer), "什么时候发货？", chat=team.group)
        reply = await fake.wait_for_message(team.group)
    assert reply.reply_to_message_id == update["message"]["message_id"]
    assert "Bob" in (reply.text or "") and "@zhiyin_bot" in (reply.text or "")
    assert copy_texts(reply)
    refused = [c for c in fake.calls("sendMessage") if c.params.get("chat_id") == team.agent.id]
    assert refused and not refused[0].ok  # the private attempt was made and refused with 403


async def test_hidden_user_and_typed_reference_are_recognised(fake, redis_url, key_prefix) -> None:
    team = make_team(fake)
    settings = bot_settings(
        fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id], burst_seconds=0
    )
    async with start_bot(settings):
        await fake.push_forward(team.agent, FromHiddenUser("张三"), "在吗？这个有货吗", chat=team.group)
        first = await fake.wait_for_message(team.agent)
        await fake.push_text(team.agent, "#张三 那今天能发吗", chat=team.group)
        second = await fake.wait_for_message(team.agent)
        await fake.push_text(team.agent, "/c 淘宝买家A 收到的货坏了，我要退货", chat=team.group)
        third = await fake.wait_for_message(team.agent)
    assert "张三" in (first.text or "") and "新客户" in (first.text or "")
    assert "张三" in (second.text or "") and "第 2 条" in (second.text or ""), (
        "the tag joins the hidden user's profile"
    )
    assert "淘宝买家A" in (third.text or "") and "退货" in (third.text or "")


async def test_chat_and_channel_origins_and_photo_captions(fake, redis_url, key_prefix) -> None:
    team = make_team(fake)
    shop_chat = fake.group(title="买家群", bot_status=None)
    channel = fake.channel(title="团购频道")
    settings = bot_settings(
        fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id], burst_seconds=0
    )
    async with start_bot(settings):
        await fake.push_forward(team.agent, FromChat(shop_chat), "你们家正品吗", chat=team.group)
        assert "买家群" in ((await fake.wait_for_message(team.agent)).text or "")
        await fake.push_forward(team.agent, FromChannel(channel), "有优惠券吗", chat=team.group)
        assert "团购频道" in ((await fake.wait_for_message(team.agent)).text or "")
        await fake.push_photo(team.agent, caption="#买家B 收到的杯子碎了，怎么办", chat=team.group)
        photo_whisper = await fake.wait_for_message(team.agent)
    assert "买家B" in (photo_whisper.text or "") and "碎了" in (photo_whisper.text or "")


async def test_agents_chatter_is_ignored_and_stored_nowhere(
    fake, redis_url, key_prefix, redis_client
) -> None:
    team = make_team(fake)
    settings = bot_settings(fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id])
    async with start_bot(settings):
        await fake.push_text(team.agent, "大家中午吃什么？", chat=team.group)
        await fake.push_text(team.lead, "这个顾客我来跟进", chat=team.group)
        # a customer message afterwards proves the bot was listening all along
        await fake.push_forward(
            team.agent, FromHiddenUser("Carol"), "hello, is this in stock?", chat=team.group
        )
        await fake.wait_for_message(team.agent)
    assert len(fake.calls("sendMessage")) == 1
    assert await mentions(redis_client, key_prefix, ["is this in stock"]), "the customer's message is kept"
    assert await mentions(redis_client, key_prefix, ["吃什么", "跟进"]) == [], "agents' chatter is not"


async def test_unauthorised_group_is_told_once_and_nothing_is_stored(
    fake, redis_url, key_prefix, redis_client
) -> None:
    team = make_team(fake)
    stranger_group = fake.group(title="别人的群")
    fake.set_member(stranger_group, team.agent, "member")
    settings = bot_settings(fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id])
    async with start_bot(settings):
        await fake.push_forward(team.agent, FromHiddenUser("Dan"), "能便宜点吗", chat=stranger_group)
        notice = await fake.wait_for_message(stranger_group)
        await fake.push_forward(team.agent, FromHiddenUser("Dan"), "最低多少", chat=stranger_group)
        await fake.push_text(team.agent, "#Dan 包邮吗", chat=stranger_group)
        # then a message in the real group, so we know the two above were processed
        await fake.push_forward(team.agent, FromHiddenUser("Eve"), "你好", chat=team.group)
        await fake.wait_for_message(team.agent)
    assert str(stranger_group.id) in (notice.text or "") and "AGENT_CHAT_IDS" in (notice.text or "")
    assert len(fake.messages_in(stranger_group, by_bot=True)) == 1, "said once"
    assert len([m for m in fake.messages_in(team.agent, by_bot=True)]) == 1, (
        "no whisper for the stranger group"
    )
    assert await mentions(redis_client, key_prefix, [str(stranger_group.id), "Dan", "便宜"]) == []


async def test_a_burst_of_forwards_becomes_one_whisper_edited_in_place(
    fake, redis_url, key_prefix, redis_client
) -> None:
    team = make_team(fake)
    customer = fake.user(first_name="Fay")
    settings = bot_settings(
        fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id], burst_seconds=30
    )
    async with start_bot(settings):
        for text in ("在吗", "这个多少钱", "能便宜点吗", "包邮吗"):
            await fake.push_forward(team.agent, FromUser(customer), text, chat=team.group)
        await fake.wait_for("editMessageText", chat_id=team.agent.id)
        await fake.wait_for(
            lambda c: c.method == "editMessageText" and "合并 4 条" in str(c.params.get("text")), timeout=10
        )
    sent = [c for c in fake.calls("sendMessage") if c.params.get("chat_id") == team.agent.id]
    assert len(sent) == 1, "one whisper"
    whisper = fake.messages_in(team.agent, by_bot=True)
    assert len(whisper) == 1
    assert "第 4 条" in (whisper[0].text or "") and "包邮" in (whisper[0].text or "")
    history = await redis_client.lrange(f"{key_prefix}:{{{team.group.id}:u{customer.id}}}:h", 0, -1)
    said = [entry.decode().split("|", 3)[3] for entry in reversed(history)]
    assert said == ["在吗", "这个多少钱", "能便宜点吗", "包邮吗"], "kept in the customer's order"


async def test_html_in_customer_text_and_name_is_shown_escaped(fake, redis_url, key_prefix) -> None:
    team = make_team(fake)
    customer = fake.user(first_name="<b>Boss</b>", last_name="& Co")
    settings = bot_settings(fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id])
    async with start_bot(settings):
        await fake.push_forward(
            team.agent, FromUser(customer), "<script>alert(1)</script> 太贵了 <i>", chat=team.group
        )
        whisper = await fake.wait_for_message(team.agent)
    # the fake server rejects invalid HTML, so arriving at all proves the escaping; agents see the raw text
    assert "<b>Boss</b> & Co" in (whisper.text or "")
    assert "<script>alert(1)</script>" in (whisper.text or "")
    assert "&lt;script&gt;" in (whisper.source or "")


async def test_restart_keeps_a_customers_history_in_the_embedded_redis(
    fake, tmp_path: Path, key_prefix
) -> None:
    team = make_team(fake)
    customer = fake.user(first_name="Gao")
    settings = bot_settings(
        fake,
        redis_url=None,
        data_dir=tmp_path / "data",
        key_prefix=key_prefix,
        groups=[team.group.id],
        burst_seconds=0,
    )
    async with start_bot(settings):
        await fake.push_forward(team.agent, FromUser(customer), "请问这款有蓝色吗", chat=team.group)
        await fake.wait_for_message(team.agent)
    assert list((tmp_path / "data" / "redis").glob("*.aof")) or list(
        (tmp_path / "data" / "redis").glob("appendonlydir")
    )
    async with start_bot(settings):
        await fake.push_forward(team.agent, FromUser(customer), "那就要蓝色的，谢谢", chat=team.group)
        second = await fake.wait_for_message(team.agent)
    assert "第 2 条" in (second.text or "")


async def test_webhook_checks_the_secret_and_handles_each_update_once(
    fake, redis_url, key_prefix, redis_client
) -> None:
    team = make_team(fake)
    customer = fake.user(first_name="Hu")
    port_settings = bot_settings(fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id])
    url = f"http://127.0.0.1:{port_settings.listen_port}/webhook"
    settings = port_settings.model_copy(
        update={"mode": "webhook", "webhook_url": url, "webhook_secret": SecretStr("s3cret-Token_1")}
    )
    update = {
        "update_id": 777001,
        "message": {
            "message_id": 42,
            "date": 1763870000,
            "chat": {"id": team.group.id, "type": "supergroup", "title": "客服一组"},
            "from": {"id": team.agent.id, "is_bot": False, "first_name": "小李"},
            "forward_origin": {
                "type": "user",
                "date": 1763869990,
                "sender_user": {"id": customer.id, "is_bot": False, "first_name": "Hu"},
            },
            "text": "能不能再便宜点",
        },
    }
    async with start_bot(settings), aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            async with http.post(url, json=update, headers=headers) as resp:
                assert resp.status == 401
        await asyncio.sleep(0.3)
        assert await keys_under(redis_client, key_prefix) == [], "a refused call stores nothing"
        assert [c for c in fake.calls("sendMessage")] == []
        good = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-Token_1"}
        for _ in range(2):  # Telegram redelivers
            async with http.post(url, json=update, headers=good) as resp:
                assert resp.status == 200
        await fake.wait_for_message(team.agent)
        await asyncio.sleep(0.5)
        async with http.post(url, data=b"not json", headers=good) as resp:
            assert resp.status == 400
        async with http.get(f"http://127.0.0.1:{settings.listen_port}/healthz") as resp:
            health = await resp.json()
        async with http.get(f"http://127.0.0.1:{settings.listen_port}/metrics") as resp:
            metrics = await resp.text()
    assert len(fake.messages_in(team.agent, by_bot=True)) == 1, "handled once"
    assert fake.calls("setWebhook")[0].params["secret_token"] == "s3cret-Token_1"
    assert health == {"status": "ok", "redis": "up", "mode": "webhook", "bot": "zhiyin_bot"}
    assert 'zhiyin_whispers_total{route="private"} 1.0' in metrics
    assert "zhiyin_duplicate_updates_total 1.0" in metrics


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k in ("PATH", "HOME", "LANG", "LC_ALL", "PYTHONPATH", "SYSTEMROOT")
    }
    env.update(extra)
    return env


def test_console_prints_a_whisper_per_line_and_keeps_state(
    redis_url: str, key_prefix: str, tmp_path: Path
) -> None:
    lines = "小王: 你好，在吗\n小王: 这个太贵了，能便宜点吗？最低多少\nAmy: Hi, when will my order ship?\n"
    done = run_cli("console", env=_env(REDIS_URL=redis_url, KEY_PREFIX=key_prefix), stdin=lines)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.count("─" * 48) == 3
    assert "新客户 小王" in out and "小王 · 第 2 条消息" in out
    assert "讲价型" in out
    assert "Amy" in out
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.hget(f"{key_prefix}:{{0:n:小王}}:p", "n") == b"2"
    finally:
        client.close()


def test_run_without_token_starts_the_console_on_the_embedded_redis(tmp_path: Path) -> None:
    done = run_cli("run", env=_env(DATA_DIR=str(tmp_path)), stdin="小赵: 快递到哪了\n")
    assert done.returncode == 0, done.stderr
    assert "TELEGRAM_BOT_TOKEN" in done.stderr and "@BotFather" in done.stderr
    assert "小赵" in done.stdout
    assert (tmp_path / "redis").is_dir()


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"AGENT_CHAT_IDS": "our-group"}, "AGENT_CHAT_IDS"),
        ({"TIMEZONE": "Moon/Base"}, "TIMEZONE"),
        ({"MODE": "webhook", "TELEGRAM_BOT_TOKEN": "123456:" + "A" * 30}, "WEBHOOK_URL"),
    ],
)
def test_bad_settings_stop_with_one_line_and_exit_2(env: dict[str, str], named: str) -> None:
    done = run_cli("run", env=_env(**env))
    assert done.returncode == 2
    assert named in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
