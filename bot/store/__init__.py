"""Customer and team state in Redis (DESIGN.md §5).

One forwarded message costs three round trips: :meth:`Store.record_message` (one Lua script: dedupe,
append, read the customer back), :meth:`Store.save_outcome` (one Lua script on the team's keys: the
day's counters) and :meth:`Store.remember_whisper` (one pipeline). Scripts are atomic, so concurrent
updates of one customer — from one process or several — never lose a count, and every script touches
keys of one hash slot only, so the same code runs on one server, Sentinel or Redis Cluster.

Redis failures surface as :class:`StoreUnavailable`, which the handlers turn into a whisper built from
the message alone.
"""

from bot.store.base import (
    LABEL_ORDER,
    UNAVAILABLE,
    Client,
    CustomerRef,
    CustomerState,
    DayData,
    Recorded,
    StoreUnavailable,
    Whisper,
    epoch,
)
from bot.store.customers import CustomerOps
from bot.store.messages import MessageOps
from bot.store.team import TeamOps, recent_days


class Store(MessageOps, CustomerOps, TeamOps):
    """Zhiyin's state in Redis. Every method raises :class:`StoreUnavailable` when Redis is down."""


__all__ = [
    "LABEL_ORDER",
    "UNAVAILABLE",
    "Client",
    "CustomerRef",
    "CustomerState",
    "DayData",
    "Recorded",
    "Store",
    "StoreUnavailable",
    "Whisper",
    "epoch",
    "recent_days",
]
