"""The invented challenge set stays well-formed and keeps its coverage.

It comes in two halves, split evenly by language and label: ``challenge_dev.jsonl``, which whoever
tunes the classifier may study, and ``challenge_holdout.jsonl``, which they must not read, so the
classifier's score on it stays an honest measure of how well it generalises.

The set is an independent yardstick for the classifier: invented conversations, labelled by hand with
../shared/data/eval/LABELLING_GUIDE.md, heavier on the rare types, Traditional Chinese and English than
the public evaluation set. These checks make sure a later edit cannot silently break its shape, use an id
outside the taxonomy, or drop a class below the minimum it was written to cover.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from strategies import taxonomy
from strategies.textconv import to_simplified

ROOT = Path(__file__).resolve().parents[1]
HALVES = (
    ROOT / "tests" / "data" / "challenge_dev.jsonl",
    ROOT / "tests" / "data" / "challenge_holdout.jsonl",
)
SEEDS = ROOT.parent / "shared" / "seeds"

SINGLE = ("behavior", "personality", "mood", "shopper")
LABEL_KEYS = {*SINGLE, "concerns", "turn_intents", "confidence", "evidence"}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)

#: Minimum number of conversations per label (turns, for intents) the set was written to cover.
MIN_BEHAVIOR = {"sociable": 15, "decisive": 15, "polite": 15, "bargainer": 15, "no_pay": 15, "none": 30}
MIN_PERSONALITY = {"friendly": 15, "assertive": 15, "analytical": 15, "egocentric": 15, "none": 40}
MIN_MOOD = {"angry": 15, "dissatisfied": 15, "hesitant": 15, "positive": 15}
MIN_SHOPPER = dict.fromkeys(taxonomy.SHOPPER, 8)
MIN_CONCERN = dict.fromkeys(taxonomy.CONCERNS, 12)
MIN_INTENT_TURNS = dict.fromkeys(taxonomy.INTENTS, 10)
#: Share of conversations per language: about 40 % Simplified, 30 % Traditional, 30 % English.
MIN_LANGUAGE_SHARE = {"zh-Hans": 0.35, "zh-Hant": 0.25, "en": 0.25}


@cache
def _rows() -> tuple[dict[str, Any], ...]:
    lines = [line for half in HALVES for line in half.read_text(encoding="utf-8").splitlines()]
    return tuple(json.loads(line) for line in lines if line.strip())


def _language(turns: list[str]) -> str:
    text = "".join(turns)
    if not _CJK.search(text):
        return "en"
    return "zh-Hant" if to_simplified(text) != text else "zh-Hans"


def _squash(text: str) -> str:
    return _DROP.sub("", to_simplified(text).casefold())


def _runs(text: str, length: int) -> set[str]:
    """Every run of ``length`` characters of the squashed text."""
    s = _squash(text)
    return {s[i : i + length] for i in range(len(s) - length + 1)}


def _at_least(counts: Counter[str], minimums: dict[str, int], what: str) -> None:
    short = {label: counts[label] for label, need in minimums.items() if counts[label] < need}
    assert not short, f"{what} below its minimum: {short} (minimums {minimums})"


def test_the_set_is_big_enough_and_ids_are_unique() -> None:
    rows = _rows()
    assert len(rows) >= 200
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == len(ids), [i for i, n in Counter(ids).items() if n > 1]
    assert all(re.fullmatch(r"ch-\d{3}", i) for i in ids)


def test_every_row_has_the_eval_shape() -> None:
    for r in _rows():
        assert {"id", "source", "turns", "labels"} <= set(r), r["id"]
        assert r["source"] == "invented", r["id"]
        turns = r["turns"]
        assert 1 <= len(turns) <= 8, r["id"]
        assert all(isinstance(t, str) and t.strip() for t in turns), r["id"]
        labels = r["labels"]
        assert set(labels) == LABEL_KEYS, (r["id"], sorted(labels))
        assert labels["confidence"] in ("high", "medium", "low"), r["id"]
        assert 0 < len(labels["evidence"]) <= 120, r["id"]


def test_labels_are_taxonomy_ids() -> None:
    for r in _rows():
        labels = r["labels"]
        for dim in SINGLE:
            assert taxonomy.is_valid(dim, labels[dim]), (r["id"], dim, labels[dim])
        concerns = labels["concerns"]
        assert len(set(concerns)) == len(concerns), r["id"]
        assert all(taxonomy.is_valid("concerns", c) for c in concerns), (r["id"], concerns)


def test_one_intent_list_per_turn_with_one_to_three_intents() -> None:
    for r in _rows():
        intents = r["labels"]["turn_intents"]
        assert len(intents) == len(r["turns"]), r["id"]
        for turn in intents:
            assert 1 <= len(turn) <= 3, (r["id"], turn)
            assert len(set(turn)) == len(turn), (r["id"], turn)
            assert all(taxonomy.is_valid("intents", i) for i in turn), (r["id"], turn)


def test_language_mix() -> None:
    rows = _rows()
    counts = Counter(_language(r["turns"]) for r in rows)
    for lang, share in MIN_LANGUAGE_SHARE.items():
        assert counts[lang] >= share * len(rows), (lang, dict(counts))


def test_label_coverage_minimums() -> None:
    rows = _rows()
    labels = [r["labels"] for r in rows]
    _at_least(Counter(x["behavior"] for x in labels), MIN_BEHAVIOR, "behavior")
    _at_least(Counter(x["personality"] for x in labels), MIN_PERSONALITY, "personality")
    _at_least(Counter(x["mood"] for x in labels), MIN_MOOD, "mood")
    _at_least(Counter(x["shopper"] for x in labels), MIN_SHOPPER, "shopper")
    _at_least(Counter(c for x in labels for c in x["concerns"]), MIN_CONCERN, "concerns")
    intents = Counter(i for x in labels for turn in x["turn_intents"] for i in turn)
    _at_least(intents, MIN_INTENT_TURNS, "intent turns")


def test_no_long_turn_is_reused() -> None:
    """Phrasing varies: a customer message of any length is not pasted into a second conversation."""
    seen: dict[str, str] = {}
    for r in _rows():
        for turn in r["turns"]:
            key = _squash(turn)
            if len(key) >= 12:
                assert key not in seen, f"{r['id']} repeats a turn of {seen[key]}: {turn}"
                seen[key] = r["id"]


def test_no_text_is_copied_from_the_seeds() -> None:
    """Same rule as test_originality: no run of 12 characters shared with the seed material."""
    if not SEEDS.is_dir():
        pytest.fail(f"seed material not found at {SEEDS}: ../shared must sit beside the project")
    window = 12
    seed_windows: set[str] = set()
    for seed in SEEDS.glob("*.txt"):
        seed_windows |= _runs(seed.read_text(encoding="utf-8"), window)
    copied = []
    for r in _rows():
        for text in [*r["turns"], r["labels"]["evidence"]]:
            hits = _runs(text, window) & seed_windows
            copied += [f"{r['id']}: …{h}…" for h in sorted(hits)]
    assert not copied, "text copied from the seeds:\n" + "\n".join(copied)


MORE = ROOT / "tests" / "data" / "challenge_more.jsonl"
EVAL = ROOT.parent / "shared" / "data" / "eval" / "conversations.jsonl"
#: A shared run this long (script, case, spaces and punctuation ignored) would mean a copied sentence;
#: shorter runs are everyday phrases ("tracking says", "thank you for").
COPIED_RUN = 20


def _more_rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in MORE.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_further_invented_sets_are_well_formed() -> None:
    """``challenge_more.jsonl``: thirty-two more invented sets (f10–f41) studied while tuning, kept so later
    work can check it does not undo what they taught."""
    rows = _more_rows()
    assert len(rows) == len({r["id"] for r in rows}) >= 250
    for row in rows:
        labels = row["labels"]
        assert set(labels) == LABEL_KEYS, row["id"]
        for dim in SINGLE:
            assert taxonomy.is_valid(dim, labels[dim]), (row["id"], dim, labels[dim])
        assert all(taxonomy.is_valid("concerns", c) for c in labels["concerns"]), row["id"]
        assert len(labels["turn_intents"]) == len(row["turns"]), row["id"]
        for turn in labels["turn_intents"]:
            assert turn and all(taxonomy.is_valid("intents", i) for i in turn), (row["id"], turn)


def test_the_further_invented_sets_copy_no_real_conversation() -> None:
    runs: set[str] = set()
    for line in EVAL.read_text(encoding="utf-8").splitlines():
        for turn in json.loads(line)["turns"]:
            runs |= _runs(turn, COPIED_RUN)
    for row in _more_rows():
        for turn in row["turns"]:
            copied = _runs(turn, COPIED_RUN) & runs
            assert not copied, (row["id"], copied)
