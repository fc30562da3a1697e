"""/customer, /find, /history, /types, /playbook and /reply end to end (fake Bot API, real Redis)."""

from __future__ import annotations

from tests.fakebot import FromHiddenUser, FromUser
from tests.harness import bot_settings, copy_texts, make_team, start_bot
from tests.kit import ask, data_with, press, ticking_clock


async def test_customer_lookup_by_name_reference_reply_and_pick_lists(fake, redis_url, key_prefix) -> None:
    team = make_team(fake)
    chen = fake.user(first_name="Amy", last_name="Chen")
    wong = fake.user(first_name="Amy", last_name="Wong")
    settings = bot_settings(
        fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id], burst_seconds=0
    )
    async with start_bot(settings, clock=ticking_clock()):
        forwarded = await fake.push_forward(
            team.agent, FromUser(chen), "能便宜点吗？最低多少钱，别家比你们便宜", chat=team.group
        )
        chen_whisper = await fake.wait_for_message(team.agent)
        await fake.push_forward(team.agent, FromUser(wong), "什么时候发货？", chat=team.group)
        await fake.wait_for_message(team.agent)
        await fake.push_forward(team.agent, FromHiddenUser("<b>张三</b>"), "你们是正品吗？", chat=team.group)
        await fake.wait_for_message(team.agent)

        card = await ask(fake, team.agent, "/customer amy chen")
        by_id = await ask(fake, team.agent, f"/customer {chen.id}")
        escaped = await ask(fake, team.agent, "/customer <b>张三</b>")
        several = await ask(fake, team.agent, "/customer amy")
        pick_text, picks = several.text or "", data_with(several, "pk:")
        await press(fake, team.agent, several, picks[1])
        suggested = await ask(fake, team.agent, "/customer Amy Chan")
        suggest_text, suggestions = suggested.text or "", data_with(suggested, "pk:")
        await press(fake, team.agent, suggested, suggestions[0])
        nothing = await ask(fake, team.agent, "/customer qqqqqqqq")
        usage = await ask(fake, team.agent, "/customer")
        original = fake.message(team.group, forwarded["message"]["message_id"])
        from_forward = await ask(fake, team.agent, "/customer", chat=team.group, reply_to=original)
        from_whisper = await ask(fake, team.agent, "/customer", reply_to=chen_whisper)
        found = await ask(fake, team.agent, "/find AMY")
        none_found = await ask(fake, team.agent, "/find zzz")
        find_usage = await ask(fake, team.agent, "/find")
        history = await ask(fake, team.agent, "/history Amy Chen")
        history_usage = await ask(fake, team.agent, "/history")

    text = card.text or ""
    assert "Amy Chen" in text and "讲价型" in text and "便宜" in text
    assert "共 1 条消息" in text and "最近的消息" in text and "订单记录" in text and "情绪走势" in text
    assert "消费心理: 求廉型 “便宜”" in text, "why the customer buys, with the words that showed it"
    assert by_id.text == card.text
    assert "<b>张三</b>" in (escaped.text or "") and "&lt;b&gt;" in (escaped.source or "")
    assert "好几位" in pick_text and len(picks) == 2
    assert "Amy" in (several.text or "") and "👤" in (several.text or ""), "the pick list became the card"
    assert "没有找到" in suggest_text and suggestions
    assert "Amy Chen" in (suggested.text or "") and "👤" in (suggested.text or "")
    assert "没有找到" in (nothing.text or "") and not nothing.buttons
    assert "用法" in (usage.text or "")
    assert "Amy Chen" in (from_forward.text or "") and "👤" in (from_forward.text or "")
    assert "Amy Chen" in (from_whisper.text or "") and "👤" in (from_whisper.text or "")
    labels = [b["text"] for b in found.buttons]
    assert len(labels) == 2 and labels[0].startswith("Amy Wong"), "most recent first"
    assert "没有" in (none_found.text or "") and "用法" in (find_usage.text or "")
    assert "别家比你们便宜" in (history.text or "") and "讲价" in (history.text or "")
    assert "用法" in (history_usage.text or "")
    assert all(len(d.encode()) <= 64 for d in [*picks, *suggestions, *found.callback_data])


async def test_types_playbook_and_reply(fake, redis_url, key_prefix) -> None:
    team = make_team(fake)
    settings = bot_settings(fake, redis_url=redis_url, key_prefix=key_prefix, groups=[team.group.id])
    async with start_bot(settings):
        types = await ask(fake, team.agent, "/types")
        by_name = await ask(fake, team.agent, "/playbook 讲价型")
        by_id = await ask(fake, team.agent, "/playbook bargainer")
        traditional = await ask(fake, team.agent, "/playbook 講價型")
        angry = await ask(fake, team.agent, "/playbook 愤怒")
        close = await ask(fake, team.agent, "/playbook bargainr")
        await press(fake, team.agent, close, data_with(close, "pb:")[0])
        unknown = await ask(fake, team.agent, "/playbook 火星人")
        usage = await ask(fake, team.agent, "/playbook")
        haggle = await ask(fake, team.agent, "/reply 讲价")
        returns = await ask(fake, team.agent, "/reply 退货", chat=team.group)
        urge = await ask(fake, team.agent, "/reply 催发货")
        what = await ask(fake, team.agent, "/reply 天气")
        wrong_item = await ask(fake, team.agent, "/reply 发错")
        reply_usage = await ask(fake, team.agent, "/reply")
        await ask(fake, team.agent, "/lang en")
        english = await ask(fake, team.agent, "/reply refund")

    text = types.text or ""
    assert all(w in text for w in ("购买行为", "讲价型", "bargainer", "VIP", "消费心理", "/playbook"))
    assert "讲价型" in (by_name.text or "") and "这样做" in (by_name.text or "")
    assert by_id.text == by_name.text == traditional.text
    assert 1 <= len(copy_texts(by_name)) <= 3
    assert "实用技巧" in (by_name.text or ""), "the three ways to answer haggling"
    assert "愤怒" in (angry.text or "") and copy_texts(angry)
    assert "讲价型" in (close.text or "") and "这样做" in (close.text or ""), "suggestion pressed"
    assert "火星人" in (unknown.text or "") and "/types" in (unknown.text or "")
    assert "用法" in (usage.text or "")
    assert "讲价" in (haggle.text or "") and 3 <= len(copy_texts(haggle)) <= 5
    assert all(c in (haggle.text or "") for c in copy_texts(haggle))
    assert "售后" in (returns.text or "") and copy_texts(returns)
    assert copy_texts(urge) and "催" in (urge.text or "")
    assert "天气" in (what.text or "") and "讲价" in (what.text or "")
    assert "售后" in (wrong_item.text or ""), "the situation a reply is cued on"
    assert "发错" in copy_texts(wrong_item)[0], "the reply for exactly that comes first"
    assert "用法" in (reply_usage.text or "")
    assert "ready replies" in (english.text or "") and all(c.isascii() for c in copy_texts(english)[0][:20])
