"""A fake Telegram Bot API server for tests: the real PTB client talks HTTP to it on 127.0.0.1.

    async with FakeTelegram(username="zhiyin_bot", can_read_all_group_messages=True) as fake:
        app = (ApplicationBuilder().token(fake.token).base_url(fake.base_url)
               .base_file_url(fake.base_file_url).build())
        app.add_handler(...)
        alice = fake.user(first_name="Alice")                 # started=False: never pressed Start
        group = fake.group(title="客服群")                      # bot_status="administrator", ...
        async with running(app):                              # like run_polling(), stops cleanly
            await fake.push_text(alice, "你好")
            reply = await fake.wait_for_message(alice)        # Message record (text, buttons, ...)
            qid = await fake.push_callback(alice, reply, button="满意")
            call = await fake.wait_for("editMessageText", chat_id=alice.id)   # Call record
        assert fake.callback_answers[0].callback_query_id == qid

People and chats: user(), group(), channel(), block()/unblock(), set_started(), set_member(chat, user,
    status, **rights), migrate_group(old, new), fake.me (the bot as a User).
Updates (async, return the update dict; honour privacy mode and allowed_updates, see dropped_updates):
    push_text(sender, text, chat=, reply_to=), push_command(sender, "start", "args", chat=, mention=),
    push_reply(sender, to_message, text), push_forward(sender, FromUser(u) | FromHiddenUser("name") |
    FromChat(chat) | FromChannel(chat, message_id), text, chat=), push_photo(sender, png, caption=),
    push_document(...), push_edit(message, text), push_callback(sender, message, data | button=) -> id,
    push_bot_added(chat, by, status=), push_bot_removed(...), push_my_chat_member(...), push_raw(dict).
Records: calls(method) / last_call(method) / all_calls() -> Call (method, params decoded, files, status,
    response, result, error, ok, message); messages_in(chat, by_bot=True|False|None) / last_message(chat) /
    message(chat, id) / sent_texts(chat) -> Message (text as shown, source as sent, entities, reply_markup,
    buttons, callback_data, button(text), reply_to_message_id, photo, document, history, deleted);
    callback_answers; commands(scope, language_code); photos_sent(); documents_sent(); webhook_deliveries;
    updates; pending_updates(); queued(); dropped_updates; warnings; describe().
Waiting: wait_for(method | predicate, **params), wait_for_message(chat, contains=), wait_until(fn) — each
    wait_for* returns the oldest match not returned before; checkpoint() skips everything so far.
Failures: fail_next(method, status, description, retry_after=, migrate_to_chat_id=, times=,
    drop_connection=), set_latency(seconds, method=), stub(method, result), add_method(method, fn).
Several bots: fake.add_bot(token, username=...) returns a FakeBot with the same API.

Error descriptions are Telegram's, so PTB raises what it would in production (BadRequest, Forbidden,
RetryAfter, ChatMigrated, Conflict, InvalidToken, NetworkError).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import json
import logging
import re
import secrets
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, web
from multidict import MultiDictProxy

_log = logging.getLogger(__name__)

DEFAULT_TOKEN = "5000000001:AAFakeTokenForZhiyinTestsOnly0000001"
"""A well-formed token (id ``5000000001``). PTB never checks tokens locally, only the server does."""

JSONDict = dict[str, Any]


def _words(text: str) -> list[str]:
    return text.split()


# Update types Telegram delivers when allowed_updates was never set (or set to []).
DEFAULT_ALLOWED_UPDATES = frozenset(
    _words(
        "message edited_message channel_post edited_channel_post business_connection "
        "business_message edited_business_message deleted_business_messages inline_query "
        "chosen_inline_result callback_query shipping_query pre_checkout_query purchased_paid_media "
        "poll poll_answer my_chat_member chat_join_request chat_boost removed_chat_boost"
    )
)

CHAT_ACTIONS = frozenset(
    _words(
        "typing upload_photo record_video upload_video record_voice upload_voice upload_document "
        "choose_sticker find_location record_video_note upload_video_note"
    )
)

TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000020000000308060000009db4de5b"
    "0000000d49444154789c63f8cfc0f01f0005000201a5f1b3a50000000049454e44ae426082"
)
"""A valid 2x3 PNG."""

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes
MAX_COPY_TEXT = 256


# ------------------------------------------------------------------------------------------------------------
# Errors


class ApiError(Exception):
    """An error response of the Bot API. Raise it from a custom method handler (see ``add_method``)."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        parameters: JSONDict = {}
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if parameters:
            body["parameters"] = parameters
        return body


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


class WaitTimeout(AssertionError):
    """``wait_for*`` gave up; the message lists what the fake saw meanwhile."""


# ------------------------------------------------------------------------------------------------------------
# Value objects for people and chats


@dataclass(frozen=True)
class User:
    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = None
    is_bot: bool = False
    is_premium: bool = False

    def to_dict(self) -> JSONDict:
        d: JSONDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        if self.last_name:
            d["last_name"] = self.last_name
        if self.username:
            d["username"] = self.username
        if self.language_code:
            d["language_code"] = self.language_code
        if self.is_premium:
            d["is_premium"] = True
        return d

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    @property
    def chat(self) -> Chat:
        """The private chat between this user and the bot."""
        return Chat(
            id=self.id,
            type="private",
            first_name=self.first_name,
            last_name=self.last_name,
            username=self.username,
        )


@dataclass(frozen=True)
class Chat:
    id: int
    type: str  # private | group | supergroup | channel
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def to_dict(self) -> JSONDict:
        d: JSONDict = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value:
                d[key] = value
        if self.is_forum:
            d["is_forum"] = True
        return d


@dataclass
class BotProfile:
    """What getMe says. ``can_read_all_group_messages=False`` is privacy mode (Telegram's default)."""

    token: str = DEFAULT_TOKEN
    first_name: str = "Zhiyin"
    username: str = "zhiyin_test_bot"
    id: int | None = None  # defaults to the number before ':' in the token, as with real tokens
    can_join_groups: bool = True
    can_read_all_group_messages: bool = False
    supports_inline_queries: bool = False
    can_connect_to_business: bool = False
    has_main_web_app: bool = False

    def __post_init__(self) -> None:
        if self.id is None:
            head = self.token.split(":", 1)[0]
            self.id = int(head) if head.isdigit() else 5000000001

    @property
    def user(self) -> User:
        assert self.id is not None
        return User(id=self.id, first_name=self.first_name, username=self.username, is_bot=True)

    def get_me(self) -> JSONDict:
        d = self.user.to_dict()
        d.update(
            can_join_groups=self.can_join_groups,
            can_read_all_group_messages=self.can_read_all_group_messages,
            supports_inline_queries=self.supports_inline_queries,
            can_connect_to_business=self.can_connect_to_business,
            has_main_web_app=self.has_main_web_app,
        )
        return d


# forward_origin kinds (Bot API 7.0 MessageOrigin*)


@dataclass(frozen=True)
class FromUser:
    user: User

    def to_dict(self, date: int) -> JSONDict:
        return {"type": "user", "date": date, "sender_user": self.user.to_dict()}


@dataclass(frozen=True)
class FromHiddenUser:
    name: str

    def to_dict(self, date: int) -> JSONDict:
        return {"type": "hidden_user", "date": date, "sender_user_name": self.name}


@dataclass(frozen=True)
class FromChat:
    chat: Chat
    author_signature: str | None = None

    def to_dict(self, date: int) -> JSONDict:
        d: JSONDict = {"type": "chat", "date": date, "sender_chat": self.chat.to_dict()}
        if self.author_signature:
            d["author_signature"] = self.author_signature
        return d


@dataclass(frozen=True)
class FromChannel:
    chat: Chat
    message_id: int = 1
    author_signature: str | None = None

    def to_dict(self, date: int) -> JSONDict:
        d: JSONDict = {
            "type": "channel",
            "date": date,
            "chat": self.chat.to_dict(),
            "message_id": self.message_id,
        }
        if self.author_signature:
            d["author_signature"] = self.author_signature
        return d


ForwardOrigin = FromUser | FromHiddenUser | FromChat | FromChannel


# ------------------------------------------------------------------------------------------------------------
# Records


@dataclass
class UploadedFile:
    """One multipart file part as it arrived."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class FileRecord:
    """A file Telegram knows: uploaded by the bot, sent by a user, or referenced by URL."""

    file_id: str
    file_unique_id: str
    data: bytes | None
    filename: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    url: str | None = None
    file_path: str | None = None

    @property
    def size(self) -> int | None:
        return len(self.data) if self.data is not None else None


@dataclass
class Revision:
    """A previous state of a message (see ``Message.history``)."""

    text: str | None
    caption: str | None
    source: str | None
    parse_mode: str | None
    entities: list[JSONDict]
    reply_markup: JSONDict | None
    edit_date: int | None


@dataclass
class Message:
    """A message in a chat, sent by the bot (``by_bot``) or pushed as a user's.

    ``text``/``caption`` are what Telegram shows (markup parsed, ends trimmed); ``source`` is exactly what the
    bot sent (with its HTML). ``history`` holds earlier revisions, oldest first.
    """

    chat_id: int
    message_id: int
    by_bot: bool
    sender: JSONDict | None
    date: int
    text: str | None = None
    caption: str | None = None
    source: str | None = None
    parse_mode: str | None = None
    entities: list[JSONDict] = field(default_factory=list)
    reply_markup: JSONDict | None = None
    reply_to_message_id: int | None = None
    photo: FileRecord | None = None
    document: FileRecord | None = None
    forward_origin: JSONDict | None = None
    edit_date: int | None = None
    history: list[Revision] = field(default_factory=list)
    deleted: bool = False
    extra: JSONDict = field(default_factory=dict)

    @property
    def content(self) -> str | None:
        """The text, or the caption of a media message."""
        return self.text if self.text is not None else self.caption

    @property
    def keyboard(self) -> list[list[JSONDict]]:
        """The inline keyboard rows ([] when there is none)."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or []
        return [list(row) for row in rows]

    @property
    def buttons(self) -> list[JSONDict]:
        """All inline buttons, row by row."""
        return [button for row in self.keyboard for button in row]

    @property
    def callback_data(self) -> list[str]:
        return [b["callback_data"] for b in self.buttons if "callback_data" in b]

    def button(self, text: str) -> JSONDict:
        """The inline button whose text equals ``text`` (or, failing that, the only one containing it)."""
        exact = [b for b in self.buttons if b.get("text") == text]
        if exact:
            return exact[0]
        partial = [b for b in self.buttons if text in str(b.get("text"))]
        if len(partial) == 1:
            return partial[0]
        labels = [b.get("text") for b in self.buttons]
        raise LookupError(f"no single button {text!r} on message {self.message_id}; buttons: {labels}")

    def snapshot(self) -> Revision:
        return Revision(
            text=self.text,
            caption=self.caption,
            source=self.source,
            parse_mode=self.parse_mode,
            entities=list(self.entities),
            reply_markup=self.reply_markup,
            edit_date=self.edit_date,
        )

    def __str__(self) -> str:
        who = "bot" if self.by_bot else (self.sender or {}).get("first_name", "?")
        return f"#{self.message_id} in {self.chat_id} by {who}: {_short(self.content)}"


@dataclass
class Call:
    """One request the bot made. ``params`` are decoded (ints, bools and JSON fields as Python values)."""

    index: int
    token: str
    method: str
    params: JSONDict
    files: dict[str, UploadedFile]
    http_method: str
    started: float
    finished: float | None = None
    status: int | None = None  # None while running, or when the connection was dropped / abandoned
    response: JSONDict | None = None
    message: Message | None = None  # the message this call created or edited
    note: str | None = None  # e.g. "connection dropped (injected)"

    @property
    def done(self) -> bool:
        return self.finished is not None

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response and self.response.get("ok"))

    @property
    def result(self) -> Any:
        return (self.response or {}).get("result")

    @property
    def error(self) -> str | None:
        if self.note and self.status is None:
            return self.note
        if self.response and not self.response.get("ok"):
            return str(self.response.get("description"))
        return None

    def __str__(self) -> str:
        shown = []
        for key in ("chat_id", "message_id", "text", "caption", "callback_query_id", "offset", "timeout"):
            if key in self.params:
                shown.append(f"{key}={_short(self.params[key])}")
        for key in self.files:
            shown.append(f"{key}=<{len(self.files[key].data)} bytes>")
        outcome = (
            "running"
            if not self.done
            else "ok"
            if self.ok
            else f"{self.status or '-'} {self.error or ''}".strip()
        )
        return f"{self.method}({', '.join(shown)}) -> {outcome}"


@dataclass
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None
    query: JSONDict  # the callback_query as pushed


@dataclass
class WebhookDelivery:
    update_id: int
    url: str
    headers: dict[str, str]
    status: int | None
    body: str | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class QueuedUpdate:
    update: JSONDict
    deliveries: int = 0
    confirmed: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return update_kind(self.update)


@dataclass
class _Failure:
    method: str | None  # lower-case; None = any method but getUpdates
    status: int
    description: str | None
    retry_after: int | None
    migrate_to_chat_id: int | None
    drop_connection: bool
    times: int


def update_kind(update: JSONDict) -> str:
    return next((k for k in update if k != "update_id"), "?")


def _short(value: Any, limit: int = 40) -> str:
    if not isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)[:limit]
    text = value.replace("\n", "⏎")
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# ------------------------------------------------------------------------------------------------------------
# Telegram's HTML (a re-implementation of TDLib's parse_html: same rules, same error messages)

_HTML_TAGS = frozenset(
    _words("a b strong i em s strike del u ins tg-spoiler tg-emoji span pre code blockquote")
)
_SPACE = frozenset(b" \t\r\n\f\v")
_ENTITY_NAMES = {b"lt": "<", b"gt": ">", b"amp": "&", b"quot": '"'}


class HtmlError(ValueError):
    pass


def _decode_html_entity(data: bytes, pos: int) -> tuple[str, int] | None:
    """Decodes &lt; &gt; &amp; &quot; &#NN; &#xHH; at ``pos`` (';' optional). Others stay literal (None)."""
    end = pos + 1
    if data[end : end + 1] == b"#":
        end += 1
        code = 0
        if data[end : end + 1] == b"x":
            end += 1
            start = end
            while end < len(data) and chr(data[end]) in "0123456789abcdefABCDEF":
                end += 1
            digits = data[start:end]
            code = int(digits, 16) if digits else 0
        else:
            start = end
            while end < len(data) and 48 <= data[end] <= 57:
                end += 1
            digits = data[start:end]
            code = int(digits) if digits else 0
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(code)
    else:
        while end < len(data) and chr(data[end]).isascii() and chr(data[end]).isalpha():
            end += 1
        name = data[pos + 1 : end]
        if name not in _ENTITY_NAMES:
            return None
        char = _ENTITY_NAMES[name]
    if data[end : end + 1] == b";":
        end += 1
    return char, end


def parse_html(html: str) -> tuple[str, list[JSONDict]]:
    """Telegram's ``parse_mode=HTML``: returns (plain text, entities with UTF-16 offsets) or raises HtmlError
    with Telegram's message (the API reply is ``Bad Request: can't parse entities: <message>``).

    Unknown named entities such as ``&nbsp;`` are not errors: Telegram leaves them in the text literally.
    """
    data = html.encode("utf-8")
    n = len(data)
    out = bytearray()
    entities: list[JSONDict] = []
    # open tags: (name, argument, utf16 offset, byte position in out)
    stack: list[tuple[str, str, int, int]] = []
    u16 = 0

    def at(k: int) -> int:
        return data[k] if k < n else 0

    i = 0
    while i < n:
        c = data[i]
        if c == ord("&"):
            decoded = _decode_html_entity(data, i)
            if decoded is not None:
                char, i = decoded
                out += char.encode("utf-8")
                u16 += utf16_len(char)
                continue
        if c != ord("<"):
            out.append(c)
            if c & 0xC0 != 0x80:  # not a continuation byte
                u16 += 2 if c >= 0xF0 else 1
            i += 1
            continue
        begin = i
        i += 1
        if at(i) != ord("/"):
            name_start = i
            while i < n and at(i) not in _SPACE and at(i) != ord(">"):
                i += 1
            if i >= n:
                raise HtmlError(f"Unclosed start tag at byte offset {begin}")
            tag = data[name_start:i].decode("utf-8", "replace").lower()
            if tag not in _HTML_TAGS:
                raise HtmlError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            while at(i) != ord(">"):
                while i < n and at(i) in _SPACE:
                    i += 1
                if at(i) == ord(">"):
                    break
                attr_start = i
                while i < n and at(i) not in _SPACE and at(i) not in b"=>/\"'":
                    i += 1
                attribute = data[attr_start:i].decode("utf-8", "replace")
                if not attribute:
                    raise HtmlError(f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
                while i < n and at(i) in _SPACE:
                    i += 1
                if at(i) != ord("="):
                    if i >= n:
                        raise HtmlError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                    if tag == "blockquote" and attribute == "expandable":
                        argument = "1"
                    continue
                i += 1
                while i < n and at(i) in _SPACE:
                    i += 1
                if i >= n:
                    raise HtmlError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if at(i) not in b"\"'":
                    token_start = i
                    while i < n and ((chr(at(i)).isascii() and chr(at(i)).isalnum()) or at(i) in b".-"):
                        i += 1
                    if at(i) not in _SPACE and at(i) != ord(">"):
                        raise HtmlError(f"Unexpected end of name token at byte offset {token_start}")
                    value = data[token_start:i].decode("utf-8", "replace").lower()
                else:
                    quote = at(i)
                    i += 1
                    raw = bytearray()
                    while i < n and at(i) != quote:
                        if at(i) == ord("&"):
                            decoded = _decode_html_entity(data, i)
                            if decoded is not None:
                                raw += decoded[0].encode("utf-8")
                                i = decoded[1]
                                continue
                        raw.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = raw.decode("utf-8", "replace")
                if i >= n:
                    raise HtmlError(f"Unclosed start tag at byte offset {begin}")
                if (tag, attribute) in (("a", "href"), ("tg-emoji", "emoji-id")):
                    argument = value
                elif tag == "code" and attribute == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attribute == "class" and value.startswith("tg-"):
                    argument = value[3:]
                elif tag == "blockquote" and attribute == "expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
            stack.append((tag, argument, u16, len(out)))
            i += 1  # past '>'
            continue
        # an end tag
        if not stack:
            raise HtmlError(f"Unexpected end tag at byte offset {begin}")
        while i < n and at(i) not in _SPACE and at(i) != ord(">"):
            i += 1
        end_tag = data[begin + 2 : i].decode("utf-8", "replace").lower()
        while i < n and at(i) in _SPACE:
            i += 1
        if at(i) != ord(">"):
            raise HtmlError(f"Unclosed end tag at byte offset {begin}")
        tag, argument, offset, out_pos = stack.pop()
        if end_tag and end_tag != tag:
            raise HtmlError(
                f'Unmatched end tag at byte offset {begin}, expected "</{tag}>", found "</{end_tag}>"'
            )
        i += 1
        length = u16 - offset
        if length > 0:
            _add_html_entity(entities, tag, argument, offset, length, bytes(out[out_pos:]))
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    text = out.decode("utf-8", "replace")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return text, entities


def _add_html_entity(
    entities: list[JSONDict], tag: str, argument: str, offset: int, length: int, inner: bytes
) -> None:
    simple = {
        "b": "bold",
        "strong": "bold",
        "i": "italic",
        "em": "italic",
        "u": "underline",
        "ins": "underline",
        "s": "strikethrough",
        "strike": "strikethrough",
        "del": "strikethrough",
        "tg-spoiler": "spoiler",
        "span": "spoiler",
    }
    last = entities[-1] if entities else None
    same_span = last is not None and last["offset"] == offset and last["length"] == length
    if tag in simple:
        entities.append({"type": simple[tag], "offset": offset, "length": length})
    elif tag == "tg-emoji":
        if not argument.isdigit() or int(argument) <= 0:
            raise HtmlError("Invalid custom emoji identifier specified")
        entities.append(
            {"type": "custom_emoji", "offset": offset, "length": length, "custom_emoji_id": argument}
        )
    elif tag == "a":
        url = argument or inner.decode("utf-8", "replace")
        if url.startswith("tg://user?id=") and url[len("tg://user?id=") :].isdigit():
            entities.append(
                {
                    "type": "text_mention",
                    "offset": offset,
                    "length": length,
                    "user": {"id": int(url[len("tg://user?id=") :]), "is_bot": False, "first_name": ""},
                }
            )
        elif url:
            entities.append({"type": "text_link", "offset": offset, "length": length, "url": url})
    elif tag == "pre":
        if last is not None and same_span and last["type"] == "code" and "language" in last:
            last["type"] = "pre"
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif tag == "code":
        if last is not None and same_span and last["type"] == "pre" and argument:
            last["language"] = argument
        else:
            code: JSONDict = {"type": "code", "offset": offset, "length": length}
            if argument:
                code["language"] = argument
            entities.append(code)
    elif tag == "blockquote":
        kind = "expandable_blockquote" if argument else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})


def _trim(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Telegram strips leading and trailing whitespace from message texts; entities follow."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    new_len = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(new_len, entity["offset"] + entity["length"] - lead)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


# ------------------------------------------------------------------------------------------------------------
# Parameter decoding (PTB sends every value as a form field; nested values JSON-encoded)

_JSON_PARAMS = frozenset(
    _words(
        "reply_markup entities caption_entities reply_parameters link_preview_options scope "
        "commands allowed_updates media results permissions menu_button options "
        "explanation_entities message_ids reaction rights"
    )
)
_INT_PARAMS = frozenset(
    _words(
        "message_id offset limit timeout user_id from_chat_id message_thread_id cache_time "
        "max_connections until_date reply_to_message_id duration width height"
    )
)
_BOOL_PARAMS = frozenset(
    _words(
        "disable_notification protect_content show_alert drop_pending_updates "
        "disable_web_page_preview allow_sending_without_reply has_spoiler show_caption_above_media "
        "allow_paid_broadcast disable_content_type_detection revoke_messages only_if_banned "
        "is_anonymous"
    )
)
_JSON_PARSE_ERRORS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse entities JSON object",
    "reply_parameters": "can't parse reply parameters JSON object",
}


def _decode_value(name: str, value: Any) -> Any:
    if name in _JSON_PARAMS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(_JSON_PARSE_ERRORS.get(name, f"can't parse {name} JSON object")) from None
    if name in _INT_PARAMS and isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            raise bad_request(f"invalid {name} specified") from None
    if name in _BOOL_PARAMS and isinstance(value, str):
        return value.strip().lower() in ("true", "1")
    if (
        name in ("chat_id", "from_chat_id")
        and isinstance(value, str)
        and re.fullmatch(r"-?\d+", value.strip())
    ):
        return int(value)
    return value


# ------------------------------------------------------------------------------------------------------------
# Inline keyboard validation

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_BUTTON_STRINGS = ("text", "url", "callback_data", "switch_inline_query", "switch_inline_query_current_chat")


def validate_reply_markup(markup: Any) -> None:
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return  # reply keyboards, ReplyKeyboardRemove, ForceReply: not checked
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or any(not isinstance(row, list) for row in rows):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "inline_keyboard" must be of type Array'
        )
    for row in rows:
        for button in row:
            _validate_button(button)


def _validate_button(button: Any) -> None:
    prefix = "can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise bad_request(prefix + "InlineKeyboardButton must be an Object")
    for key in _BUTTON_STRINGS:
        if key in button and not isinstance(button[key], str):
            raise bad_request(prefix + f'Field "{key}" must be of type String')
    if "text" not in button:
        raise bad_request(prefix + 'Field "text" must be of type String')
    if not any(key in button for key in _BUTTON_ACTIONS):
        raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        size = len(button["callback_data"].encode("utf-8"))
        if not 1 <= size <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
    if "copy_text" in button:
        copy = button["copy_text"]
        text = copy.get("text") if isinstance(copy, dict) else None
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_COPY_TEXT:
            raise bad_request("BUTTON_COPY_TEXT_INVALID")
    if "url" in button:
        url = button["url"]
        if not url.strip() or any(ch.isspace() for ch in url):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")


# ------------------------------------------------------------------------------------------------------------
# Images

_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


def _image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG/JPEG/GIF/WebP/BMP, (512, 512) if the format is known but not measured,
    None if it isn't an image Telegram could process."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data.startswith((b"GIF87a", b"GIF89a")) and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data.startswith(b"\xff\xd8\xff"):
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                break
            marker = data[i + 1]
            seg = int.from_bytes(data[i + 2 : i + 4], "big")
            if marker in (0xC0, 0xC1, 0xC2):
                return int.from_bytes(data[i + 7 : i + 9], "big"), int.from_bytes(data[i + 5 : i + 7], "big")
            i += 2 + seg
        return 512, 512
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return 512, 512
    if data.startswith(b"BM"):
        return 512, 512
    return None


# ------------------------------------------------------------------------------------------------------------
# Shared world: people, chats, membership, files, the call log and change notifications


class _Notifier:
    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        self._waiters.clear()

    async def wait(self, seconds: float) -> None:
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, seconds)
        finally:
            self._waiters.discard(waiter)


class _World:
    def __init__(self) -> None:
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self.migrated: dict[int, int] = {}
        self.members: dict[tuple[int, int], JSONDict] = {}
        self.files: dict[str, FileRecord] = {}
        self.files_by_path: dict[str, FileRecord] = {}
        self.calls: list[Call] = []
        self.bots: dict[str, FakeBot] = {}
        self.server: FakeTelegram | None = None
        self.notifier = _Notifier()
        self.internal_errors: list[str] = []
        self.unimplemented: list[str] = []
        self.closing = False
        self.ids = itertools.count(1)
        self.user_ids = itertools.count(1001)
        self.group_ids = itertools.count(1)

    def chat(self, chat_id: int) -> Chat | None:
        if chat_id in self.chats:
            return self.chats[chat_id]
        user = self.users.get(chat_id)
        return user.chat if user else None

    def add_file(
        self,
        data: bytes | None,
        *,
        kind: str,
        filename: str | None = None,
        mime_type: str | None = None,
        url: str | None = None,
    ) -> FileRecord:
        n = next(self.ids)
        size = _image_size(data) if data is not None and kind == "photos" else None
        ext = (filename or "").rsplit(".", 1)[-1] if filename and "." in filename else "bin"
        if kind == "photos":
            ext = "jpg"
        record = FileRecord(
            file_id=f"Fake{kind[:3].title()}{n:06d}" + secrets.token_hex(6),
            file_unique_id=f"U{n:06d}",
            data=data,
            filename=filename,
            mime_type=mime_type,
            width=size[0] if size else None,
            height=size[1] if size else None,
            url=url,
            file_path=f"{kind}/file_{n}.{ext}",
        )
        self.files[record.file_id] = record
        assert record.file_path is not None
        self.files_by_path[record.file_path] = record
        return record


def _chat_id_of(target: Chat | User | int) -> int:
    return target if isinstance(target, int) else target.id


# ------------------------------------------------------------------------------------------------------------
# One bot (one token): its state, the API methods it answers, accessors and update pushing

ApiHandler = Callable[["FakeBot", Call], Awaitable[Any]]
_API: dict[str, tuple[str, ApiHandler]] = {}


def _api(name: str) -> Callable[[ApiHandler], ApiHandler]:
    def register(fn: ApiHandler) -> ApiHandler:
        _API[name.lower()] = (name, fn)
        return fn

    return register


def _canonical_method(name: str) -> str:
    entry = _API.get(name.lower())
    return entry[0] if entry else name


class FakeBot:
    """The state Telegram keeps for one bot token, and everything tests do with it."""

    def __init__(self, world: _World, profile: BotProfile) -> None:
        self._world = world
        self.profile = profile
        self.token = profile.token
        world.bots[self.token] = self
        self._started: set[int] = set()
        self._blocked: set[int] = set()
        self._messages: dict[int, dict[int, Message]] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._updates: list[QueuedUpdate] = []  # unconfirmed, in order
        self.updates: list[JSONDict] = []
        """Every update pushed and accepted, in order (also the confirmed ones)."""
        self.dropped_updates: list[tuple[JSONDict, str]] = []
        """Updates Telegram would not have delivered, with the reason (privacy mode, allowed_updates)."""
        self._update_ids = itertools.count(100_000_001)
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._poll_generation = 0
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_max_connections: int | None = None
        self._webhook_error: tuple[int, str] | None = None
        self._webhook_lock = asyncio.Lock()
        self.webhook_deliveries: list[WebhookDelivery] = []
        self.callback_answers: list[CallbackAnswer] = []
        self._callback_queries: dict[str, JSONDict] = {}
        self._commands: dict[tuple[tuple[Any, ...], str], list[JSONDict]] = {}
        self._failures: list[_Failure] = []
        self.latency: float = 0.0
        """Seconds every call waits before it is answered (see also ``set_latency``)."""
        self._method_latency: dict[str, float] = {}
        self._custom: dict[str, tuple[str, Callable[[Call], Any]]] = {}
        self._consumed_calls: set[int] = set()
        self._consumed_messages: set[tuple[int, int]] = set()
        self.logged_out = False
        self.warnings: list[str] = []
        """Things Telegram accepts silently but that are probably bugs (e.g. ``&nbsp;`` shown literally)."""

    # ---------------------------------------------------------------- identity, people and chats

    @property
    def me(self) -> User:
        """The bot as a User (use it with ``set_member``)."""
        return self.profile.user

    @property
    def username(self) -> str:
        return self.profile.username

    def user(
        self,
        id: int | None = None,
        first_name: str = "User",
        *,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "en",
        is_bot: bool = False,
        started: bool = True,
    ) -> User:
        """A Telegram user. ``started=False``: they never pressed Start, so the bot can't write to them."""
        user = User(
            id=id if id is not None else next(self._world.user_ids),
            first_name=first_name,
            username=username,
            last_name=last_name,
            language_code=language_code,
            is_bot=is_bot,
        )
        self._world.users[user.id] = user
        if started:
            self._started.add(user.id)
        else:
            self._started.discard(user.id)
        return user

    def group(
        self,
        id: int | None = None,
        title: str = "Support group",
        *,
        supergroup: bool = True,
        username: str | None = None,
        is_forum: bool = False,
        bot_status: str | None = "member",
    ) -> Chat:
        """A group (``supergroup=True`` gives the usual -100… ids). The bot is in it as ``bot_status``."""
        if id is None:
            n = next(self._world.group_ids)
            id = -1_000_000_000_000 - n if supergroup else -n
        chat = Chat(
            id=id,
            type="supergroup" if supergroup else "group",
            title=title,
            username=username,
            is_forum=is_forum,
        )
        self._world.chats[chat.id] = chat
        if bot_status:
            self.set_member(chat, self.me, bot_status)
        return chat

    def channel(self, id: int | None = None, title: str = "Channel", *, username: str | None = None) -> Chat:
        if id is None:
            id = -1_000_000_000_000 - next(self._world.group_ids)
        chat = Chat(id=id, type="channel", title=title, username=username)
        self._world.chats[chat.id] = chat
        return chat

    def block(self, user: User | int) -> None:
        """The user blocked the bot: sends to them fail with 403 "bot was blocked by the user"."""
        self._blocked.add(_chat_id_of(user))

    def unblock(self, user: User | int) -> None:
        self._blocked.discard(_chat_id_of(user))

    def set_started(self, user: User | int, started: bool = True) -> None:
        if started:
            self._started.add(_chat_id_of(user))
        else:
            self._started.discard(_chat_id_of(user))

    def migrate_group(self, old: Chat | int, new: Chat | int) -> None:
        """``old`` was upgraded to supergroup ``new``: sends to ``old`` fail with ChatMigrated."""
        self._world.migrated[_chat_id_of(old)] = _chat_id_of(new)

    def set_member(self, chat: Chat | int, user: User | int, status: str, **fields: Any) -> JSONDict:
        """Membership for getChatMember/getChatAdministrators. status: creator, administrator, member,
        restricted, left, kicked; ``fields`` override the defaults (e.g. ``can_delete_messages=False``)."""
        chat_id = _chat_id_of(chat)
        if isinstance(user, int):
            found = self._world.users.get(user) or (self.me if user == self.me.id else None)
            if found is None:
                raise KeyError(f"unknown user {user}: create it with fake.user() first")
            user = found
        self._world.users.setdefault(user.id, user)
        member = _chat_member(user, status, fields)
        self._world.members[(chat_id, user.id)] = member
        return member

    def member(self, chat: Chat | int, user: User | int) -> JSONDict | None:
        return self._world.members.get((_chat_id_of(chat), _chat_id_of(user)))

    # ---------------------------------------------------------------- failure injection

    def fail_next(
        self,
        method: str | None,
        status: int = 500,
        description: str | None = None,
        *,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        times: int = 1,
        drop_connection: bool = False,
    ) -> None:
        """The next ``times`` calls of ``method`` (None: any method except getUpdates) fail.

        ``status=429`` with ``retry_after`` → RetryAfter; 500 → NetworkError; 502/504 answer an nginx HTML
        page like Telegram's front end (→ NetworkError); ``drop_connection=True`` closes the socket without
        an answer (→ NetworkError). The description defaults to Telegram's for the status.
        """
        if status == 429 and retry_after is None:
            retry_after = 5
        self._failures.append(
            _Failure(
                method=method.lower() if method else None,
                status=status,
                description=description,
                retry_after=retry_after,
                migrate_to_chat_id=migrate_to_chat_id,
                drop_connection=drop_connection,
                times=times,
            )
        )

    def set_latency(self, seconds: float, method: str | None = None) -> None:
        """Delay every answer (or only ``method``'s) by ``seconds``."""
        if method is None:
            self.latency = seconds
        else:
            self._method_latency[method.lower()] = seconds

    def add_method(self, name: str, handler: Callable[[Call], Any]) -> None:
        """Answer a method the fake doesn't know. ``handler(call)`` returns the result (may be async) or
        raises ApiError. Without it an unknown method gets 404 — which PTB turns into InvalidToken."""
        self._custom[name.lower()] = (name, handler)

    def stub(self, name: str, result: Any = True) -> None:
        """Answer ``name`` with a fixed ``result`` (e.g. ``fake.stub("setMyDescription")``)."""
        self.add_method(name, lambda call: result)

    def _take_failure(self, method: str) -> _Failure | None:
        lower = method.lower()
        for failure in self._failures:
            if failure.method == lower or (failure.method is None and lower != "getupdates"):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    # ---------------------------------------------------------------- accessors

    def calls(self, method: str | None = None, *, include_get_updates: bool = False) -> list[Call]:
        """Finished calls in order, optionally of one method. getUpdates is left out unless asked for."""
        lower = method.lower() if method else None
        out = []
        for call in self._world.calls:
            if call.token != self.token or not call.done:
                continue
            if lower is not None:
                if call.method.lower() == lower:
                    out.append(call)
            elif include_get_updates or call.method.lower() != "getupdates":
                out.append(call)
        return out

    def last_call(self, method: str | None = None) -> Call:
        found = self.calls(method, include_get_updates=method is not None)
        if not found:
            raise LookupError(f"no {method or ''} call yet; calls: {self._describe_calls()}")
        return found[-1]

    def messages_in(
        self, chat: Chat | User | int, *, by_bot: bool | None = True, include_deleted: bool = False
    ) -> list[Message]:
        """Messages in a chat in order: by default the bot's own; ``by_bot=None`` for everyone's."""
        msgs = self._messages.get(_chat_id_of(chat), {}).values()
        return [
            m for m in msgs if (by_bot is None or m.by_bot == by_bot) and (include_deleted or not m.deleted)
        ]

    def last_message(self, chat: Chat | User | int, *, by_bot: bool | None = True) -> Message:
        """The latest (not deleted) message in the chat, by default the latest the bot sent."""
        msgs = self.messages_in(chat, by_bot=by_bot)
        if not msgs:
            raise LookupError(f"no message in chat {_chat_id_of(chat)}; calls: {self._describe_calls()}")
        return msgs[-1]

    def message(self, chat: Chat | User | int, message_id: int) -> Message:
        try:
            return self._messages[_chat_id_of(chat)][message_id]
        except KeyError:
            raise LookupError(f"no message {message_id} in chat {_chat_id_of(chat)}") from None

    def sent_texts(self, chat: Chat | User | int) -> list[str]:
        """What the bot's messages in a chat say now (text or caption)."""
        return [m.content or "" for m in self.messages_in(chat)]

    def commands(self, scope: Any = None, language_code: str = "") -> list[JSONDict]:
        """Commands set for a scope (a dict, a PTB BotCommandScope, a type name like "all_private_chats", or
        None for default) and language code ("" = all languages); [] when none."""
        if scope is not None and hasattr(scope, "to_dict"):
            scope = scope.to_dict()
        if isinstance(scope, str):
            scope = {"type": scope}
        return list(self._commands.get((_scope_key(scope), language_code or ""), []))

    @property
    def command_sets(self) -> dict[tuple[tuple[Any, ...], str], list[JSONDict]]:
        """Every stored command list keyed by ((scope type, chat_id, user_id), language_code)."""
        return dict(self._commands)

    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed (getUpdates offset) or not yet delivered to the webhook."""
        return [q.update for q in self._updates]

    def queued(self) -> list[QueuedUpdate]:
        """The unconfirmed updates with how often each was handed out (``deliveries``)."""
        return list(self._updates)

    def file(self, file_id: str) -> FileRecord:
        return self._world.files[file_id]

    def photos_sent(self, chat: Chat | User | int | None = None) -> list[FileRecord]:
        """Photos the bot sent (largest size), optionally only to one chat."""
        chats = [_chat_id_of(chat)] if chat is not None else list(self._messages)
        return [m.photo for c in chats for m in self.messages_in(c, include_deleted=True) if m.photo]

    def documents_sent(self, chat: Chat | User | int | None = None) -> list[FileRecord]:
        chats = [_chat_id_of(chat)] if chat is not None else list(self._messages)
        return [m.document for c in chats for m in self.messages_in(c, include_deleted=True) if m.document]

    # ---------------------------------------------------------------- waiting

    async def wait_until(
        self,
        predicate: Callable[[], Any],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        what: str = "",
    ) -> Any:
        """Re-checks ``predicate()`` on every change the fake sees; returns its first truthy value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise WaitTimeout(
                    f"timed out after {timeout}s waiting for {what or 'a condition'}\n{self.describe()}"
                )
            await self._world.notifier.wait(remaining)

    async def wait_for(
        self,
        match: str | Callable[[Call], bool] | None = None,
        where: Callable[[Call], bool] | None = None,
        /,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109
        **params: Any,
    ) -> Call:
        """The oldest finished call matching, not already returned by an earlier ``wait_for``.

        ``match`` is a method name or a predicate on Call; ``params`` must equal the decoded params
        (``wait_for("sendMessage", chat_id=alice.id)``). Failed calls match too: check ``call.ok``.
        """
        method = match if isinstance(match, str) else None
        predicates = [p for p in (match if callable(match) else None, where) if p is not None]

        def find() -> Call | None:
            for call in self.calls(include_get_updates=method is not None and method.lower() == "getupdates"):
                if call.index in self._consumed_calls:
                    continue
                if method is not None and call.method.lower() != method.lower():
                    continue
                if any(_norm(call.params.get(k)) != _norm(v) for k, v in params.items()):
                    continue
                if not all(p(call) for p in predicates):
                    continue
                self._consumed_calls.add(call.index)
                return call
            return None

        wanted = method or "a call"
        if params:
            wanted += "(" + ", ".join(f"{k}={v!r}" for k, v in params.items()) + ")"
        if predicates:
            wanted += " matching the predicate"
        result: Call = await self.wait_until(find, timeout=timeout, what=wanted)
        return result

    async def wait_for_message(
        self,
        chat: Chat | User | int | None = None,
        where: Callable[[Message], bool] | None = None,
        *,
        contains: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> Message:
        """The oldest message the bot sent (optionally in ``chat``, containing ``contains``) not already
        returned by an earlier ``wait_for_message``."""
        chat_id = _chat_id_of(chat) if chat is not None else None

        def find() -> Message | None:
            chats = [chat_id] if chat_id is not None else list(self._messages)
            candidates = [m for c in chats for m in self.messages_in(c, include_deleted=True)]
            candidates.sort(key=lambda m: m.extra.get("_seq", 0))
            for msg in candidates:
                key = (msg.chat_id, msg.message_id)
                if key in self._consumed_messages:
                    continue
                if contains is not None and contains not in (msg.content or ""):
                    continue
                if where is not None and not where(msg):
                    continue
                self._consumed_messages.add(key)
                return msg
            return None

        what = "a bot message" + (f" in chat {chat_id}" if chat_id is not None else "")
        if contains is not None:
            what += f" containing {contains!r}"
        result: Message = await self.wait_until(find, timeout=timeout, what=what)
        return result

    def checkpoint(self) -> None:
        """Mark every call and message so far as seen: later ``wait_for*`` only return newer ones."""
        self._consumed_calls.update(c.index for c in self.calls(include_get_updates=True))
        self._consumed_messages.update(
            (m.chat_id, m.message_id) for c in self._messages for m in self.messages_in(c)
        )

    def describe(self) -> str:
        """A readable summary of what happened (used in timeout messages)."""
        lines = [f"calls ({self._count_polls()} getUpdates not shown):"]
        lines += [f"  {c}" for c in self.calls()] or ["  (none)"]
        pending = [q for q in self._updates]
        if pending:
            lines.append(
                f"updates not yet confirmed by the bot: {[f'{q.update_id}:{q.kind}' for q in pending]}"
            )
        if self.dropped_updates:
            lines.append("updates Telegram would not deliver:")
            lines += [f"  {u['update_id']}:{update_kind(u)} — {why}" for u, why in self.dropped_updates]
        if self.webhook_url:
            bad = [d for d in self.webhook_deliveries if not d.ok]
            lines.append(
                f"webhook {self.webhook_url}: {len(self.webhook_deliveries)} deliveries, {len(bad)} failed"
            )
        if self._world.unimplemented:
            lines.append(f"methods the fake doesn't implement (stub them): {self._world.unimplemented}")
        if self._world.internal_errors:
            lines.append(f"FAKE SERVER ERRORS: {self._world.internal_errors}")
        return "\n".join(lines)

    def _describe_calls(self) -> str:
        return "; ".join(str(c) for c in self.calls()) or "none"

    def _count_polls(self) -> int:
        return sum(1 for c in self._world.calls if c.token == self.token and c.method == "getUpdates")

    # ---------------------------------------------------------------- pushing updates

    async def push_text(
        self,
        sender: User,
        text: str,
        *,
        chat: Chat | User | None = None,
        reply_to: Message | int | None = None,
        entities: list[JSONDict] | None = None,
        forward_origin: ForwardOrigin | None = None,
        message_thread_id: int | None = None,
    ) -> JSONDict:
        """A text message from ``sender`` in ``chat`` (default: their private chat with the bot). Commands,
        @mentions and links get their entities, as Telegram adds them. Returns the update."""
        msg = self._incoming(
            sender,
            chat,
            text=text,
            entities=entities if entities is not None else _detect_entities(text),
            reply_to=reply_to,
            forward_origin=forward_origin,
            message_thread_id=message_thread_id,
        )
        return await self._push_message_update("message", msg)

    async def push_command(
        self,
        sender: User,
        command: str,
        args: str = "",
        *,
        chat: Chat | User | None = None,
        mention: bool | str = False,
    ) -> JSONDict:
        """``/command args``; ``mention=True`` gives ``/command@<this bot>``, a str another bot's name."""
        name = command.lstrip("/")
        if mention:
            name += "@" + (mention if isinstance(mention, str) else self.username)
        text = f"/{name}" + (f" {args}" if args else "")
        return await self.push_text(sender, text, chat=chat)

    async def push_reply(self, sender: User, to: Message, text: str) -> JSONDict:
        """``sender`` replies to message ``to`` (in its chat)."""
        chat = self._world.chat(to.chat_id)
        assert chat is not None
        return await self.push_text(sender, text, chat=chat, reply_to=to)

    async def push_forward(
        self,
        sender: User,
        origin: ForwardOrigin,
        text: str = "forwarded text",
        *,
        chat: Chat | User | None = None,
        original_date: int | None = None,
    ) -> JSONDict:
        """``sender`` (e.g. an agent) forwards a message whose origin is ``origin`` into ``chat``
        (``forward_origin`` with Bot API 7 shapes; ``original_date`` is the forwarded message's date)."""
        msg = self._incoming(sender, chat, text=text, entities=_detect_entities(text), forward_origin=origin)
        if original_date is not None and msg.forward_origin is not None:
            msg.forward_origin["date"] = original_date
        return await self._push_message_update("message", msg)

    async def push_photo(
        self,
        sender: User,
        data: bytes = TINY_PNG,
        *,
        caption: str | None = None,
        chat: Chat | User | None = None,
        reply_to: Message | int | None = None,
    ) -> JSONDict:
        """A photo (bytes downloadable by the bot via getFile) with an optional caption."""
        record = self._world.add_file(data, kind="photos", mime_type="image/jpeg")
        msg = self._incoming(
            sender,
            chat,
            caption=caption,
            entities=_detect_entities(caption) if caption else [],
            reply_to=reply_to,
            photo=record,
        )
        return await self._push_message_update("message", msg)

    async def push_document(
        self,
        sender: User,
        data: bytes,
        filename: str = "file.txt",
        mime_type: str = "text/plain",
        *,
        caption: str | None = None,
        chat: Chat | User | None = None,
    ) -> JSONDict:
        record = self._world.add_file(data, kind="documents", filename=filename, mime_type=mime_type)
        msg = self._incoming(sender, chat, caption=caption, document=record)
        return await self._push_message_update("message", msg)

    async def push_edit(self, message: Message, text: str) -> JSONDict:
        """The user edits their earlier ``message`` (an ``edited_message`` update)."""
        if message.by_bot:
            raise ValueError("users can only edit their own messages; use a message pushed for a user")
        message.history.append(message.snapshot())
        if message.text is not None:
            message.text = message.source = text
            message.entities = _detect_entities(text)
        else:
            message.caption = message.source = text
        message.edit_date = int(time.time())
        return await self._push_message_update("edited_message", message)

    async def push_callback(
        self,
        sender: User,
        message: Message,
        data: str | None = None,
        *,
        button: str | None = None,
        check: bool = True,
    ) -> str:
        """``sender`` presses an inline button of the bot's ``message`` (by ``data`` or by ``button`` text).
        With ``check`` the data must be on a button of the message, as only real buttons can be pressed.
        Returns the callback query id (to match the bot's answerCallbackQuery)."""
        if button is not None:
            found = message.button(button)
            if "callback_data" not in found:
                raise ValueError(f"button {button!r} has no callback_data: {found}")
            data = found["callback_data"]
        if data is None:
            raise ValueError("give data= or button=")
        if check and data not in message.callback_data:
            raise ValueError(f"no button with callback_data {data!r} on message {message}: {message.buttons}")
        query_id = str(secrets.randbits(62))
        query: JSONDict = {
            "id": query_id,
            "from": sender.to_dict(),
            "message": self._message_dict(message),
            "chat_instance": str(abs(hash((message.chat_id, self.token))) % 10**18),
            "data": data,
        }
        self._callback_queries[query_id] = query
        await self._push("callback_query", query)
        return query_id

    async def push_bot_added(
        self,
        chat: Chat,
        by: User,
        *,
        status: str = "member",
        service_message: bool = True,
        **rights: Any,
    ) -> JSONDict:
        """``by`` adds the bot to ``chat`` (a ``my_chat_member`` update; with ``service_message`` also the
        ``new_chat_members`` message Telegram sends in groups). Returns the my_chat_member update."""
        old = self.member(chat, self.me) or _chat_member(self.me, "left", {})
        if old["status"] not in ("left", "kicked"):
            old = _chat_member(self.me, "left", {})
        update = await self.push_my_chat_member(
            chat, by, old, self.set_member(chat, self.me, status, **rights)
        )
        if service_message and chat.is_group:
            msg = self._incoming(by, chat, extra={"new_chat_members": [self.me.to_dict()]})
            await self._push_message_update("message", msg)
        return update

    async def push_bot_removed(self, chat: Chat, by: User, *, status: str = "kicked") -> JSONDict:
        old = self.member(chat, self.me) or _chat_member(self.me, "member", {})
        return await self.push_my_chat_member(chat, by, old, self.set_member(chat, self.me, status))

    async def push_my_chat_member(self, chat: Chat, by: User, old: JSONDict, new: JSONDict) -> JSONDict:
        self._world.chats.setdefault(chat.id, chat)
        payload = {
            "chat": chat.to_dict(),
            "from": by.to_dict(),
            "date": int(time.time()),
            "old_chat_member": old,
            "new_chat_member": new,
        }
        return await self._push("my_chat_member", payload)

    async def push_raw(self, update: JSONDict) -> JSONDict:
        """Any dict as an update (an ``update_id`` is added when missing). Not filtered: for fuzzing."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        return await self._enqueue(update)

    # ---------------------------------------------------------------- internals: incoming messages

    def _incoming(
        self,
        sender: User,
        chat: Chat | User | None,
        *,
        text: str | None = None,
        caption: str | None = None,
        entities: list[JSONDict] | None = None,
        reply_to: Message | int | None = None,
        forward_origin: ForwardOrigin | None = None,
        photo: FileRecord | None = None,
        document: FileRecord | None = None,
        message_thread_id: int | None = None,
        extra: JSONDict | None = None,
    ) -> Message:
        self._world.users.setdefault(sender.id, sender)
        target = chat.chat if isinstance(chat, User) else chat or sender.chat
        if target.type == "private":
            self._started.add(target.id)  # writing to the bot is pressing Start
        else:
            self._world.chats.setdefault(target.id, target)
            if (target.id, sender.id) not in self._world.members:
                self.set_member(target, sender, "member")
        reply_id = reply_to.message_id if isinstance(reply_to, Message) else reply_to
        now = int(time.time())
        msg = Message(
            chat_id=target.id,
            message_id=self._next_message_id(target.id),
            by_bot=False,
            sender=sender.to_dict(),
            date=now,
            text=text,
            caption=caption,
            source=text if text is not None else caption,
            entities=list(entities or []),
            reply_to_message_id=reply_id,
            photo=photo,
            document=document,
            forward_origin=forward_origin.to_dict(now) if forward_origin else None,
            extra=dict(extra or {}),
        )
        if message_thread_id is not None:
            msg.extra["message_thread_id"] = message_thread_id
        self._store(msg)
        return msg

    def _next_message_id(self, chat_id: int) -> int:
        counter = self._message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def _store(self, msg: Message) -> None:
        msg.extra["_seq"] = next(self._world.ids)
        self._messages.setdefault(msg.chat_id, {})[msg.message_id] = msg

    async def _push_message_update(self, kind: str, msg: Message) -> JSONDict:
        reason = self._privacy_drop_reason(msg)
        payload = self._message_dict(msg)
        if reason:
            update = {"update_id": next(self._update_ids), kind: payload}
            self.dropped_updates.append((update, reason))
            self._world.notifier.notify()
            return update
        return await self._push(kind, payload)

    def _privacy_drop_reason(self, msg: Message) -> str | None:
        chat = self._world.chat(msg.chat_id)
        if chat is None or not chat.is_group or self.profile.can_read_all_group_messages:
            return None
        status = (self.member(chat, self.me) or {}).get("status")
        if status in ("administrator", "creator"):
            return None
        text = msg.content or ""
        if text.startswith("/"):
            command = text.split()[0]
            if "@" not in command or command.split("@", 1)[1].lower() == self.username.lower():
                return None
        if msg.reply_to_message_id is not None:
            replied = self._messages.get(msg.chat_id, {}).get(msg.reply_to_message_id)
            if replied is not None and replied.by_bot:
                return None
        if any(key in msg.extra for key in ("new_chat_members", "left_chat_member", "group_chat_created")):
            return None
        return (
            "privacy mode: the bot has can_read_all_group_messages=False and isn't an admin of "
            f"{chat.id}, so it only gets commands, replies to it and service messages "
            "(use FakeTelegram(can_read_all_group_messages=True) or make the bot an administrator)"
        )

    async def _push(self, kind: str, payload: JSONDict) -> JSONDict:
        update = {"update_id": next(self._update_ids), kind: payload}
        if kind not in self._allowed_updates:
            self.dropped_updates.append((update, f"{kind!r} is not in allowed_updates"))
            self._world.notifier.notify()
            return update
        return await self._enqueue(update)

    async def _enqueue(self, update: JSONDict) -> JSONDict:
        self.updates.append(update)
        self._updates.append(QueuedUpdate(update))
        self._world.notifier.notify()
        if self.webhook_url:
            await self.flush_webhook()
        return update

    def _message_dict(self, msg: Message, *, nested: bool = False) -> JSONDict:
        chat = self._world.chat(msg.chat_id)
        d: JSONDict = {"message_id": msg.message_id}
        if msg.sender is not None:
            d["from"] = msg.sender
        d["chat"] = chat.to_dict() if chat else {"id": msg.chat_id, "type": "private"}
        d["date"] = msg.date
        if "message_thread_id" in msg.extra:
            d["message_thread_id"] = msg.extra["message_thread_id"]
        if msg.forward_origin:
            d["forward_origin"] = msg.forward_origin
        if msg.reply_to_message_id is not None and not nested:
            replied = self._messages.get(msg.chat_id, {}).get(msg.reply_to_message_id)
            if replied is not None:
                d["reply_to_message"] = self._message_dict(replied, nested=True)
        if msg.edit_date is not None:
            d["edit_date"] = msg.edit_date
        if msg.text is not None:
            d["text"] = msg.text
            if msg.entities:
                d["entities"] = msg.entities
        if msg.photo is not None:
            d["photo"] = self._photo_sizes(msg.photo)
        if msg.document is not None:
            d["document"] = _document_dict(msg.document)
        if msg.caption is not None:
            d["caption"] = msg.caption
            if msg.entities:
                d["caption_entities"] = msg.entities
        if msg.reply_markup and "inline_keyboard" in msg.reply_markup:
            d["reply_markup"] = msg.reply_markup
        for key, value in msg.extra.items():
            if not key.startswith("_") and key != "message_thread_id":
                d[key] = value
        return d

    def _photo_sizes(self, record: FileRecord) -> list[JSONDict]:
        width, height = record.width or 512, record.height or 512
        sizes = []
        if max(width, height) > 90:
            scale = 90 / max(width, height)
            sizes.append(
                {
                    "file_id": record.file_id + "_s",
                    "file_unique_id": record.file_unique_id + "s",
                    "width": max(1, round(width * scale)),
                    "height": max(1, round(height * scale)),
                    "file_size": record.size or 0,
                }
            )
            self._world.files.setdefault(record.file_id + "_s", record)
        sizes.append(
            {
                "file_id": record.file_id,
                "file_unique_id": record.file_unique_id,
                "width": width,
                "height": height,
                "file_size": record.size or 0,
            }
        )
        return sizes

    # ---------------------------------------------------------------- webhook delivery

    async def flush_webhook(self) -> None:
        """Deliver pending updates to the webhook, in order, stopping at the first failure (retried on the
        next push or flush)."""
        async with self._webhook_lock:
            while self._updates and self.webhook_url:
                queued = self._updates[0]
                delivery = await self._server().post_webhook(self, queued.update)
                queued.deliveries += 1
                self.webhook_deliveries.append(delivery)
                if not delivery.ok:
                    reason = delivery.error or f"Wrong response from the webhook: {delivery.status}"
                    self._webhook_error = (int(time.time()), reason)
                    self._world.notifier.notify()
                    return
                queued.confirmed = True
                self._updates.pop(0)
                await self._server().run_webhook_reply(self, delivery)
                self._world.notifier.notify()

    def _server(self) -> FakeTelegram:
        assert self._world.server is not None
        return self._world.server

    # ---------------------------------------------------------------- helpers for API methods

    def _chat_for(self, params: JSONDict, *, name: str = "chat_id") -> Chat:
        raw = params.get(name)
        if raw is None or raw == "":
            raise bad_request(f"{name} is empty")
        if isinstance(raw, str):
            wanted = raw.lstrip("@").lower()
            for chat in self._world.chats.values():
                if chat.username and chat.username.lower() == wanted:
                    return chat
            for user in self._world.users.values():
                if user.username and user.username.lower() == wanted and raw.startswith("@"):
                    raise bad_request("chat not found")  # bots can't write to @username of users
            raise bad_request("chat not found")
        if raw in self._world.migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                migrate_to_chat_id=self._world.migrated[raw],
            )
        found = self._world.chat(int(raw))
        if found is None:
            raise bad_request("chat not found")
        return found

    def _check_can_send(self, chat: Chat) -> None:
        if chat.type == "private":
            user = self._world.users.get(chat.id)
            if user is not None and user.is_bot:
                raise ApiError(403, "Forbidden: bot can't send messages to bots")
            if chat.id in self._blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if chat.id not in self._started:
                raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            return
        status = (self.member(chat, self.me) or {}).get("status", "member")
        kind = "supergroup" if chat.type == "supergroup" else "group" if chat.type == "group" else "channel"
        if status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
        if status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")

    def _formatted(
        self, text: Any, parse_mode: Any, entities: Any, *, caption: bool = False
    ) -> tuple[str, list[JSONDict]]:
        if text is None:
            text = ""
        if not isinstance(text, str):
            text = str(text)
        plain, parsed = text, []
        if entities is not None:
            if not isinstance(entities, list) or any(not isinstance(e, dict) for e in entities):
                raise bad_request("can't parse entities JSON object")
            parsed = list(entities)
        elif parse_mode:
            mode = str(parse_mode).lower()
            if mode == "html":
                try:
                    plain, parsed = parse_html(text)
                except HtmlError as exc:
                    raise bad_request(f"can't parse entities: {exc}") from None
                for name in re.findall(r"&([A-Za-z]+);", plain):
                    if name not in ("lt", "gt", "amp", "quot"):
                        self.warnings.append(
                            f"&{name}; is not supported by Telegram: shown literally in {text!r}"
                        )
            elif mode not in ("markdown", "markdownv2"):
                raise bad_request("unsupported parse_mode")
            # Markdown/MarkdownV2 are not parsed by the fake: the text is kept as sent.
        plain, parsed = _trim(plain, parsed)
        if caption:
            if len(plain) > MAX_CAPTION:
                raise bad_request("message caption is too long")
        else:
            if not plain:
                raise bad_request("message text is empty")
            if len(plain) > MAX_TEXT:
                raise bad_request("message is too long")
        return plain, parsed

    def _reply_target(self, chat: Chat, params: JSONDict) -> int | None:
        reply = params.get("reply_parameters")
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        if reply is None:
            return None
        if not isinstance(reply, dict) or "message_id" not in reply:
            raise bad_request("can't parse reply parameters JSON object")
        target_chat = reply.get("chat_id", chat.id)
        message_id = int(reply["message_id"])
        found = self._messages.get(
            int(target_chat) if str(target_chat).lstrip("-").isdigit() else chat.id, {}
        )
        msg = found.get(message_id)
        if msg is None or msg.deleted:
            if reply.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return message_id

    def _new_outgoing(self, chat: Chat, params: JSONDict, **content: Any) -> Message:
        msg = Message(
            chat_id=chat.id,
            message_id=self._next_message_id(chat.id),
            by_bot=True,
            sender=self.me.to_dict(),
            date=int(time.time()),
            reply_to_message_id=self._reply_target(chat, params),
            reply_markup=params.get("reply_markup"),
            **content,
        )
        if params.get("message_thread_id") is not None:
            msg.extra["message_thread_id"] = params["message_thread_id"]
        self._store(msg)
        return msg

    def _find_message_to_edit(self, params: JSONDict, what: str = "edit") -> Message:
        if params.get("inline_message_id"):
            raise bad_request(f"message to {what} not found")  # inline messages aren't simulated
        chat = self._chat_for(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        msg = self._messages.get(chat.id, {}).get(int(message_id))
        if msg is None or msg.deleted:
            raise bad_request(f"message to {what} not found")
        if not msg.by_bot:
            raise bad_request("message can't be edited")
        return msg

    def _file_from_param(self, call: Call, name: str, *, kind: str) -> FileRecord:
        upload = call.files.get(name)
        value = call.params.get(name)
        if upload is None and isinstance(value, str) and value.startswith("attach://"):
            upload = call.files.get(value[len("attach://") :])
        if upload is not None:
            if not upload.data:
                raise bad_request("file must be non-empty")
            if kind == "photos" and _image_size(upload.data) is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            return self._world.add_file(
                upload.data, kind=kind, filename=upload.filename, mime_type=upload.content_type
            )
        if not value:
            raise bad_request(f"there is no {name} in the request")
        if isinstance(value, str) and value in self._world.files:
            return self._world.files[value]
        if isinstance(value, str) and re.match(r"https?://", value):
            return self._world.add_file(None, kind=kind, url=value)
        raise bad_request("wrong file identifier/HTTP URL specified")

    # ---------------------------------------------------------------- the Bot API methods

    @_api("getMe")
    async def _get_me(self, call: Call) -> Any:
        return self.profile.get_me()

    @_api("logOut")
    async def _log_out(self, call: Call) -> Any:
        self.logged_out = True
        return True

    @_api("close")
    async def _close(self, call: Call) -> Any:
        return True

    @_api("getUpdates")
    async def _get_updates(self, call: Call) -> Any:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        p = call.params
        limit = min(max(int(p.get("limit") or 100), 1), 100)
        timeout = max(float(p.get("timeout") or 0), 0.0)
        if "allowed_updates" in p:
            self._set_allowed_updates(p["allowed_updates"])
        offset = p.get("offset")
        if offset is not None:
            self._confirm(int(offset))
        self._poll_generation += 1
        generation = self._poll_generation
        self._world.notifier.notify()  # wakes an older long poll, which then answers 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._world.closing:
                return []
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = self._updates[:limit]
            remaining = deadline - loop.time()
            if batch or remaining <= 0:
                for queued in batch:
                    queued.deliveries += 1
                return [q.update for q in batch]
            await self._world.notifier.wait(remaining)

    def _confirm(self, offset: int) -> None:
        keep = self._updates[offset:] if offset < 0 else [q for q in self._updates if q.update_id >= offset]
        for queued in self._updates:
            if queued not in keep:
                queued.confirmed = True
        self._updates = keep

    def _set_allowed_updates(self, allowed: Any) -> None:
        if allowed is None:
            return
        if not isinstance(allowed, list):
            raise bad_request("can't parse allowed_updates JSON object")
        self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_ALLOWED_UPDATES

    @_api("setWebhook")
    async def _set_webhook(self, call: Call) -> Any:
        p = call.params
        url = str(p.get("url") or "")
        if url and not re.match(r"https?://", url):
            raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        secret = p.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if "allowed_updates" in p:
            self._set_allowed_updates(p["allowed_updates"])
        if p.get("drop_pending_updates"):
            self._confirm(1 << 62)
        self.webhook_url = url or None
        self.webhook_secret = str(secret) if secret else None
        self.webhook_max_connections = p.get("max_connections")
        self._webhook_error = None
        self._poll_generation += 1
        self._world.notifier.notify()
        call.note = "Webhook was set" if url else "Webhook was deleted"
        return True

    @_api("deleteWebhook")
    async def _delete_webhook(self, call: Call) -> Any:
        call.note = "Webhook was deleted" if self.webhook_url else "Webhook is already deleted"
        self.webhook_url = None
        self.webhook_secret = None
        if call.params.get("drop_pending_updates"):
            self._confirm(1 << 62)
        return True

    @_api("getWebhookInfo")
    async def _get_webhook_info(self, call: Call) -> Any:
        info: JSONDict = {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_url:
            info["max_connections"] = self.webhook_max_connections or 40
            info["ip_address"] = "127.0.0.1"
            if self._allowed_updates != DEFAULT_ALLOWED_UPDATES:
                info["allowed_updates"] = sorted(self._allowed_updates)
            if self._webhook_error:
                info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    @_api("sendMessage")
    async def _send_message(self, call: Call) -> Any:
        p = call.params
        self._require_chat_id(p)
        text, entities = self._formatted(p.get("text"), p.get("parse_mode"), p.get("entities"))
        validate_reply_markup(p.get("reply_markup"))
        chat = self._chat_for(p)
        self._check_can_send(chat)
        msg = self._new_outgoing(
            chat,
            p,
            text=text,
            source=p.get("text"),
            parse_mode=p.get("parse_mode"),
            entities=entities,
        )
        if p.get("link_preview_options"):
            msg.extra["link_preview_options"] = p["link_preview_options"]
        call.message = msg
        return self._message_dict(msg)

    def _require_chat_id(self, p: JSONDict) -> None:
        if p.get("chat_id") in (None, ""):
            raise bad_request("chat_id is empty")

    @_api("sendPhoto")
    async def _send_photo(self, call: Call) -> Any:
        return await self._send_media(call, "photo", "photos")

    @_api("sendDocument")
    async def _send_document(self, call: Call) -> Any:
        return await self._send_media(call, "document", "documents")

    async def _send_media(self, call: Call, name: str, kind: str) -> Any:
        p = call.params
        self._require_chat_id(p)
        record = self._file_from_param(call, name, kind=kind)
        caption: str | None = None
        entities: list[JSONDict] = []
        if p.get("caption") is not None:
            caption, entities = self._formatted(
                p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True
            )
            caption = caption or None
        validate_reply_markup(p.get("reply_markup"))
        chat = self._chat_for(p)
        self._check_can_send(chat)
        msg = self._new_outgoing(
            chat,
            p,
            caption=caption,
            source=p.get("caption"),
            parse_mode=p.get("parse_mode"),
            entities=entities,
            **{name: record},
        )
        call.message = msg
        return self._message_dict(msg)

    @_api("sendChatAction")
    async def _send_chat_action(self, call: Call) -> Any:
        p = call.params
        self._require_chat_id(p)
        if p.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._check_can_send(self._chat_for(p))
        return True

    @_api("editMessageText")
    async def _edit_message_text(self, call: Call) -> Any:
        p = call.params
        msg = self._find_message_to_edit(p)
        if msg.text is None:
            raise bad_request("there is no text in the message to edit")
        text, entities = self._formatted(p.get("text"), p.get("parse_mode"), p.get("entities"))
        markup = p.get("reply_markup")
        validate_reply_markup(markup)
        if text == msg.text and entities == msg.entities and markup == msg.reply_markup:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message"
            )
        msg.history.append(msg.snapshot())
        msg.text, msg.entities, msg.source, msg.parse_mode = (
            text,
            entities,
            p.get("text"),
            p.get("parse_mode"),
        )
        msg.reply_markup = markup  # Telegram drops the inline keyboard when an edit doesn't repeat it
        msg.edit_date = int(time.time())
        call.message = msg
        return self._message_dict(msg)

    @_api("editMessageCaption")
    async def _edit_message_caption(self, call: Call) -> Any:
        p = call.params
        msg = self._find_message_to_edit(p)
        if msg.text is not None:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = self._formatted(
            p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), caption=True
        )
        markup = p.get("reply_markup")
        validate_reply_markup(markup)
        if caption == (msg.caption or "") and entities == msg.entities and markup == msg.reply_markup:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message"
            )
        msg.history.append(msg.snapshot())
        msg.caption, msg.entities, msg.source = caption or None, entities, p.get("caption")
        msg.parse_mode = p.get("parse_mode")
        msg.reply_markup = markup
        msg.edit_date = int(time.time())
        call.message = msg
        return self._message_dict(msg)

    @_api("editMessageReplyMarkup")
    async def _edit_message_reply_markup(self, call: Call) -> Any:
        p = call.params
        msg = self._find_message_to_edit(p)
        markup = p.get("reply_markup")
        validate_reply_markup(markup)
        if markup == msg.reply_markup or (not markup and not msg.reply_markup):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are exactly "
                "the same as a current content and reply markup of the message"
            )
        msg.history.append(msg.snapshot())
        msg.reply_markup = markup
        msg.edit_date = int(time.time())
        call.message = msg
        return self._message_dict(msg)

    @_api("deleteMessage")
    async def _delete_message(self, call: Call) -> Any:
        p = call.params
        chat = self._chat_for(p)
        if p.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        msg = self._messages.get(chat.id, {}).get(int(p["message_id"]))
        if msg is None or msg.deleted:
            raise bad_request("message to delete not found")
        if chat.is_group and not msg.by_bot:
            bot_member = self.member(chat, self.me) or {}
            if not (
                bot_member.get("status") == "creator"
                or (bot_member.get("status") == "administrator" and bot_member.get("can_delete_messages"))
            ):
                raise bad_request("message can't be deleted")
        msg.deleted = True
        call.message = msg
        return True

    @_api("answerCallbackQuery")
    async def _answer_callback_query(self, call: Call) -> Any:
        p = call.params
        query = self._callback_queries.pop(str(p.get("callback_query_id") or ""), None)
        if query is None:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        text = p.get("text")
        if text is not None and len(str(text)) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self.callback_answers.append(
            CallbackAnswer(
                callback_query_id=query["id"],
                text=text,
                show_alert=bool(p.get("show_alert", False)),
                url=p.get("url"),
                cache_time=p.get("cache_time"),
                query=query,
            )
        )
        return True

    @_api("setMyCommands")
    async def _set_my_commands(self, call: Call) -> Any:
        p = call.params
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        clean = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name.lstrip("/")):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": name.lstrip("/"), "description": description})
        key = self._commands_key(p)
        if clean:
            self._commands[key] = clean
        else:
            self._commands.pop(key, None)
        return True

    @_api("getMyCommands")
    async def _get_my_commands(self, call: Call) -> Any:
        return list(self._commands.get(self._commands_key(call.params), []))

    @_api("deleteMyCommands")
    async def _delete_my_commands(self, call: Call) -> Any:
        self._commands.pop(self._commands_key(call.params), None)
        return True

    def _commands_key(self, params: JSONDict) -> tuple[tuple[Any, ...], str]:
        language = params.get("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", str(language)):
            raise bad_request("invalid language code specified")
        scope = params.get("scope")
        key = _scope_key(scope)
        if key[0] in ("chat", "chat_administrators", "chat_member"):
            if key[1] is None:
                raise bad_request("chat_id is empty")
            self._chat_for({"chat_id": key[1]})
        return key, str(language)

    @_api("getChat")
    async def _get_chat(self, call: Call) -> Any:
        chat = self._chat_for(call.params)
        info = chat.to_dict()
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        if chat.is_group:
            info["permissions"] = {"can_send_messages": True}
        return info

    @_api("getChatMember")
    async def _get_chat_member(self, call: Call) -> Any:
        p = call.params
        chat = self._chat_for(p)
        user_id = p.get("user_id")
        if user_id is None:
            raise bad_request("user_id is empty")  # unchecked wording
        user = self._world.users.get(int(user_id)) or (self.me if int(user_id) == self.me.id else None)
        if user is None:
            raise bad_request("user not found")
        if chat.type == "private":
            if user.id in (chat.id, self.me.id):
                return _chat_member(user, "member", {})
            raise bad_request("user not found")
        member = self._world.members.get((chat.id, user.id))
        if member is None:
            return _chat_member(user, "member" if user.id == self.me.id else "left", {})
        return member

    @_api("getChatAdministrators")
    async def _get_chat_administrators(self, call: Call) -> Any:
        chat = self._chat_for(call.params)
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        return [
            m
            for (chat_id, _), m in self._world.members.items()
            if chat_id == chat.id and m["status"] in ("creator", "administrator")
        ]

    @_api("getChatMemberCount")
    async def _get_chat_member_count(self, call: Call) -> Any:
        chat = self._chat_for(call.params)
        if chat.type == "private":
            return 2
        present = ("creator", "administrator", "member")
        return sum(
            1
            for (chat_id, _), m in self._world.members.items()
            if chat_id == chat.id
            and (m["status"] in present or (m["status"] == "restricted" and m["is_member"]))
        )

    @_api("getFile")
    async def _get_file(self, call: Call) -> Any:
        record = self._world.files.get(str(call.params.get("file_id") or ""))
        if record is None:
            raise bad_request("invalid file_id")
        d: JSONDict = {"file_id": record.file_id, "file_unique_id": record.file_unique_id}
        if record.size is not None:
            d["file_size"] = record.size
        if record.data is not None:
            d["file_path"] = record.file_path
        return d

    # ---------------------------------------------------------------- dispatch

    async def _dispatch(self, call: Call) -> Any:
        custom = self._custom.get(call.method.lower())
        if custom is not None:
            result = custom[1](call)
            if asyncio.iscoroutine(result):
                result = await result
            return result
        entry = _API.get(call.method.lower())
        if entry is not None:
            return await entry[1](self, call)
        if call.method.lower() in _bot_api_methods():
            # A real method the fake lacks. Telegram would never answer 404 here, and PTB would turn a
            # 404 into a baffling InvalidToken("Not Found"), so say what is missing (PTB: NetworkError).
            self._world.unimplemented.append(call.method)
            raise ApiError(
                501,
                f"Not Implemented: FakeTelegram has no {call.method}; "
                f'use fake.stub("{call.method}", result) or fake.add_method(...)',
            )
        raise ApiError(404, "Not Found")


@functools.cache
def _bot_api_methods() -> frozenset[str]:
    """Bot API method names (lower-case), from PTB's camelCase aliases."""
    from telegram import Bot

    return frozenset(
        name.lower()
        for name in dir(Bot)
        if name[:1].islower() and any(c.isupper() for c in name) and callable(getattr(Bot, name))
    )


def _norm(value: Any) -> Any:
    if isinstance(value, (User, Chat)):
        return value.id
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def _scope_key(scope: Any) -> tuple[Any, ...]:
    if scope is None:
        return ("default", None, None)
    if not isinstance(scope, dict) or "type" not in scope:
        raise bad_request("can't parse BotCommandScope JSON object")
    kind = scope["type"]
    if kind not in (
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    ):
        raise bad_request("unsupported bot command scope type")
    chat_id = scope.get("chat_id")
    if isinstance(chat_id, str) and re.fullmatch(r"-?\d+", chat_id):
        chat_id = int(chat_id)
    user_id = scope.get("user_id")
    return (kind, chat_id, int(user_id) if user_id is not None else None)


def _chat_member(user: User, status: str, fields: dict[str, Any]) -> JSONDict:
    base: JSONDict = {"status": status, "user": user.to_dict()}
    if status == "creator":
        base["is_anonymous"] = False
    elif status == "administrator":
        base.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
            can_pin_messages=True,
        )
    elif status == "restricted":
        base.update(
            is_member=True,
            can_send_messages=False,
            can_send_audios=False,
            can_send_documents=False,
            can_send_photos=False,
            can_send_videos=False,
            can_send_video_notes=False,
            can_send_voice_notes=False,
            can_send_polls=False,
            can_send_other_messages=False,
            can_add_web_page_previews=False,
            can_change_info=False,
            can_invite_users=False,
            can_pin_messages=False,
            can_manage_topics=False,
            can_edit_tag=False,
            can_react_to_messages=False,  # Bot API 10; PTB 22.8 refuses a restricted member without it
            until_date=0,
        )
    elif status == "kicked":
        base["until_date"] = 0
    elif status not in ("member", "left"):
        raise ValueError(f"unknown chat member status {status!r}")
    base.update(fields)
    return base


def _document_dict(record: FileRecord) -> JSONDict:
    d: JSONDict = {"file_id": record.file_id, "file_unique_id": record.file_unique_id}
    if record.filename:
        d["file_name"] = record.filename
    if record.mime_type:
        d["mime_type"] = record.mime_type
    if record.size is not None:
        d["file_size"] = record.size
    return d


_ENTITY_PATTERNS = (
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z0-9_]{5,32}\b")),
    ("url", re.compile(r"https?://[^\s<>\"]+")),
)


def _detect_entities(text: str | None) -> list[JSONDict]:
    """The entities Telegram adds to a user's plain text: commands, @mentions, http(s) links."""
    if not text:
        return []
    found: list[JSONDict] = []
    for kind, pattern in _ENTITY_PATTERNS:
        for m in pattern.finditer(text):
            found.append(
                {"type": kind, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())}
            )
    found.sort(key=lambda e: e["offset"])
    return found


# ------------------------------------------------------------------------------------------------------------
# The server


class FakeTelegram(FakeBot):
    """The fake Bot API server; it is also the default bot (token ``fake.token``). ``add_bot`` adds more.

    Keyword arguments go to the default bot's BotProfile (token, username, first_name, id,
    can_join_groups, can_read_all_group_messages, supports_inline_queries, ...).
    """

    def __init__(self, **profile: Any) -> None:
        world = _World()
        super().__init__(world, BotProfile(**profile))
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self.port: int | None = None
        world.server = self  # lets every bot reach the server (webhook client)

    def add_bot(self, token: str, **profile: Any) -> FakeBot:
        """Another bot on the same server, sharing users, chats and membership."""
        return FakeBot(self._world, BotProfile(token=token, **profile))

    def bot(self, token: str) -> FakeBot:
        return self._world.bots[token]

    async def raw_request(
        self, method: str, params: JSONDict | None = None, *, token: str | None = None
    ) -> tuple[int, JSONDict]:
        """Call the server over HTTP as any client would (JSON body), bypassing PTB: (status, body)."""
        if self._session is None:
            raise RuntimeError("the fake server isn't running")
        url = f"{self.base_url}{token or self.token}/{method}"
        async with self._session.post(url, json=params or {}) as response:
            return response.status, await response.json(content_type=None)

    def all_calls(self) -> list[Call]:
        """Every request the server got, for any token (unknown ones included), in order."""
        return list(self._world.calls)

    # ---------------------------------------------------------------- lifecycle

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` / ``Bot(base_url=...)``: PTB appends the token."""
        return f"http://127.0.0.1:{self._require_port()}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self._require_port()}/file/bot"

    def _require_port(self) -> int:
        if self.port is None:
            raise RuntimeError("the fake server isn't running: use `async with FakeTelegram() as fake`")
        return self.port

    async def start(self) -> FakeTelegram:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("*", "/{tail:.*}", self._handle_other)
        # handler_cancellation: a long poll whose client went away (PTB stopping) is cancelled at once
        self._runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        self._session = ClientSession(timeout=ClientTimeout(total=10))
        return self

    async def stop(self) -> None:
        self._world.closing = True
        self._world.notifier.notify()
        await asyncio.sleep(0)
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
        if self._world.internal_errors and exc_info[0] is None:
            raise AssertionError(f"the fake Telegram server itself failed: {self._world.internal_errors}")

    # ---------------------------------------------------------------- HTTP

    async def _handle_other(self, request: web.Request) -> web.StreamResponse:
        return _json_response(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        bot = self._world.bots.get(request.match_info["token"])
        record = self._world.files_by_path.get(request.match_info["path"])
        if bot is None:
            return _json_response(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        if record is None or record.data is None:
            return _json_response(404, {"ok": False, "error_code": 404, "description": "Not Found"})
        return web.Response(body=record.data, content_type=record.mime_type or "application/octet-stream")

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        method = _canonical_method(request.match_info["method"])
        call = Call(
            index=next(self._world.ids),
            token=token,
            method=method,
            params={},
            files={},
            http_method=request.method,
            started=time.monotonic(),
        )
        self._world.calls.append(call)
        status, body = 500, {"ok": False, "error_code": 500, "description": "Internal Server Error"}
        try:
            bot = self._world.bots.get(token)
            if bot is None or bot.logged_out:
                if re.fullmatch(r"\d+:[\w-]+", token):
                    raise ApiError(401, "Unauthorized")
                raise ApiError(404, "Not Found")
            call.params, call.files = await _read_params(request)
            delay = bot._method_latency.get(method.lower(), bot.latency)
            if delay:
                await asyncio.sleep(delay)
            failure = bot._take_failure(method)
            if failure is not None:
                if failure.drop_connection:
                    call.note = "connection dropped (injected)"
                    if request.transport is not None:
                        request.transport.abort()
                    status, body = 0, {}
                    return web.Response(status=500)
                if failure.status in (502, 504) and failure.description is None:
                    call.note = f"{failure.status} (injected)"
                    status, body = failure.status, {}
                    return web.Response(
                        status=failure.status, text=_nginx_page(failure.status), content_type="text/html"
                    )
                raise _injected_error(failure)
            result = await bot._dispatch(call)
            status, body = 200, {"ok": True, "result": result}
            if call.note:
                body["description"] = call.note
        except ApiError as exc:
            status, body = exc.status, exc.payload()
        except asyncio.CancelledError:
            call.note = "abandoned by the client"
            status, body = 0, {}
            raise
        except Exception as exc:  # a bug in the fake: answer 500 and fail the test on exit
            _log.exception("fake Telegram server error in %s", method)
            self._world.internal_errors.append(f"{method}: {exc!r}")
        finally:
            call.status = status or None
            call.response = body or None
            call.finished = time.monotonic()
            self._world.notifier.notify()
        return _json_response(status, body)

    # ---------------------------------------------------------------- webhook client

    async def post_webhook(self, bot: FakeBot, update: JSONDict) -> WebhookDelivery:
        assert bot.webhook_url is not None
        headers = {"Content-Type": "application/json"}
        if bot.webhook_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = bot.webhook_secret
        if self._session is None:
            raise RuntimeError("the fake server isn't running")
        try:
            async with self._session.post(
                bot.webhook_url, data=json.dumps(update, ensure_ascii=False).encode(), headers=headers
            ) as response:
                body = await response.text()
                return WebhookDelivery(
                    update["update_id"], bot.webhook_url, headers, response.status, body, None
                )
        except (ClientError, TimeoutError, OSError) as exc:
            return WebhookDelivery(update["update_id"], bot.webhook_url, headers, None, None, repr(exc))

    async def run_webhook_reply(self, bot: FakeBot, delivery: WebhookDelivery) -> None:
        """Telegram runs a method given in the webhook's answer ({"method": ..., ...})."""
        if not delivery.body:
            return
        try:
            reply = json.loads(delivery.body)
        except ValueError:
            return
        if not isinstance(reply, dict) or not isinstance(reply.get("method"), str):
            return
        params = {k: _decode_value(k, v) for k, v in reply.items() if k != "method"}
        call = Call(
            index=next(self._world.ids),
            token=bot.token,
            method=_canonical_method(reply["method"]),
            params=params,
            files={},
            http_method="WEBHOOK-REPLY",
            started=time.monotonic(),
        )
        self._world.calls.append(call)
        try:
            result = await bot._dispatch(call)
            call.status, call.response = 200, {"ok": True, "result": result}
        except ApiError as exc:
            call.status, call.response = exc.status, exc.payload()
        call.finished = time.monotonic()


def _injected_error(failure: _Failure) -> ApiError:
    defaults = {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        409: "Conflict",
        429: f"Too Many Requests: retry after {failure.retry_after}",
        500: "Internal Server Error",
    }
    return ApiError(
        failure.status,
        failure.description or defaults.get(failure.status, "Internal Server Error"),
        retry_after=failure.retry_after,
        migrate_to_chat_id=failure.migrate_to_chat_id,
    )


def _nginx_page(status: int) -> str:
    phrase = {502: "Bad Gateway", 504: "Gateway Time-out"}.get(status, "Error")
    return (
        f"<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {phrase}</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
        "</body>\r\n</html>\r\n"
    )


def _json_response(status: int, body: JSONDict) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        content_type="application/json",
    )


async def _read_params(request: web.Request) -> tuple[JSONDict, dict[str, UploadedFile]]:
    raw: JSONDict = dict(request.query)
    files: dict[str, UploadedFile] = {}
    if request.can_read_body:
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON encoded request") from None  # unchecked wording
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON encoded request")
            raw.update(body)
        elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form: MultiDictProxy[Any] = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(key, value.filename, value.content_type, value.file.read())
                else:
                    raw[key] = value
    return {k: _decode_value(k, v) for k, v in raw.items()}, files


# ------------------------------------------------------------------------------------------------------------
# Running a PTB Application against the fake


@contextlib.asynccontextmanager
async def running(
    app: Any,
    *,
    poll_interval: float = 0.0,
    timeout: float = 10,  # noqa: ASYNC109
    allowed_updates: Iterable[str] | None = None,
    drop_pending_updates: bool = False,
) -> AsyncIterator[Any]:
    """Run a PTB Application with polling the way ``app.run_polling()`` does (initialize, post_init,
    start_polling, start; then updater.stop, stop, post_stop, shutdown, post_shutdown), without blocking
    or touching signal handlers. Every stop step runs even if an earlier one fails; the first error is
    raised at the end."""
    await app.initialize()
    errors: list[BaseException] = []

    async def attempt(step: Callable[[], Awaitable[Any]]) -> None:
        try:
            await step()
        except Exception as exc:
            errors.append(exc)

    try:
        if app.post_init:
            await app.post_init(app)
        await app.updater.start_polling(
            poll_interval=poll_interval,
            timeout=timeout,
            allowed_updates=list(allowed_updates) if allowed_updates is not None else None,
            drop_pending_updates=drop_pending_updates,
        )
        await app.start()
        yield app
    finally:
        if app.updater.running:
            await attempt(app.updater.stop)
        if app.running:
            await attempt(app.stop)
        if app.post_stop:
            await attempt(lambda: app.post_stop(app))
        await attempt(app.shutdown)
        if app.post_shutdown:
            await attempt(lambda: app.post_shutdown(app))
    if errors:
        raise errors[0]
