"""Advice for one message: one tone line, 2–4 strategy bullets, 2–3 ranked replies.

The tone and strategy are written in the agent's interface language; the replies in the customer's.
What comes first follows the material's priorities: a customer's feelings before their type (calm an
angry customer before anything else), their worries before the sale, why they buy (their motive) and
their type before generic tips.
"""

from __future__ import annotations

from strategies.models import Advice, Analysis, Lang, Profile
from strategies.playbook import LocalText, Playbook
from strategies.replies import ReplyContext, choose_replies, reply_mood

MAX_BULLETS = 4
MIN_BULLETS = 2
_NEGATIVE = ("angry", "dissatisfied", "hesitant")
#: Below this confidence a type is not used to steer the agent (the whisper still shows it).
STEER_CONFIDENCE = 0.35


def _confident(profile: Profile | None, dimension: str) -> str | None:
    if profile is None:
        return None
    verdict = profile.verdict(dimension)
    if verdict.label == "none" or (verdict.confidence < STEER_CONFIDENCE and not verdict.corrected):
        return None
    return verdict.label


def tone_line(playbook: Playbook, profile: Profile | None, mood: str, lang: Lang) -> str:
    """The one tone line: the mood's when it needs care, else the personality's, else the behaviour's."""
    if mood in _NEGATIVE:
        entry = playbook.type_entry("mood", mood)
        if entry:
            return entry.tone.get(lang)
    for dimension in ("personality", "behavior"):
        label = _confident(profile, dimension)
        entry = playbook.type_entry(dimension, label) if label else None
        if entry:
            return entry.tone.get(lang)
    entry = playbook.type_entry("mood", mood) or playbook.type_entry("mood", "neutral")
    assert entry is not None  # the playbook is validated to have every mood
    return entry.tone.get(lang)


def _technique_line(name: LocalText, how: LocalText, lang: Lang) -> str:
    sep = ": " if lang == "en" else "："
    return f"{name.get(lang)}{sep}{how.get(lang)}"


def strategy_bullets(
    playbook: Playbook, profile: Profile | None, latest: Analysis, mood: str, lang: Lang
) -> list[str]:
    """2–4 concrete bullets, most urgent first."""
    k = playbook.knowledge
    bullets: list[str] = []
    if mood == "angry" or "complaint" in latest.intents:
        steps = " → ".join(step.name.get(lang) for step in k.complaint_steps)
        bullets.append(steps)
    if mood in _NEGATIVE:
        bullets.append(" · ".join(step.name.get(lang) for step in k.difficult[mood]))
    if "bargain" in latest.intents and mood != "angry":
        bullets.append(" / ".join(way.name.get(lang) for way in k.haggling))
    for concern in latest.concerns:
        worry = k.worries.get(concern)
        if worry:
            bullets.append(worry.answer.get(lang))
    # Why they buy gives the angle to sell on (a brand-seeker hears about the brand, a herd-follower
    # about what others chose): the customer's strongest motive, as the whisper lists them (this
    # message's when the profile is unavailable).
    motives = profile.motives if profile and profile.motives else latest.motives
    motive = playbook.type_entry("motives", motives[0]) if motives and mood != "angry" else None
    if motive:
        bullets.append(motive.do[0].get(lang))
    for dimension in ("behavior", "personality", "shopper"):
        label = _confident(profile, dimension)
        entry = playbook.type_entry(dimension, label) if label else None
        if entry:
            bullets.append(entry.do[0].get(lang))
            if dimension == "behavior":
                bullets.append(entry.dont[0].get(lang))
    if len(bullets) < MIN_BULLETS:
        # Nothing specific stands out: fall back on the needs every customer has.
        for need in k.needs:
            if need.id in ("timeliness", "understanding", "help"):
                bullets.append(_technique_line(need.name, need.how, lang))
    unique = list(dict.fromkeys(bullets))
    return unique[:MAX_BULLETS]


def advise(
    playbook: Playbook,
    profile: Profile | None,
    latest: Analysis,
    context: ReplyContext,
    *,
    lang: Lang,
    seed: str = "",
) -> Advice:
    """Advice for the message ``latest`` from a customer classified as ``profile`` (None: unknown).

    ``lang`` is the agent's interface language; the replies follow the customer's (``latest.lang``).
    """
    mood = reply_mood(profile, latest)
    return Advice(
        tone=tone_line(playbook, profile, mood, lang),
        strategy=tuple(strategy_bullets(playbook, profile, latest, mood, lang)),
        replies=choose_replies(playbook, profile, latest, context, seed=seed),
    )
