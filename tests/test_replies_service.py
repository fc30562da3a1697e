"""The service-side reply files: valid, covering every intent and mood, and clean in each language.

Until types.yaml / knowledge.yaml / situations.yaml are merged, ``load_playbook()`` cannot run, so each
file is validated on its own with :class:`RepliesFile`, which runs every per-reply check (ids, moods,
placeholders, the 256-character limit with long values filled in).
"""

import re
import string
from collections import Counter
from functools import cache

import pytest

from strategies import taxonomy
from strategies.datafiles import BUILTIN_DIR, read_yaml
from strategies.playbook import RepliesFile, ReplyTemplate
from strategies.textconv import to_simplified

INTENTS = ("shipping", "order_change", "after_sales", "invoice", "complaint", "urge", "other")
CONCERNS = ("delivery", "after_sales")
FILES = (*INTENTS, "concerns_service")
#: Intent × mood pairs that need more than the baseline of 3 untyped replies.
MORE = {
    (i, m): 5
    for i in ("shipping", "after_sales", "complaint", "order_change", "urge")
    for m in ("neutral", "dissatisfied")
}
MORE |= {("complaint", "angry"): 5, ("after_sales", "angry"): 5}
CJK = re.compile(r"[\u3400-\u9fff]")


@cache
def replies(name: str) -> tuple[ReplyTemplate, ...]:
    return tuple(RepliesFile.model_validate(read_yaml(BUILTIN_DIR / "replies" / f"{name}.yaml")).replies)


def everything() -> list[ReplyTemplate]:
    return [r for name in FILES for r in replies(name)]


def untyped(r: ReplyTemplate) -> bool:
    return not (r.behavior or r.personality or r.shopper)


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("name", FILES)
def test_file_is_valid_and_ids_name_their_intent(name: str) -> None:
    for r in replies(name):
        if name == "concerns_service":
            assert r.concern in CONCERNS and r.id.startswith(f"concern-{r.concern}."), r.id
        else:
            assert r.intent == name and r.id.startswith(f"{name}."), r.id


def test_ids_are_unique() -> None:
    counts = Counter(r.id for r in everything())
    assert [i for i, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("intent", INTENTS)
@pytest.mark.parametrize("mood", taxonomy.MOOD)
def test_every_intent_has_untyped_replies_for_every_mood(intent: str, mood: str) -> None:
    found = [r.id for r in replies(intent) if mood in r.moods and untyped(r)]
    assert len(found) >= MORE.get((intent, mood), 3), found


@pytest.mark.parametrize("concern", CONCERNS)
@pytest.mark.parametrize("mood", ("neutral", "hesitant", "dissatisfied"))
def test_every_service_concern_has_replies(concern: str, mood: str) -> None:
    found = [r for r in replies("concerns_service") if r.concern == concern and mood in r.moods]
    assert len([r for r in found if untyped(r)]) >= 3


@pytest.mark.parametrize(
    ("dimension", "label"),
    [("behavior", b) for b in taxonomy.BEHAVIOR] + [("personality", p) for p in taxonomy.PERSONALITY],
)
def test_every_behavior_and_personality_has_shaded_replies(dimension: str, label: str) -> None:
    assert len([r for r in everything() if label in getattr(r, dimension)]) >= 2


@pytest.mark.parametrize("reply", everything(), ids=lambda r: r.id)
def test_language_hygiene(reply: ReplyTemplate) -> None:
    t = reply.text
    assert not CJK.search(t.en), "English text contains Chinese characters"
    assert CJK.search(t.zh_hans) and CJK.search(t.zh_hant), "Chinese text without Chinese characters"
    assert to_simplified(t.zh_hans) == t.zh_hans, "zh-Hans contains Traditional characters"
    assert fields(t.zh_hans) == fields(t.zh_hant) == fields(t.en), "languages use different placeholders"
    # {customer} falls back to "there" in English, which only reads well as "Hi there,".
    assert t.en.count("{customer}") == len(re.findall(r"\b(?:Hi|Hello) \{customer\},", t.en))
