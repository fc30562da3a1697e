"""The analyser: one customer message → intents, concerns, motives, mood and weighted signals.

Pure and deterministic (the bot may cache an :class:`Analysis` by text). Every signal carries the
customer's own words that triggered it and the lexicon rule's id, so a decision can be traced to data.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from functools import cache

from strategies.lexicon import Lexicon, builtin_lexicon
from strategies.models import Analysis, Signal
from strategies.normalize import Normalized, normalize

#: An intent needs at least this much evidence in the message (a lone hint such as 地址 does not
#: make a shipping question); at most this many intents are kept, strongest first.
INTENT_MIN = 0.6
MAX_INTENTS = 3
#: A weaker intent is kept only when it has at least this share of the strongest one's evidence,
#: so one clear request is not diluted by incidental words.
INTENT_SHARE = 0.5
#: Evidence needed for a concern or motive to count in this message.
CONCERN_MIN = 0.6
MOTIVE_MIN = 0.6
#: Evidence needed for the message to carry a mood other than neutral.
MOOD_MIN = 0.6
#: A counted feature (``!!!``, emoji…) adds its weight at most this many times per message.
FEATURE_CAP = 3
#: Evidence quoted for a feature: the start of the message, at most this long.
FEATURE_QUOTE = 30
OTHER = "other"


class Analyser:
    """Analyses messages with one lexicon (built-in or a shop's)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon

    def analyse(self, text: str) -> Analysis:
        """What one message says. Never raises on odd input (empty, emoji only, huge, control chars)."""
        norm = normalize(text)
        signals = self._signals(norm)
        scores: dict[tuple[str, str], float] = defaultdict(float)
        for s in signals:
            scores[(s.dimension, s.label)] += s.weight
        by_dim: dict[str, dict[str, float]] = defaultdict(dict)
        for (dim, label), score in scores.items():
            by_dim[dim][label] = score
        return Analysis.model_construct(
            lang=norm.lang,
            normalized=norm.text,
            intents=_intents(by_dim.get("intents", {})),
            concerns=_above(by_dim.get("concerns", {}), CONCERN_MIN),
            motives=_above(by_dim.get("motives", {}), MOTIVE_MIN),
            mood=_mood(by_dim.get("mood", {})),
            signals=tuple(signals),
        )

    def _signals(self, norm: Normalized) -> list[Signal]:
        lexicon = self.lexicon
        out: list[Signal] = []
        seen: set[tuple[str, str, str]] = set()

        def add(dim: str, label: str, weight: float, evidence: str, rule: str) -> None:
            key = (rule, dim, label)
            if key not in seen:
                seen.add(key)
                out.append(
                    Signal.model_construct(
                        dimension=dim, label=label, weight=round(weight, 4), evidence=evidence, rule=rule
                    )
                )

        for hit in lexicon.scan(norm.text, norm.lang):
            rule = hit.rule
            evidence = norm.original_span(hit.start, hit.end)
            add(rule.dimension, rule.label, rule.weight, evidence, rule.id)
            for dim, label, factor in lexicon.derived.get((rule.dimension, rule.label), ()):
                add(dim, label, rule.weight * factor, evidence, rule.id)
        counts = {
            "exclaim_run": norm.exclaim_runs,
            "question_run": norm.question_runs,
            "dot_run": norm.dot_runs,
            "caps_word": norm.caps_words,
            "emoji": norm.emoji,
        }
        quote = norm.original.strip()[:FEATURE_QUOTE]
        for name, count in counts.items():
            if count:
                for dim, label, weight in lexicon.features.get(name, ()):
                    add(dim, label, weight * min(count, FEATURE_CAP), quote, f"feature.{name}")
        return out


def _intents(scores: dict[str, float]) -> tuple[str, ...]:
    ranked = sorted(((s, label) for label, s in scores.items() if s >= INTENT_MIN), reverse=True)
    if not ranked:
        return (OTHER,)
    top = ranked[0][0]
    return tuple(label for s, label in ranked[:MAX_INTENTS] if s >= top * INTENT_SHARE)


def _above(scores: dict[str, float], minimum: float) -> tuple[str, ...]:
    return tuple(
        label for s, label in sorted(((s, k) for k, s in scores.items()), reverse=True) if s >= minimum
    )


def _mood(scores: dict[str, float]) -> str:
    if not scores:
        return "neutral"
    score, label = max((s, label) for label, s in scores.items())
    return label if score >= MOOD_MIN else "neutral"


@cache
def _builtin() -> Analyser:
    return Analyser(builtin_lexicon())


def analyse(text: str) -> Analysis:
    """Analyse one message with the built-in lexicon."""
    return _builtin().analyse(text)


#: Intents that name what a conversation is about; a follow-up message with no intent of its own
#: ("装在车里的", "下周才能确定") continues the latest of them.
TOPICS = frozenset(
    {"after_sales", "invoice", "shipping", "order_change", "product_question", "payment", "promotion"}
)
#: Replies that only answer the agent's question carry no topic (是的 / 对 / 嗯 / yes).
_ACK = re.compile(
    r"^[\W\d_□]*(是的?|对的?|嗯+|恩+|是啊|对啊|没有|不是|不|有|en|yes|yeah|yep|no|nope)?[\W\d_□]*$"
)


def conversation_intents(analyses: Sequence[Analysis]) -> list[tuple[str, ...]]:
    """Each message's intents, read in its conversation.

    A message whose only intent is ``other`` but which says something (not a bare yes/no or an
    order number) is taken to continue the topic of the latest message that had one.
    """
    out: list[tuple[str, ...]] = []
    topic: tuple[str, ...] = ()
    for analysis in analyses:
        intents = analysis.intents
        if intents == (OTHER,) and topic and not _ACK.match(analysis.normalized):
            intents = topic
        own = [i for i in analysis.intents if i in TOPICS]
        if own:
            topic = (own[0],)
        out.append(intents)
    return out
