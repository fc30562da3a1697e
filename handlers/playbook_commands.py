"""The playbook at an agent's fingertips: ``/types``, ``/playbook TYPE``, ``/reply SITUATION``.

Types are found by id, name or alias in any language (``bargainer``, ``讲价型``, ``講價型``, ``讲价``);
situations by intent id or keyword (``讲价``, ``退货``, ``催发货``) or by the words a reply is cued on
(``发错``, ``现货``), whose replies then come first. Ready-made replies come with copy buttons. Type
buttons carry ``pb:<dimension>:<id>`` — taxonomy ids, so no payload is needed.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process
from telegram import CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup

from bot.pipeline import reply_context
from bot.services import Services
from handlers.caller import BadArguments, Caller, Handlers, Html, bold, button, code, command, esc
from strategies import taxonomy
from strategies.models import Reply
from strategies.playbook import LocalText, ReplyTemplate
from strategies.replies import fill

SAMPLE_REPLIES = 3
SITUATION_REPLIES = 5
TYPE_SUGGESTIONS = 4
_MOOD_ORDER = ("neutral", "hesitant", "positive", "dissatisfied", "angry")


def _bullets(items: list[LocalText], caller: Caller) -> list[str]:
    return [f"• {esc(item.get(caller.lang))}" for item in items]


def _copy_keyboard(caller: Caller, replies: list[Reply]) -> InlineKeyboardMarkup | None:
    if not replies:
        return None
    keys = [
        InlineKeyboardButton(caller.t("button.copy", n=n), copy_text=CopyTextButton(r.text))
        for n, r in enumerate(replies, start=1)
    ]
    return InlineKeyboardMarkup([keys[i : i + 3] for i in range(0, len(keys), 3)])


def _reply_lines(replies: list[Reply]) -> list[str]:
    return [f"{n}. {code(r.text)}" for n, r in enumerate(replies, start=1)]


def playbook_handlers(services: Services) -> Handlers:
    playbook = services.domain.playbook

    def filled(caller: Caller, templates: list[ReplyTemplate], limit: int) -> list[Reply]:
        context = reply_context(services.settings, None)
        return [fill(t, playbook, context, caller.lang) for t in templates[:limit]]

    def samples_for(dimension: str, label: str) -> list[ReplyTemplate]:
        replies = playbook.replies
        if dimension in ("behavior", "personality", "shopper"):
            return [r for r in replies if label in getattr(r, dimension)]
        if dimension == "mood":
            return sorted((r for r in replies if label in r.moods), key=lambda r: len(r.moods))
        if dimension == "concerns":
            return [r for r in replies if r.concern == label]
        return []

    def techniques(dimension: str, label: str, caller: Caller) -> list[str]:
        k, lang = playbook.knowledge, caller.lang
        colon = ": " if lang == "en" else "："
        if dimension == "behavior" and label == "bargainer":
            return [f"• {bold(w.name.get(lang))}{colon}{esc(w.how.get(lang))}" for w in k.haggling]
        if dimension == "mood" and label in k.difficult:
            return [f"• {bold(s.name.get(lang))}{colon}{esc(s.how.get(lang))}" for s in k.difficult[label]]
        if dimension == "concerns" and label in k.worries:
            worry = k.worries[label]
            question, answer = esc(worry.question.get(lang)), esc(worry.answer.get(lang))
            return [f"❓ {question}", answer, *_bullets(worry.tactics, caller)]
        return []

    async def show_type(caller: Caller, dimension: str, label: str) -> None:
        entry = playbook.type_entry(dimension, label)
        if entry is None:
            raise BadArguments
        lang = caller.lang
        lines = [
            f"{bold(entry.name.get(lang))} · {esc(playbook.dimensions[dimension].get(lang))} {code(label)}",
            esc(entry.summary.get(lang)),
            "",
            bold(caller.t("playbook.traits")),
            *_bullets(entry.traits, caller),
            "",
            f"{bold(caller.t('whisper.tone'))} {esc(entry.tone.get(lang))}",
            bold(caller.t("playbook.do")),
            *_bullets(entry.do, caller),
            bold(caller.t("playbook.dont")),
            *_bullets(entry.dont, caller),
        ]
        extra = techniques(dimension, label, caller)
        if extra:
            lines += ["", bold(caller.t("playbook.techniques")), *extra]
        replies = filled(caller, samples_for(dimension, label), SAMPLE_REPLIES)
        if replies:
            lines += ["", bold(caller.t("playbook.samples")), *_reply_lines(replies)]
        await caller.say(Html("\n".join(lines)), _copy_keyboard(caller, replies))

    def type_keyboard(caller: Caller, found: list[tuple[str, str]]) -> InlineKeyboardMarkup:
        rows = []
        for dimension, label in found:
            name = playbook.type_name(dimension, label, caller.lang)
            dim_name = playbook.dimensions[dimension].get(caller.lang)
            rows.append(
                [InlineKeyboardButton(f"{name} · {dim_name}", callback_data=f"pb:{dimension}:{label}")]
            )
        return InlineKeyboardMarkup(rows)

    def close_types(query: str) -> list[tuple[str, str]]:
        keys: list[tuple[str, str]] = []
        names: list[str] = []
        for dimension, entries in playbook.types.items():
            for label, entry in entries.items():
                for name in (label, *entry.name.all(), *entry.aliases):
                    keys.append((dimension, label))
                    names.append(name.casefold())
        close = process.extract(query.casefold(), names, scorer=fuzz.WRatio, limit=12, score_cutoff=60)
        return list(dict.fromkeys(keys[index] for _, _, index in close))[:TYPE_SUGGESTIONS]

    async def types(caller: Caller, args: list[str]) -> None:
        lang = caller.lang
        lines: list[str] = [bold(caller.t("types.title"))]
        for dimension in taxonomy.DIMENSIONS:
            names = [
                f"{esc(e.name.get(lang))} {code(label)}" for label, e in playbook.types[dimension].items()
            ]
            lines += ["", bold(playbook.dimensions[dimension].get(lang)), " · ".join(names)]
        lines += ["", caller.h("types.footer")]
        await caller.say(Html("\n".join(lines)))

    async def playbook_cmd(caller: Caller, args: list[str]) -> None:
        query = " ".join(args).strip()
        if not query:
            raise BadArguments
        found = playbook.find_types(query)
        if len(found) == 1:
            await show_type(caller, *found[0])
        elif found:
            await caller.say(caller.h("playbook.several", query=query), type_keyboard(caller, found))
        elif close := close_types(query):
            await caller.say(caller.h("playbook.suggest", query=query), type_keyboard(caller, close))
        else:
            await caller.say(caller.h("playbook.unknown", query=query))

    async def type_pressed(caller: Caller, parts: list[str]) -> str | None:
        if len(parts) != 2 or playbook.type_entry(parts[0], parts[1]) is None:
            return caller.t("pick.expired")
        await show_type(caller, parts[0], parts[1])
        return None

    async def reply(caller: Caller, args: list[str]) -> None:
        query = " ".join(args).strip()
        if not query:
            raise BadArguments
        lang = caller.lang
        # "/reply 发错" names no situation but is the cue of a reply: its situation, that reply first.
        cued = playbook.cued(query)
        cued_ids = {t.id for t in cued}
        intent = playbook.find_situation(query) or next((t.intent for t in cued if t.intent), None)
        if intent is None:
            sep = ", " if lang == "en" else "、"
            names = sep.join(s.name.get(lang) for i, s in playbook.situations.items() if i != "other")
            unknown = caller.h("reply.unknown", query=query)
            await caller.say(Html(f"{unknown}\n{caller.h('reply.known', names=names)}"))
            return
        templates = sorted(
            (t for t in playbook.replies if t.intent == intent),
            key=lambda t: (
                t.id not in cued_ids,
                min(_MOOD_ORDER.index(m) for m in t.moods),
                bool(t.behavior or t.personality),
            ),
        )
        replies = filled(caller, templates, SITUATION_REPLIES)
        lines: list[str] = [
            bold(caller.t("reply.title", situation=playbook.situations[intent].name.get(lang)))
        ]
        k = playbook.knowledge
        if intent == "bargain":
            lines.append(esc(" / ".join(way.name.get(lang) for way in k.haggling)))
        elif intent == "complaint":
            lines.append(esc(" → ".join(step.name.get(lang) for step in k.complaint_steps)))
        lines += ["", *_reply_lines(replies)] if replies else [caller.h("reply.none")]
        await caller.say(Html("\n".join(lines)), _copy_keyboard(caller, replies))

    return [
        command("types", services, types),
        command("playbook", services, playbook_cmd, usage="usage.playbook"),
        command("reply", services, reply, usage="usage.reply"),
        button("pb", services, type_pressed),
    ]
