"""Looking customers up: ``/customer NAME-or-ref`` (or as a reply), ``/find TEXT``, ``/history NAME``."""

from __future__ import annotations

from typing import Any

from bot.services import Services
from handlers.caller import BadArguments, Caller, Handlers, Html, command
from handlers.cards import customer_card, history_text
from handlers.customers import PICK_LIMIT, Match, Picker, search


def lookup_handlers(services: Services, picker: Picker) -> Handlers:
    store = services.store

    async def show_card(caller: Caller, match: Match, _: dict[str, Any]) -> None:
        state = await store.load_customer(match.team, match.id)
        if state is None:
            await caller.say(caller.h("pick.gone", name=match.name))
            return
        await caller.say(customer_card(caller, state))

    async def show_history(caller: Caller, match: Match, _: dict[str, Any]) -> None:
        state = await store.load_customer(match.team, match.id)
        if state is None:
            await caller.say(caller.h("pick.gone", name=match.name))
            return
        await caller.say(history_text(caller, state))

    picker.on("card", show_card)
    picker.on("history", show_history)

    async def customer(caller: Caller, args: list[str]) -> None:
        match = await picker.customer(caller, args, "card")
        if match is not None:
            await show_card(caller, match, {})

    async def history(caller: Caller, args: list[str]) -> None:
        match = await picker.customer(caller, args, "history")
        if match is not None:
            await show_history(caller, match, {})

    async def find(caller: Caller, args: list[str]) -> None:
        text = " ".join(args).strip()
        if not text:
            raise BadArguments
        found = await search(store, await caller.teams(), text)
        if not found:
            await caller.say(caller.h("find.none", query=text))
            return
        header = caller.h("find.found", query=text, count=len(found))
        if len(found) > PICK_LIMIT:
            header = Html(f"{header}\n{caller.h('find.more', count=len(found) - PICK_LIMIT)}")
        await picker.offer(caller, found, "card", None, header)

    return [
        command("customer", services, customer, usage="usage.customer"),
        command("find", services, find, usage="usage.find"),
        command("history", services, history, usage="usage.history"),
    ]
