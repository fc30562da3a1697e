"""Who a message in the agents' group is about: the customer behind a forward or an explicit reference.

- Forwarded from a user → that user's id (stable even if they rename).
- Forwarded from a user who hides forwards → the name Telegram shows (all Telegram gives us).
- Forwarded from a chat or channel → that chat's id.
- Text (or a photo's caption) starting with ``#nickname`` or sent as ``/c nickname message`` → the
  nickname, for customers of other platforms (Taobao, Shopee…) whose messages agents paste.

A hidden user and a typed nickname with the same name are the same customer: agents tag pasted messages
with the name they see, so both land on one profile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import (
    Message,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
)

from bot.keys import normalize_name
from bot.store import CustomerRef

_TAG = re.compile(r"^\s*[#＃](?P<name>[^\s#＃]{1,64})(?:\s+(?P<text>.+))?\s*$", re.DOTALL)
_COMMAND = re.compile(
    r"^\s*/c(?:@\w+)?(?:\s+(?P<name>\S{1,64}))?(?:\s+(?P<text>.+))?\s*$", re.DOTALL | re.IGNORECASE
)


@dataclass(frozen=True)
class Identified:
    customer: CustomerRef
    text: str


def by_name(name: str) -> CustomerRef:
    """A customer known only by a name (hidden forward or typed reference)."""
    shown = " ".join(name.split())[:64] or "?"
    return CustomerRef(id=f"n:{normalize_name(shown)}", name=shown, kind="name")


def _origin_customer(message: Message) -> CustomerRef | None:
    origin = message.forward_origin
    if isinstance(origin, MessageOriginUser):
        user = origin.sender_user
        return CustomerRef(id=f"u{user.id}", name=user.full_name or str(user.id), kind="user")
    if isinstance(origin, MessageOriginHiddenUser):
        return by_name(origin.sender_user_name)
    if isinstance(origin, MessageOriginChat):
        chat = origin.sender_chat
        return CustomerRef(id=f"c{chat.id}", name=chat.title or chat.full_name or str(chat.id), kind="chat")
    if isinstance(origin, MessageOriginChannel):
        chat = origin.chat
        return CustomerRef(id=f"c{chat.id}", name=chat.title or str(chat.id), kind="chat")
    return None


def parse_reference(text: str) -> tuple[str, str] | None:
    """``#nick message`` or ``/c nick message`` → (nick, message); None if the text is neither.

    A reference without a message returns ``(nick, "")`` so the caller can explain the usage.
    """
    for pattern in (_TAG, _COMMAND):
        m = pattern.match(text)
        if m and m.group("name"):
            return m.group("name"), (m.group("text") or "").strip()
    return None


def identify(message: Message) -> Identified | None:
    """The customer and their words, or None for the agents' own chatter (ignored, stored nowhere)."""
    text = message.text or message.caption or ""
    if message.forward_origin is not None:
        customer = _origin_customer(message)
        if customer is None or not text.strip():
            return None
        return Identified(customer, text)
    reference = parse_reference(text)
    if reference is None or not reference[1]:
        return None
    name, said = reference
    return Identified(by_name(name), said)
