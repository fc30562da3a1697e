"""Agents' feedback end to end: the whisper's ✓ / ✎ buttons, /tag, /event and /stats (fake Bot API, real
Redis)."""

from __future__ import annotations

from bot.keys import Keys
from tests.fakebot import FromHiddenUser, FromUser
from tests.harness import bot_settings, make_team, start_bot
from tests.kit import ask, button_data, data_with, press


async def test_whisper_buttons_confirm_and_correct_in_place(
    fake, redis_url, key_prefix, redis_client
) -> None:
    team = make_team(fake)
    customer = fake.user(first_name="Lin")
    settings = bot_settings(
        fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id], burst_seconds=0
    )
    async with start_bot(settings):
        await fake.push_forward(
            team.agent, FromUser(customer), "能便宜点吗？最低多少钱，别家比你们便宜", chat=team.group
        )
        whisper = await fake.wait_for_message(team.agent)
        before = whisper.text or ""
        thanks = await press(fake, team.agent, whisper, button_data(whisper, "准确"))
        again = await press(fake, team.agent, whisper, button_data(whisper, "准确"))

        await press(fake, team.agent, whisper, button_data(whisper, "纠正"))
        dimensions = list(whisper.callback_data)
        await press(fake, team.agent, whisper, button_data(whisper, "取消"))
        restored = list(whisper.callback_data)
        await press(fake, team.agent, whisper, button_data(whisper, "纠正"))
        await press(fake, team.agent, whisper, button_data(whisper, "性格"))
        types = list(whisper.callback_data)
        type_labels = [b["text"] for b in whisper.buttons if "fb:s:" in b.get("callback_data", "")]
        corrected = await press(fake, team.agent, whisper, button_data(whisper, "分析型"))
        after = whisper.text or ""

        await fake.push_forward(team.agent, FromUser(customer), "那包邮吗？", chat=team.group)
        next_whisper = await fake.wait_for_message(team.agent)
        stats = await ask(fake, team.agent, "/stats")
        group_stats = await ask(fake, team.lead, "/stats", chat=team.group)

    assert thanks is not None and "购买行为" in thanks
    assert again is not None and "已经确认" in again
    assert {d.split(":")[-1] for d in data_with_list(dimensions, "fb:d:")} == {
        "behavior",
        "personality",
        "shopper",
        "value",
        "mood",
    }
    assert any(d.startswith("fb:ok:") for d in restored) and not data_with_list(restored, "fb:d:")
    assert len(data_with_list(types, "fb:s:")) == 4 and "分析型" in "".join(type_labels)
    assert all(len(d.encode()) <= 64 for d in dimensions + types)
    assert corrected is not None and "分析型" in corrected
    assert "分析型" not in before and "性格: 分析型 （客服已纠正）" in after, after
    assert "Copy" not in after and any("copy_text" in b for b in whisper.buttons), "copy buttons kept"
    assert data_with(whisper, "fb:ok:"), "feedback buttons back after the correction"
    assert "分析型" in (next_whisper.text or "") and "客服已纠正" in (next_whisper.text or "")
    text = stats.text or ""
    assert "消息 2 条" in text and "纠正 1 次" in text
    assert "性格：0% (0/1)" in text and "购买行为：100% (1/1)" in text, text
    assert "客服一组" in (group_stats.text or "") and "纠正 1 次" in (group_stats.text or "")
    day_keys = [k async for k in redis_client.scan_iter(f"{key_prefix}:*:d:*:s")]
    counters = {k.decode(): int(v) for k, v in (await redis_client.hgetall(day_keys[0])).items()}
    assert counters["disagree:personality"] == 1 and counters["agree:behavior"] == 1
    assert counters[f"corrections:{team.agent.id}"] == 1 and counters[f"feedback:{team.agent.id}"] == 2


def data_with_list(data: list[str], prefix: str) -> list[str]:
    return [d for d in data if d.startswith(prefix)]


async def test_tag_and_event_commands(fake, redis_url, key_prefix, redis_client) -> None:
    team = make_team(fake)
    settings = bot_settings(
        fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id], burst_seconds=0
    )
    async with start_bot(settings):
        await fake.push_forward(team.agent, FromHiddenUser("小王"), "这个有货吗", chat=team.group)
        whisper = await fake.wait_for_message(team.agent)
        tagged = await ask(fake, team.agent, "/tag 小王 性格 分析型")
        tagged_en = await ask(fake, team.agent, "/tag 小王 behavior bargainer")
        by_reply = await ask(fake, team.agent, "/tag 购买行为 讲价型", reply_to=whisper)
        bad_type = await ask(fake, team.agent, "/tag 小王 性格 火星型")
        bad_dimension = await ask(fake, team.agent, "/tag 小王 星座 讲价型")
        too_short = await ask(fake, team.agent, "/tag 小王")
        unknown = await ask(fake, team.agent, "/tag 小张三丰 性格 分析型")
        ordered = await ask(fake, team.agent, "/event 小王 下单 ¥199", chat=team.group)
        stats_unpaid = await ask(fake, team.agent, "/stats")
        paid = await ask(fake, team.agent, "/event 小王 paid 199")
        bad_kind = await ask(fake, team.agent, "/event 小王 lost")
        bad_amount = await ask(fake, team.agent, "/event 小王 paid lots")
        await fake.push_forward(team.agent, FromHiddenUser("小王"), "那今天能发货吗", chat=team.group)
        next_whisper = await fake.wait_for_message(team.agent)
        card = await ask(fake, team.agent, "/customer 小王")
    assert "分析型" in (tagged.text or "") and "已纠正" in (tagged.text or "")
    assert "讲价型" in (tagged_en.text or "") and "讲价型" in (by_reply.text or "")
    assert "火星型" in (bad_type.text or "") and "分析型" in (bad_type.text or "")
    assert "用法" in (bad_dimension.text or "") and "用法" in (too_short.text or "")
    assert "没有找到" in (unknown.text or "") or "是不是" in (unknown.text or "")
    assert "已记录" in (ordered.text or "") and "¥199" in (ordered.text or "")
    assert "拍下未付 1" in (stats_unpaid.text or "")
    assert "付款" in (paid.text or "")
    assert "用法" in (bad_kind.text or "") and "用法" in (bad_amount.text or "")
    assert "分析型" in (next_whisper.text or "") and "讲价型" in (next_whisper.text or "")
    text = card.text or ""
    assert "客服纠正过" in text and "分析型" in text and "下单 1" in text and "付款 1" in text
    assert "已付 ¥199" in text
    nopay = await redis_client.zrange(Keys(key_prefix).nopay(team.group.id), 0, -1)
    assert nopay == [], "paid takes the customer off the chase list"


async def test_a_correction_on_a_whisper_posted_in_the_group_keeps_the_hint(
    fake, redis_url, key_prefix
) -> None:
    team = make_team(fake, agent_started=False)
    settings = bot_settings(fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id])
    async with start_bot(settings):
        await fake.push_forward(team.agent, FromHiddenUser("Ivy"), "这个多少钱？能便宜点吗", chat=team.group)
        whisper = await fake.wait_for_message(team.group)
        for label in ("纠正", "情绪", "愉快"):
            await press(fake, team.lead, whisper, button_data(whisper, label))
    text = whisper.text or ""
    assert "情绪: 愉快 （客服已纠正）" in text and "@zhiyin_bot" in text, text
    assert data_with(whisper, "fb:ok:")
