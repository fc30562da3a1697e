"""One customer message, from text to whisper content: the data flow of DESIGN.md §2.

``store.record_message`` (dedupe, append, read back) → ``analyse`` + ``classify`` + ``advise`` →
``store.save_outcome`` (labels, team counters). Used by the Telegram intake and by the offline console
alike; it knows nothing about Telegram. When Redis is unavailable the message is still analysed and
advised on its own, and the view says the profile is unavailable.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from bot.render import WhisperView
from bot.settings import Settings
from bot.store import CustomerRef, CustomerState, Recorded, Store, StoreUnavailable
from strategies.advice import advise
from strategies.analyser import Analyser
from strategies.classifier import classify
from strategies.models import Analysis, Event, Lang, Observation, Profile
from strategies.playbook import Playbook
from strategies.replies import ReplyContext

log = logging.getLogger(__name__)

#: Telegram's own limit for a message; longer pasted text (console) is cut here, and the whisper says so.
MAX_TEXT = 4096
NEGATIVE_MOODS = ("angry", "dissatisfied")
#: Single-valued dimensions whose labels are kept with the customer and in the team's day.
LABELLED = ("behavior", "personality", "mood", "value", "shopper")


class Domain:
    """The loaded, validated domain: the playbook and the analyser built from the lexicon."""

    def __init__(self, playbook: Playbook, analyser: Analyser) -> None:
        self.playbook = playbook
        self.analyser = analyser
        # The analyser keeps recent texts' analyses itself (strategies.analyser.ANALYSIS_CACHE).
        self.analyse = analyser.analyse


@dataclass(frozen=True)
class Outcome:
    """What processing one message produced."""

    view: WhisperView
    recorded: Recorded | None
    profile: Profile
    analysis: Analysis


def reply_context(settings: Settings, customer: str | None) -> ReplyContext:
    return ReplyContext(
        shop=settings.shop_name,
        currency=settings.currency,
        free_shipping=settings.free_shipping_threshold,
        return_days=settings.return_days,
        dispatch_hours=settings.dispatch_hours,
        customer=customer,
    )


def observations(domain: Domain, state: CustomerState) -> list[Observation]:
    return [Observation(at=m.at, text=m.text, analysis=domain.analyse(m.text)) for m in state.history]


def profile_of(domain: Domain, state: CustomerState, now: datetime) -> Profile:
    """A stored customer's classification now (history re-read through the analysis cache)."""
    return classify(observations(domain, state), state.events, now=now)


def labels_of(profile: Profile) -> dict[str, str]:
    return {d: profile.verdict(d).label for d in LABELLED}


def value_milestones(before: Profile, after: Profile) -> dict[str, bool]:
    """Follow-up flags for a customer who just became a repeat customer or a VIP candidate.

    Only the transition is flagged, so the day's summary lists the customers who crossed the line
    that day, not every regular. Only recorded events (paid, received, referral) move a customer
    across it, so this is worked out when an event is recorded, not on every message.
    """
    now = after.value.label
    if now == before.value.label or now not in ("captive", "vip"):
        return {}
    return {"repeat" if now == "captive" else "vip": True}


def message_counters(analysis: Analysis) -> list[str]:
    counters = [f"intent:{i}" for i in analysis.intents]
    counters += [f"concern:{c}" for c in analysis.concerns]
    counters.append(f"msgmood:{analysis.mood}")
    return counters


class Pipeline:
    """Processes customer messages for the bot and the console."""

    def __init__(self, settings: Settings, store: Store, domain: Domain) -> None:
        self.settings = settings
        self.store = store
        self.domain = domain

    async def handle(
        self,
        *,
        team: int,
        customer: CustomerRef,
        text: str,
        agent_id: int,
        update_id: int,
        now: datetime,
        lang: Lang,
        burst_seconds: float | None = None,
    ) -> Outcome | None:
        """Process one forwarded message; None when this update was already handled.

        ``burst_seconds`` overrides the setting (the console has no bursts).
        """
        truncated_at = MAX_TEXT if len(text) > MAX_TEXT else None
        text = text[:MAX_TEXT]
        analysis = self.domain.analyse(text)
        recorded: Recorded | None = None
        try:
            recorded = await self.store.record_message(
                team,
                customer,
                update_id=update_id,
                agent_id=agent_id,
                text=text,
                now=now,
                burst_seconds=self.settings.burst_seconds if burst_seconds is None else burst_seconds,
            )
            if recorded is None:
                return None
            profile = profile_of(self.domain, recorded.customer, now)
            await self.store.save_outcome(
                team,
                recorded.customer,
                now=now,
                labels=labels_of(profile),
                agent_id=agent_id,
                counters=message_counters(analysis),
                follow={
                    "negative": profile.mood.label in NEGATIVE_MOODS and analysis.mood in NEGATIVE_MOODS,
                    "interest": profile.value.label == "high_interest",
                },
            )
        except StoreUnavailable:
            # The whisper still goes out, built from this message alone.
            profile = classify([Observation(at=now, text=text, analysis=analysis)], (), now=now)
            return self._outcome(customer, text, analysis, profile, None, lang, truncated_at)
        return self._outcome(customer, text, analysis, profile, recorded, lang, truncated_at)

    def _outcome(
        self,
        customer: CustomerRef,
        text: str,
        analysis: Analysis,
        profile: Profile,
        recorded: Recorded | None,
        lang: Lang,
        truncated_at: int | None,
    ) -> Outcome:
        state = recorded.customer if recorded else None
        view = self._view(
            name=customer.name,
            seed=f"{customer.id}:{state.messages if state else 0}",
            messages=state.messages if state else 1,
            first_seen=state.first_seen if state else None,
            text=text,
            analysis=analysis,
            profile=profile,
            lang=lang,
            degraded=recorded is None,
            truncated_at=truncated_at,
        )
        return Outcome(view=view, recorded=recorded, profile=profile, analysis=analysis)

    def view_of(self, state: CustomerState, profile: Profile, lang: Lang, *, burst: int = 1) -> WhisperView:
        """The whisper for a stored customer's latest message as it reads now (e.g. after a correction).

        The replies are chosen with the same seed as when the message arrived, so only what the new
        profile changes, changes. The customer must have at least one message.
        """
        latest = state.history[-1]
        return self._view(
            name=state.name,
            seed=f"{state.id}:{state.messages}",
            messages=state.messages,
            first_seen=state.first_seen,
            text=latest.text,
            analysis=self.domain.analyse(latest.text),
            profile=profile,
            lang=lang,
            burst=burst,
        )

    def _view(
        self,
        *,
        name: str,
        seed: str,
        messages: int,
        first_seen: datetime | None,
        text: str,
        analysis: Analysis,
        profile: Profile,
        lang: Lang,
        degraded: bool = False,
        truncated_at: int | None = None,
        burst: int = 1,
    ) -> WhisperView:
        """Advice for the message and everything the whisper shows. ``seed`` keeps reply choice stable."""
        context = reply_context(self.settings, name)
        advice = advise(self.domain.playbook, profile, analysis, context, lang=lang, seed=seed)
        return WhisperView(
            customer=name,
            messages=messages,
            first_seen=first_seen,
            text=text,
            analysis=analysis,
            profile=profile,
            advice=advice,
            degraded=degraded,
            burst=burst,
            truncated_at=truncated_at,
        )

    async def record_event(
        self, team: int, customer: CustomerRef, event: Event
    ) -> tuple[CustomerState, Profile]:
        """Record an agent's event (order, paid, correction…) and reclassify the customer with it.

        A customer who just became a repeat customer or VIP candidate lands on the day's follow-up
        list. Raises :class:`StoreUnavailable` when Redis is down.
        """
        state = await self.store.add_event(team, customer, event)
        observed = observations(self.domain, state)
        before = classify(observed, state.events[:-1], now=event.at)
        profile = classify(observed, state.events, now=event.at)
        await self.store.flag_follow_ups(
            team, state.id, now=event.at, follow=value_milestones(before, profile)
        )
        return state, profile
