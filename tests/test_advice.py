"""Advice for one message: the tone, the strategy and the replies an agent is offered."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from strategies.advice import advise
from strategies.analyser import analyse
from strategies.models import Analysis, Lang, Profile, Verdict
from strategies.playbook import Playbook, load_playbook
from strategies.replies import ReplyContext, choose_replies, fill

PLAYBOOK: Playbook = load_playbook()
CTX = ReplyContext(shop="茶语小铺", currency="¥", free_shipping=88, return_days=7, dispatch_hours=24)
BY_ID = {r.id: r for r in PLAYBOOK.replies}


def profile(**labels: str) -> Profile:
    def v(dim: str) -> Verdict:
        label = labels.get(dim, "neutral" if dim == "mood" else "none")
        return Verdict(label=label, confidence=0.8 if label not in ("none", "neutral") else 0.0)

    return Profile(**{d: v(d) for d in ("behavior", "personality", "shopper", "value", "mood")})


def message(
    *intents: str, mood: str = "neutral", concerns: tuple[str, ...] = (), lang: Lang = "zh-Hans"
) -> Analysis:
    return Analysis(lang=lang, normalized="", intents=intents, mood=mood, concerns=concerns)


def test_angry_customer_gets_calming_not_selling() -> None:
    advice = advise(PLAYBOOK, profile(mood="angry"), message("bargain", mood="angry"), CTX, lang="zh-Hans")
    assert 2 <= len(advice.replies) <= 3
    assert all("angry" in BY_ID[r.id].moods for r in advice.replies)
    steps = [s.name.zh_hans for s in PLAYBOOK.knowledge.complaint_steps]
    assert advice.strategy[0] == " → ".join(steps), "the six calming steps come first"
    assert advice.tone == PLAYBOOK.types["mood"]["angry"].tone.zh_hans


def test_bargainer_asking_for_discount_differs_from_polite_customer_asking_about_coupon() -> None:
    bargainer = advise(PLAYBOOK, profile(behavior="bargainer"), message("bargain"), CTX, lang="zh-Hans")
    polite = advise(PLAYBOOK, profile(behavior="polite"), message("promotion"), CTX, lang="zh-Hans")
    assert "bargainer" in BY_ID[bargainer.replies[0].id].behavior, "replies written for bargainers rank first"
    assert "polite" in BY_ID[polite.replies[0].id].behavior
    assert {r.text for r in bargainer.replies}.isdisjoint({r.text for r in polite.replies})
    haggling = " / ".join(w.name.zh_hans for w in PLAYBOOK.knowledge.haggling)
    assert haggling in bargainer.strategy


def test_decisive_buyer_gets_short_answers() -> None:
    decisive = choose_replies(PLAYBOOK, profile(behavior="decisive"), message("shipping"), CTX)
    everyone = choose_replies(PLAYBOOK, profile(), message("shipping"), CTX)
    assert "decisive" in BY_ID[decisive[0].id].behavior
    assert len(decisive[0].text) < sum(len(r.text) for r in everyone) / len(everyone)


def test_replies_written_for_a_type_are_not_offered_to_others() -> None:
    for label in ("none", "polite", "sociable"):
        replies = choose_replies(PLAYBOOK, profile(behavior=label), message("bargain"), CTX, limit=10)
        assert all(not BY_ID[r.id].behavior or label in BY_ID[r.id].behavior for r in replies)


def test_a_message_about_two_things_gets_a_reply_for_each() -> None:
    replies = choose_replies(PLAYBOOK, profile(), message("bargain", "shipping"), CTX)
    assert {BY_ID[r.id].intent for r in replies} >= {"bargain", "shipping"}


def test_concerns_bring_their_answer_into_the_strategy() -> None:
    advice = advise(
        PLAYBOOK, profile(), message("product_question", concerns=("credibility",)), CTX, lang="en"
    )
    assert PLAYBOOK.knowledge.worries["credibility"].answer.en in advice.strategy


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en"])
def test_replies_follow_the_customers_language(lang: Lang) -> None:
    replies = choose_replies(PLAYBOOK, profile(), message("shipping", lang=lang), CTX)
    for reply in replies:
        template = BY_ID[reply.id].text.get(lang)
        assert reply.text.startswith(template.split("{", 1)[0])
    if lang == "en":
        assert all(not re.search(r"[\u4e00-\u9fff]", r.text) for r in replies)


def test_every_reply_fills_every_placeholder_in_every_language() -> None:
    named = CTX.model_copy(update={"customer": "王小明" * 10, "product": "明前龙井特级礼盒装" * 5})
    for ctx in (CTX, named):
        for template in PLAYBOOK.replies:
            for lang in ("zh-Hans", "zh-Hant", "en"):
                text = fill(template, PLAYBOOK, ctx, lang).text  # type: ignore[arg-type]
                assert "{" not in text and "}" not in text, (template.id, text)
                assert len(text) <= 256


def test_unknown_customer_name_falls_back_to_a_polite_address() -> None:
    template = next(
        t for t in PLAYBOOK.replies if "{customer}" in t.text.zh_hans and "{customer}" in t.text.en
    )
    assert "亲" in fill(template, PLAYBOOK, CTX, "zh-Hans").text
    assert "there" in fill(template, PLAYBOOK, CTX, "en").text
    named = CTX.model_copy(update={"customer": "Amy"})
    assert "Amy" in fill(template, PLAYBOOK, named, "en").text


def test_shop_policies_are_filled_from_settings() -> None:
    template = next(t for t in PLAYBOOK.replies if "{free_shipping}" in t.text.zh_hans)
    assert "¥88" in fill(template, PLAYBOOK, CTX, "zh-Hans").text


def test_quiet_message_from_an_upset_customer_still_gets_care() -> None:
    advice = advise(PLAYBOOK, profile(mood="dissatisfied"), message("shipping"), CTX, lang="zh-Hans")
    assert all("dissatisfied" in BY_ID[r.id].moods for r in advice.replies)


def test_nothing_known_still_gives_useful_advice() -> None:
    advice = advise(PLAYBOOK, None, message("other"), CTX, lang="en")
    assert advice.tone and 2 <= len(advice.strategy) <= 4 and len(advice.replies) >= 2


def test_selection_is_stable_for_a_message_but_varies_between_messages() -> None:
    msg = message("shipping")
    first = choose_replies(PLAYBOOK, profile(), msg, CTX, seed="c1:1")
    assert first == choose_replies(PLAYBOOK, profile(), msg, CTX, seed="c1:1")
    seen = {
        tuple(r.id for r in choose_replies(PLAYBOOK, profile(), msg, CTX, seed=f"c1:{n}")) for n in range(10)
    }
    assert len(seen) > 1


# --- cues: the reply that answers exactly what was asked ----------------------------------------------


def _shop_playbook(tmp_path: Path) -> Playbook:
    """The built-in playbook plus a shop's own stock answer, cued on the words of a stock question."""
    folder = tmp_path / "shop" / "replies"
    folder.mkdir(parents=True)
    stock = {
        "id": "shop.stock-today",
        "intent": "product_question",
        "moods": ["neutral"],
        "cues": ["现貨", "有货", "In Stock", "fit"],
        "text": {
            "zh-Hans": "仓库今天刚补过货，您下单就能发。",
            "en": "We restocked today, so it ships as soon as you order.",
        },
    }
    (folder / "stock.yaml").write_text(
        yaml.safe_dump({"replies": [stock]}, allow_unicode=True), encoding="utf-8"
    )
    return load_playbook(tmp_path / "shop")


@pytest.mark.parametrize(
    ("text", "lang"),
    [("这款还有现货吗？", "zh-Hans"), ("請問還有現貨嗎", "zh-Hant"), ("Is the blue one IN STOCK?", "en")],
)
def test_a_reply_cued_on_the_question_comes_first(tmp_path: Path, text: str, lang: str) -> None:
    playbook = _shop_playbook(tmp_path)
    latest = analyse(text)
    assert latest.intents[0] == "product_question"
    replies = choose_replies(playbook, profile(), latest, CTX, limit=3)
    texts = [r.text for r in replies]
    assert playbook_text(playbook, "shop.stock-today", lang) in texts
    by_id = {t.id: t for t in playbook.replies}
    first = by_id[replies[0].id]
    assert first.cue_pattern is not None and first.cue_pattern.search(latest.normalized), (
        "a reply cued on the question (the shop's or a built-in one) comes first"
    )


def test_a_cued_reply_gives_way_when_the_question_is_another(tmp_path: Path) -> None:
    playbook = _shop_playbook(tmp_path)
    for text in ("这款是什么材质的？", "Does this outfit come in other colours?"):
        latest = analyse(text)
        assert latest.intents[0] == "product_question"
        ids = [r.id for r in choose_replies(playbook, profile(), latest, CTX, limit=3)]
        assert "shop.stock-today" not in ids, text


def playbook_text(playbook: Playbook, reply_id: str, lang: str) -> str:
    template = next(t for t in playbook.replies if t.id == reply_id)
    return fill(template, playbook, CTX, lang).text  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("这款还有现货吗", "product_question.stock"),
        ("What material is the strap?", "product_question.material"),
        ("Does it run small?", "product_question.size-chart"),
        ("Tracking says delivered but I never got it", "shipping.neutral-delivered-not-received"),
        ("Which courier do you use?", "shipping.neutral-courier-choice"),
        ("能开专票吗？", "invoice.neutral-vat-invoice"),
        ("發錯貨了，我買的是黑色", "after_sales.neutral-wrong-or-missing"),
        ("退款多久能到账", "after_sales.neutral-refund-timing"),
    ],
)
def test_the_reply_for_exactly_this_question_comes_first(text: str, expected: str) -> None:
    replies = choose_replies(PLAYBOOK, profile(), analyse(text), CTX)
    assert replies[0].id == expected, [r.id for r in replies]


def test_a_request_that_names_nothing_particular_gets_general_replies() -> None:
    replies = choose_replies(PLAYBOOK, profile(), analyse("我想改一下订单"), CTX)
    assert [BY_ID[r.id].cues for r in replies[:2]] == [[], []], [r.id for r in replies]


def test_why_the_customer_buys_steers_the_strategy_but_not_for_an_angry_customer() -> None:
    brand_seeker = profile().model_copy(update={"motives": ("brand", "herd")})
    brand_angle = PLAYBOOK.types["motives"]["brand"].do[0].en
    advice = advise(PLAYBOOK, brand_seeker, message("product_question"), CTX, lang="en")
    assert brand_angle in advice.strategy
    angry = advise(PLAYBOOK, brand_seeker, message("complaint", mood="angry"), CTX, lang="en")
    assert brand_angle not in angry.strategy, "calming comes first; no sales angle"
