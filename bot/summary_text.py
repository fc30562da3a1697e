"""A :class:`~bot.summary.DaySummary` as Telegram HTML messages in the reader's language.

Every name (customers, agents, the group's title) is HTML-escaped. The text is cut into messages that
stay under Telegram's 4096-character limit at section (or, failing that, line) boundaries; long lists
are already trimmed to a few names with "+N more" by the summary itself.
"""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import Texts
from bot.summary import DaySummary, FollowList, Totals
from strategies.models import Lang
from strategies.playbook import Playbook

#: Telegram's limit is 4096 characters of text after parsing; the HTML source is measured (in UTF-16
#: code units, as Telegram counts), which is never shorter, so a message that fits here fits there.
MESSAGE_LIMIT = 4096
AGENTS_SHOWN = 15
NAME_CHARS = 32


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def clip(name: str, limit: int = NAME_CHARS) -> str:
    name = " ".join(name.split())
    return name if len(name) <= limit else name[: limit - 1] + "…"


def day_text(day: str, texts: Texts, lang: Lang) -> str:
    """``2026-11-22（周日）`` / ``Sun 2026-11-22``."""
    d = datetime.strptime(day, "%Y%m%d").date()
    weekday = texts.get("summary.weekdays", lang).split(",")[d.weekday()].strip()
    return texts.get("summary.date", lang, date=d.isoformat(), weekday=weekday)


def number(value: float) -> str:
    if value == int(value) or value >= 10:
        return f"{round(value):,}"
    return f"{value:.1f}"


class _Writer:
    """Small helpers bound to one language."""

    def __init__(self, texts: Texts, playbook: Playbook, lang: Lang) -> None:
        self.texts, self.playbook, self.lang = texts, playbook, lang
        self.sep = ", " if lang == "en" else "、"
        self.dot = " · "
        self.gap = " " if lang == "en" else ""  # CJK punctuation carries its own spacing

    def t(self, key: str, **values: object) -> str:
        """A UI text with its own characters escaped; ``values`` must already be escaped."""
        return esc(self.texts.template(key, self.lang)).format(**values)

    def bold(self, key: str, **values: object) -> str:
        return f"<b>{self.t(key, **values)}</b>"

    def type_name(self, dimension: str, label: str) -> str:
        return esc(self.playbook.type_name(dimension, label, self.lang))

    def intent_name(self, intent: str) -> str:
        situation = self.playbook.situations.get(intent)
        return esc(situation.name.get(self.lang) if situation else intent)

    def change(self, today: float, before: float) -> str:
        if not before:
            return ""
        pct = round((today - before) / before * 100)
        if pct == 0:
            return self.t("summary.flat")
        return f"▲{pct}%" if pct > 0 else f"▼{-pct}%"


def _compare(w: _Writer, pick: str, s: DaySummary) -> str:
    today = getattr(s.today, pick)
    parts = []
    if s.previous is not None:
        before = getattr(s.previous, pick)
        parts.append(w.t("summary.vs_previous", n=number(before), change=w.change(today, before)).strip())
    else:
        parts.append(w.t("summary.no_previous"))
    if s.average is not None:
        avg = getattr(s.average, pick)
        parts.append(
            w.t("summary.vs_average", days=s.average_days, n=number(avg), change=w.change(today, avg))
        )
    return w.t("summary.compare", details=w.sep.join(p.strip() for p in parts))


def _headline(w: _Writer, s: DaySummary, title: str) -> list[str]:
    t: Totals = s.today
    lines = [w.bold("summary.title", team=esc(clip(title, 64)), date=esc(day_text(s.day, w.texts, w.lang)))]
    if s.quiet:
        return [*lines, w.t("summary.quiet")]
    lines.append(
        w.t("summary.messages", n=f"<b>{number(t.messages)}</b>") + w.gap + _compare(w, "messages", s)
    )
    lines.append(
        w.t(
            "summary.customers",
            n=f"<b>{number(t.customers)}</b>",
            new=number(t.new),
            returning=number(t.returning),
        )
        + w.gap
        + _compare(w, "customers", s)
    )
    return lines


def _types(w: _Writer, s: DaySummary) -> list[str]:
    if not s.today.customers:
        return []
    lines = [w.bold("summary.types")]
    for dim, ranked in s.distributions.items():
        parts = [f"{w.type_name(dim, label)} {n}" for label, n in ranked]
        if s.unclear.get(dim):
            parts.append(w.t("summary.unclear", n=s.unclear[dim]))
        dim_name = esc(w.playbook.dimensions[dim].get(w.lang))
        lines.append(
            f"{dim_name}：{w.dot.join(parts)}" if w.lang != "en" else f"{dim_name}: {w.dot.join(parts)}"
        )
    return lines


def _topics(w: _Writer, s: DaySummary) -> list[str]:
    lines = []
    if s.concerns:
        items = w.dot.join(f"{w.type_name('concerns', c)} {n}" for c, n in s.concerns)
        lines.append(f"{w.bold('summary.concerns')}{w.gap}{items}")
    if s.intents:
        items = w.dot.join(f"{w.intent_name(i)} {n}" for i, n in s.intents)
        lines.append(f"{w.bold('summary.intents')}{w.gap}{items}")
    return lines


def _follow_line(w: _Writer, name: str, follow: FollowList, tz: ZoneInfo, day: str) -> str:
    def who(at: int, customer: str) -> str:
        text = f"<b>{esc(clip(customer))}</b>"
        if name == "nopay":  # when the order was placed says how overdue the payment is
            moment = datetime.fromtimestamp(at, tz)
            shown = moment.strftime("%H:%M" if moment.strftime("%Y%m%d") == day else "%m-%d %H:%M")
            text += f" ({shown})"
        return text

    names = w.sep.join(who(f.at, f.name) for f in follow.shown)
    if follow.more > 0:
        names += w.sep + w.t("summary.more", n=follow.more)
    return f"{w.t(f'summary.follow_{name}', n=follow.total)}{w.gap}{names}"


def _follow(w: _Writer, s: DaySummary, tz: ZoneInfo) -> list[str]:
    lines = [w.bold("summary.follow")]
    shown = [_follow_line(w, name, f, tz, s.day) for name, f in s.follow.items() if f.total]
    return [*lines, *shown] if shown else [*lines, w.t("summary.follow_none")]


def _agents(w: _Writer, s: DaySummary, agent_names: dict[int, str]) -> list[str]:
    lines = [w.bold("summary.agents")]
    for a in s.agents[:AGENTS_SHOWN]:
        name = agent_names.get(a.agent_id) or (
            w.texts.get("summary.anonymous", w.lang) if a.agent_id == 0 else str(a.agent_id)
        )
        lines.append(
            w.t(
                "summary.agent_line",
                name=esc(clip(name)),
                forwards=a.forwards,
                feedback=a.feedback,
                corrections=a.corrections,
            )
        )
    if len(s.agents) > AGENTS_SHOWN:
        lines.append(w.t("summary.agents_more", n=len(s.agents) - AGENTS_SHOWN))
    if s.agreement is not None:
        lines.append(
            w.t("summary.agreement", rate=round(s.agreement * 100), agreed=s.agreed, disagreed=s.disagreed)
        )
    else:
        lines.append(w.t("summary.no_feedback"))
    return lines if len(lines) > 2 or s.agents else []


def pack(blocks: list[list[str]], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Join blocks (sections) into as few messages as fit in ``limit``.

    A block goes whole into a message when it fits, else line by line. Lines are short by construction
    (names are clipped and lists trimmed), so a line is never split, which keeps the HTML well formed.
    """
    messages: list[str] = []
    current = ""

    def add(piece: str, sep: str) -> None:
        nonlocal current
        joined = f"{current}{sep}{piece}" if current else piece
        if utf16_len(joined) <= limit:
            current = joined
            return
        if current:
            messages.append(current)
        current = piece

    for block in blocks:
        text = "\n".join(block)
        if utf16_len(text) <= limit:
            add(text, "\n\n")
            continue
        for n, line in enumerate(block):
            add(line, "\n\n" if n == 0 else "\n")
    if current:
        messages.append(current)
    return messages


def format_summary(
    s: DaySummary,
    *,
    title: str,
    agent_names: dict[int, str],
    playbook: Playbook,
    texts: Texts,
    lang: Lang,
    tz: ZoneInfo,
) -> list[str]:
    """The summary as one or more HTML messages, each within Telegram's limit."""
    w = _Writer(texts, playbook, lang)
    blocks = [_headline(w, s, title)]
    if not s.quiet:
        blocks += [_types(w, s), _topics(w, s), _follow(w, s, tz), _agents(w, s, agent_names)]
    return pack([b for b in blocks if b])


def caption(s: DaySummary, *, title: str, texts: Texts, lang: Lang) -> str:
    """The chart's short caption (HTML)."""
    return esc(texts.get("summary.caption", lang, team=clip(title, 64), date=day_text(s.day, texts, lang)))
