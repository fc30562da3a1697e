"""/stats: a team's day so far, read from the live day counters (never a scan over customers), and how
often agents agreed with the classifier per dimension, today and over the last 7 days.

Counters used (see ``bot/lua/team_message.lua`` and ``Store``): ``messages``, ``customers``,
``customers_new``, ``customers_returning``, ``whispers_<route>``, ``intent:<id>``, ``msgmood:<id>``,
``concern:<id>``, ``event:<kind>``, ``agree:<dimension>``, ``disagree:<dimension>``; follow-up lists
are the day's ``f`` hash fields ``<list>|<customer>``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from bot.render import SHOWN_DIMENSIONS
from bot.store import DayData
from handlers.caller import Caller, Html, bold
from handlers.cards import ORDER_KINDS

TOP_TOPICS = 5
FOLLOW_LISTS = ("negative", "interest", "repeat", "vip")


def _prefixed(stats: Mapping[str, int], prefix: str) -> Counter[str]:
    return Counter({k[len(prefix) :]: v for k, v in stats.items() if k.startswith(prefix) and v > 0})


def _rate(agree: int, disagree: int) -> str:
    total = agree + disagree
    return f"{round(100 * agree / total)}% ({agree}/{total})" if total else "—"


def stats_text(
    caller: Caller, title: str, data: DayData, week: dict[str, dict[str, int]], nopay: int
) -> Html:
    playbook, lang, s = caller.services.domain.playbook, caller.lang, data.stats
    sep = ", " if lang == "en" else "、"
    day = f"{data.day[4:6]}-{data.day[6:]}"
    lines: list[str] = [
        bold(caller.t("stats.title", team=title, day=day)),
        caller.h(
            "stats.volume",
            messages=s.get("messages", 0),
            customers=s.get("customers", 0),
            new=s.get("customers_new", 0),
            returning=s.get("customers_returning", 0),
        ),
        caller.h(
            "stats.whispers",
            private=s.get("whispers_private", 0),
            group=s.get("whispers_group", 0),
            edit=s.get("whispers_edit", 0),
        ),
    ]
    intents = _prefixed(s, "intent:")
    intents.pop("other", None)
    if intents:
        top = sep.join(
            f"{playbook.situations[i].name.get(lang)} {n}" for i, n in intents.most_common(TOP_TOPICS)
        )
        lines.append(caller.h("stats.topics", topics=top))
    moods = _prefixed(s, "msgmood:")
    if moods:
        shown = [
            f"{playbook.type_name('mood', m, lang)} {moods[m]}" for m in playbook.types["mood"] if moods[m]
        ]
        lines.append(caller.h("stats.moods", moods=sep.join(shown)))
    concerns = _prefixed(s, "concern:")
    if concerns:
        top = sep.join(f"{playbook.type_name('concerns', c, lang)} {n}" for c, n in concerns.most_common(3))
        lines.append(caller.h("stats.concerns", concerns=top))
    events = _prefixed(s, "event:")
    if any(events[k] for k in ORDER_KINDS):
        shown = [f"{caller.t(f'event.{k}')} {events[k]}" for k in ORDER_KINDS if events[k]]
        lines.append(caller.h("stats.orders", orders=" · ".join(shown)))
    follow = Counter(field.split("|", 1)[0] for field in data.follow)
    parts = [f"{caller.t(f'stats.follow_{name}')} {follow[name]}" for name in FOLLOW_LISTS if follow[name]]
    if nopay:
        parts.append(f"{caller.t('stats.follow_nopay')} {nopay}")
    if parts:
        lines.append(caller.h("stats.follow", lists=" · ".join(parts)))

    agree, disagree = _prefixed(s, "agree:"), _prefixed(s, "disagree:")
    lines += [
        "",
        caller.h("stats.feedback", agree=sum(agree.values()), corrections=events["correction"]),
        bold(caller.t("stats.agreement")),
    ]
    week_agree = Counter[str]()
    week_disagree = Counter[str]()
    for row in week.values():
        week_agree += _prefixed(row, "agree:")
        week_disagree += _prefixed(row, "disagree:")
    rated = [d for d in SHOWN_DIMENSIONS if week_agree[d] or week_disagree[d]]
    for dimension in rated:
        lines.append(
            caller.h(
                "stats.agreement_line",
                dimension=playbook.dimensions[dimension].get(lang),
                today=_rate(agree[dimension], disagree[dimension]),
                week=_rate(week_agree[dimension], week_disagree[dimension]),
            )
        )
    if not rated:
        lines.append(caller.h("stats.no_feedback"))
    return Html("\n".join(lines))
