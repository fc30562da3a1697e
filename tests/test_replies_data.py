"""The built-in ready-made replies: enough for every situation and mood, shaded per type, clean text.

These are what an agent copies to a customer, so the checks are about what the customer would read:
every intent has replies for every mood, an angry customer is never offered a cheerful line, each
language reads as that language, and a default filled into a placeholder never reads wrong.
"""

from __future__ import annotations

import re
import string
from collections import Counter

import pytest

from strategies import taxonomy
from strategies.playbook import Playbook, ReplyTemplate, load_playbook
from strategies.textconv import to_simplified

PLAYBOOK: Playbook = load_playbook()
REPLIES = PLAYBOOK.replies
#: Where agents spend most of their day, more choice is needed: (intent, mood) → minimum.
MORE = {(i, "neutral"): 5 for i in ("bargain", "product_question", "promotion", "payment", "greeting")}
MORE |= {
    (i, m): 5
    for i in ("shipping", "after_sales", "complaint", "order_change", "urge")
    for m in ("neutral", "dissatisfied")
}
MORE |= {("complaint", "angry"): 5, ("after_sales", "angry"): 5}
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN_ONLY_SENTENCE = re.compile(r"^[^\u3400-\u9fff]*[A-Za-z]{3,}[^\u3400-\u9fff]*$")
_SENTENCE_END = re.compile(r"[。！？!?～~\n]+")
#: Forms OpenCC picks wrongly or archaically in this register; a reply must write zh-Hant out instead.
_BAD_HANT = ("彆", "覈", "錶", "喫", "纔", "爲", "裏")


def untyped(r: ReplyTemplate) -> bool:
    return not (r.behavior or r.personality or r.shopper)


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_ids_are_unique() -> None:
    assert [i for i, n in Counter(r.id for r in REPLIES).items() if n > 1] == []


@pytest.mark.parametrize("intent", taxonomy.INTENTS)
@pytest.mark.parametrize("mood", taxonomy.MOOD)
def test_every_intent_has_replies_for_everyone_in_every_mood(intent: str, mood: str) -> None:
    found = [r.id for r in REPLIES if r.intent == intent and mood in r.moods and untyped(r)]
    assert len(found) >= MORE.get((intent, mood), 3), found


@pytest.mark.parametrize("concern", taxonomy.CONCERNS)
@pytest.mark.parametrize("mood", ("neutral", "hesitant", "dissatisfied"))
def test_every_concern_has_replies(concern: str, mood: str) -> None:
    found = [r.id for r in REPLIES if r.concern == concern and mood in r.moods and untyped(r)]
    assert len(found) >= (1 if mood == "dissatisfied" else 3), found


@pytest.mark.parametrize(
    ("dimension", "label"),
    [("behavior", b) for b in taxonomy.BEHAVIOR] + [("personality", p) for p in taxonomy.PERSONALITY],
)
def test_every_behavior_and_personality_has_its_own_replies(dimension: str, label: str) -> None:
    assert sum(label in getattr(r, dimension) for r in REPLIES) >= 2


def test_bargainers_get_the_three_haggling_answers() -> None:
    shaded = [r for r in REPLIES if r.intent == "bargain" and "bargainer" in r.behavior]
    assert len(shaded) >= 3
    assert any("{free_shipping}" in r.text.en for r in shaded), "generous in small things"


def test_no_reply_is_for_both_angry_and_cheerful_customers() -> None:
    assert [r.id for r in REPLIES if "angry" in r.moods and "positive" in r.moods] == []


@pytest.mark.parametrize("reply", REPLIES, ids=lambda r: r.id)
def test_each_language_reads_as_itself(reply: ReplyTemplate) -> None:
    t = reply.text
    assert not _CJK.search(t.en), "English text contains Chinese characters"
    assert _CJK.search(t.zh_hans) and _CJK.search(t.zh_hant), "Chinese text without Chinese characters"
    assert to_simplified(t.zh_hans) == t.zh_hans, "zh-Hans contains Traditional characters"
    for text in (t.zh_hans, t.zh_hant):
        for sentence in _SENTENCE_END.split(text.replace("{", " ").replace("}", " ")):
            assert not _LATIN_ONLY_SENTENCE.match(sentence.strip()), (
                f"a Chinese text has an English sentence: {sentence!r}"
            )
    assert not [c for c in _BAD_HANT if c in t.zh_hant], "derived zh-Hant has an odd form; write zh-Hant out"
    # The two scripts are one language; English may leave out a name or product where it reads better.
    assert fields(t.zh_hans) == fields(t.zh_hant), "Simplified and Traditional use different placeholders"


@pytest.mark.parametrize("reply", REPLIES, ids=lambda r: r.id)
def test_english_placeholders_read_well_with_their_defaults(reply: ReplyTemplate) -> None:
    en = reply.text.en
    # {customer} falls back to "there", which only reads well as "Hi there,".
    assert en.count("{customer}") == len(re.findall(r"\b(?:Hi|Hello|Hey) \{customer\}", en))
    # {product} falls back to "this item", which must not start a sentence.
    assert not re.search(r"(^|[.!?—]\s*)\{product\}", en)


@pytest.mark.parametrize(("intent", "mood"), sorted(MORE))
def test_frequent_situations_keep_general_replies(intent: str, mood: str) -> None:
    """A message that names nothing particular ("我想改一下订单") still gets replies that fit it: replies
    with cues give way when none of their words is in the message, so general ones must be there."""
    general = [r.id for r in REPLIES if r.intent == intent and mood in r.moods and untyped(r) and not r.cues]
    assert len(general) >= 2, general
