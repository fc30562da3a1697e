"""A customer's card (/customer) and history (/history) as Telegram HTML, every customer string escaped."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot.pipeline import profile_of
from bot.render import SHOWN_DIMENSIONS, evidence_text, motives
from bot.store import CustomerState
from handlers.caller import Caller, Html, bold, esc, italic

#: The card quotes this many of the latest messages, and the mood trend spans this many.
CARD_MESSAGES = 3
MOOD_TREND = 8
HISTORY_MESSAGES = 10
CORRECTIONS_SHOWN = 5
MOOD_MARK = {"angry": "😠", "dissatisfied": "😟", "hesitant": "🤔", "neutral": "😐", "positive": "🙂"}
ORDER_KINDS = ("order", "paid", "cancel", "received", "refund", "referral")


def clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(moment: datetime, caller: Caller) -> str:
    return moment.astimezone(caller.services.settings.tz).strftime("%m-%d %H:%M")


def _sep(caller: Caller) -> str:
    return ", " if caller.lang == "en" else "、"


def customer_card(caller: Caller, state: CustomerState) -> Html:
    """Types with confidence and evidence, mood trend, worries, orders, counts, latest messages."""
    services, lang = caller.services, caller.lang
    playbook, texts = services.domain.playbook, services.texts
    profile = profile_of(services.domain, state, services.now())
    lines: list[str] = [
        caller.h("card.title", name=bold(clip(state.name, 64)), ref=state.id),
        caller.h(
            "card.seen",
            count=state.messages,
            first=_when(state.first_seen, caller),
            last=_when(state.last_seen, caller),
        ),
        "",
    ]
    thin: list[str] = []
    for dimension in SHOWN_DIMENSIONS:
        verdict = profile.verdict(dimension)
        dim_name = playbook.dimensions[dimension].get(lang)
        if verdict.label == "none":
            thin.append(dim_name)
            continue
        line = f"{esc(dim_name)}: {bold(playbook.type_name(dimension, verdict.label, lang))}"
        if verdict.corrected:
            line += " " + caller.h("whisper.corrected")
        else:
            if verdict.label != "neutral":  # calm is the default, not a finding
                line += f" {round(verdict.confidence * 100)}%"
            quotes = [q for q in (evidence_text(e, texts, lang) for e in verdict.evidence) if q][:2]
            if quotes:
                line += " — " + italic(" / ".join(quotes))
        lines.append(line)
    if thin:
        lines.append(italic(texts.get("whisper.thin", lang, dims=_sep(caller).join(thin))))
    moods = [services.domain.analyse(m.text).mood for m in state.history[-MOOD_TREND:]]
    if moods:
        lines.append(caller.h("card.mood_trend", trend=" → ".join(MOOD_MARK.get(m, "·") for m in moods)))
    if profile.concerns:
        names = _sep(caller).join(playbook.type_name("concerns", c, lang) for c in profile.concerns)
        lines.append(caller.h("whisper.worries", concerns=names))
    if profile.motives:
        shown = [
            bold(name) + (" " + italic(quote) if quote else "")
            for name, quote in motives(profile, playbook, texts, lang)
        ]
        lines.append(f"{esc(playbook.dimensions['motives'].get(lang))}: {_sep(caller).join(shown)}")
    lines.append(_orders(caller, state))
    corrections = [e for e in state.events if e.kind == "correction" and e.dimension and e.label]
    if corrections:
        lines += ["", bold(caller.t("card.corrections"))]
        for event in corrections[-CORRECTIONS_SHOWN:]:
            dim, label = str(event.dimension), str(event.label)
            dim_name = playbook.dimensions[dim].get(lang) if dim in playbook.dimensions else dim
            type_name = playbook.type_name(dim, label, lang)
            lines.append(f"• {_when(event.at, caller)} {esc(dim_name)} → {esc(type_name)}")
    if state.history:
        lines += ["", bold(caller.t("card.latest"))]
        for message in state.history[-CARD_MESSAGES:]:
            lines.append(f"{_when(message.at, caller)} “{esc(clip(message.text, 80))}”")
    return Html("\n".join(lines))


def _orders(caller: Caller, state: CustomerState) -> Html:
    counts: Counter[str] = Counter(e.kind for e in state.events if e.kind in ORDER_KINDS)
    if not counts:
        return caller.h("card.no_orders")
    parts = [caller.t(f"event.{kind}") + f" {counts[kind]}" for kind in ORDER_KINDS if counts[kind]]
    paid = sum(e.amount or 0 for e in state.events if e.kind == "paid")
    text = " · ".join(parts)
    if paid:
        text += " " + caller.t("card.paid_total", amount=f"{caller.services.settings.currency}{paid:g}")
    return caller.h("card.orders", orders=text)


def history_text(caller: Caller, state: CustomerState) -> Html:
    """The latest messages, newest last, each with the topics found in it."""
    playbook, lang = caller.services.domain.playbook, caller.lang
    lines: list[str] = [caller.h("history.title", name=bold(clip(state.name, 64)), count=state.messages)]
    if not state.history:
        lines.append(caller.h("history.empty"))
    for message in state.history[-HISTORY_MESSAGES:]:
        analysis = caller.services.domain.analyse(message.text)
        topics = [playbook.situations[i].name.get(lang) for i in analysis.intents if i in playbook.situations]
        lines.append("")
        mark = MOOD_MARK.get(analysis.mood, "·")
        lines.append(f"{mark} {_when(message.at, caller)} “{esc(clip(message.text, 160))}”")
        if topics:
            lines.append("   " + caller.h("whisper.intents", intents=_sep(caller).join(topics)))
    return Html("\n".join(lines))
