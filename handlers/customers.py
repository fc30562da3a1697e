"""Which customer a command means: by reference or name within the caller's teams, or the customer of
the forwarded message or whisper the command replies to.

- Exact matches first: the stored id (``u123``, ``n:张三``, ``c-100…``), a Telegram user id, or the name.
- Then customers whose name or id contains the text.
- Nothing at all → "not found" with the closest names (rapidfuzz), offered as buttons.
- Several → a short pick list with buttons; the choice runs the command's action with the customer.

Pick-list buttons carry ``pk:<token>:<n>``; the token's payload in Redis names the action, its
arguments and the candidates, and is indexed under each candidate so /forget removes it.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz, process
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.keys import normalize_name
from bot.services import Services
from bot.store import Store
from handlers.caller import BadArguments, Caller, Handlers, Html, button
from handlers.identity import by_name, identify

#: At most this many customers on a pick list (and fuzzy suggestions).
PICK_LIMIT = 8
SUGGESTIONS = 3
#: rapidfuzz WRatio score (0–100) a name needs to be suggested.
FUZZY_CUTOFF = 55
#: Pick lists are answered within minutes; the payload goes soon after.
PICK_TTL = 3600

PickAction = Callable[[Caller, "Match", dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Match:
    """A customer of a team, as listed in the team's directory."""

    team: int
    id: str
    name: str
    last_seen: int = 0

    def label(self, tz: Any) -> str:
        when = datetime.fromtimestamp(self.last_seen, tz).strftime("%m-%d") if self.last_seen else ""
        ref = self.id if not self.id.startswith("n:") else ""
        return " · ".join(part for part in (self.name[:40], ref, when) if part)


@dataclass(frozen=True)
class Lookup:
    """What a name found: ``matches`` (exact or containing), else ``suggestions`` (fuzzy)."""

    matches: list[Match]
    suggestions: list[Match]


async def directory(store: Store, teams: Sequence[int]) -> list[Match]:
    """Every customer of ``teams`` (names only; last seen is filled in for the few that are shown)."""
    found: list[Match] = []
    for team in teams:
        found += [Match(team, cid, name) for cid, name in (await store.customer_names(team)).items()]
    return found


async def most_recent_first(store: Store, matches: Sequence[Match]) -> list[Match]:
    out: list[Match] = []
    for team in dict.fromkeys(m.team for m in matches):
        mine = [m for m in matches if m.team == team]
        seen = await store.last_seen(team, [m.id for m in mine])
        out += [Match(m.team, m.id, m.name, seen.get(m.id, 0)) for m in mine]
    return sorted(out, key=lambda m: (-m.last_seen, m.name))


def _reference_ids(query: str) -> set[str]:
    q = query.strip()
    ids = {q, by_name(q).id}
    if q.lstrip("-").isdigit():
        ids |= {f"u{q}", f"c{q}"}
    return ids


def _contains(match: Match, folded: str) -> bool:
    return folded in normalize_name(match.name) or folded in match.id.casefold()


async def lookup(store: Store, teams: Sequence[int], query: str) -> Lookup:
    """Customers of ``teams`` that ``query`` means, most recent first."""
    everyone = await directory(store, teams)
    ids, folded = _reference_ids(query), normalize_name(query)
    exact = [m for m in everyone if m.id in ids or normalize_name(m.name) == folded]
    if exact:
        return Lookup(await most_recent_first(store, exact), [])
    partial = [m for m in everyone if folded and _contains(m, folded)]
    if partial:
        return Lookup(await most_recent_first(store, partial), [])
    choices = {i: normalize_name(m.name) for i, m in enumerate(everyone)}
    close = process.extract(folded, choices, scorer=fuzz.WRatio, limit=SUGGESTIONS, score_cutoff=FUZZY_CUTOFF)
    return Lookup([], [everyone[key] for _, _, key in close])


async def search(store: Store, teams: Sequence[int], text: str) -> list[Match]:
    """Customers whose name or reference contains ``text``, most recent first (for /find)."""
    folded = normalize_name(text)
    ids = _reference_ids(text)
    hits = [m for m in await directory(store, teams) if m.id in ids or (folded and _contains(m, folded))]
    return await most_recent_first(store, hits)


def whisper_token(message: Message) -> str | None:
    """The feedback token on a whisper's buttons (``fb:ok:<token>``), if ``message`` is a whisper."""
    markup = message.reply_markup
    for row in markup.inline_keyboard if markup else ():
        for key in row:
            data = key.callback_data
            if isinstance(data, str) and data.startswith("fb:ok:"):
                return data.split(":", 2)[2]
    return None


class Picker:
    """Resolves names to customers, and runs a command's action once the user picked one."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.actions: dict[str, PickAction] = {}

    def on(self, name: str, action: PickAction) -> None:
        """Register what choosing a customer from a pick list does for the command ``name``."""
        self.actions[name] = action

    async def customer(
        self,
        caller: Caller,
        words: Sequence[str],
        action: str,
        args: dict[str, Any] | None = None,
        *,
        teams: Sequence[int] | None = None,
    ) -> Match | None:
        """The one customer meant by ``words`` or, without words, by the message replied to.

        None when a pick list or "not found" was said instead. Raises :class:`BadArguments` when there
        is neither a name nor a reply to a customer's message or whisper.
        """
        scope = list(teams) if teams is not None else await caller.teams()
        name = " ".join(words).strip()
        if not name:
            replied = await self._replied(caller, scope)
            if replied is None:
                raise BadArguments
            return replied
        found = await lookup(self.services.store, scope, name)
        if len(found.matches) == 1:
            return found.matches[0]
        if found.matches:
            await self.offer(caller, found.matches, action, args, caller.h("pick.several", query=name))
        elif found.suggestions:
            await self.offer(caller, found.suggestions, action, args, caller.h("pick.suggest", query=name))
        else:
            await caller.say(caller.h("pick.not_found", query=name))
        return None

    async def offer(
        self,
        caller: Caller,
        matches: Sequence[Match],
        action: str,
        args: dict[str, Any] | None,
        header: Html,
    ) -> None:
        """Say ``header`` with one button per customer; pressing one runs ``action``."""
        shown = list(matches)[:PICK_LIMIT]
        token = secrets.token_urlsafe(6)
        payload = {"a": action, "args": args or {}, "o": [[m.team, m.id, m.name] for m in shown]}
        await self.services.store.put_customer_callback(
            token, payload, [(m.team, m.id) for m in shown], ttl=PICK_TTL
        )
        tz = self.services.settings.tz
        rows = [
            [InlineKeyboardButton(m.label(tz), callback_data=f"pk:{token}:{n}")] for n, m in enumerate(shown)
        ]
        await caller.say(header, InlineKeyboardMarkup(rows))

    async def _replied(self, caller: Caller, teams: Sequence[int]) -> Match | None:
        replied = caller.message.reply_to_message if caller.message else None
        if replied is None:
            return None
        store = self.services.store
        token = whisper_token(replied)
        if token is not None:
            payload = await store.get_callback(token)
            if payload is None or int(payload.get("team", 0)) not in teams:
                return None
            return Match(int(payload["team"]), str(payload["customer"]), str(payload.get("name", "")))
        identified = identify(replied)
        if identified is None:
            return None
        ref = identified.customer
        for team in teams:
            if await store.last_seen(team, [ref.id]):
                return Match(team, ref.id, ref.name)
        return None

    async def _pressed(self, caller: Caller, parts: list[str]) -> str | None:
        payload = await self.services.store.get_callback(parts[0]) if parts else None
        try:
            team, cid, name = (payload or {})["o"][int(parts[1])]
            action = self.actions[str((payload or {})["a"])]
        except (LookupError, ValueError, TypeError):
            return caller.t("pick.expired")
        assert payload is not None  # the lookups above would have failed
        match = Match(int(team), str(cid), str(name))
        if match.team not in await caller.teams():
            return caller.t("pick.not_yours")
        await action(caller, match, dict(payload.get("args") or {}))
        return None

    def handlers(self) -> Handlers:
        """The pick-list buttons."""
        return [button("pk", self.services, self._pressed)]
