"""The lexicon as data: a shop can replace it, and a broken file says exactly what is wrong where."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from strategies.analyser import Analyser
from strategies.errors import DataFileError
from strategies.lexicon import builtin_lexicon, load_lexicon, parse_lexicon
from strategies.normalize import normalize


def rule(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": "test.rule", "dimension": "intents", "label": "bargain", "weight": 1.0}
    base.update(overrides)
    return base


def lexicon_with(*rules: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"rules": list(rules), **extra}


def error_of(data: Any) -> str:
    with pytest.raises(DataFileError) as info:
        parse_lexicon(data, "shop/lexicon.yaml")
    return str(info.value)


def test_the_built_in_lexicon_loads_and_covers_every_intent() -> None:
    lexicon = builtin_lexicon()
    labels = {(r.dimension, r.label) for r in lexicon.rules}
    from strategies import taxonomy

    for intent in taxonomy.INTENTS:
        if intent != "other":
            assert ("intents", intent) in labels, intent
    for dim in ("concerns", "motives", "behavior", "personality", "shopper"):
        for label in taxonomy.ids_of(dim):
            assert (dim, label) in labels or dim == "concerns", (dim, label)


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (rule(id="x.bad-regex", regex=["便宜(点"]), "bad regex '便宜(点'"),
        (rule(id="x.bad-label", label="haggle", phrases=["便宜"]), "unknown label 'haggle' for intents"),
        (rule(id="x.bad-dim", dimension="vibes", phrases=["便宜"]), "unknown dimension 'vibes'"),
        (rule(id="x.empty", phrases=[], regex=[]), "needs at least one phrase or regex"),
        (rule(id="x.caps", regex=["Refund"]), "capital letter 'R'"),
        (rule(id="x.backref", regex=["(a)\\1"]), "back-references"),
        (rule(id="x.named", regex=["(?P<x>a)"]), "named groups"),
        (rule(id="x.empty-match", regex=["a*"]), "matches empty text"),
        (rule(id="x.bad-exclude", phrases=["贵"], exclude=["不[贵"]), "bad regex '不[贵'"),
        (rule(id="Bad Id", phrases=["贵"]), "id must be lower-case"),
    ],
)
def test_a_broken_rule_is_named_with_file_rule_and_problem(bad: dict[str, Any], problem: str) -> None:
    message = error_of(lexicon_with(rule(id="ok.first", phrases=["你好"], label="greeting"), bad))
    assert "shop/lexicon.yaml" in message
    assert f"rules.1 ({bad['id']})" in message
    assert problem in message


def test_schema_errors_name_the_rule_too() -> None:
    message = error_of(lexicon_with(rule(id="x.weight", phrases=["贵"], weight=0)))
    assert "rules.0 (x.weight).weight" in message
    assert "greater than 0" in message


def test_duplicate_ids_are_rejected() -> None:
    message = error_of(lexicon_with(rule(phrases=["贵"]), rule(phrases=["便宜"])))
    assert "duplicate id 'test.rule'" in message


def test_every_problem_is_reported_at_once() -> None:
    message = error_of(
        lexicon_with(rule(id="a.one", regex=["("]), rule(id="a.two", label="nope", phrases=["x"]))
    )
    assert "a.one" in message and "a.two" in message


def test_bad_derivations_and_features_are_named() -> None:
    message = error_of(
        lexicon_with(
            rule(phrases=["贵"]), derive=[{"from": "intents.bargain", "to": "behavior.stingy", "factor": 1}]
        )
    )
    assert "derive.0.to" in message and "behavior.stingy" in message
    message = error_of(lexicon_with(rule(phrases=["贵"]), features={"sparkles": []}))
    assert "features.sparkles" in message and "unknown feature" in message


def test_empty_or_broken_yaml_files(tmp_path: Path) -> None:
    (tmp_path / "lexicon.yaml").write_text("", encoding="utf-8")
    with pytest.raises(DataFileError, match="file is empty"):
        load_lexicon(tmp_path)
    (tmp_path / "lexicon.yaml").write_text("rules: [\n  - id: x\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="YAML syntax error"):
        load_lexicon(tmp_path)


def test_a_shop_overlay_replaces_the_built_in_lexicon(tmp_path: Path) -> None:
    data = lexicon_with(rule(id="shop.haggle", phrases=["打個折", "算我便宜些"]))
    (tmp_path / "lexicon.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    analyser = Analyser(load_lexicon(tmp_path))
    assert analyser.analyse("老板打个折吧").intents == (
        "bargain",
    )  # a Traditional phrase matches Simplified text
    assert analyser.analyse("什么时候发货").intents == ("other",)  # the built-in rules are gone


def test_phrases_are_normalised_like_messages() -> None:
    lexicon = parse_lexicon(lexicon_with(rule(phrases=["ＰＲＩＣＥ　ＭＡＴＣＨ", "便宜點"])))
    analyser = Analyser(lexicon)
    assert analyser.analyse("Can you price match?").intents == ("bargain",)
    assert analyser.analyse("能便宜点吗").intents == ("bargain",)


def test_latin_phrases_match_whole_words_only() -> None:
    analyser = Analyser(parse_lexicon(lexicon_with(rule(label="greeting", phrases=["hi"]))))
    assert analyser.analyse("hi there").intents == ("greeting",)
    assert analyser.analyse("this one").intents == ("other",)
    assert analyser.analyse("hi你好").intents == ("greeting",)


def test_regex_word_boundaries_treat_chinese_as_a_boundary() -> None:
    analyser = Analyser(parse_lexicon(lexicon_with(rule(regex=["\\bcheap(er)?\\b"]))))
    assert analyser.analyse("有cheaper的吗").intents == ("bargain",)
    assert analyser.analyse("cheapskate").intents == ("other",)


def test_exclusions_cancel_an_overlapping_match() -> None:
    analyser = Analyser(parse_lexicon(lexicon_with(rule(phrases=["贵"], exclude=["不贵", "贵不贵"]))))
    assert analyser.analyse("太贵了").intents == ("bargain",)
    assert analyser.analyse("不贵").intents == ("other",)
    assert analyser.analyse("贵不贵").intents == ("other",)


def test_a_rule_may_be_limited_to_one_language() -> None:
    analyser = Analyser(parse_lexicon(lexicon_with(rule(phrases=["ok"], label="thanks", lang="en"))))
    assert analyser.analyse("ok").intents == ("thanks",)
    assert analyser.analyse("ok好的").intents == ("other",)


def test_derived_evidence_carries_the_original_words() -> None:
    data = lexicon_with(
        rule(phrases=["便宜点"]),
        derive=[{"from": "intents.bargain", "to": "behavior.bargainer", "factor": 0.5}],
    )
    signals = Analyser(parse_lexicon(data)).analyse("便宜点吧").signals
    derived = [s for s in signals if s.dimension == "behavior"]
    assert derived and derived[0].weight == 0.5 and derived[0].evidence == "便宜点"


def test_overlapping_rules_all_fire() -> None:
    data = lexicon_with(
        rule(id="a.refund", label="after_sales", phrases=["退款"]),
        rule(id="a.nag", label="urge", phrases=["退款退款"]),
        rule(id="a.fast", label="urge", phrases=["赶紧"]),
    )
    hits = {h.rule.id for h in parse_lexicon(data).scan(normalize("赶紧退款退款").text, "zh-Hans")}
    assert hits == {"a.refund", "a.nag", "a.fast"}
