"""Agents teaching Zhiyin: ``/tag``, ``/event`` and the ✓ / ✎ buttons on every whisper.

Whisper buttons (the token's payload ``{"team","customer","name"}`` is kept by ``remember_whisper``)::

    fb:ok:<token>                 ✓ the classification is right: agreement counted per shown dimension
    fb:fix:<token>                ✎ → the feedback row becomes one button per dimension
    fb:d:<token>:<dimension>      → one button per type of that dimension
    fb:s:<token>:<dimension>:<id> → the correction is recorded and the whisper re-rendered showing it
    fb:x:<token>                  → back to ✓ / ✎

A correction is an event (``kind="correction"``) recorded through the pipeline, so it overrides the
classifier for that customer from now on, and it counts for /stats: as disagreement with the
classifier, or as agreement when the agent picked what the classifier said.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.pipeline import profile_of
from bot.render import SHOWN_DIMENSIONS
from bot.services import Services
from bot.store import CustomerRef, CustomerState, Whisper
from handlers.caller import BadArguments, Caller, Handlers, bold, button, command, esc
from handlers.customers import Match, Picker
from handlers.whisper import redraw
from strategies import taxonomy
from strategies.models import Event, EventKind, Profile

#: What agents may type for each event kind (ids, and the words a Chinese-speaking team uses).
EVENT_WORDS: dict[EventKind, tuple[str, ...]] = {
    "order": ("order", "ordered", "下单", "下單", "拍下", "订单", "訂單"),
    "paid": ("paid", "pay", "付款", "已付", "支付", "付了"),
    "cancel": ("cancel", "cancelled", "canceled", "取消"),
    "received": ("received", "收货", "收貨", "签收", "簽收"),
    "refund": ("refund", "refunded", "退款"),
    "referral": ("referral", "referred", "推荐", "推薦", "介绍", "介紹"),
}
_AMOUNT = re.compile(r"^[¥￥$€£]?(\d+(?:\.\d{1,2})?)(?:元|块|塊)?$")


def event_kind(word: str) -> EventKind | None:
    folded = word.casefold()
    return next((kind for kind, words in EVENT_WORDS.items() if folded in words), None)


def feedback_handlers(services: Services, picker: Picker) -> Handlers:
    store, playbook, pipeline = services.store, services.domain.playbook, services.pipeline

    def dimension_of(word: str) -> str | None:
        folded = word.casefold()
        for dimension in taxonomy.CORRECTABLE:
            if folded == dimension or folded in (n.casefold() for n in playbook.dimensions[dimension].all()):
                return dimension
        return None

    def label_of(dimension: str, word: str) -> str | None:
        if word in taxonomy.SINGLE[dimension]:
            return word
        return next((label for dim, label in playbook.find_types(word) if dim == dimension), None)

    def type_names(caller: Caller, dimension: str) -> str:
        sep = ", " if caller.lang == "en" else "、"
        return sep.join(
            f"{playbook.type_name(dimension, label, caller.lang)} ({label})"
            for label in taxonomy.SINGLE[dimension]
        )

    async def correct(
        caller: Caller, team: int, state: CustomerState, dimension: str, label: str
    ) -> tuple[CustomerState, Profile]:
        """Record an agent's correction and count it as agreement or disagreement for /stats."""
        now = services.now()
        before = profile_of(services.domain, state, now).verdict(dimension)
        agreed = not before.corrected and before.label == label
        event = Event(kind="correction", at=now, dimension=dimension, label=label, agent_id=caller.user_id)
        result = await pipeline.record_event(team, CustomerRef(state.id, state.name, state.kind), event)
        await store.count_feedback(team, now=now, agent_id=caller.user_id, dimension=dimension, agreed=agreed)
        return result

    def corrected_text(caller: Caller, name: str, dimension: str, label: str) -> str:
        return caller.t(
            "tag.done",
            name=name,
            dimension=playbook.dimensions[dimension].get(caller.lang),
            type=playbook.type_name(dimension, label, caller.lang),
        )

    # /tag and /event ------------------------------------------------------------------------------
    async def tag_customer(caller: Caller, match: Match, args: dict[str, Any]) -> None:
        state = await store.load_customer(match.team, match.id)
        if state is None:
            await caller.say(caller.h("pick.gone", name=match.name))
            return
        dimension, label = str(args["d"]), str(args["l"])
        await correct(caller, match.team, state, dimension, label)
        await caller.say(esc(corrected_text(caller, state.name, dimension, label)))

    async def tag(caller: Caller, args: list[str]) -> None:
        if len(args) < 2:
            raise BadArguments
        *words, dim_word, type_word = args
        dimension = dimension_of(dim_word)
        if dimension is None:
            raise BadArguments
        label = label_of(dimension, type_word)
        if label is None:
            known = type_names(caller, dimension)
            await caller.say(caller.h("tag.unknown_type", query=type_word, types=known))
            return
        choice = {"d": dimension, "l": label}
        match = await picker.customer(caller, words, "tag", choice)
        if match is not None:
            await tag_customer(caller, match, choice)

    async def record(caller: Caller, match: Match, args: dict[str, Any]) -> None:
        kind: EventKind = args["k"]
        amount = args.get("a")
        state = await store.load_customer(match.team, match.id)
        if state is None:
            await caller.say(caller.h("pick.gone", name=match.name))
            return
        event = Event(kind=kind, at=services.now(), amount=amount, agent_id=caller.user_id)
        ref = CustomerRef(state.id, state.name, state.kind)
        state, profile = await pipeline.record_event(match.team, ref, event)
        lang = caller.lang
        money = f" {services.settings.currency}{amount:g}" if amount else ""
        await caller.say(
            caller.h(
                "event.done",
                name=bold(state.name),
                event=caller.t(f"event.{kind}") + money,
                value=playbook.type_name("value", profile.value.label, lang)
                if profile.value.label != "none"
                else caller.t("card.unknown"),
                behavior=playbook.type_name("behavior", profile.behavior.label, lang)
                if profile.behavior.label != "none"
                else caller.t("card.unknown"),
            )
        )

    async def event(caller: Caller, args: list[str]) -> None:
        at = next((i for i, word in enumerate(args) if event_kind(word)), None)
        if at is None or len(args) > at + 2:
            raise BadArguments
        kind = event_kind(args[at])
        amount = None
        if len(args) == at + 2:
            m = _AMOUNT.match(args[at + 1])
            if m is None:
                raise BadArguments
            amount = float(m.group(1))
        choice = {"k": kind, "a": amount}
        match = await picker.customer(caller, args[:at], "event", choice)
        if match is not None:
            await record(caller, match, choice)

    picker.on("tag", tag_customer)
    picker.on("event", record)

    # whisper buttons -------------------------------------------------------------------------------
    async def whispered(caller: Caller, token: str) -> tuple[int, CustomerState] | str:
        """The team and customer behind a whisper token, or the alert to show instead."""
        payload = await store.get_callback(token)
        if payload is None:
            return caller.t("fb.expired")
        team = int(payload.get("team", 0))
        if team not in await caller.teams():
            return caller.t("pick.not_yours")
        state = await store.load_customer(team, str(payload.get("customer", "")))
        if state is None:
            return caller.t("fb.gone")
        return team, state

    def keep_copy_rows(caller: Caller, rows: list[list[InlineKeyboardButton]]) -> InlineKeyboardMarkup:
        message = caller.query.message if caller.query else None
        markup = getattr(message, "reply_markup", None)
        kept = [
            list(row)
            for row in (markup.inline_keyboard if markup else ())
            if not any(str(key.callback_data or "").startswith("fb:") for key in row)
        ]
        return InlineKeyboardMarkup(kept + rows)

    async def swap_keyboard(caller: Caller, rows: list[list[InlineKeyboardButton]]) -> None:
        if caller.query is not None:
            await caller.query.edit_message_reply_markup(keep_copy_rows(caller, rows))

    def feedback_row(caller: Caller, token: str) -> list[InlineKeyboardButton]:
        return [
            InlineKeyboardButton(caller.t("button.agree"), callback_data=f"fb:ok:{token}"),
            InlineKeyboardButton(caller.t("button.correct"), callback_data=f"fb:fix:{token}"),
        ]

    def cancel_key(caller: Caller, token: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(caller.t("button.cancel"), callback_data=f"fb:x:{token}")

    async def agree(caller: Caller, token: str) -> str | None:
        found = await whispered(caller, token)
        if isinstance(found, str):
            return found
        team, state = found
        profile = profile_of(services.domain, state, services.now())
        shown = [
            d
            for d in SHOWN_DIMENSIONS
            if profile.verdict(d).label != "none" and not profile.verdict(d).corrected
        ]
        if not shown:
            return caller.t("fb.nothing_to_confirm")
        version = f"{state.messages}.{len(state.events)}"
        if not await store.claim_vote(team, state.id, caller.user_id, version):
            return caller.t("fb.already")
        await store.count_agreement(team, now=services.now(), agent_id=caller.user_id, dimensions=shown)
        sep = ", " if caller.lang == "en" else "、"
        names = sep.join(playbook.dimensions[d].get(caller.lang) for d in shown)
        return caller.t("fb.thanks", dimensions=names)

    async def pick_dimension(caller: Caller, token: str) -> str | None:
        found = await whispered(caller, token)
        if isinstance(found, str):
            return found
        keys = [
            InlineKeyboardButton(playbook.dimensions[d].get(caller.lang), callback_data=f"fb:d:{token}:{d}")
            for d in taxonomy.CORRECTABLE
        ]
        await swap_keyboard(caller, [keys[:3], keys[3:], [cancel_key(caller, token)]])
        return None

    async def pick_type(caller: Caller, token: str, dimension: str) -> str | None:
        found = await whispered(caller, token)
        if isinstance(found, str):
            return found
        current = profile_of(services.domain, found[1], services.now()).verdict(dimension).label
        keys = [
            InlineKeyboardButton(
                ("• " if label == current else "") + playbook.type_name(dimension, label, caller.lang),
                callback_data=f"fb:s:{token}:{dimension}:{label}",
            )
            for label in taxonomy.SINGLE[dimension]
        ]
        rows = [keys[i : i + 2] for i in range(0, len(keys), 2)]
        back = InlineKeyboardButton(caller.t("button.back"), callback_data=f"fb:fix:{token}")
        await swap_keyboard(caller, [*rows, [back, cancel_key(caller, token)]])
        return None

    async def set_type(caller: Caller, token: str, dimension: str, label: str) -> str | None:
        found = await whispered(caller, token)
        if isinstance(found, str):
            return found
        team, state = found
        state, profile = await correct(caller, team, state, dimension, label)
        pointer = Whisper.decode(state.fields.get("w"))
        message = caller.query.message if caller.query else None
        here = (message.chat.id, message.message_id) if message else None
        if pointer and here == (pointer.chat_id, pointer.message_id) and state.history:
            view = pipeline.view_of(state, profile, caller.lang, burst=pointer.messages)
            await redraw(caller.bot, services, here, view, caller.lang, token, in_group=caller.in_group)
        else:  # an older whisper: it keeps its text, the next whisper shows the correction
            await swap_keyboard(caller, [feedback_row(caller, token)])
        return corrected_text(caller, state.name, dimension, label)

    async def pressed(caller: Caller, parts: list[str]) -> str | None:
        match parts:
            case ["ok", token]:
                return await agree(caller, token)
            case ["fix", token]:
                return await pick_dimension(caller, token)
            case ["d", token, dimension] if dimension in taxonomy.CORRECTABLE:
                return await pick_type(caller, token, dimension)
            case ["s", token, dimension, label] if dimension in taxonomy.CORRECTABLE and taxonomy.is_valid(
                dimension, label
            ):
                return await set_type(caller, token, dimension, label)
            case ["x", token]:
                await swap_keyboard(caller, [feedback_row(caller, token)])
                return None
        return caller.t("fb.expired")

    return [
        command("tag", services, tag, usage="usage.tag"),
        command("event", services, event, usage="usage.event"),
        button("fb", services, pressed),
    ]
