"""Pydantic models that cross the boundary of ``strategies`` (its inputs and outputs).

The domain never sees Telegram or Redis: the bot turns updates and stored rows into these models and
back. Models are frozen so an analysis can be cached and shared without defensive copies.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Lang = Literal["zh-Hans", "zh-Hant", "en"]
LANGS: tuple[Lang, ...] = ("zh-Hans", "zh-Hant", "en")

EventKind = Literal["order", "paid", "cancel", "received", "refund", "referral", "correction"]
EVENT_KINDS: tuple[EventKind, ...] = (
    "order",
    "paid",
    "cancel",
    "received",
    "refund",
    "referral",
    "correction",
)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Signal(_Frozen):
    """One piece of evidence found in one message.

    ``dimension`` is a taxonomy dimension (``behavior``, ``personality``, ``shopper``, ``mood``,
    ``concerns``, ``motives``) or ``intents``; ``label`` an id of it. ``evidence`` is the span of the
    customer's own text that triggered the rule (as the customer wrote it), ``rule`` the lexicon
    entry's id, so an agent or a shop can trace every decision back to data.
    """

    dimension: str
    label: str
    weight: float
    evidence: str
    rule: str


class Analysis(_Frozen):
    """What one customer message says: the analyser's output, the classifier's input."""

    lang: Lang
    #: The normalised text the rules ran on (Simplified Chinese, half-width, squeezed punctuation).
    normalized: str
    intents: tuple[str, ...]
    concerns: tuple[str, ...] = ()
    motives: tuple[str, ...] = ()
    mood: str = "neutral"
    signals: tuple[Signal, ...] = ()


class Observation(_Frozen):
    """An analysed message at the moment it arrived, as kept in a customer's history."""

    at: datetime
    text: str
    analysis: Analysis


class Event(_Frozen):
    """Something an agent recorded about a customer.

    ``order``/``paid``/``cancel``/``received``/``refund``/``referral`` feed the value tier and the
    no-pay list; ``correction`` carries an agent's verdict (``dimension`` + ``label``) that overrides
    the classifier for that dimension until a later correction replaces it.
    """

    kind: EventKind
    at: datetime
    amount: float | None = None
    dimension: str | None = None
    label: str | None = None
    agent_id: int | None = None


class Verdict(_Frozen):
    """The classifier's answer for one single-valued dimension.

    ``confidence`` is in [0, 1]; ``label`` is ``none`` when evidence is thin (showing ``none`` beats a
    wrong guess). ``evidence`` quotes the customer's words (or describes the events) that decided it,
    strongest first. ``corrected`` is true when an agent's correction decided it.
    """

    label: str
    confidence: float = Field(ge=0.0, le=1.0)
    evidence: tuple[str, ...] = ()
    corrected: bool = False


class Profile(_Frozen):
    """A customer's classification along every dimension of DESIGN.md §3."""

    behavior: Verdict
    personality: Verdict
    shopper: Verdict
    value: Verdict
    mood: Verdict
    concerns: tuple[str, ...] = ()
    motives: tuple[str, ...] = ()
    #: Evidence per concern / motive id, for display.
    concern_evidence: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    motive_evidence: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    def verdict(self, dimension: str) -> Verdict:
        """The verdict of a single-valued dimension by name."""
        value = getattr(self, dimension)
        if not isinstance(value, Verdict):
            raise KeyError(dimension)
        return value


class Reply(_Frozen):
    """A ready-made reply, placeholders already filled, at most 256 characters (a copy button's limit)."""

    id: str
    text: str = Field(max_length=256)


class Advice(_Frozen):
    """What the agent is told to do with this message: tone, strategy bullets, ranked replies."""

    tone: str
    strategy: tuple[str, ...]
    replies: tuple[Reply, ...]
