"""The built-in playbook: what a shop sees, and the errors a shop gets when it breaks a file.

Reply files are written by another part of the project; ``load_playbook`` needs at least one, so every
test loads through an overlay folder that holds a tiny valid reply file.
"""

from pathlib import Path

import pytest
import yaml

from strategies import datafiles, taxonomy
from strategies.datafiles import BUILTIN_DIR
from strategies.errors import DataFileError
from strategies.playbook import NEED_IDS, LocalText, Playbook, TypeEntry, load_playbook

REPLY = {
    "replies": [
        {
            "id": "test.hello",
            "intent": "greeting",
            "moods": ["neutral"],
            "text": {"zh-Hans": "{customer}，您好", "en": "Hi {customer},"},
        }
    ]
}


def _write(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def _overlay(tmp_path: Path) -> Path:
    folder = tmp_path / "shop"
    _write(folder / "replies" / "x.yaml", REPLY)
    return folder


def _builtin(name: str) -> dict:
    return yaml.safe_load((BUILTIN_DIR / name).read_text(encoding="utf-8"))


def _error(overlay: Path) -> str:
    with pytest.raises(DataFileError) as info:
        load_playbook(overlay)
    return str(info.value)


@pytest.fixture
def playbook(tmp_path: Path) -> Playbook:
    return load_playbook(_overlay(tmp_path))


# --- the built-in playbook -------------------------------------------------------------------------


def test_every_type_has_an_entry_named_in_three_languages(playbook: Playbook) -> None:
    assert list(playbook.dimensions) == list(taxonomy.DIMENSIONS)
    for dim in taxonomy.DIMENSIONS:
        assert all(playbook.dimensions[dim].all())
        assert list(playbook.types[dim]) == list(taxonomy.ids_of(dim))
        for label in taxonomy.ids_of(dim):
            entry = playbook.type_entry(dim, label)
            assert entry is not None, (dim, label)
            zh_hans, zh_hant, en = entry.name.all()
            assert zh_hans and zh_hant and en, (dim, label)
            assert 2 <= len(entry.traits) <= 5, (dim, label)
            assert 2 <= len(entry.do) <= 4, (dim, label)
            assert 1 <= len(entry.dont) <= 3, (dim, label)
    assert sum(len(entries) for entries in playbook.types.values()) == 40


def test_type_names_follow_the_material(playbook: Playbook) -> None:
    assert playbook.type_name("behavior", "bargainer", "zh-Hans") == "讲价型"
    assert playbook.type_name("behavior", "bargainer", "zh-Hant") == "講價型"
    assert playbook.type_name("behavior", "no_pay", "zh-Hans") == "拍下不买型"
    assert playbook.type_name("personality", "assertive", "zh-Hans") == "独断型"
    assert playbook.type_name("shopper", "power", "zh-Hant") == "動力購物者"
    assert playbook.type_name("motives", "herd", "zh-Hant") == "從眾型"
    assert playbook.type_name("behavior", "none", "en") == "none"


def test_texts_fit_on_a_phone(playbook: Playbook) -> None:
    too_long = []
    for dim, entries in playbook.types.items():
        for label, entry in entries.items():
            items = [*entry.traits, *entry.do, *entry.dont]
            too_long += [(dim, label, t.en) for t in items if len(t.zh_hans) > 40 or len(t.en) > 90]
            if len(entry.tone.zh_hans) > 60 or len(entry.tone.en) > 90:
                too_long.append((dim, label, entry.tone.en))
    assert not too_long


def test_traditional_texts_use_the_forms_readers_expect(playbook: Playbook) -> None:
    # OpenCC's s2t picks forms that read as odd or dated in Taiwan and Hong Kong; such texts are
    # written out in the data file instead.
    odd = set("爲喫纔覈衆羣裏着啓僞")
    texts = [n.zh_hant for entries in playbook.types.values() for e in entries.values() for n in _texts(e)]
    knowledge = playbook.knowledge
    for group in (knowledge.needs, knowledge.haggling, knowledge.complaint_steps, knowledge.after_sales):
        texts += [t.zh_hant for item in group for t in (item.name, item.how)]
    assert [t for t in texts if odd & set(t)] == []


def _texts(entry: TypeEntry) -> list[LocalText]:
    return [entry.name, entry.summary, entry.tone, *entry.traits, *entry.do, *entry.dont]


def test_techniques_come_in_the_material_s_order(playbook: Playbook) -> None:
    knowledge = playbook.knowledge
    assert tuple(n.id for n in knowledge.needs) == NEED_IDS
    assert [s.id for s in knowledge.complaint_steps] == [
        "vent",
        "apologise",
        "facts",
        "propose",
        "ask",
        "follow_up",
    ]
    assert [h.id for h in knowledge.haggling] == ["value", "compare", "generous"]
    assert list(knowledge.worries) == list(taxonomy.CONCERNS)
    assert set(knowledge.difficult) == {"dissatisfied", "hesitant", "angry"}
    assert len(knowledge.after_sales) >= 5
    assert len(knowledge.service_strategies) >= 4
    assert knowledge.needs[0].name.get("en") == "Security and privacy"


def test_an_agent_finds_a_type_by_any_of_its_names(playbook: Playbook) -> None:
    assert playbook.find_types("讲价型") == [("behavior", "bargainer")]
    assert playbook.find_types("bargainer") == [("behavior", "bargainer")]
    assert playbook.find_types("講價型") == [("behavior", "bargainer")]
    assert playbook.find_types("讲价") == [("behavior", "bargainer")]
    assert playbook.find_types("回头客") == [("value", "captive")]
    assert playbook.find_types("回頭客") == [("value", "captive")]
    assert playbook.find_types("需求购物者") == [("shopper", "surgical")]
    assert playbook.find_types("VIP") == [("value", "vip")]


def test_every_type_name_and_alias_points_to_one_type(playbook: Playbook) -> None:
    for dim, entries in playbook.types.items():
        for label, entry in entries.items():
            for name in (label, *entry.name.all(), *entry.aliases):
                assert playbook.find_types(name) == [(dim, label)], name


def test_an_agent_finds_a_situation_by_keyword(playbook: Playbook) -> None:
    assert playbook.find_situation("催发货") == "urge"
    assert playbook.find_situation("催發貨") == "urge"
    assert playbook.find_situation("退货") == "after_sales"
    assert playbook.find_situation("退貨") == "after_sales"
    assert playbook.find_situation("讲价") == "bargain"
    assert playbook.find_situation("refund") == "after_sales"
    assert playbook.find_situation("发票") == "invoice"
    assert playbook.find_situation("Coupon") == "promotion"
    assert playbook.find_situation("xyzzy") is None


def test_every_keyword_and_name_points_to_its_own_situation(playbook: Playbook) -> None:
    owner: dict[str, str] = {}
    for intent, situation in playbook.situations.items():
        for keyword in {k.casefold() for k in situation.keywords}:
            assert owner.setdefault(keyword, intent) == intent, (
                f"{keyword!r} in {owner[keyword]} and {intent}"
            )
        for word in (*situation.keywords, *situation.name.all()):
            assert playbook.find_situation(word) == intent, word
    assert list(playbook.situations) == list(taxonomy.INTENTS)


def test_placeholders_have_defaults(playbook: Playbook) -> None:
    assert playbook.placeholder_defaults["customer"].get("zh-Hans") == "亲"
    assert playbook.placeholder_defaults["customer"].get("en") == "there"
    assert playbook.placeholder_defaults["product"].get("en") == "this item"


# --- broken files name the file, the entry and the problem ---------------------------------------


def test_a_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    overlay = _overlay(tmp_path)
    # An English text with a colon in it, the commonest slip when editing by hand.
    _write(overlay / "types.yaml", "dimensions:\n  behavior:\n    en: Buying: behaviour\n")
    message = _error(overlay)
    assert "types.yaml: line 3, column 15: YAML syntax error: mapping values are not allowed here" in message


def test_a_missing_tone_names_the_entry(tmp_path: Path) -> None:
    overlay = _overlay(tmp_path)
    types = _builtin("types.yaml")
    del types["behavior"]["bargainer"]["tone"]
    _write(overlay / "types.yaml", types)
    message = _error(overlay)
    assert str(overlay / "types.yaml") in message
    assert "behavior.bargainer.tone: Field required" in message


def test_an_unknown_type_id_is_named(tmp_path: Path) -> None:
    overlay = _overlay(tmp_path)
    types = _builtin("types.yaml")
    types["behavior"]["haggler"] = types["behavior"]["bargainer"]
    _write(overlay / "types.yaml", types)
    message = _error(overlay)
    assert "types.yaml" in message
    assert "behavior: unknown id haggler" in message


def test_five_complaint_steps_are_refused(tmp_path: Path) -> None:
    overlay = _overlay(tmp_path)
    knowledge = _builtin("knowledge.yaml")
    knowledge["complaint_steps"] = knowledge["complaint_steps"][:5]
    _write(overlay / "knowledge.yaml", knowledge)
    message = _error(overlay)
    assert "knowledge.yaml: complaint_steps:" in message
    assert "at least 6 items" in message


def test_a_reply_with_an_unknown_placeholder_is_refused(tmp_path: Path) -> None:
    overlay = _overlay(tmp_path)
    reply = {"id": "test.price", "intent": "bargain", "moods": ["neutral"]}
    reply["text"] = {"zh-Hans": "这款只要{price}元", "en": "Only {price} for this one"}
    _write(overlay / "replies" / "bad.yaml", {"replies": [reply]})
    message = _error(overlay)
    assert "bad.yaml: replies.0 (test.price): text.zh-Hans: unknown placeholder {price}" in message
    assert "unknown placeholder {price}" in message


def test_a_reply_over_256_characters_is_refused(tmp_path: Path) -> None:
    overlay = _overlay(tmp_path)
    reply = {"id": "test.long", "intent": "thanks", "moods": ["positive"]}
    reply["text"] = {"zh-Hans": "{customer}，谢谢" + "！" * 250, "en": "Thanks {customer}!"}
    _write(overlay / "replies" / "long.yaml", {"replies": [reply]})
    message = _error(overlay)
    assert "long.yaml: replies.0 (test.long): text.zh-Hans: too long" in message
    assert "too long" in message
    assert "limit 256" in message


@pytest.mark.parametrize(
    ("cue", "problem"),
    [("  ", "cue '  ' is empty once normalised"), ("有" * 21, "longer than 20 characters; cues are words")],
)
def test_a_blank_or_sentence_long_cue_is_refused(tmp_path: Path, cue: str, problem: str) -> None:
    overlay = _overlay(tmp_path)
    reply = {**REPLY["replies"][0], "id": "test.cued", "cues": ["现货", cue]}
    _write(overlay / "replies" / "cued.yaml", {"replies": [reply]})
    message = _error(overlay)
    assert "cued.yaml: replies.0 (test.cued).cues: " in message
    assert problem in message


def test_a_reply_id_used_in_two_files_is_refused(tmp_path: Path) -> None:
    overlay = _overlay(tmp_path)
    twice = {"replies": [{**REPLY["replies"][0], "id": "test.twice"}]}
    _write(overlay / "replies" / "a.yaml", twice)
    _write(overlay / "replies" / "b.yaml", twice)
    message = _error(overlay)
    assert "b.yaml: replies.0.id: duplicate id 'test.twice'" in message
    assert "a.yaml" in message


def test_a_missing_required_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    builtin = tmp_path / "builtin"
    for name in ("types.yaml", "situations.yaml"):  # knowledge.yaml left out
        _write(builtin / name, (BUILTIN_DIR / name).read_text(encoding="utf-8"))
    monkeypatch.setattr(datafiles, "BUILTIN_DIR", builtin)
    message = _error(_overlay(tmp_path))
    assert "knowledge.yaml" in message
    assert "required data file is missing" in message


def test_a_playbook_folder_that_does_not_exist_is_named(tmp_path: Path) -> None:
    message = _error(tmp_path / "no-such-folder")
    assert "no-such-folder" in message
    assert "does not exist" in message
