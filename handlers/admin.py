"""The user's own and the team's things: ``/start``, ``/help``, ``/lang``, ``/stats``, ``/forget`` (leads),
and a hint to /help for commands the bot does not know (in private chats).

``/start`` in a private chat records that the user pressed Start (user setting ``started``): only then
can the bot write to them first, which the daily summaries rely on.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, ContextTypes, MessageHandler, filters

from bot.i18n import parse_lang
from bot.services import Services
from bot.store import StoreUnavailable, recent_days
from handlers.access import Role
from handlers.caller import BadArguments, Caller, Handlers, Html, bold, button, command, esc
from handlers.customers import Match, Picker
from handlers.menus import AGENT_COMMANDS, LEAD_COMMANDS, commands_for, lead_menu
from handlers.stats import stats_text

log = logging.getLogger(__name__)

#: The confirm button of /forget works this long.
FORGET_TTL = 600
#: The unknown-command hint runs after the commands (group 0) and the intake (group 1).
HINT_GROUP = 2


def admin_handlers(services: Services, picker: Picker) -> Handlers:
    store = services.store
    titles: dict[int, str] = {}

    def help_lines(caller: Caller, *, lead: bool) -> list[str]:
        def line(name: str) -> str:
            return f"/{name} — {esc(caller.t(f'menu.{name}'))}"

        mine = commands_for(in_group=caller.in_group, lead=False)
        lines = [line(c.name) for c in mine]
        if lead:
            extra = [c for c in commands_for(in_group=caller.in_group, lead=True) if c not in mine]
            lines += ["", bold(caller.t("help.lead_commands")), *(line(c.name) for c in extra)]
        return lines

    async def start(caller: Caller, args: list[str]) -> None:
        if caller.in_group:
            await caller.say(caller.h("start.group", bot=services.bot_username))
            return
        try:  # the greeting matters more; the next /start records it
            await store.set_user_setting(caller.user_id, "started", "1")
        except StoreUnavailable:
            log.warning("could not record that a user pressed Start: Redis unavailable")
        lead = await caller.role() == Role.LEAD
        if lead:
            await lead_menu(caller.bot, services, caller.user_id)
        lines = [caller.h("start.lead" if lead else "start.agent"), "", caller.h("help.how")]
        await caller.say(Html("\n".join(lines)))

    async def help_(caller: Caller, args: list[str]) -> None:
        if caller.in_group:
            lead = await caller.access.is_lead_of(caller.bot, caller.user_id, caller.chat.id)
            how = caller.h("help.how_group", bot=services.bot_username)
        else:
            lead = await caller.role() == Role.LEAD
            how = caller.h("help.how")
        lines = [
            caller.h("help.intro"),
            "",
            how,
            "",
            bold(caller.t("help.commands")),
            *help_lines(caller, lead=lead),
        ]
        await caller.say(Html("\n".join(lines)))

    async def lang(caller: Caller, args: list[str]) -> None:
        chosen = parse_lang(args[0]) if len(args) == 1 else None
        if chosen is None:
            raise BadArguments
        await services.set_lang(caller.user_id, chosen)
        caller.lang = chosen
        await caller.say(caller.h("lang.done"))

    async def title_of(caller: Caller, team: int) -> str:
        if caller.in_group and caller.chat.id == team:
            return caller.chat.title or str(team)
        if team not in titles:
            try:
                titles[team] = (await caller.bot.get_chat(team)).title or str(team)
            except TelegramError:
                return str(team)
        return titles[team]

    async def stats(caller: Caller, args: list[str]) -> None:
        teams = await caller.teams()
        day = store.day_of(services.now())
        blocks = []
        for team in teams:
            data = await store.day_data(team, day)
            week = await store.day_stats(team, recent_days(day, 7))
            nopay = len(await store.nopay_list(team))
            blocks.append(stats_text(caller, await title_of(caller, team), data, week, nopay))
        await caller.say(Html("\n\n".join(blocks)) if blocks else caller.h("stats.no_team"))

    # /forget ----------------------------------------------------------------------------------------
    async def confirm_forget(caller: Caller, match: Match, _: dict[str, Any]) -> None:
        if not await caller.access.is_lead_of(caller.bot, caller.user_id, match.team):
            await caller.say(caller.h("cmd.leads_only"))
            return
        token = secrets.token_urlsafe(6)
        payload = {"team": match.team, "customer": match.id, "name": match.name, "by": caller.user_id}
        await store.put_customer_callback(token, payload, [(match.team, match.id)], ttl=FORGET_TTL)
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(caller.t("forget.yes"), callback_data=f"fg:{token}:y"),
                    InlineKeyboardButton(caller.t("button.cancel"), callback_data=f"fg:{token}:n"),
                ]
            ]
        )
        await caller.say(caller.h("forget.confirm", name=bold(match.name)), keyboard)

    picker.on("forget", confirm_forget)

    async def forget(caller: Caller, args: list[str]) -> None:
        teams = await caller.lead_teams()
        if not teams:
            await caller.say(caller.h("cmd.leads_only"))
            return
        match = await picker.customer(caller, args, "forget", teams=teams)
        if match is not None:
            await confirm_forget(caller, match, {})

    async def forget_pressed(caller: Caller, parts: list[str]) -> str | None:
        payload = await store.get_callback(parts[0]) if len(parts) == 2 else None
        if payload is None:
            return caller.t("pick.expired")
        team, name = int(payload["team"]), str(payload["name"])
        if payload.get("by") != caller.user_id:
            return caller.t("forget.not_yours")
        if not await caller.access.is_lead_of(caller.bot, caller.user_id, team):
            return caller.t("cmd.leads_only")
        await store.drop_callback(parts[0])
        if parts[1] != "y":
            await caller.say(caller.h("forget.cancelled", name=name))
            return None
        gone = await store.forget(team, str(payload["customer"]))
        await caller.say(caller.h("forget.done" if gone else "pick.gone", name=name))
        return None

    # unknown commands -----------------------------------------------------------------------------------
    known: set[str] = set()
    group_only = {c.name for c in AGENT_COMMANDS + LEAD_COMMANDS if not c.private}

    async def unknown(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.message
        if message is None or not message.text:
            return
        if not known:
            for handlers in context.application.handlers.values():
                for handler in handlers:
                    if isinstance(handler, CommandHandler):
                        known.update(handler.commands)
        name = message.text.split()[0][1:].split("@", 1)[0].lower()
        if name in known:
            return
        lang = await services.lang_of(message.from_user.id if message.from_user else None)
        key = "cmd.group_only" if name in group_only else "cmd.unknown"
        await message.reply_text(services.texts.get(key, lang, command=name[:32]))

    private_commands = filters.COMMAND & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    return [
        command("start", services, start),
        command("help", services, help_),
        command("lang", services, lang, usage="usage.lang"),
        command("stats", services, stats),
        command("forget", services, forget, usage="usage.forget"),
        button("fg", services, forget_pressed),
        (HINT_GROUP, MessageHandler(private_commands, unknown)),
    ]
