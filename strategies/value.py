"""What a customer's recorded events (orders, payments, referrals…) say: value tier and unpaid orders.

Agents record events; the words of a chat rarely prove a purchase. The tiers follow the training
material's customer-value ladder: interested → developable → modelled → captive (repeat buyer) → VIP,
with one-time buyers beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from strategies.models import Event, Verdict


@lru_cache(maxsize=4096)
def verdict(label: str, confidence: float, evidence: tuple[str, ...] = ()) -> Verdict:
    """A verdict; verdicts are immutable, so equal ones are built once and shared."""
    return Verdict(label=label, confidence=confidence, evidence=evidence)


#: Repeat customers (回头客) are those with two or more completed purchases: the material's own line.
CAPTIVE_PURCHASES = 2
#: A VIP buys often — four purchases is "often" for a small shop — or brings friends (any referral).
VIP_PURCHASES = 4
VIP_REFERRALS = 1
#: Two orders left unpaid (or placed and cancelled) make a pattern; one is an accident.
NO_PAY_UNPAID = 2
#: An order younger than this is still "being paid", not unpaid.
UNPAID_GRACE = timedelta(hours=24)
#: Pre-sale questions (product, price, promotion, authenticity) that show strong interest.
INTEREST_QUESTIONS = 3
#: Dimensions that must be confidently known (with a purchase) before a customer is "modelled".
MODELED_DIMENSIONS = 3


@dataclass(frozen=True, slots=True)
class Ledger:
    """Counts taken from a customer's events."""

    purchases: int = 0
    orders: int = 0
    unpaid: int = 0
    cancels: int = 0
    refunds: int = 0
    referrals: int = 0
    received: int = 0
    first_order_at: datetime | None = None
    last_received_at: datetime | None = None


NO_EVENTS = Ledger()


def ledger(events: Sequence[Event], now: datetime | None) -> Ledger:
    """Count purchases (paid or received, whichever is more), unpaid orders, referrals…"""
    if not events:  # most customers, on every message
        return NO_EVENTS
    kinds = [e.kind for e in events]
    paid = kinds.count("paid")
    received = kinds.count("received")
    cancels = kinds.count("cancel")
    orders = [e for e in events if e.kind == "order"]
    settled = [o for o in orders if now is None or now - o.at >= UNPAID_GRACE]
    unpaid = cancels + max(0, len(settled) - paid - cancels)
    received_at = [e.at for e in events if e.kind == "received"]
    return Ledger(
        purchases=max(paid, received),
        orders=len(orders),
        unpaid=unpaid,
        cancels=cancels,
        refunds=kinds.count("refund"),
        referrals=kinds.count("referral"),
        received=received,
        first_order_at=min((o.at for o in orders), default=None),
        last_received_at=max(received_at, default=None),
    )


def value_verdict(
    book: Ledger,
    *,
    presale_questions: int,
    positive_after_receipt: bool,
    hesitant: bool,
    known_dimensions: int,
) -> Verdict:
    """The value tier; ``none`` with no evidence. Evidence is given as ``event:name=count`` facts."""
    facts = _facts(book)
    if book.purchases >= VIP_PURCHASES or book.referrals >= VIP_REFERRALS:
        return verdict("vip", 0.9, facts)
    if book.purchases >= CAPTIVE_PURCHASES:
        return verdict("captive", 0.9, facts)
    if book.purchases >= 1 and known_dimensions >= MODELED_DIMENSIONS:
        return verdict("modeled", 0.7, (*facts, f"known_dimensions={known_dimensions}"))
    if book.purchases >= 1 and (positive_after_receipt or presale_questions >= INTEREST_QUESTIONS):
        why = (
            "positive_after_receipt=1" if positive_after_receipt else f"presale_questions={presale_questions}"
        )
        return verdict("developable", 0.7, (*facts, why))
    if book.purchases == 1:
        return verdict("one_time", 0.6, facts)
    if presale_questions >= INTEREST_QUESTIONS or (presale_questions and hesitant):
        why = f"presale_questions={presale_questions}" + (", hesitant=1" if hesitant else "")
        return verdict("high_interest", 0.6, (*facts, why))
    return verdict("none", 0.5 if facts else 0.8, facts)


def _facts(book: Ledger) -> tuple[str, ...]:
    pairs = (
        ("purchases", book.purchases),
        ("referrals", book.referrals),
        ("unpaid_orders", book.unpaid),
        ("refunds", book.refunds),
    )
    return tuple(f"event:{name}={count}" for name, count in pairs if count)
