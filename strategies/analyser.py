"""The analyser: one customer message → intents, concerns, motives, mood and weighted signals.

Pure and deterministic (the bot may cache an :class:`Analysis` by text). Every signal carries the
customer's own words that triggered it and the lexicon rule's id, so a decision can be traced to data.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from functools import cache, lru_cache

from strategies.lexicon import Lexicon, builtin_lexicon
from strategies.models import Analysis, Signal
from strategies.normalize import Normalized, normalize

#: An intent needs at least this much evidence in the message (a lone hint such as 地址 does not
#: make a shipping question); at most this many intents are kept, strongest first.
INTENT_MIN = 0.6
MAX_INTENTS = 3
#: A weaker intent is kept only when it has at least this share of the strongest one's evidence,
#: so one clear request is not diluted by incidental words.
INTENT_SHARE = 0.75
#: Evidence needed for a concern or motive to count in this message.
CONCERN_MIN = 0.6
MOTIVE_MIN = 0.6
#: Evidence needed for the message to carry a mood other than neutral.
MOOD_MIN = 0.6
#: A counted feature (``!!!``, emoji…) adds its weight at most this many times per message.
FEATURE_CAP = 3
#: Words in capitals that make an English complaint shouting (one with "!!" is enough).
SHOUT_CAPS = 3
#: Evidence quoted for a feature: the start of the message, at most this long.
FEATURE_QUOTE = 30
#: Distinct texts whose analysis is kept for reuse. Each new message re-reads the customer's recent
#: history, so all but the newest text are hits; 8k entries hold the histories of the ~400 customers
#: active in the last minutes. An analysis is ~1.6 KB of objects (tracemalloc), ~13 MB for a full
#: cache; bench/memory.py measures the bot's RSS staying flat once it is full.
ANALYSIS_CACHE = 8192
#: Distinct signals kept for reuse (a few MB at most).
SIGNAL_CACHE = 50_000
OTHER = "other"
THANKS = "thanks"
#: A thanks/OK counts as an intent beside a request only when the message opens with it ("好的，
#: 可以换货吗"): at most this many characters of content before it, not when it closes the request
#: ("麻烦看一下，谢谢").
LEADING_THANKS = 2
#: Which intents win a tie for the last places: the ones that change what the agent must do.
_PRIORITY = {
    label: rank
    for rank, label in enumerate(
        (
            "complaint",
            "bargain",
            "after_sales",
            "order_change",
            "urge",
            "shipping",
            "payment",
            "invoice",
            "authenticity",
            "promotion",
            "product_question",
            "chitchat",
            "thanks",
            "greeting",
        )
    )
}


class Analyser:
    """Analyses messages with one lexicon (built-in or a shop's).

    Results are kept for the last ``cache_size`` distinct texts: customers repeat themselves (好的,
    谢谢, 在吗), and an analysis is immutable, so a repeat costs a dictionary lookup.
    """

    def __init__(self, lexicon: Lexicon, cache_size: int = ANALYSIS_CACHE) -> None:
        self.lexicon = lexicon
        self.cache_size = cache_size
        self._cache: dict[str, Analysis] = {}

    def clear_cache(self) -> None:
        self._cache.clear()

    def analyse(self, text: str) -> Analysis:
        """What one message says. Never raises on odd input (empty, emoji only, huge, control chars)."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        analysis = self._analyse(text)
        if self.cache_size > 0:
            if len(self._cache) >= self.cache_size:
                del self._cache[next(iter(self._cache))]  # the oldest entry
            self._cache[text] = analysis
        return analysis

    def _analyse(self, text: str) -> Analysis:
        norm = normalize(text)
        signals, thanks_at = self._signals(norm)
        scores: dict[tuple[str, str], float] = defaultdict(float)
        for s in signals:
            scores[(s.dimension, s.label)] += s.weight
        displeasure = scores.get(("mood", "dissatisfied"), 0.0)
        if displeasure >= MOOD_MIN:
            # Complaining in capitals or with !!!, or alongside a threat or an insult, is the guide's
            # "angry", not merely "dissatisfied": the message's displeasure is part of its anger. The
            # evidence is the shouted message itself, or the threat's own words.
            hostile = _hostile(signals)
            shouted = _shouting(norm)
            if shouted or sum(s.weight for s in hostile) >= MOOD_MIN:
                quote, rule = (
                    (_quote(norm), "feature.shouting")
                    if shouted
                    else (max(hostile, key=lambda s: s.weight).evidence, "feature.hostile")
                )
                signals.append(_signal("mood", "angry", round(displeasure + 0.1, 4), quote, rule))
                scores[("mood", "angry")] += displeasure + 0.1
        by_dim: dict[str, dict[str, float]] = defaultdict(dict)
        for (dim, label), score in scores.items():
            by_dim[dim][label] = score
        return Analysis(
            lang=norm.lang,
            normalized=norm.text,
            intents=_intents(by_dim.get("intents", {}), thanks_at),
            concerns=_above(by_dim.get("concerns", {}), CONCERN_MIN),
            motives=_above(by_dim.get("motives", {}), MOTIVE_MIN),
            mood=_mood(by_dim.get("mood", {})),
            signals=tuple(signals),
        )

    def _signals(self, norm: Normalized) -> tuple[list[Signal], int]:
        """The message's signals, and where its first thanks/OK evidence starts (-1 if none)."""
        lexicon = self.lexicon
        out: list[Signal] = []
        thanks_at = -1
        seen: set[tuple[str, str, str]] = set()

        def add(dim: str, label: str, weight: float, evidence: str, rule: str) -> None:
            key = (rule, dim, label)
            if key not in seen:
                seen.add(key)
                out.append(_signal(dim, label, round(weight, 4), evidence, rule))

        for hit in lexicon.scan(norm.text, norm.lang):
            rule = hit.rule
            if rule.label == THANKS and rule.dimension == "intents" and thanks_at < 0:
                thanks_at = len(_CONTENT.findall(norm.text, 0, hit.start))
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
        quote = _quote(norm)
        # "收到了!!超喜欢" — exclamation marks on a pleased message are joy, not anger: when the words
        # are pleased and none displeased, the marks add no anger, displeasure or insistence.
        joyful = _joyful(out)
        for name, count in counts.items():
            if count:
                for dim, label, weight in lexicon.features.get(name, ()):
                    if joyful and (label in _UPSET or dim == "personality"):
                        continue
                    add(dim, label, weight * min(count, FEATURE_CAP), quote, f"feature.{name}")
        return out, thanks_at


_UPSET = frozenset({"angry", "dissatisfied"})
#: Anger that is not hostility in words: counted features and a lone angry face.
_NOT_HOSTILE = ("feature.", "mood.angry.emoji")


def _hostile(signals: list[Signal]) -> list[Signal]:
    """Anger in words (threats, insults, hostile phrases) among one message's signals."""
    return [
        s
        for s in signals
        if s.dimension == "mood" and s.label == "angry" and not s.rule.startswith(_NOT_HOSTILE)
    ]


def _joyful(signals: list[Signal]) -> bool:
    pleased = 0.0
    for s in signals:
        if s.dimension == "mood":
            if s.label in _UPSET:
                return False
            if s.label == "positive":
                pleased += s.weight
    return pleased >= MOOD_MIN


def _shouting(norm: Normalized) -> bool:
    caps, bangs = norm.caps_words, norm.exclaim_runs
    return caps >= SHOUT_CAPS or bangs >= 2 or (caps > 0 and bangs > 0)


def _quote(norm: Normalized) -> str:
    """The start of the message, cut at a word's end in English ("I will report" not "I wil")."""
    text = norm.original.strip()
    if len(text) <= FEATURE_QUOTE:
        return text
    cut = text[:FEATURE_QUOTE]
    if norm.lang == "en" and text[FEATURE_QUOTE].isalnum() and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def _intents(scores: dict[str, float], thanks_at: int) -> tuple[str, ...]:
    # Evidence beyond one clear sign does not make an intent "more" present: capped at 1, ties go to
    # the intent an agent most needs to see (a complaint over a greeting).
    ranked = sorted((min(s, 1.0), label) for label, s in scores.items() if s >= INTENT_MIN)
    ranked.sort(key=lambda sl: (-sl[0], _PRIORITY.get(sl[1], len(_PRIORITY))))
    if len(ranked) > 1 and thanks_at > LEADING_THANKS:
        # "帮我看一下，谢谢": courtesy closing a request is not a thank-you of its own.
        ranked = [sl for sl in ranked if sl[1] != THANKS]
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


@lru_cache(maxsize=SIGNAL_CACHE)
def _signal(dimension: str, label: str, weight: float, evidence: str, rule: str) -> Signal:
    """Signals are immutable, and the same words recur in message after message: build each once."""
    return Signal(dimension=dimension, label=label, weight=weight, evidence=evidence, rule=rule)


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
#: Words that carry no topic of their own: yes/no answers, fillers, order-number labels.
_FILLER = re.compile(
    r"是的|是啊|对的|对啊|没有|不是|订单编号|订单号|单号|订单|编号|这个|那个|可以|然后|刚才|好的|"
    r"yes|yeah|yep|nope|no|ok|[是对嗯恩哦噢额呃有不好行吧的了吗呢啊呀嘛哈]"
)
_CONTENT = re.compile(r"[\u4e00-\u9fffa-z]")
#: A follow-up needs this many characters of its own (beyond fillers) to continue a topic.
FOLLOW_UP_CHARS = 2


_QUESTION = re.compile(r"[?吗么嘛]")


def _pondering(analysis: Analysis) -> bool:
    """A customer thinking it over ("let me think about it") is not asking a follow-up question."""
    return analysis.mood == "hesitant" and not _QUESTION.search(analysis.normalized)


def _substantive(normalized: str) -> bool:
    return len(_CONTENT.findall(_FILLER.sub("", normalized))) >= FOLLOW_UP_CHARS


def conversation_intents(analyses: Sequence[Analysis]) -> list[tuple[str, ...]]:
    """Each message's intents, read in its conversation.

    A message whose only intent is ``other`` but which says something of its own (not a bare yes/no,
    a filler or an order number, nor a customer thinking it over) continues the topic of the latest
    message that had one.
    """
    out: list[tuple[str, ...]] = []
    topic: tuple[str, ...] = ()
    for analysis in analyses:
        intents = analysis.intents
        if intents == (OTHER,) and topic and not _pondering(analysis) and _substantive(analysis.normalized):
            intents = topic
        own = [i for i in analysis.intents if i in TOPICS]
        if own:
            topic = (own[0],)
        out.append(intents)
    return out
