"""Rendering a whisper: the same content as Telegram HTML (every string escaped) or as plain text.

What an agent reads, top to bottom: who the customer is; the message (quoted); what it is about; the
classification with the customer's own words as evidence; the tone; the strategy; the replies.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import Texts
from strategies.models import Advice, Analysis, Lang, Profile
from strategies.playbook import Playbook

SHOWN_DIMENSIONS = ("behavior", "personality", "mood", "shopper", "value")
#: Long customer messages are quoted up to this many characters in the whisper.
QUOTE_CHARS = 300
EVIDENCE_QUOTES = 2
#: Buying motives shown in a whisper, strongest first.
MOTIVES_SHOWN = 2


@dataclass(frozen=True)
class WhisperView:
    """Everything a whisper shows, independent of the output format."""

    customer: str
    messages: int
    first_seen: datetime | None
    text: str
    analysis: Analysis
    profile: Profile
    advice: Advice
    degraded: bool = False
    burst: int = 1
    truncated_at: int | None = None


class _Html:
    def esc(self, s: str) -> str:
        return html.escape(s, quote=False)

    def b(self, s: str) -> str:
        return f"<b>{self.esc(s)}</b>"

    def i(self, s: str) -> str:
        return f"<i>{self.esc(s)}</i>"

    def quote(self, s: str) -> str:
        return f"<blockquote>{self.esc(s)}</blockquote>"

    def code(self, s: str) -> str:
        return f"<code>{self.esc(s)}</code>"


class _Plain(_Html):
    def esc(self, s: str) -> str:
        return s

    def b(self, s: str) -> str:
        return s

    def i(self, s: str) -> str:
        return s

    def quote(self, s: str) -> str:
        return "\n".join(f"│ {line}" for line in s.splitlines() or [""])

    def code(self, s: str) -> str:
        return s


_FACT = re.compile(r"^(?:event:)?(?P<name>[a-z_]+)=(?P<n>\d+)$")


def evidence_text(evidence: str, texts: Texts, lang: Lang) -> str | None:
    """A customer quote as “…”, or a recorded fact (``event:purchases=2``) in the reader's language.

    Facts the interface has no words for are left out rather than shown as codes.
    """
    facts = [_FACT.match(part.strip()) for part in evidence.split(",")]
    if not all(facts):
        return f"“{_clip(evidence, 40)}”" if evidence.strip() else None
    sep = ", " if lang == "en" else "，"
    words = [
        texts.get(f"fact.{m.group('name')}", lang, n=int(m.group("n")))
        for m in facts
        if m is not None and f"fact.{m.group('name')}" in texts
    ]
    return sep.join(words) or None


def motives(profile: Profile, playbook: Playbook, texts: Texts, lang: Lang) -> list[tuple[str, str | None]]:
    """Why the customer buys (求名, 从众…), strongest first, each named with the quote that showed it:
    the angle an agent sells on. (name, quote or None) pairs, not yet escaped."""
    out = []
    for motive in profile.motives[:MOTIVES_SHOWN]:
        quotes = (evidence_text(q, texts, lang) for q in profile.motive_evidence.get(motive, ()))
        out.append((playbook.type_name("motives", motive, lang), next((q for q in quotes if q), None)))
    return out


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split()) if "\n" not in text else text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _names(playbook: Playbook, dimension: str, ids: tuple[str, ...], lang: Lang) -> str:
    sep = ", " if lang == "en" else "、"
    return sep.join(playbook.type_name(dimension, i, lang) for i in ids)


def render(
    view: WhisperView,
    *,
    playbook: Playbook,
    texts: Texts,
    lang: Lang,
    tz: ZoneInfo,
    fmt: str = "html",
) -> str:
    """The whisper as Telegram HTML (``fmt="html"``) or plain text (``fmt="plain"``)."""
    f = _Html() if fmt == "html" else _Plain()

    def t(key: str, **values: object) -> str:
        """A UI text with its own characters escaped; ``values`` must already be escaped/formatted."""
        return f.esc(texts.template(key, lang)).format(**values)

    sep = ", " if lang == "en" else "、"
    lines: list[str] = []
    customer = f.b(_clip(view.customer, 64))
    if view.degraded:  # without the profile we can't tell new from returning
        lines.append(t("whisper.header_unknown", customer=customer))
    elif view.messages <= 1:
        lines.append(t("whisper.header_new", customer=customer))
    else:
        first = view.first_seen.astimezone(tz).strftime("%m-%d %H:%M") if view.first_seen else "?"
        lines.append(t("whisper.header", customer=customer, count=view.messages, first=first))
    if view.burst > 1:
        lines[-1] += " " + t("whisper.burst", n=view.burst)
    if view.degraded:
        lines.append(t("whisper.degraded"))
    lines.append(f.quote(_clip(view.text, QUOTE_CHARS)))
    if view.truncated_at:
        lines.append(f.i(texts.get("whisper.truncated", lang, n=view.truncated_at)))

    about = []
    topics = [i for i in view.analysis.intents if i != "other" and i in playbook.situations]
    if topics:
        names = sep.join(playbook.situations[i].name.get(lang) for i in topics)
        about.append(t("whisper.intents", intents=f.esc(names)))
    if view.analysis.concerns:
        about.append(
            t("whisper.concerns", concerns=f.esc(_names(playbook, "concerns", view.analysis.concerns, lang)))
        )
    if about:
        lines.append(" · ".join(about))

    lines += ["", f.b(texts.get("whisper.profile", lang))]
    thin: list[str] = []
    for dimension in SHOWN_DIMENSIONS:
        verdict = view.profile.verdict(dimension)
        dim_name = playbook.dimensions[dimension].get(lang)
        if verdict.label == "none":
            thin.append(dim_name)
            continue
        line = f"{f.esc(dim_name)}: {f.b(playbook.type_name(dimension, verdict.label, lang))}"
        if verdict.corrected:  # an agent's word: no confidence, no quotes
            lines.append(f"{line} {t('whisper.corrected')}")
            continue
        if verdict.label != "neutral":  # calm is the default, not a finding with a confidence
            line += f" {round(verdict.confidence * 100)}%"
        shown = [e for e in (evidence_text(q, texts, lang) for q in verdict.evidence) if e][:EVIDENCE_QUOTES]
        if shown:
            line += " — " + f.i(" / ".join(shown))
        lines.append(line)
    if view.profile.concerns:
        lines.append(
            t("whisper.worries", concerns=f.esc(_names(playbook, "concerns", view.profile.concerns, lang)))
        )
    if view.profile.motives:
        shown = [
            f"{f.b(name)} {f.i(quote)}" if quote else f.b(name)
            for name, quote in motives(view.profile, playbook, texts, lang)
        ]
        lines.append(f"{f.esc(playbook.dimensions['motives'].get(lang))}: {sep.join(shown)}")
    if thin:
        lines.append(f.i(texts.get("whisper.thin", lang, dims=sep.join(thin))))

    lines += ["", f"{f.b(texts.get('whisper.tone', lang))} {f.esc(view.advice.tone)}"]
    lines.append(f.b(texts.get("whisper.strategy", lang)))
    lines += [f"• {f.esc(s)}" for s in view.advice.strategy]
    if view.advice.replies:
        lines += ["", f.b(texts.get("whisper.replies", lang))]
        lines += [f"{n}. {f.code(r.text)}" for n, r in enumerate(view.advice.replies, start=1)]
    return "\n".join(lines)
