"""The taxonomy ids are a contract with the evaluation data: every label there must be one of ours."""

import json
from pathlib import Path

import pytest

from strategies import taxonomy

EVAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "eval" / "conversations.jsonl"


def test_every_eval_label_is_a_taxonomy_id() -> None:
    if not EVAL.exists():
        pytest.fail(f"evaluation data not found at {EVAL}: ../shared must sit beside the project")
    for line in EVAL.read_text(encoding="utf-8").splitlines():
        labels = json.loads(line)["labels"]
        for dim in ("behavior", "personality", "mood", "shopper"):
            assert taxonomy.is_valid(dim, labels[dim]), (dim, labels[dim])
        assert all(taxonomy.is_valid("concerns", c) for c in labels["concerns"])
        assert all(taxonomy.is_valid("intents", i) for turn in labels["turn_intents"] for i in turn)


def test_none_is_allowed_except_for_mood() -> None:
    assert taxonomy.is_valid("behavior", "none")
    assert not taxonomy.is_valid("mood", "none")
    assert not taxonomy.is_valid("behavior", "friendly")
    assert not taxonomy.is_valid("nonsense", "friendly")
