"""The sales-side reply files: valid, covering every mood for every sales intent, shaded per type, clean.

``load_playbook()`` needs every data file; these tests validate the sales reply files on their own with
the same model the loader uses, so they also run before the other files exist.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from strategies import taxonomy
from strategies.playbook import RepliesFile, ReplyTemplate

REPLIES = Path(__file__).resolve().parents[1] / "strategies" / "data" / "replies"
INTENTS = (
    "greeting",
    "product_question",
    "bargain",
    "promotion",
    "authenticity",
    "payment",
    "thanks",
    "chitchat",
)
CONCERNS = ("credibility", "price_quality", "choice", "payment_safety")
FILES = (*(f"{i}.yaml" for i in INTENTS), "concerns_sales.yaml")
#: Intents an agent meets most; they need more choice for the everyday (neutral) case.
BUSY = {"bargain": 5, "product_question": 5, "promotion": 5, "payment": 5, "greeting": 5}

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")
_SENTENCE_END = re.compile(r"[。！？!?～~\n]+")
#: Forms OpenCC's s2t picks wrongly or archaically in this register (别着急→彆着急, 核实→覈實, 尺码表→尺碼錶,
#: 吃亏→喫虧, 才→纔): a reply whose derived zh-Hant has one must write zh-Hant out.
_BAD_HANT = ("彆", "覈", "錶", "喫", "纔")


def _load(name: str) -> list[ReplyTemplate]:
    data = yaml.safe_load((REPLIES / name).read_text(encoding="utf-8"))
    return RepliesFile.model_validate(data).replies


@pytest.fixture(scope="module")
def replies() -> list[ReplyTemplate]:
    return [r for name in FILES for r in _load(name)]


def _untyped(r: ReplyTemplate) -> bool:
    return not (r.behavior or r.personality or r.shopper)


@pytest.mark.parametrize("name", FILES)
def test_file_is_valid_and_ids_name_their_intent(name: str) -> None:
    for r in _load(name):
        if name == "concerns_sales.yaml":
            assert r.concern in CONCERNS, r.id
            assert r.id.startswith(f"{r.concern}."), r.id
        else:
            assert r.intent == name.removesuffix(".yaml"), r.id
            assert r.concern is None or r.concern in taxonomy.CONCERNS, r.id
            assert r.id.startswith(f"{r.intent}."), r.id


def test_ids_are_unique(replies: list[ReplyTemplate]) -> None:
    dupes = [i for i, n in Counter(r.id for r in replies).items() if n > 1]
    assert not dupes


@pytest.mark.parametrize("intent", INTENTS)
@pytest.mark.parametrize("mood", taxonomy.MOOD)
def test_every_intent_has_replies_for_everyone_in_every_mood(
    replies: list[ReplyTemplate], intent: str, mood: str
) -> None:
    fitting = [r.id for r in replies if r.intent == intent and mood in r.moods and _untyped(r)]
    want = BUSY.get(intent, 3) if mood == "neutral" else 3
    assert len(fitting) >= want, f"{intent}/{mood}: {fitting}"


@pytest.mark.parametrize("concern", CONCERNS)
def test_every_sales_concern_has_replies(replies: list[ReplyTemplate], concern: str) -> None:
    mine = [r for r in replies if r.concern == concern and _untyped(r)]
    for mood, want in (("neutral", 3), ("hesitant", 3), ("dissatisfied", 1)):
        assert sum(mood in r.moods for r in mine) >= want, f"{concern}/{mood}"


@pytest.mark.parametrize(
    ("dimension", "label"),
    [("behavior", b) for b in taxonomy.BEHAVIOR] + [("personality", p) for p in taxonomy.PERSONALITY],
)
def test_every_behavior_and_personality_reads_differently(
    replies: list[ReplyTemplate], dimension: str, label: str
) -> None:
    assert sum(label in getattr(r, dimension) for r in replies) >= 2


def test_bargainers_get_the_three_haggling_answers(replies: list[ReplyTemplate]) -> None:
    shaded = [r for r in replies if r.intent == "bargain" and "bargainer" in r.behavior]
    assert len(shaded) >= 3
    assert any("{free_shipping}" in r.text.en for r in shaded), "generous in small things"


def test_angry_customers_only_get_replies_written_for_anger(replies: list[ReplyTemplate]) -> None:
    # a calm-down reply never mixes in a cheerful mood (it would read wrong to the angry one or the happy one)
    mixed = [r.id for r in replies if "angry" in r.moods and "positive" in r.moods]
    assert not mixed


def test_languages_are_clean(replies: list[ReplyTemplate]) -> None:
    problems: list[str] = []
    for r in replies:
        en = _PLACEHOLDER.sub("", r.text.en)
        if _CJK.search(en):
            problems.append(f"{r.id}: Chinese in the English text")
        if re.search(r"(?<!Hi )(?<!Hello )(?<!Hey )\{customer\}", r.text.en):
            problems.append(f"{r.id}: en {{customer}} must follow Hi/Hello/Hey (it defaults to 'there')")
        if re.search(r"(^|[.!?—]\s*)\{product\}", r.text.en):
            problems.append(f"{r.id}: en sentence starts with {{product}} (it defaults to 'this item')")
        for lang, text in (("zh-Hans", r.text.zh_hans), ("zh-Hant", r.text.zh_hant)):
            for sentence in _SENTENCE_END.split(_PLACEHOLDER.sub("", text)):
                if _LATIN.search(sentence) and not _HAN.search(sentence):
                    problems.append(f"{r.id}: {lang} sentence with no Chinese: {sentence!r}")
        problems += [
            f"{r.id}: zh-Hant has {c!r}, write zh-Hant out" for c in _BAD_HANT if c in r.text.zh_hant
        ]
    assert not problems, "\n".join(problems)
