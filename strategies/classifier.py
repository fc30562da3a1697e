"""The classifier: a customer's recent analysed messages and recorded events → a :class:`Profile`.

Evidence is summed per dimension and label, recent messages weighing more (by position in the
history and by age). A single-valued dimension gets a label only when its evidence clears a threshold
and beats the runner-up — otherwise ``none``, because a wrong guess costs an agent more than no guess.
An agent's correction overrides its dimension; the latest correction wins.
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from strategies import taxonomy
from strategies.analyser import ANALYSIS_CACHE
from strategies.models import Analysis, Event, Observation, Profile, Verdict
from strategies.value import NO_PAY_UNPAID, ledger, value_verdict, verdict

#: Each older message counts this much less than the next one. Traits (behaviour, personality,
#: shopper type) are stable, so their decay is gentle; mood is about now, so it fades fast.
TRAIT_DECAY = 0.97
MOOD_DECAY = 0.8
#: Each later message of thanks or OK without displeasure ("好的，收到了，谢谢") scales earlier anger
#: and dissatisfaction by this much: a customer who has settled down is no longer upset.
CALMING = 0.7
NEGATIVE_MOODS = frozenset({"angry", "dissatisfied"})
#: Anger at least this share of the displeasure in a conversation makes it an angry one.
ANGER_SHARE = 0.35
#: Egocentric evidence at least this share of the assertive evidence makes a self-centred customer, not
#: merely a demanding one: both press their demands, but only the egocentric one distrusts the shop and
#: threatens it (reviews, complaints, exposure), so that is the trait that tells them apart. Half is
#: enough: a self-centred customer's demands come in many more words than their threats do.
EGO_OVER_ASSERTIVE = 0.5
#: Age halves a message's weight every so many hours (traits: a season; mood: an afternoon).
TRAIT_HALF_LIFE_H = 24.0 * 90
MOOD_HALF_LIFE_H = 6.0
#: Evidence a label needs before it is shown (in summed rule weights, 1.0 being one clear sign).
#: Behaviour needs a clear sign in the latest message or more than one. A personality or shopper type
#: shows in one clear sign even a few messages back (older messages count a little less, see
#: TRAIT_DECAY), when the runner-up trails it (LEAD).
MIN_SCORE = {"behavior": 1.0, "personality": 0.9, "shopper": 0.9, "mood": 0.6}
#: ...except in a conversation mostly about an order already placed (at least AFTER_PURCHASE_SHARE of
#: its messages on AFTER_PURCHASE topics: delivery, returns, complaints…): there the labelling guide
#: expects no shopper type, so one passing sign is not enough.
SHOPPER_AFTER_PURCHASE_MIN = 1.2
AFTER_PURCHASE = frozenset({"shipping", "after_sales", "complaint", "urge", "invoice", "order_change"})
AFTER_PURCHASE_SHARE = 0.5
#: The winner must lead the runner-up by this factor, or the dimension stays ``none``.
LEAD = 1.25
#: Haggling anywhere makes a bargainer (the labelling guide's priority) once it reaches this much.
BARGAINER_MIN = 0.55
#: Words saying an order will not be paid make a no-pay customer once they reach this much.
NO_PAY_MIN = 1.0
#: A message this short (content characters) that asks for a concrete thing is "terse and
#: transactional" — the decisive buyer's style — and adds this much decisive evidence.
TERSE_CHARS = 14
TERSE_WEIGHT = 0.35
TRANSACTIONAL = frozenset(
    {"shipping", "order_change", "after_sales", "invoice", "payment", "product_question"}
)
#: Concerns and motives are listed once their evidence reaches this much.
CONCERN_MIN = 0.8
MOTIVE_MIN = 0.8
#: A low price mentioned (a hint of this much) beside a doubt about genuineness or quality is the
#: price/quality worry ("half the official price — how did you get it?"). The doubt is then about the
#: price, and credibility is listed only when the trust doubt is substantial on its own.
PRICE_HINT_MIN = 0.4
CREDIBILITY_BESIDE_PRICE = 2.5
#: Quotes kept as evidence for one verdict or list entry.
MAX_QUOTES = 3
PRESALE = frozenset({"product_question", "promotion", "bargain", "authenticity"})


@dataclass
class _Tally:
    """Weighted evidence per (dimension, label), with the quotes that carried it."""

    history: Sequence[Observation]
    score: dict[tuple[str, str], float] = field(default_factory=dict)
    quotes: dict[tuple[str, str], list[tuple[float, str]]] = field(default_factory=dict)
    presale: int = 0
    after_purchase: int = 0

    def add(self, key: tuple[str, str], weight: float, quote: str) -> None:
        self.score[key] = self.score.get(key, 0.0) + weight
        self.quotes.setdefault(key, []).append((weight, quote))

    def by_dimension(self) -> dict[str, dict[str, float]]:
        out: dict[str, dict[str, float]] = {}
        for (dim, label), s in self.score.items():
            if s > 0:
                out.setdefault(dim, {})[label] = s
        return out

    def quotes_for(self, wanted: set[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, ...]]:
        """The strongest distinct quotes of each wanted label, strongest first (ties: earliest first)."""
        out = {}
        for key in wanted:
            best: dict[str, float] = {}
            for weight, quote in self.quotes.get(key, ()):
                if quote and weight > best.get(quote, 0.0):
                    best[quote] = weight
            out[key] = tuple(heapq.nlargest(MAX_QUOTES, best, key=best.__getitem__))
        return out


#: A decision for one single-valued dimension before its evidence is quoted: label, confidence and
#: any fixed evidence (event facts).
_Decision = tuple[str, float, tuple[str, ...]]


def classify(
    observations: Sequence[Observation], events: Sequence[Event] = (), now: datetime | None = None
) -> Profile:
    """Classify a customer from their recent messages and recorded events (pure, deterministic)."""
    history = sorted(observations, key=lambda o: o.at)
    if now is None:
        now = max([o.at for o in history] + [e.at for e in events], default=None)
    tally = _tally(history, now)
    scores = tally.by_dimension()
    book = ledger(events, now)
    decisions = {
        "behavior": _behavior(scores.get("behavior", {}), book.unpaid),
        "personality": _personality(scores.get("personality", {})),
        "shopper": _pick(scores.get("shopper", {}), _shopper_min(tally)),
        "mood": _mood(scores.get("mood", {})),
    }
    concerns = _concerns(scores.get("concerns", {}))
    motives = _listed(scores.get("motives", {}), MOTIVE_MIN)
    wanted = {(dim, d[0]) for dim, d in decisions.items() if d[0] not in (taxonomy.NONE, "neutral")}
    wanted |= {("concerns", c) for c in concerns} | {("motives", m) for m in motives}
    quotes = tally.quotes_for(wanted)
    verdicts = {
        dim: verdict(label, conf, (*fixed, *quotes.get((dim, label), ()))[:MAX_QUOTES])
        for dim, (label, conf, fixed) in decisions.items()
    }
    known = sum(1 for dim in ("behavior", "personality", "shopper") if decisions[dim][0] != taxonomy.NONE)
    verdicts["value"] = value_verdict(
        book,
        presale_questions=tally.presale,
        positive_after_receipt=any(
            o.analysis.mood == "positive"
            for o in history
            if book.last_received_at and o.at >= book.last_received_at
        ),
        hesitant=decisions["mood"][0] == "hesitant",
        known_dimensions=known + bool(motives),
    )
    verdicts.update(_corrections(events))
    # Every part was built from validated models just above: skip validating the same data again.
    return Profile.model_construct(
        behavior=verdicts["behavior"],
        personality=verdicts["personality"],
        shopper=verdicts["shopper"],
        value=verdicts["value"],
        mood=verdicts["mood"],
        concerns=tuple(concerns),
        motives=tuple(motives),
        concern_evidence={c: quotes[("concerns", c)] for c in concerns},
        motive_evidence={m: quotes[("motives", m)] for m in motives},
    )


class _Digest(NamedTuple):
    """What the classifier needs from one analysis, worked out once per analysis object."""

    #: (dimension, label), weight, is-mood, evidence — intents left out (they arrive as derivations).
    signals: tuple[tuple[tuple[str, str], float, bool, str], ...]
    #: A terse, transactional message (the decisive buyer's style).
    terse: bool
    presale: bool
    #: About an order already placed (delivery, returns, complaints…): see SHOPPER_AFTER_PURCHASE_MIN.
    after_purchase: bool
    #: Thanks or OK without displeasure: the customer has settled down.
    calm: bool


#: id(analysis) → (analysis, digest). Analyses are immutable, so a digest stays true; keeping the
#: analysis in the entry keeps its id from being reused. Bounded: oldest entries go first. Sized like
#: the analyser's cache: each entry keeps its analysis alive, so a larger bound would hold analyses the
#: analyser has already let go (with 50,000 the bot's RSS grew by 3 MB per 1,000 messages).
_DIGESTS: dict[int, tuple[Analysis, _Digest]] = {}
DIGEST_CACHE = ANALYSIS_CACHE


def _digest(analysis: Analysis) -> _Digest:
    entry = _DIGESTS.get(id(analysis))
    if entry is not None and entry[0] is analysis:
        return entry[1]
    digest = _Digest(
        tuple(
            ((s.dimension, s.label), s.weight, s.dimension == "mood", s.evidence)
            for s in analysis.signals
            if s.dimension != "intents"
        ),
        not TRANSACTIONAL.isdisjoint(analysis.intents) and _terse(analysis.normalized),
        not PRESALE.isdisjoint(analysis.intents),
        not AFTER_PURCHASE.isdisjoint(analysis.intents),
        "thanks" in analysis.intents and analysis.mood not in NEGATIVE_MOODS,
    )
    if len(_DIGESTS) >= DIGEST_CACHE:
        del _DIGESTS[next(iter(_DIGESTS))]
    _DIGESTS[id(analysis)] = (analysis, digest)
    return digest


def _tally(history: Sequence[Observation], now: datetime | None) -> _Tally:
    """Sum every signal's weight, decayed by the message's position from the end and its age.

    The hot loop of the bot's per-message work: kept flat (no helper calls per signal).
    """
    tally = _Tally(history)
    score = tally.score
    quotes = tally.quotes
    last = len(history) - 1
    digests = [_digest(obs.analysis) for obs in history]
    calm_after = [0] * len(history)
    for i in range(last - 1, -1, -1):
        calm_after[i] = calm_after[i + 1] + digests[i + 1].calm
    for i, obs in enumerate(history):
        back = last - i
        trait_w = TRAIT_DECAY**back
        mood_w = MOOD_DECAY**back
        if now is not None:
            age_h = (now - obs.at).total_seconds() / 3600
            if age_h > 0:
                trait_w *= math.exp(-age_h * _LN2 / TRAIT_HALF_LIFE_H)
                mood_w *= math.exp(-age_h * _LN2 / MOOD_HALF_LIFE_H)
        upset_w = mood_w * CALMING ** calm_after[i]
        digest = digests[i]
        for key, base, is_mood, evidence in digest.signals:
            weight = base * ((upset_w if key[1] in NEGATIVE_MOODS else mood_w) if is_mood else trait_w)
            if key in score:
                score[key] += weight
                quotes[key].append((weight, evidence))
            else:
                score[key] = weight
                quotes[key] = [(weight, evidence)]
        if digest.terse:
            tally.add(("behavior", "decisive"), TERSE_WEIGHT * trait_w, obs.text.strip()[:40])
        if digest.presale:
            tally.presale += 1
        if digest.after_purchase:
            tally.after_purchase += 1
    return tally


_LN2 = math.log(2.0)
_HANZI = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z]+")


@lru_cache(maxsize=8192)
def _terse(normalized: str) -> bool:
    """Short: at most :data:`TERSE_CHARS` Chinese characters, an English word counting as two."""
    if len(normalized) > 8 * TERSE_CHARS:
        return False
    size = len(_HANZI.findall(normalized)) + 2 * len(_LATIN_WORD.findall(normalized))
    return 0 < size <= TERSE_CHARS


def _confidence(best: float, second: float, minimum: float) -> float:
    strength = 1.0 - math.exp(-best / minimum)
    margin = (best - second) / best if best > 0 else 0.0
    return round(min(1.0, max(0.0, strength * (0.5 + 0.5 * margin))), 3)


def _shopper_min(tally: _Tally) -> float:
    """The evidence a shopper type needs here: more when the talk is mostly about a placed order."""
    if tally.history and tally.after_purchase >= AFTER_PURCHASE_SHARE * len(tally.history):
        return SHOPPER_AFTER_PURCHASE_MIN
    return MIN_SCORE["shopper"]


def _pick(scores: dict[str, float], minimum: float, lead: float = LEAD) -> _Decision:
    """The best-supported label if it clears ``minimum`` and leads the runner-up; else ``none``."""
    if not scores:
        return (taxonomy.NONE, 1.0, ())
    label = min(scores, key=lambda k: (-scores[k], k))
    best = scores[label]
    second = max((v for k, v in scores.items() if k != label), default=0.0)
    if best < minimum or best < second * lead:
        return (taxonomy.NONE, round(math.exp(-best / minimum), 3), ())
    return (label, _confidence(best, second, minimum), ())


def _behavior(scores: dict[str, float], unpaid: int) -> _Decision:
    if unpaid >= NO_PAY_UNPAID:
        return ("no_pay", 0.9, (f"event:unpaid_orders={unpaid}",))
    if scores.get("no_pay", 0.0) >= NO_PAY_MIN:
        return _pick({"no_pay": scores["no_pay"]}, NO_PAY_MIN)
    if scores.get("bargainer", 0.0) >= BARGAINER_MIN:
        return _pick({"bargainer": scores["bargainer"]}, BARGAINER_MIN)
    rest = {k: v for k, v in scores.items() if k not in ("bargainer", "no_pay")}
    return _pick(rest, MIN_SCORE["behavior"])


def _personality(scores: dict[str, float]) -> _Decision:
    minimum = MIN_SCORE["personality"]
    egocentric = scores.get("egocentric", 0.0)
    if egocentric >= minimum and egocentric >= EGO_OVER_ASSERTIVE * scores.get("assertive", 0.0):
        scores = {k: v for k, v in scores.items() if k != "assertive"}
    return _pick(scores, minimum)


def _mood(scores: dict[str, float]) -> _Decision:
    # A mood is always shown (neutral when nothing stands out), so the strongest one wins outright:
    # angry vs dissatisfied being close is no reason to call an upset customer neutral.
    moods = {k: v for k, v in scores.items() if k != "neutral"}
    angry = moods.get("angry", 0.0)
    if angry >= MIN_SCORE["mood"] and angry >= ANGER_SHARE * moods.get("dissatisfied", 0.0):
        # Hostility (threats, insults, shouting) amid complaints makes the complaints part of the anger:
        # the guide's angry is displeasure turned hostile, the stronger state of the two.
        moods["angry"] = angry + moods.pop("dissatisfied", 0.0)
    label, confidence, fixed = _pick(moods, MIN_SCORE["mood"], lead=1.0)
    return ("neutral" if label == taxonomy.NONE else label, confidence, fixed)


def _concerns(scores: dict[str, float]) -> list[str]:
    price = scores.get("price_quality", 0.0)
    trust = scores.get("credibility", 0.0)
    if price < PRICE_HINT_MIN or trust < CONCERN_MIN:
        return _listed(scores, CONCERN_MIN)
    paired = dict(scores, price_quality=max(price, CONCERN_MIN))
    if trust < CREDIBILITY_BESIDE_PRICE:
        del paired["credibility"]
    return _listed(paired, CONCERN_MIN)


def _listed(scores: dict[str, float], minimum: float) -> list[str]:
    return [label for label, s in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0])) if s >= minimum]


def _corrections(events: Sequence[Event]) -> dict[str, Verdict]:
    """The latest valid correction per dimension, as a verdict marked ``corrected``."""
    latest: dict[str, Event] = {}
    for event in sorted(events, key=lambda e: e.at):  # stable: equal times keep their recorded order
        dim, label = event.dimension, event.label
        if event.kind != "correction" or dim is None or label is None:
            continue
        if dim in taxonomy.CORRECTABLE and taxonomy.is_valid(dim, label):
            latest[dim] = event
    return {
        dim: Verdict(
            label=e.label or taxonomy.NONE, confidence=1.0, evidence=("agent correction",), corrected=True
        )
        for dim, e in latest.items()
    }
