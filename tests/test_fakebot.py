"""The fake Telegram server, driven by the real PTB client over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    ReplyParameters,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.fakebot import (
    TINY_PNG,
    FakeTelegram,
    FromChannel,
    FromChat,
    FromHiddenUser,
    FromUser,
    WaitTimeout,
    parse_html,
    running,
)

PNG = TINY_PNG  # 2x3


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(username="zhiyin_test_bot", first_name="知音") as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as client:
        yield client


def build_app(fake: FakeTelegram) -> Application:  # type: ignore[type-arg]
    return (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )


# -------------------------------------------------------------------------------------- identity, HTTP


async def test_get_me_reports_the_configured_identity() -> None:
    async with (
        FakeTelegram(
            username="zhiyin_bot",
            first_name="知音",
            can_join_groups=False,
            can_read_all_group_messages=True,
            supports_inline_queries=True,
        ) as fake,
        Bot(fake.token, base_url=fake.base_url) as bot,
    ):
        me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (5000000001, "zhiyin_bot", "知音", True)
    assert (me.can_join_groups, me.can_read_all_group_messages, me.supports_inline_queries) == (
        False,
        True,
        True,
    )
    assert me.api_kwargs == {}  # every field is one PTB knows


async def test_tokens_are_checked_and_several_bots_can_share_the_server(fake: FakeTelegram) -> None:
    other = fake.add_bot("6000000002:AAOtherBotTokenForTests00000000000002", username="agent_helper_bot")
    async with Bot(other.token, base_url=fake.base_url) as bot:
        assert bot.username == "agent_helper_bot"
        assert bot.id == 6000000002
    unknown = "7000000003:AAUnknownTokenxxxxxxxxxxxxxxxxxxxxxxx"
    with pytest.raises(InvalidToken, match="was rejected by the server"):
        async with Bot(unknown, base_url=fake.base_url):
            pass
    assert fake.all_calls()[-1].response == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert [c.method for c in other.calls()] == ["getMe"]
    assert [c.method for c in fake.calls()] == []


async def test_unknown_method_answers_telegrams_404(fake: FakeTelegram, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": 1})
    assert await fake.raw_request("sendTelepathy") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    # a real method the fake lacks says so (a 404 would reach the bot as InvalidToken)
    with pytest.raises(NetworkError, match="FakeTelegram has no setMyDescription"):
        await bot.set_my_description("知音")
    fake.stub("setMyDescription")
    assert await bot.set_my_description("知音") is True
    fake.add_method("getMyDescription", lambda call: {"description": "知音"})
    assert (await bot.get_my_description()).description == "知音"


async def test_parameters_arrive_the_same_from_query_form_multipart_and_json(fake: FakeTelegram) -> None:
    alice = fake.user(first_name="Alice")
    url = f"{fake.base_url}{fake.token}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "好", "callback_data": "ok"}]]}
    form = aiohttp.FormData()
    form.add_field("chat_id", str(alice.id))
    form.add_field("text", "multipart")
    form.add_field("reply_markup", json.dumps(markup))
    form.add_field("attachment", b"\x00\x01", filename="x.bin")  # forces multipart/form-data
    async with aiohttp.ClientSession() as http:
        await (await http.get(url, params={"chat_id": alice.id, "text": "query"})).read()
        await (
            await http.post(url, data={"chat_id": alice.id, "text": "form", "disable_notification": "true"})
        ).read()
        await (await http.post(url, data=form)).read()
        await (
            await http.post(url, json={"chat_id": alice.id, "text": "json", "reply_markup": markup})
        ).read()
    calls = fake.calls("sendMessage")
    assert [c.ok for c in calls] == [True] * 4
    assert [c.params["text"] for c in calls] == ["query", "form", "multipart", "json"]
    assert {c.params["chat_id"] for c in calls} == {alice.id}
    assert calls[1].params["disable_notification"] is True
    assert calls[2].params["reply_markup"] == markup == calls[3].params["reply_markup"]
    assert calls[2].files["attachment"].data == b"\x00\x01"
    assert [c.http_method for c in calls] == ["GET", "POST", "POST", "POST"]


# -------------------------------------------------------------------------------------------- messages


async def test_send_and_edit_round_trip_is_recorded(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(first_name="Alice")
    await fake.push_text(alice, "我的订单呢？")
    asked = fake.last_message(alice, by_bot=False)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("查看", callback_data="order:42")]])

    sent = await bot.send_message(
        alice.id,
        "<b>订单</b> 已发货 &amp; 在路上",
        parse_mode=ParseMode.HTML,
        reply_markup=keyboard,
        reply_parameters=ReplyParameters(asked.message_id),
    )

    assert sent.text == "订单 已发货 & 在路上"
    assert sent.text_html == "<b>订单</b> 已发货 &amp; 在路上"
    assert sent.reply_to_message is not None and sent.reply_to_message.text == "我的订单呢？"
    record = fake.last_message(alice)
    assert record.message_id == sent.message_id == asked.message_id + 1
    assert (record.text, record.source, record.parse_mode) == (
        sent.text,
        "<b>订单</b> 已发货 &amp; 在路上",
        "HTML",
    )
    assert record.reply_to_message_id == asked.message_id
    assert record.callback_data == ["order:42"]
    assert fake.message(alice, sent.message_id) is record
    call = fake.last_call("sendMessage")
    assert call.params["reply_markup"] == keyboard.to_dict()
    assert call.message is record and call.ok and call.result["message_id"] == sent.message_id

    edited = await bot.edit_message_text("已签收", chat_id=alice.id, message_id=sent.message_id)
    assert not isinstance(edited, bool) and edited.edit_date is not None and edited.text == "已签收"
    assert record.text == "已签收" and record.edit_date is not None
    assert record.reply_markup is None  # an edit that doesn't repeat the keyboard removes it, as on Telegram
    assert [r.text for r in record.history] == ["订单 已发货 & 在路上"]
    assert record.history[0].reply_markup == keyboard.to_dict()
    assert [m.content for m in fake.messages_in(alice, by_bot=None)] == ["我的订单呢？", "已签收"]

    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("已签收", chat_id=alice.id, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=999)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("x", chat_id=alice.id, message_id=asked.message_id)

    await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=keyboard)
    assert record.callback_data == ["order:42"]
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=keyboard)

    assert await bot.delete_message(alice.id, sent.message_id)
    assert record.deleted and fake.messages_in(alice) == []
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alice.id, sent.message_id)


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x <br> y", 'Unsupported start tag "br" at byte offset 2'),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("你 <p>", 'Unsupported start tag "p" at byte offset 4'),  # offsets are in UTF-8 bytes
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<a href=x/>y</a>", "Unexpected end of name token at byte offset 8"),
        ("<b", "Unclosed start tag at byte offset 0"),
    ],
)
async def test_invalid_html_is_rejected_like_telegram(
    fake: FakeTelegram, bot: Bot, html: str, error: str
) -> None:
    alice = fake.user(first_name="Alice")
    with pytest.raises(BadRequest) as caught:
        await bot.send_message(alice.id, html, parse_mode=ParseMode.HTML)
    assert fake.last_call("sendMessage").error == f"Bad Request: can't parse entities: {error}"
    assert caught.value.message == f"Can't parse entities: {error}".capitalize()  # PTB's rewording
    assert fake.messages_in(alice) == []


def test_telegram_html_entities_and_tags() -> None:
    text, entities = parse_html(
        '<b>粗</b><i>斜</i><u>下</u><s>删</s><tg-spoiler>秘</tg-spoiler><span class="tg-spoiler">密</span>'
        '<a href="https://t.me/x?a=1&amp;b=2">链</a><code>c</code>'
        '<pre><code class="language-python">p</code></pre>'
        "<blockquote expandable>q</blockquote> &lt;&gt;&amp;&quot;&#39;&#x1F600; &nbsp;"
    )
    assert text == "粗斜下删秘密链cpq <>&\"'😀 &nbsp;"
    kinds = [(e["type"], e["offset"], e["length"]) for e in entities]
    assert kinds == [
        ("bold", 0, 1),
        ("italic", 1, 1),
        ("underline", 2, 1),
        ("strikethrough", 3, 1),
        ("spoiler", 4, 1),
        ("spoiler", 5, 1),
        ("text_link", 6, 1),
        ("code", 7, 1),
        ("pre", 8, 1),
        ("expandable_blockquote", 9, 1),
    ]
    assert entities[6]["url"] == "https://t.me/x?a=1&b=2"
    assert entities[8]["language"] == "python"


async def test_text_must_be_present_and_at_most_4096_characters(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(first_name="Alice")
    await bot.send_message(alice.id, "字" * 4096)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(alice.id, "字" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(alice.id, "  \n ")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(alice.id, "<b></b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "hi")
    assert await fake.raw_request("sendMessage", {"text": "hi"}) == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: chat_id is empty"},
    )
    # Telegram shows unknown HTML entities as they are; the fake notes it
    shown = await bot.send_message(alice.id, "a&nbsp;b", parse_mode=ParseMode.HTML)
    assert shown.text == "a&nbsp;b" and "&nbsp;" in fake.warnings[0]
    # markup counts only after parsing: 4096 visible characters inside tags are fine
    await bot.send_message(alice.id, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)


async def test_inline_keyboards_are_validated(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(first_name="Alice")

    def keyboard(**button: object) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("按钮", **button)]])  # type: ignore[arg-type]

    await bot.send_message(alice.id, "ok", reply_markup=keyboard(callback_data="x" * 64))
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(alice.id, "too long", reply_markup=keyboard(callback_data="x" * 65))
    with pytest.raises(BadRequest, match="Button_data_invalid"):  # 64 is bytes: 22 Chinese characters are 66
        await bot.send_message(alice.id, "too long", reply_markup=keyboard(callback_data="订" * 22))
    with pytest.raises(BadRequest, match=r"(?i)text buttons are unallowed in the inline keyboard"):
        await bot.send_message(alice.id, "no action", reply_markup=keyboard())
    from telegram import CopyTextButton

    await bot.send_message(alice.id, "ok", reply_markup=keyboard(copy_text=CopyTextButton("c" * 256)))
    with pytest.raises(BadRequest, match="Button_copy_text_invalid"):
        await bot.send_message(alice.id, "copy", reply_markup=keyboard(copy_text=CopyTextButton("c" * 257)))
    assert [c.ok for c in fake.calls("sendMessage")] == [True, False, False, False, True, False]


# -------------------------------------------------------------------------------------------- failures


async def test_users_who_never_started_or_blocked_the_bot_get_403(fake: FakeTelegram, bot: Bot) -> None:
    stranger = fake.user(first_name="Stranger", started=False)
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(stranger.id, "hi")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_photo(stranger.id, PNG)
    await fake.push_command(stranger, "start")  # pressing Start opens the chat
    await bot.send_message(stranger.id, "welcome")

    fake.block(stranger)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(stranger.id, "still there?")
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_chat_action(stranger.id, "typing")
    fake.unblock(stranger)
    await bot.send_chat_action(stranger.id, "typing")

    group = fake.group(title="客服群", bot_status="kicked")
    with pytest.raises(Forbidden, match="bot was kicked from the supergroup chat"):
        await bot.send_message(group.id, "hello")


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_429_raises_retry_after_with_telegrams_delay(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(first_name="Alice")
    fake.fail_next("sendMessage", 429, retry_after=7, times=2)
    for _ in range(2):
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(alice.id, "hi")
        # Zhiyin opts into PTB 23's timedelta (bot/__init__.py); PTB words the message to match.
        assert caught.value.retry_after == timedelta(seconds=7)
        assert caught.value.message.startswith("Flood control exceeded. Retry in")
    assert fake.last_call("sendMessage").response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    await bot.send_message(alice.id, "hi")  # the injected failures are used up
    assert [c.status for c in fake.calls("sendMessage")] == [429, 429, 200]


async def test_server_errors_and_dropped_connections_raise_network_error(
    fake: FakeTelegram, bot: Bot
) -> None:
    alice = fake.user(first_name="Alice")
    fake.fail_next("sendMessage", 500)
    with pytest.raises(NetworkError, match="Internal Server Error") as caught:
        await bot.send_message(alice.id, "a")
    assert not isinstance(caught.value, BadRequest)
    fake.fail_next("sendMessage", 502)  # nginx's HTML page, as Telegram's front end answers
    with pytest.raises(NetworkError, match=r"Bad Gateway \(502\)"):
        await bot.send_message(alice.id, "b")
    fake.fail_next(None, drop_connection=True)  # any method but getUpdates
    with pytest.raises(NetworkError, match="Server disconnected"):
        await bot.send_message(alice.id, "c")
    fake.fail_next("sendMessage", 400, "Bad Request: something specific")
    with pytest.raises(BadRequest, match="Something specific"):
        await bot.send_message(alice.id, "d")
    await bot.send_message(alice.id, "e")
    assert fake.sent_texts(alice) == ["e"]
    assert [c.error for c in fake.calls("sendMessage")][2] == "connection dropped (injected)"


async def test_migrated_group_raises_chat_migrated(fake: FakeTelegram, bot: Bot) -> None:
    old = fake.group(-4242, "old group", supergroup=False)
    new = fake.group(title="new supergroup")
    fake.migrate_group(old, new)
    with pytest.raises(ChatMigrated) as caught:
        await bot.send_message(old.id, "hi")
    assert caught.value.new_chat_id == new.id


async def test_latency_delays_answers(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(first_name="Alice")
    fake.set_latency(0.15, "sendMessage")
    started = time.monotonic()
    await bot.send_chat_action(alice.id, "typing")
    fast = time.monotonic() - started
    await bot.send_message(alice.id, "slow")
    assert time.monotonic() - started - fast >= 0.15 > fast


# --------------------------------------------------------------------------------------------- updates


async def test_application_polling_gets_every_pushed_update_once(fake: FakeTelegram) -> None:
    seen: list[int] = []

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None and update.effective_message.text is not None
        seen.append(update.update_id)
        await update.effective_message.reply_text(f"echo: {update.effective_message.text}")

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        seen.append(update.update_id)
        await update.effective_message.reply_text(f"hello {' '.join(context.args or [])}", do_quote=True)

    app = build_app(fake)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    alice, bob = fake.user(first_name="Alice"), fake.user(first_name="Bob")

    async with running(app):
        pushed = [
            await fake.push_command(alice, "start", "ref42"),
            await fake.push_text(bob, "在吗"),
            await fake.push_text(alice, "one more"),
        ]
        first = await fake.wait_for("sendMessage", chat_id=alice.id)
        assert first.params["text"] == "hello ref42"
        assert first.params["reply_parameters"]["message_id"] == pushed[0]["message"]["message_id"]
        assert (await fake.wait_for_message(bob)).text == "echo: 在吗"
        assert (await fake.wait_for_message(alice, contains="one more")).text == "echo: one more"

    assert sorted(seen) == [u["update_id"] for u in pushed]
    assert fake.pending_updates() == []  # PTB confirmed them on shutdown
    assert Counter(len(c.result or []) for c in fake.calls("getUpdates") if c.ok)[0] >= 1
    assert fake.calls("deleteWebhook")[0].ok  # PTB's polling bootstrap


async def test_example_end_to_end_flow_with_a_keyboard(fake: FakeTelegram) -> None:
    """The shape of a bot test: handlers in an Application, the fake plays the users."""

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        await app.bot.set_my_commands([BotCommand("start", "开始")])

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("满意 👍", callback_data="rate:5")]])
        await update.effective_message.reply_html("<b>您好</b>，请评价", reply_markup=keyboard)

    async def rate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None
        await query.answer("谢谢！")
        await query.edit_message_text(f"评分：{query.data.split(':')[1]}")

    builder = ApplicationBuilder().token(fake.token).base_url(fake.base_url).post_init(post_init)
    app = builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(rate, pattern=r"^rate:"))
    alice = fake.user(first_name="Alice", language_code="zh")

    async with running(app):
        await fake.push_command(alice, "start")
        prompt = await fake.wait_for_message(alice)
        assert prompt.text == "您好，请评价" and prompt.entities[0]["type"] == "bold"
        query_id = await fake.push_callback(alice, prompt, button="满意")
        await fake.wait_for("editMessageText", chat_id=alice.id)

    assert [(a.callback_query_id, a.text) for a in fake.callback_answers] == [(query_id, "谢谢！")]
    assert prompt.text == "评分：5" and prompt.reply_markup is None and len(prompt.history) == 1
    assert fake.commands() == [{"command": "start", "description": "开始"}]


async def test_raw_updates_for_fuzzing(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(first_name="Alice")
    await fake.push_raw({"some_future_update": {"x": 1}})
    await fake.push_text(alice, "fine")
    first, second = await bot.get_updates()
    assert first.api_kwargs == {"some_future_update": {"x": 1}} and second.message is not None

    # A structurally broken update makes PTB's get_updates raise, so the polling loop never confirms it
    # and fetches the same batch again and again: nothing after it is ever handled, and even
    # updater.stop() raises (its last getUpdates parses the batch once more).
    handled: list[Update] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        handled.append(update)

    app = build_app(fake)
    app.add_handler(MessageHandler(filters.ALL, record))
    with pytest.raises(KeyError, match="date"):
        async with running(app, drop_pending_updates=True):
            await fake.push_raw({"message": {"text": "no message_id, date or chat"}})
            await fake.push_text(alice, "never handled")
            await fake.wait_until(lambda: fake.queued() and fake.queued()[0].deliveries >= 3)
    assert handled == [] and not app.running


async def test_updates_built_by_the_fake_parse_cleanly_in_ptb(fake: FakeTelegram, bot: Bot) -> None:
    fake.profile.can_read_all_group_messages = True
    agent, customer = fake.user(first_name="Agent", username="agent_li"), fake.user(first_name="Customer")
    group = fake.group(title="客服群")
    channel = fake.channel(title="公告", username="notices")
    sent = await bot.send_message(
        customer.id,
        "choose",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("A", callback_data="a")]]),
    )
    record = fake.last_message(customer)

    await fake.push_forward(agent, FromHiddenUser("王小姐"), "我要退款", chat=group)
    await fake.push_forward(agent, FromUser(customer), "text", chat=group)
    await fake.push_forward(agent, FromChat(group, author_signature="admin"), "text", chat=group)
    await fake.push_forward(agent, FromChannel(channel, message_id=7), "text", chat=group)
    photo_update = await fake.push_photo(customer, PNG, caption="截图")
    await fake.push_reply(customer, record, "A please")
    await fake.push_command(agent, "stats", chat=group, mention=True)
    query_id = await fake.push_callback(customer, record, button="A")
    await fake.push_edit(fake.last_message(customer, by_bot=False), "A please!")
    await fake.push_bot_added(group, agent, status="administrator")

    updates = await bot.get_updates()
    assert all(u.api_kwargs == {} for u in updates)
    origins = [u.message.forward_origin for u in updates[:4] if u.message]
    assert isinstance(origins[0], MessageOriginHiddenUser) and origins[0].sender_user_name == "王小姐"
    assert isinstance(origins[1], MessageOriginUser) and origins[1].sender_user.id == customer.id
    assert isinstance(origins[2], MessageOriginChat) and origins[2].author_signature == "admin"
    assert isinstance(origins[3], MessageOriginChannel) and origins[3].message_id == 7
    assert updates[0].message is not None and updates[0].message.chat.id == group.id

    photo = updates[4].message
    assert photo is not None and photo.caption == "截图" and photo.photo[-1].width == 2
    assert photo.photo[-1].file_id == photo_update["message"]["photo"][-1]["file_id"]
    assert bytes(await (await photo.photo[-1].get_file()).download_as_bytearray()) == PNG

    reply = updates[5].message
    assert reply is not None and reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == sent.message_id

    command = updates[6].message
    assert command is not None and command.text == "/stats@zhiyin_test_bot"
    assert command.entities[0].type == "bot_command" and command.entities[0].length == len(command.text)

    callback = updates[7].callback_query
    assert callback is not None and callback.id == query_id and callback.data == "a"
    assert callback.message is not None and callback.message.message_id == sent.message_id
    await callback.answer("收到", show_alert=True)
    assert [(a.text, a.show_alert) for a in fake.callback_answers] == [("收到", True)]
    with pytest.raises(BadRequest, match="Query is too old"):
        await callback.answer("again")

    edited = updates[8].edited_message
    assert edited is not None and edited.text == "A please!" and edited.edit_date is not None

    added = updates[9].my_chat_member
    assert added is not None and added.new_chat_member.status == "administrator"
    assert added.old_chat_member.status == "left" and added.new_chat_member.user.id == bot.id
    service = updates[10].message
    assert service is not None and [u.id for u in service.new_chat_members] == [bot.id]
    assert len(updates) == 11


async def test_privacy_mode_only_lets_commands_and_replies_through(fake: FakeTelegram, bot: Bot) -> None:
    group = fake.group(title="客服群")
    member = fake.user(first_name="Member")
    await fake.push_text(member, "plain chatter", chat=group)
    await fake.push_command(member, "help", chat=group)
    await fake.push_command(member, "help", chat=group, mention="some_other_bot")
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["/help"]
    assert [why.split(":")[0] for _, why in fake.dropped_updates] == ["privacy mode", "privacy mode"]
    with pytest.raises(WaitTimeout, match="privacy mode") as caught:
        await fake.wait_for("sendMessage", timeout=0.05)
    assert "getMe() -> ok" in str(caught.value)

    fake.set_member(group, fake.me, "administrator")  # admins see everything
    await fake.push_text(member, "now visible", chat=group)
    assert [u.message.text for u in await bot.get_updates(offset=updates[-1].update_id + 1) if u.message] == [
        "now visible"
    ]


async def test_get_updates_long_polls_and_honours_offset_limit_and_allowed_updates(
    fake: FakeTelegram, bot: Bot
) -> None:
    alice = fake.user(first_name="Alice")
    assert await bot.get_updates(timeout=0) == ()

    async def push_soon() -> None:
        await asyncio.sleep(0.05)
        await fake.push_text(alice, "wake up")

    started = time.monotonic()
    pusher = asyncio.create_task(push_soon())
    woke = await bot.get_updates(timeout=5)
    await pusher
    assert time.monotonic() - started < 1 and [u.message.text for u in woke if u.message] == ["wake up"]

    for n in range(3):
        await fake.push_text(alice, f"m{n}")
    again = await bot.get_updates(limit=2)
    assert [u.message.text for u in again if u.message] == ["wake up", "m0"]  # nothing confirmed yet
    rest = await bot.get_updates(offset=again[-1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["m1", "m2"]
    assert len(fake.pending_updates()) == 2
    assert await bot.get_updates(offset=-1) == rest[-1:]
    assert len(fake.pending_updates()) == 1

    await bot.get_updates(offset=rest[-1].update_id + 1, allowed_updates=["callback_query"])
    await fake.push_text(alice, "filtered out")
    assert fake.pending_updates() == []
    assert fake.dropped_updates[-1][1] == "'message' is not in allowed_updates"

    # a second poller (PTB's own pool allows one getUpdates at a time, so another Bot) ends the first
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_until(lambda: any(not c.done for c in fake.all_calls() if c.method == "getUpdates"))
    async with Bot(fake.token, base_url=fake.base_url) as second_instance:
        assert await second_instance.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first


async def test_webhook_delivery_carries_the_secret_header(fake: FakeTelegram, bot: Bot) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []
    fail = {"on": False}

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(status=500 if fail["on"] else 200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/hook"
    await web.SockSite(runner, sock).start()
    try:
        alice = fake.user(first_name="Alice")
        assert await bot.set_webhook(url, secret_token="s3cr3t-Token_1")
        update = await fake.push_text(alice, "via webhook")
        assert received == [("s3cr3t-Token_1", update)]
        assert Update.de_json(received[0][1], bot).message.text == "via webhook"  # type: ignore[union-attr]
        assert fake.webhook_deliveries[-1].ok and fake.pending_updates() == []

        with pytest.raises(Conflict, match="can't use getUpdates method while webhook is active"):
            await bot.get_updates()

        fail["on"] = True
        await fake.push_text(alice, "not accepted")
        info = await bot.get_webhook_info()
        assert (info.url, info.pending_update_count) == (url, 1)
        assert info.last_error_message == "Wrong response from the webhook: 500"
        fail["on"] = False
        await fake.flush_webhook()
        assert (await bot.get_webhook_info()).pending_update_count == 0
        assert [body["message"]["text"] for _, body in received] == [
            "via webhook",
            "not accepted",
            "not accepted",
        ]

        fail["on"] = True
        await fake.push_text(alice, "dropped with the webhook")
        assert await bot.delete_webhook(drop_pending_updates=True)
        info = await bot.get_webhook_info()
        assert (info.url, info.pending_update_count) == ("", 0)
    finally:
        await runner.cleanup()


# ------------------------------------------------------------------------------------- files, commands


async def test_send_photo_and_document_keep_the_bytes(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(first_name="Alice")
    sent = await bot.send_photo(alice.id, PNG, caption="<b>图表</b>", parse_mode=ParseMode.HTML)
    assert sent.caption == "图表" and sent.photo[-1].width == 2 and sent.photo[-1].height == 3
    [photo] = fake.photos_sent(alice)
    assert photo.data == PNG
    assert fake.last_message(alice).caption == "图表"
    assert fake.last_call("sendPhoto").files["photo"].data == PNG

    again = await bot.send_photo(alice.id, sent.photo[-1].file_id)  # resend by file_id
    assert again.photo[-1].file_id == sent.photo[-1].file_id

    with pytest.raises(BadRequest, match="Image_process_failed"):
        await bot.send_photo(alice.id, b"not an image")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_photo(alice.id, PNG, caption="x" * 1025)

    doc = await bot.send_document(alice.id, b"a,b\n1,2\n", filename="report.csv")
    assert doc.document is not None and doc.document.file_name == "report.csv"
    assert fake.documents_sent(alice)[0].data == b"a,b\n1,2\n"
    downloaded = await (await bot.get_file(doc.document.file_id)).download_as_bytearray()
    assert bytes(downloaded) == b"a,b\n1,2\n"


async def test_commands_are_stored_per_scope_and_language(fake: FakeTelegram, bot: Bot) -> None:
    group = fake.group(title="客服群")
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("help", "Help")])
    await bot.set_my_commands([BotCommand("start", "开始")], language_code="zh")
    await bot.set_my_commands(
        [BotCommand("stats", "统计")], scope=BotCommandScopeAllGroupChats(), language_code="zh"
    )
    await bot.set_my_commands([BotCommand("assign", "分配")], scope=BotCommandScopeChat(group.id))

    assert [c["command"] for c in fake.commands()] == ["start", "help"]
    assert fake.commands(language_code="zh") == [{"command": "start", "description": "开始"}]
    assert fake.commands("all_group_chats", "zh") == [{"command": "stats", "description": "统计"}]
    assert fake.commands("all_group_chats") == []
    assert fake.commands(BotCommandScopeChat(group.id))[0]["command"] == "assign"
    assert [c.command for c in await bot.get_my_commands(language_code="zh")] == ["start"]

    await bot.delete_my_commands(language_code="zh")
    assert fake.commands(language_code="zh") == [] and len(fake.commands()) == 2
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Name", "x")])


async def test_chat_members_and_administrators(fake: FakeTelegram, bot: Bot) -> None:
    group = fake.group(title="客服群")
    owner, agent, customer = (fake.user(first_name=n) for n in ("Owner", "Agent", "Customer"))
    fake.set_member(group, owner, "creator")
    fake.set_member(group, agent, "administrator", can_delete_messages=False)
    fake.set_member(group, customer, "restricted", can_send_messages=True)
    outsider = fake.user(first_name="Outsider")

    assert (await bot.get_chat_member(group.id, owner.id)).status == "creator"
    admin = await bot.get_chat_member(group.id, agent.id)
    assert admin.status == "administrator" and admin.can_delete_messages is False  # type: ignore[attr-defined]
    assert (await bot.get_chat_member(group.id, customer.id)).status == "restricted"
    assert (await bot.get_chat_member(group.id, outsider.id)).status == "left"
    assert (await bot.get_chat_member(group.id, bot.id)).status == "member"
    with pytest.raises(BadRequest, match="User not found"):
        await bot.get_chat_member(group.id, 999_999)
    assert {m.user.id for m in await bot.get_chat_administrators(group.id)} == {owner.id, agent.id}
    with pytest.raises(BadRequest, match="There are no administrators in the private chat"):
        await bot.get_chat_administrators(owner.id)
    chat = await bot.get_chat(group.id)
    assert (chat.title, chat.type) == ("客服群", "supergroup")
    fake.set_member(group, customer, "kicked")
    assert (await bot.get_chat_member(group.id, customer.id)).status == "kicked"


async def test_close_log_out_and_the_call_log(fake: FakeTelegram, bot: Bot) -> None:
    assert await bot.close()
    assert await bot.log_out()
    with pytest.raises(InvalidToken):
        await bot.get_me()
    assert [c.method for c in fake.calls()] == ["getMe", "close", "logOut", "getMe"]
    assert all(c.finished is not None and c.finished >= c.started for c in fake.calls())


async def test_wait_for_consumes_matches_in_order(fake: FakeTelegram, bot: Bot) -> None:
    alice = fake.user(first_name="Alice")
    await bot.send_message(alice.id, "one")
    await bot.send_message(alice.id, "two")
    assert (await fake.wait_for("sendMessage")).params["text"] == "one"
    assert (await fake.wait_for("sendMessage")).params["text"] == "two"
    fake.checkpoint()
    later = asyncio.create_task(fake.wait_for(lambda c: c.params.get("text") == "three"))
    await asyncio.sleep(0)
    await bot.send_message(alice.id, "three")
    assert (await later).ok
    with pytest.raises(WaitTimeout, match=r"sendMessage\(text='three'\)"):
        await fake.wait_for("sendMessage", text="three", timeout=0.05)


async def test_stopping_the_server_ends_long_polls() -> None:
    async with contextlib.AsyncExitStack() as stack:
        fake = await stack.enter_async_context(FakeTelegram())
        bot = await stack.enter_async_context(Bot(fake.token, base_url=fake.base_url))
        poll = asyncio.create_task(bot.get_updates(timeout=30))
        await fake.wait_until(lambda: any(not c.done for c in fake.all_calls() if c.method == "getUpdates"))
        started = time.monotonic()
        await fake.stop()
        assert await poll == ()
        assert time.monotonic() - started < 2
