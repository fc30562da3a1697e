"""``python -m strategies.predict`` as a scorer runs it: JSONL in, one JSONL prediction per line out."""

import json
import subprocess
import sys
from pathlib import Path

from strategies import taxonomy

ROOT = Path(__file__).resolve().parents[1]
KEYS = {"id", "behavior", "personality", "mood", "shopper", "concerns", "turn_intents"}


def run(stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "strategies.predict"],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def line(record: object) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


CONVERSATIONS = [
    {"id": "c1", "turns": ["您好，请问这件有货吗", "能便宜点吗，别家才卖99", "好的谢谢"], "extra": "ignored"},
    {"id": 2, "turns": ["請問什麼時候發貨？", "麻煩您了，謝謝"]},
    {"id": "c3", "turns": ["Where is my parcel?!", "This is RIDICULOUS, I want a refund NOW!!!"]},
    {"id": "c4", "turns": []},
]


def test_each_input_line_gets_one_valid_prediction_in_order() -> None:
    result = run("".join(line(c) for c in CONVERSATIONS))
    assert result.returncode == 0, result.stderr
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["c1", 2, "c3", "c4"]
    for conv, pred in zip(CONVERSATIONS, out, strict=True):
        assert set(pred) == KEYS
        for dim in ("behavior", "personality", "mood", "shopper"):
            assert taxonomy.is_valid(dim, pred[dim]), (dim, pred[dim])
        assert all(taxonomy.is_valid("concerns", c) for c in pred["concerns"])
        assert len(pred["turn_intents"]) == len(conv["turns"])
        for intents in pred["turn_intents"]:
            assert 1 <= len(intents) <= 3
            assert all(taxonomy.is_valid("intents", i) for i in intents)
    assert out[0]["behavior"] == "bargainer"
    assert "shipping" in out[1]["turn_intents"][0]
    assert out[2]["mood"] == "angry"
    assert out[3]["turn_intents"] == []


def test_malformed_lines_are_reported_and_kept_in_place_without_losing_the_others() -> None:
    stdin = "".join(
        [
            line({"id": "ok1", "turns": ["在吗"]}),
            "{not json\n",
            line({"turns": ["no id"]}),
            line({"id": "bad-turns", "turns": "能便宜点吗"}),
            line({"id": "bad-item", "turns": ["ok", 3]}),
            line(["a", "list"]),
            line({"id": "ok2", "turns": ["谢谢"]}),
        ]
    )
    result = run(stdin)
    assert result.returncode == 1
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(out) == 7
    assert out[0]["id"] == "ok1" and "error" not in out[0]
    assert out[6]["id"] == "ok2" and out[6]["turn_intents"] == [["thanks"]]
    assert out[1] == {"id": None, "error": out[1]["error"]}
    assert out[3]["id"] == "bad-turns" and "turns" in out[3]["error"]
    assert out[4]["id"] == "bad-item"
    for number in (2, 3, 4, 5, 6):
        assert f"line {number}:" in result.stderr
    assert "line 1:" not in result.stderr and "line 7:" not in result.stderr


def test_blank_lines_are_skipped_and_line_numbers_stay_true() -> None:
    result = run("\n" + line({"id": "a", "turns": ["你好"]}) + "   \n" + "oops\n")
    assert result.returncode == 1
    assert [json.loads(x).get("id") for x in result.stdout.splitlines()] == ["a", None]
    assert "line 4:" in result.stderr


def test_predictions_stream_out_before_the_input_ends() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "strategies.predict"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(line({"id": "first", "turns": ["发货了吗"]}))
    proc.stdin.flush()
    first = json.loads(proc.stdout.readline())  # arrives while stdin is still open
    assert first["id"] == "first"
    proc.stdin.write(line({"id": "second", "turns": ["好的"]}))
    proc.stdin.close()
    assert json.loads(proc.stdout.readline())["id"] == "second"
    assert proc.wait(timeout=60) == 0


def test_help_and_unexpected_arguments() -> None:
    helped = subprocess.run(
        [sys.executable, "-m", "strategies.predict", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert helped.returncode == 0 and "turn_intents" in helped.stdout
    wrong = subprocess.run(
        [sys.executable, "-m", "strategies.predict", "file.jsonl"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert wrong.returncode == 2 and "usage" in wrong.stderr
