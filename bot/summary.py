"""A team's day for its leads, built from the counters and lists kept as messages arrive (DESIGN.md §5).

:func:`gather` reads a bounded set of keys — the day's three hashes, seven earlier days' counters, the
oldest unpaid orders and the names of the customers who will be listed — and :func:`summarise` turns
them into a :class:`DaySummary`. Nothing here scans the team's customers; the cost grows with the number
of customers *active that day* (one hash read), not with the team's history. Formatting is in
:mod:`bot.summary_text`, the chart in :mod:`bot.chart`.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.store import DayData, Store, recent_days

#: Order of the labels in a day's customer line (see ``Store.save_outcome``).
LABEL_ORDER = ("behavior", "personality", "mood", "value", "shopper")
#: Dimensions whose distribution the summary shows.
DISTRIBUTED = ("behavior", "personality", "mood")
#: Follow-up lists, in the order they are shown. ``nopay`` comes from the team's unpaid orders,
#: the others from the day's flags (``Pipeline.handle`` / ``Pipeline.record_event``).
FOLLOW_LISTS = ("negative", "nopay", "interest", "repeat", "vip")
#: Names listed per follow-up list; the rest are counted ("+N more").
FOLLOW_SHOWN = 12
#: Concerns and intents shown.
TOP = 5
#: Days before the summarised one whose counters give the comparison (previous day, 7-day average).
EARLIER_DAYS = 7
#: Days in the chart's trend, the summarised one included.
TREND_DAYS = 7


@dataclass(frozen=True)
class Totals:
    """The headline figures of one day (floats, so an average fits too)."""

    messages: float = 0
    customers: float = 0
    new: float = 0
    returning: float = 0

    @classmethod
    def of(cls, stats: dict[str, int]) -> Totals:
        return cls(
            stats.get("messages", 0),
            stats.get("customers", 0),
            stats.get("customers_new", 0),
            stats.get("customers_returning", 0),
        )


@dataclass(frozen=True)
class FollowUp:
    """A customer to follow up: who, and when they were flagged (or placed the unpaid order)."""

    customer_id: str
    name: str
    at: int


@dataclass(frozen=True)
class FollowList:
    total: int
    shown: tuple[FollowUp, ...]

    @property
    def more(self) -> int:
        return self.total - len(self.shown)


@dataclass(frozen=True)
class AgentActivity:
    """One agent's day: forwards handled, whisper feedback given (✓/✎) and corrections recorded."""

    agent_id: int
    forwards: int
    feedback: int
    corrections: int


@dataclass(frozen=True)
class DaySummary:
    team: int
    day: str  # YYYYMMDD in TIMEZONE
    today: Totals
    previous: Totals | None  # None: nothing was recorded the day before
    average: Totals | None  # over the earlier days that had any activity; None if none did
    average_days: int
    distributions: dict[str, list[tuple[str, int]]]  # dimension → (type, customers), most first
    unclear: dict[str, int]  # dimension → customers with no verdict yet ("none")
    concerns: list[tuple[str, int]]
    intents: list[tuple[str, int]]
    message_moods: dict[str, int]
    follow: dict[str, FollowList]
    agents: list[AgentActivity]
    agreed: int
    disagreed: int
    trend: list[tuple[str, int, int]]  # (day, messages, customers), oldest first, ending with ``day``

    @property
    def agreement(self) -> float | None:
        total = self.agreed + self.disagreed
        return self.agreed / total if total else None

    @property
    def quiet(self) -> bool:
        """Nothing happened that day: no messages, no follow-ups, no feedback."""
        return (
            not self.today.messages
            and not any(f.total for f in self.follow.values())
            and not self.agreed + self.disagreed
        )


@dataclass
class SummaryInputs:
    """Everything :func:`summarise` needs, as read from Redis."""

    team: int
    day: DayData
    earlier: dict[str, dict[str, int]]  # day → counters, for the EARLIER_DAYS before ``day``
    nopay_total: int = 0
    nopay: list[tuple[str, int]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)


def day_end(store: Store, day: str) -> int:
    start = datetime.strptime(day, "%Y%m%d").replace(tzinfo=store.tz)
    return int((start + timedelta(days=1)).timestamp()) - 1


def _flagged(data: DayData) -> dict[str, list[tuple[str, int]]]:
    """The day's follow-up flags as list → [(customer, epoch)], oldest first."""
    lists: dict[str, list[tuple[str, int]]] = {}
    for key, at in data.follow.items():
        name, _, customer = key.partition("|")
        lists.setdefault(name, []).append((customer, at))
    for entries in lists.values():
        entries.sort(key=lambda e: (e[1], e[0]))
    return lists


async def gather(store: Store, team: int, day: str) -> SummaryInputs:
    """Read what the summary of ``team``'s ``day`` needs: three round trips at once, then one for names."""
    earlier_days = recent_days(day, EARLIER_DAYS + 1)[:-1]
    data, earlier, (nopay_total, nopay) = await asyncio.gather(
        store.day_data(team, day),
        store.day_stats(team, earlier_days),
        store.nopay_until(team, day_end(store, day), FOLLOW_SHOWN),
    )
    inputs = SummaryInputs(team, data, earlier, nopay_total, nopay)
    listed = {c for entries in _flagged(data).values() for c, _ in entries[:FOLLOW_SHOWN]}
    listed |= {c for c, _ in nopay}
    inputs.names = await store.names_of(team, sorted(listed))
    return inputs


def _ranked(counts: Counter[str] | dict[str, int], *, limit: int | None = None) -> list[tuple[str, int]]:
    ranked = sorted(((k, v) for k, v in counts.items() if v > 0), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:limit] if limit is not None else ranked


def _prefixed(stats: dict[str, int], prefix: str) -> dict[str, int]:
    return {k[len(prefix) :]: v for k, v in stats.items() if k.startswith(prefix)}


def _average(rows: list[dict[str, int]]) -> Totals | None:
    active = [Totals.of(r) for r in rows if r.get("messages")]
    if not active:
        return None
    n = len(active)
    return Totals(
        sum(t.messages for t in active) / n,
        sum(t.customers for t in active) / n,
        sum(t.new for t in active) / n,
        sum(t.returning for t in active) / n,
    )


def _agent_id(raw: str) -> int | None:
    try:
        return int(raw)
    except ValueError:
        return None


def _agents(stats: dict[str, int]) -> list[AgentActivity]:
    forwards = _prefixed(stats, "agent:")
    feedback = _prefixed(stats, "feedback:")
    corrections = _prefixed(stats, "corrections:")
    rows = []
    for raw in set(forwards) | set(feedback) | set(corrections):
        agent = _agent_id(raw)
        if agent is None:
            continue
        rows.append(AgentActivity(agent, forwards.get(raw, 0), feedback.get(raw, 0), corrections.get(raw, 0)))
    rows.sort(key=lambda a: (-a.forwards, -a.feedback, a.agent_id))
    return rows


def summarise(inputs: SummaryInputs) -> DaySummary:
    """The day's summary from its counters and lists (pure: no I/O)."""
    data = inputs.day
    stats = data.stats
    dims = {d: Counter[str]() for d in DISTRIBUTED}
    positions = [(d, LABEL_ORDER.index(d)) for d in DISTRIBUTED]
    for line in data.customers.values():
        labels = line.split("|")
        for dim, pos in positions:
            dims[dim][labels[pos] if pos < len(labels) else "none"] += 1
    distributions = {d: _ranked({k: v for k, v in c.items() if k != "none"}) for d, c in dims.items()}
    unclear = {d: c.get("none", 0) for d, c in dims.items()}

    def follow_up(customer: str, at: int) -> FollowUp:
        return FollowUp(customer, inputs.names.get(customer, customer), at)

    flagged = _flagged(data)
    follow: dict[str, FollowList] = {}
    for name in FOLLOW_LISTS:
        entries = inputs.nopay if name == "nopay" else flagged.get(name, [])
        total = inputs.nopay_total if name == "nopay" else len(entries)
        follow[name] = FollowList(total, tuple(follow_up(c, at) for c, at in entries[:FOLLOW_SHOWN]))

    rows = [inputs.earlier[d] for d in sorted(inputs.earlier)]
    previous_row = inputs.earlier.get(recent_days(data.day, 2)[0], {})
    trend = [
        (d, inputs.earlier.get(d, {}).get("messages", 0), inputs.earlier.get(d, {}).get("customers", 0))
        for d in recent_days(data.day, TREND_DAYS)[:-1]
    ]
    trend.append((data.day, stats.get("messages", 0), stats.get("customers", 0)))
    agree = _prefixed(stats, "agree:")
    disagree = _prefixed(stats, "disagree:")
    return DaySummary(
        team=inputs.team,
        day=data.day,
        today=Totals.of(stats),
        previous=Totals.of(previous_row) if previous_row.get("messages") else None,
        average=_average(rows),
        average_days=sum(1 for r in rows if r.get("messages")),
        distributions=distributions,
        unclear=unclear,
        concerns=_ranked(_prefixed(stats, "concern:"), limit=TOP),
        intents=_ranked({k: v for k, v in _prefixed(stats, "intent:").items() if k != "other"}, limit=TOP),
        message_moods=_prefixed(stats, "msgmood:"),
        follow=follow,
        agents=_agents(stats),
        agreed=sum(agree.values()),
        disagreed=sum(disagree.values()),
        trend=trend,
    )
