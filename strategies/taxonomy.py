"""The taxonomy ids — a contract shared with the evaluation data (DESIGN.md §3).

Only ids live here. Everything a shop may want to reword (names, traits, tone, strategies, replies)
lives in the data files under ``strategies/data`` and is validated against these ids at load time.
"""

from __future__ import annotations

from typing import Final, Literal

NONE: Final = "none"

BEHAVIOR: Final = ("sociable", "decisive", "polite", "bargainer", "no_pay")
PERSONALITY: Final = ("friendly", "assertive", "analytical", "egocentric")
SHOPPER: Final = ("first_timer", "reluctant", "bargain_hunter", "surgical", "enthusiast", "power")
VALUE: Final = ("high_interest", "developable", "modeled", "captive", "vip", "one_time")
MOOD: Final = ("angry", "dissatisfied", "hesitant", "neutral", "positive")
CONCERNS: Final = ("credibility", "price_quality", "choice", "payment_safety", "delivery", "after_sales")
MOTIVES: Final = ("practical", "aesthetic", "brand", "cheap", "preference", "novelty", "herd", "safety")
INTENTS: Final = (
    "greeting",
    "product_question",
    "bargain",
    "promotion",
    "authenticity",
    "payment",
    "shipping",
    "order_change",
    "after_sales",
    "invoice",
    "complaint",
    "urge",
    "thanks",
    "chitchat",
    "other",
)

SingleDimension = Literal["behavior", "personality", "shopper", "value", "mood"]
MultiDimension = Literal["concerns", "motives"]

#: Single-valued dimensions and their ids. ``none`` ("not enough evidence") is allowed for all but mood,
#: whose quiet default is ``neutral``.
SINGLE: Final[dict[str, tuple[str, ...]]] = {
    "behavior": BEHAVIOR,
    "personality": PERSONALITY,
    "shopper": SHOPPER,
    "value": VALUE,
    "mood": MOOD,
}
#: Multi-valued dimensions: a customer may have several at once, or none.
MULTI: Final[dict[str, tuple[str, ...]]] = {
    "concerns": CONCERNS,
    "motives": MOTIVES,
}
#: Every dimension that can be shown, corrected or given a playbook, in display order.
DIMENSIONS: Final[tuple[str, ...]] = (
    "behavior",
    "personality",
    "shopper",
    "value",
    "mood",
    "concerns",
    "motives",
)
#: Dimensions an agent may correct from a whisper or with /tag.
CORRECTABLE: Final[tuple[str, ...]] = ("behavior", "personality", "shopper", "value", "mood")


def ids_of(dimension: str) -> tuple[str, ...]:
    """The ids of one dimension (``intents`` included); raises KeyError for an unknown dimension."""
    if dimension == "intents":
        return INTENTS
    if dimension in SINGLE:
        return SINGLE[dimension]
    return MULTI[dimension]


def is_valid(dimension: str, label: str) -> bool:
    """Whether ``label`` is an id of ``dimension`` (``none`` counts for single-valued ones but mood)."""
    if dimension in SINGLE and label == NONE:
        return dimension != "mood"
    try:
        return label in ids_of(dimension)
    except KeyError:
        return False
