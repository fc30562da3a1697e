"""The command menus: which commands each role sees where, registered with setMyCommands.

The same lists drive /help, so the menu and the help never disagree. Descriptions are the ``menu.<name>``
texts of ``bot/locales/ui.yaml``. Menus are set at start-up for the default scope, all private chats,
all group chats and all group admins (leads), each in the default language, ``zh`` and ``en``; leads
in ``LEAD_USER_IDS`` (and any lead who presses /start) also get the lead commands in their private chat.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.error import TelegramError

from bot.services import Services
from strategies.models import Lang

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MenuCommand:
    """A command as the menus and /help show it (description: the ``menu.<name>`` text)."""

    name: str
    private: bool = True
    group: bool = True


#: Every team member's commands, in menu order.
AGENT_COMMANDS: list[MenuCommand] = [
    MenuCommand("start", group=False),
    MenuCommand("help"),
    MenuCommand("c", private=False),  # the intake's "/c name what they said"
    MenuCommand("customer"),
    MenuCommand("find"),
    MenuCommand("history"),
    MenuCommand("reply"),
    MenuCommand("playbook"),
    MenuCommand("types"),
    MenuCommand("tag"),
    MenuCommand("event"),
    MenuCommand("stats"),
    MenuCommand("lang"),
]
#: Leads' commands, shown to group admins and leads only.
LEAD_COMMANDS: list[MenuCommand] = [
    MenuCommand("summary"),
    MenuCommand("subscribe", group=False),
    MenuCommand("unsubscribe", group=False),
    MenuCommand("forget"),
]
#: Telegram language codes the menus are set for, and the interface language of each ("" = default).
MENU_LANGUAGES: tuple[tuple[str, Lang | None], ...] = (("", None), ("zh", "zh-Hans"), ("en", "en"))


def commands_for(*, in_group: bool, lead: bool) -> list[MenuCommand]:
    """The commands a user sees in a group or a private chat, as an agent or a lead."""
    listed = AGENT_COMMANDS + (LEAD_COMMANDS if lead else [])
    return [c for c in listed if (c.group if in_group else c.private)]


def bot_commands(services: Services, commands: list[MenuCommand], lang: Lang) -> list[BotCommand]:
    return [BotCommand(c.name, services.texts.get(f"menu.{c.name}", lang)) for c in commands]


async def _set(bot: Bot, services: Services, scope: BotCommandScope, commands: list[MenuCommand]) -> None:
    for code, lang in MENU_LANGUAGES:
        await bot.set_my_commands(
            bot_commands(services, commands, lang or services.settings.language),
            scope=scope,
            language_code=code or None,
        )


async def lead_menu(bot: Bot, services: Services, user_id: int) -> None:
    """Give a lead the lead commands in their private chat (they must have pressed Start)."""
    try:
        await _set(bot, services, BotCommandScopeChat(user_id), commands_for(in_group=False, lead=True))
    except TelegramError as exc:
        log.info("lead menu not set", extra={"user": user_id, "error": type(exc).__name__})


async def register_menus(bot: Bot, services: Services) -> None:
    """setMyCommands for every scope and language; a failure is logged, never fatal to start-up."""
    private = commands_for(in_group=False, lead=False)
    group = commands_for(in_group=True, lead=False)
    scopes: list[tuple[BotCommandScope, list[MenuCommand]]] = [
        (BotCommandScopeDefault(), private),
        (BotCommandScopeAllPrivateChats(), private),
        (BotCommandScopeAllGroupChats(), group),
        (BotCommandScopeAllChatAdministrators(), commands_for(in_group=True, lead=True)),
    ]
    try:
        for scope, commands in scopes:
            await _set(bot, services, scope, commands)
    except TelegramError as exc:
        log.warning("command menus not set", extra={"error": type(exc).__name__})
        return
    for user_id in services.settings.lead_user_ids:
        await lead_menu(bot, services, user_id)
