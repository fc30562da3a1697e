"""Choosing and filling ready-made replies for one message and one customer.

Selection is deterministic for a given message (tests and agents see the same thing twice) but varies
between messages, so an agent handling a long conversation is not offered the same three lines each time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from strategies.models import Analysis, Lang, Profile, Reply
from strategies.playbook import PLACEHOLDERS, REPLY_LIMIT, Playbook, ReplyTemplate

_TYPED_DIMENSIONS = ("behavior", "personality", "shopper")
#: A reply written for this customer's type outranks a general one by this much.
_TYPE_BONUS = 2.0
#: Replies for the message's first intent rank above those for later intents or its concerns.
_INTENT_RANK_STEP = 0.6
_CONCERN_BASE = 0.8
#: A reply written for exactly this mood (and no other) fits it better than an all-rounder.
_MOOD_EXACT_BONUS = 0.5
#: A reply whose cue is in the message answers what was asked: it outranks the intent's general
#: replies and those of a later intent, though not one written for this customer's type.
_CUE_BONUS = 1.5
#: A reply with cues, none of them in the message, answers some other question of the same intent
#: ("do you have it in stock?" is not answered by the size chart): a general reply fits better, even
#: when the cued one was written for exactly this mood (larger than _MOOD_EXACT_BONUS).
_CUE_MISS = 0.8


class ReplyContext(BaseModel):
    """Values for the placeholders: the shop's policies (from settings) and this conversation."""

    model_config = ConfigDict(frozen=True)

    shop: str = Field(min_length=1)
    currency: str = "¥"
    free_shipping: int = 99
    return_days: int = 7
    dispatch_hours: int = 48
    customer: str | None = None
    product: str | None = None


def reply_mood(profile: Profile | None, latest: Analysis) -> str:
    """The mood replies are chosen for: this message's, unless it is calm and the customer is not."""
    if latest.mood != "neutral" or profile is None:
        return latest.mood
    return profile.mood.label if profile.mood.label in ("angry", "dissatisfied", "hesitant") else latest.mood


def _fits_types(template: ReplyTemplate, profile: Profile | None) -> tuple[bool, int]:
    matches = 0
    for dim in _TYPED_DIMENSIONS:
        wanted: list[str] = getattr(template, dim)
        if not wanted:
            continue
        label = profile.verdict(dim).label if profile else "none"
        if label not in wanted:
            return False, 0
        matches += 1
    return True, matches


def _jitter(template_id: str, seed: str) -> float:
    digest = hashlib.blake2b(f"{seed}\x00{template_id}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") / 2**32 * 0.3


def rank_templates(
    playbook: Playbook, profile: Profile | None, latest: Analysis, *, seed: str = "", mood: str | None = None
) -> list[tuple[float, str, ReplyTemplate]]:
    """Every template that fits the message, best first, as (score, topic, template)."""
    mood = mood or reply_mood(profile, latest)
    intents = [i for i in latest.intents if i != "other"] or ["other"]
    topics: dict[str, float] = {}
    for rank, intent in enumerate(intents):
        topics[f"intent:{intent}"] = 3.0 - rank * _INTENT_RANK_STEP
    for concern in latest.concerns:
        topics.setdefault(f"concern:{concern}", _CONCERN_BASE)
    # A template written for two of the message's topics counts for the stronger one.
    best_topic: dict[str, tuple[ReplyTemplate, str]] = {}
    for topic, weight in topics.items():
        for template in playbook.replies_by_topic.get((topic, mood), ()):
            seen = best_topic.get(template.id)
            if seen is None or weight > topics[seen[1]]:
                best_topic[template.id] = (template, topic)
    ranked: list[tuple[float, str, ReplyTemplate]] = []
    for template, topic in best_topic.values():
        fits, typed = _fits_types(template, profile)
        if not fits:
            continue
        score = topics[topic] + typed * _TYPE_BONUS + _jitter(template.id, seed)
        if template.moods == [mood]:
            score += _MOOD_EXACT_BONUS
        if template.cue_pattern is not None:
            score += _CUE_BONUS if template.cue_pattern.search(latest.normalized) else -_CUE_MISS
        ranked.append((score, topic, template))
    ranked.sort(key=lambda item: -item[0])
    return ranked


def _diverse(ranked: Sequence[tuple[float, str, ReplyTemplate]], limit: int) -> list[ReplyTemplate]:
    """Best per topic first (so a message about price and delivery gets one of each), then the rest."""
    picked: list[ReplyTemplate] = []
    seen_topics: set[str] = set()
    for _, topic, template in ranked:
        if topic not in seen_topics and len(picked) < limit:
            picked.append(template)
            seen_topics.add(topic)
    for _, _, template in ranked:
        if len(picked) >= limit:
            break
        if template not in picked:
            picked.append(template)
    return picked


def fill(template: ReplyTemplate, playbook: Playbook, context: ReplyContext, lang: Lang) -> Reply:
    """The template's text in ``lang`` with every placeholder filled; never longer than the limit."""
    values = {
        "shop": context.shop,
        "currency": context.currency,
        "free_shipping": str(context.free_shipping),
        "return_days": str(context.return_days),
        "dispatch_hours": str(context.dispatch_hours),
        "customer": (context.customer or "").strip(),
        "product": (context.product or "").strip(),
    }
    for name, default in playbook.placeholder_defaults.items():
        if not values.get(name):
            values[name] = default.get(lang)
    for name, longest in PLACEHOLDERS.items():
        if len(values[name]) > longest:
            values[name] = values[name][: longest - 1] + "…"
    text = template.text.get(lang).format_map(values)
    if len(text) > REPLY_LIMIT:  # only reachable with an over-long shop setting; never cut mid-way silently
        text = text[: REPLY_LIMIT - 1] + "…"
    return Reply(id=template.id, text=text)


def choose_replies(
    playbook: Playbook,
    profile: Profile | None,
    latest: Analysis,
    context: ReplyContext,
    *,
    limit: int = 3,
    seed: str = "",
) -> tuple[Reply, ...]:
    """Up to ``limit`` ready-made replies for this message, in the customer's language, best first."""
    ranked = rank_templates(playbook, profile, latest, seed=seed)
    if not ranked:
        fallback = latest.model_copy(update={"intents": ("other",), "concerns": ()})
        ranked = rank_templates(playbook, profile, fallback, seed=seed, mood=reply_mood(profile, latest))
    return tuple(fill(t, playbook, context, latest.lang) for t in _diverse(ranked, limit))
