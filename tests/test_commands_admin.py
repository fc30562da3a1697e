"""Menus, /start, /help, /lang, roles, /forget and a Redis outage, end to end.

Real PTB client ↔ fake Bot API server; real Redis.
"""

from __future__ import annotations

from bot.keys import Keys
from tests.conftest import start_redis
from tests.fakebot import FromHiddenUser, FromUser
from tests.harness import bot_settings, make_team, start_bot
from tests.kit import ask, button_data, keys_under, mentions, press


async def test_menus_are_registered_in_zh_and_en_per_scope(fake, redis_url, key_prefix) -> None:
    team = make_team(fake)
    boss = fake.user(first_name="Boss")
    settings = bot_settings(
        fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id], lead_user_ids=[boss.id]
    )
    async with start_bot(settings):
        pass

    def names(scope: object, lang: str) -> list[str]:
        return [c["command"] for c in fake.commands(scope, language_code=lang)]

    def described(scope: object, lang: str) -> dict[str, str]:
        return {c["command"]: c["description"] for c in fake.commands(scope, language_code=lang)}

    private_zh = described("all_private_chats", "zh")
    assert "顾客档案" in private_zh["customer"] and "start" in private_zh and "forget" not in private_zh
    assert "card" in described("all_private_chats", "en")["customer"]
    for lang in ("", "zh", "en"):
        group = names("all_group_chats", lang)
        assert {"customer", "reply", "tag", "event", "stats", "c"} <= set(group)
        assert "forget" not in group and "start" not in group
        assert "forget" in names("all_chat_administrators", lang), "leads see their commands in groups"
        assert "customer" in names(None, lang)
        assert "forget" in names({"type": "chat", "chat_id": boss.id}, lang), "LEAD_USER_IDS in private"
    assert described(None, "")["help"] == described(None, "zh")["help"], "default language is zh-Hans"


async def test_start_help_lang_and_unknown_commands(fake, redis_url, key_prefix, redis_client) -> None:
    team = make_team(fake)
    settings = bot_settings(
        fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id], burst_seconds=0
    )
    async with start_bot(settings):
        started = await ask(fake, team.agent, "/start")
        agent_help = await ask(fake, team.agent, "/help")
        lead_help = await ask(fake, team.lead, "/help")
        group_help = await ask(fake, team.agent, "/help", chat=team.group)
        group_start = await ask(fake, team.agent, "/start", chat=team.group)
        unknown = await ask(fake, team.agent, "/summarize today")
        group_only = await ask(fake, team.agent, "/c 小王 在吗")
        bad_lang = await ask(fake, team.agent, "/lang klingon")
        english = await ask(fake, team.agent, "/lang en")
        await fake.push_forward(team.agent, FromHiddenUser("Ann"), "能便宜点吗", chat=team.group)
        whisper = await fake.wait_for_message(team.agent)
        traditional = await ask(fake, team.agent, "/lang zh-Hant")
        await fake.push_forward(team.agent, FromHiddenUser("Ann"), "好的，那我再想想", chat=team.group)
        second = await fake.wait_for_message(team.agent)
        await ask(fake, team.lead, "/start")
        lead_menu = fake.commands({"type": "chat", "chat_id": team.lead.id}, language_code="zh")
    user_key = Keys(key_prefix).user(team.agent.id)
    assert await redis_client.hget(user_key, "started") == b"1", "the summary relies on this key"
    assert "转发" in (started.text or "")
    assert "/customer" in (agent_help.text or "") and "/forget" not in (agent_help.text or "")
    assert "/forget" in (lead_help.text or "") and "组长命令" in (lead_help.text or "")
    assert "@zhiyin_bot" in (group_help.text or "") and "/start" not in (group_help.text or "")
    assert "@zhiyin_bot" in (group_start.text or "")
    assert "/summarize" in (unknown.text or "") and "/help" in (unknown.text or "")
    assert "群" in (group_only.text or "")
    assert "/lang zh-Hans" in (bad_lang.text or "")
    assert "English" in (english.text or "")
    assert "New customer" in (whisper.text or "") and "Bargain" in (whisper.text or "")
    assert "繁體" in (traditional.text or "")
    assert "第 2 條" in (second.text or ""), second.text
    assert any(c["command"] == "forget" for c in lead_menu), "a lead pressing Start gets the lead menu"
    assert fake.messages_in(team.group, by_bot=True)[0].text == group_help.text


async def test_a_strangers_dm_is_refused_and_nothing_is_stored(
    fake, redis_url, key_prefix, redis_client
) -> None:
    team = make_team(fake)
    stranger = fake.user(first_name="Mallory", language_code="en")
    settings = bot_settings(fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id])
    async with start_bot(settings):
        replies = [await ask(fake, stranger, text) for text in ("/start", "/customer Ann", "/lang en")]
        await fake.push_text(stranger, "hello?")
        replies.append(await fake.wait_for_message(stranger))
    assert all("Sorry" in (r.text or "") for r in replies)
    assert all(not r.buttons for r in replies)
    assert await mentions(redis_client, key_prefix, [str(stranger.id), "Mallory"]) == []


async def test_forget_is_for_leads_confirmed_and_leaves_no_trace(
    fake, redis_url, key_prefix, redis_client
) -> None:
    team = make_team(fake)
    customer = fake.user(first_name="Zed", last_name="Quinn")
    keeper = fake.user(first_name="Kim")
    settings = bot_settings(
        fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id], burst_seconds=0
    )
    cid = f"u{customer.id}"
    async with start_bot(settings):
        for text in ("你好，这个多少钱", "能便宜点吗？太贵了", "那我拍下了"):
            await fake.push_forward(team.agent, FromUser(customer), text, chat=team.group)
            whisper = await fake.wait_for_message(team.agent)
        await fake.push_forward(team.agent, FromUser(keeper), "有货吗", chat=team.group)
        await fake.wait_for_message(team.agent)
        await ask(fake, team.agent, "/event Zed 下单 99")
        await press(fake, team.agent, whisper, button_data(whisper, "准确"))
        await press(fake, team.agent, whisper, button_data(whisper, "纠正"))
        await press(fake, team.agent, whisper, button_data(whisper, "性格"))
        await press(fake, team.agent, whisper, button_data(whisper, "分析型"))
        await ask(fake, team.agent, "/customer zed")  # no pick list: one match
        await ask(fake, team.agent, "/find e")  # a pick list naming Zed (and Kim)

        refused = await ask(fake, team.agent, "/forget Zed")
        refused_group = await ask(fake, team.agent, "/forget Zed", chat=team.group)
        usage = await ask(fake, team.lead, "/forget")
        confirm = await ask(fake, team.lead, "/forget zed quinn")
        cancelled_by = await press(fake, team.agent, confirm, button_data(confirm, "取消"))
        await press(fake, team.lead, confirm, button_data(confirm, "取消"))
        still_there = await ask(fake, team.agent, "/customer Zed Quinn")
        confirm = await ask(fake, team.lead, "/forget Zed Quinn")
        await press(fake, team.lead, confirm, button_data(confirm, "确认删除"))
        gone = await ask(fake, team.agent, "/customer Zed Quinn")
    assert "组长" in (refused.text or "") and "组长" in (refused_group.text or "")
    assert "/forget" in (usage.text or "")
    assert cancelled_by is not None and "组长" in cancelled_by, "only the asking lead confirms"
    assert "Zed Quinn" in (still_there.text or "") and "最近的消息" in (still_there.text or "")
    assert "已删除" in (confirm.text or "") and not confirm.buttons
    assert "没有找到" in (gone.text or "")
    left = await mentions(redis_client, key_prefix, [cid, "Zed", "Quinn", "便宜"])
    assert left == [], left
    assert any("Kim" in k or f"u{keeper.id}" in k for k in await keys_under(redis_client, key_prefix)), (
        "other customers are kept"
    )


async def test_commands_say_storage_is_down_when_redis_is(fake, tmp_path, key_prefix) -> None:
    proc, port = start_redis(tmp_path)
    team = make_team(fake)
    settings = bot_settings(
        fake, redis_url=f"redis://127.0.0.1:{port}/0", key_prefix=key_prefix, groups=[team.group.id]
    )
    try:
        async with start_bot(settings):
            await fake.push_forward(team.agent, FromHiddenUser("Ann"), "在吗", chat=team.group)
            whisper = await fake.wait_for_message(team.agent)
            await ask(fake, team.agent, "/help")  # membership now known in memory
            proc.terminate()
            proc.wait(timeout=10)
            down = [
                await ask(fake, team.agent, text)
                for text in ("/customer Ann", "/find A", "/stats", "/event Ann paid")
            ]
            alert = await press(fake, team.agent, whisper, button_data(whisper, "准确"))
            types = await ask(fake, team.agent, "/types")
    finally:
        if proc.poll() is None:
            proc.kill()
    assert all("存储暂时不可用" in (m.text or "") for m in down), [m.text for m in down]
    assert alert is not None and "存储暂时不可用" in alert
    assert "讲价型" in (types.text or ""), "what needs no storage still works"
