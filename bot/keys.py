"""Redis key names, in one place.

Every customer's keys share the hash tag ``{team:customer}`` and every team's keys the tag ``{team}``, so
a Lua script only ever touches keys of one slot and the same code runs on one server, Sentinel or Redis
Cluster (DESIGN.md §5).

Customer keys (expire ``RETENTION_DAYS`` after the customer's last message or event)::

    {prefix}:{T:C}:p    hash  name, kind, first, last, n (messages), labels, whisper pointer
    {prefix}:{T:C}:h    list  history, newest first: "update_id|epoch|agent_id|text", capped
    {prefix}:{T:C}:e    list  recorded events (JSON), oldest first, capped
    {prefix}:{T:C}:u    zset  update ids seen in the last day → epoch (dedupe of redeliveries)
    {prefix}:{T:C}:cb   set   tokens of the callback payloads that mention the customer (for /forget)
    {prefix}:{T:C}:v    hash  "agent id:version" → 1, agents' ✓ on a classification (counted once each)

Team keys::

    {prefix}:{T}:names          hash  customer id → display name (for /find and /customer)
    {prefix}:{T}:recent         zset  customer id → last activity (epoch)
    {prefix}:{T}:nopay          zset  customer id → time of the oldest unpaid order
    {prefix}:{T}:d:YYYYMMDD:s   hash  the day's counters (messages, customers, intents, moods, agents…)
    {prefix}:{T}:d:YYYYMMDD:c   hash  customer id → labels at their latest message that day
    {prefix}:{T}:d:YYYYMMDD:f   hash  follow-up lists: "list|customer id" → epoch
    {prefix}:{T}:d:YYYYMMDD:n   set   customers first seen that day (the rest of :c are returning)
    {prefix}:{T}:days           zset  YYYYMMDD → epoch of the day, so /forget can find every day key
    {prefix}:{T}:sent           hash  YYYYMMDD → who sent that day's summary (exactly-once)

Global keys: ``{prefix}:upd:{update_id}`` (dedupe of non-forward updates), ``{prefix}:cb:{id}``
(callback payloads), ``{prefix}:user:{id}`` (a user's settings, e.g. language).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

_UNSAFE = re.compile(r"[{}\s\x00-\x1f\x7f]+")


def whisper_token(team: int, customer: str) -> str:
    """The short, stable id of a customer's whisper buttons (callback_data is limited to 64 bytes).

    Derived, not stored: /forget finds the payload it names without an index.
    """
    return hashlib.blake2b(f"{team}\x00{customer}".encode(), digest_size=6).hexdigest()


def normalize_name(name: str) -> str:
    """The form of a customer's name used in keys: NFKC, case-folded, no braces/space/control chars."""
    folded = unicodedata.normalize("NFKC", name).casefold().strip()
    return _UNSAFE.sub("_", folded)[:64]


@dataclass(frozen=True)
class Keys:
    """Key builder for one deployment's prefix."""

    prefix: str

    # customer ---------------------------------------------------------------------------------
    def customer_tag(self, team: int, customer: str) -> str:
        return f"{self.prefix}:{{{team}:{customer}}}"

    def profile(self, team: int, customer: str) -> str:
        return f"{self.customer_tag(team, customer)}:p"

    def history(self, team: int, customer: str) -> str:
        return f"{self.customer_tag(team, customer)}:h"

    def events(self, team: int, customer: str) -> str:
        return f"{self.customer_tag(team, customer)}:e"

    def updates(self, team: int, customer: str) -> str:
        return f"{self.customer_tag(team, customer)}:u"

    def customer_keys(self, team: int, customer: str) -> tuple[str, str, str, str]:
        """Every key of one customer (profile, history, events, update ids seen)."""
        return (
            self.profile(team, customer),
            self.history(team, customer),
            self.events(team, customer),
            self.updates(team, customer),
        )

    def customer_callbacks(self, team: int, customer: str) -> str:
        return f"{self.customer_tag(team, customer)}:cb"

    def votes(self, team: int, customer: str) -> str:
        return f"{self.customer_tag(team, customer)}:v"

    # team -------------------------------------------------------------------------------------
    def team_tag(self, team: int) -> str:
        return f"{self.prefix}:{{{team}}}"

    def names(self, team: int) -> str:
        return f"{self.team_tag(team)}:names"

    def recent(self, team: int) -> str:
        return f"{self.team_tag(team)}:recent"

    def nopay(self, team: int) -> str:
        return f"{self.team_tag(team)}:nopay"

    def day(self, team: int, day: str, kind: str) -> str:
        return f"{self.team_tag(team)}:d:{day}:{kind}"

    def days(self, team: int) -> str:
        return f"{self.team_tag(team)}:days"

    def summary_sent(self, team: int) -> str:
        return f"{self.team_tag(team)}:sent"

    # global -----------------------------------------------------------------------------------
    def update(self, update_id: int) -> str:
        return f"{self.prefix}:upd:{update_id}"

    def callback(self, token: str) -> str:
        return f"{self.prefix}:cb:{token}"

    def user(self, user_id: int) -> str:
        return f"{self.prefix}:user:{user_id}"

    def member(self, chat_id: int, user_id: int) -> str:
        return f"{self.prefix}:member:{chat_id}:{user_id}"

    def pattern_all(self) -> str:
        return f"{self.prefix}:*"
