"""Score-ready predictions: ``python -m strategies.predict < conversations.jsonl > predictions.jsonl``.

Each input line is one customer's conversation (a JSON object with at least ``id`` and ``turns``, the
customer's messages in order), classified from a clean state: one observation per turn, a second
apart. Each output line holds ``id``, ``behavior``, ``personality``, ``mood``, ``shopper``,
``concerns`` and ``turn_intents`` (exactly one list per turn), in input order. Lines are read and
written one at a time, so any amount of input streams through.

A line that is not a JSON object with a string/number ``id`` and a list of string ``turns`` is
reported on stderr with its line number; its output line is ``{"id": …, "error": "…"}`` (the id when
it could be read, else null) so output lines still match input lines, the other lines are predicted as
usual, and the exit status is 1. Blank lines are skipped.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

from strategies.analyser import analyse, conversation_intents
from strategies.classifier import classify
from strategies.models import Observation

#: Turns are placed a second apart from this moment: a conversation is one sitting.
START = datetime(2024, 1, 1, tzinfo=UTC)
STEP = timedelta(seconds=1)
USAGE = "usage: python -m strategies.predict < conversations.jsonl > predictions.jsonl"


class BadLine(ValueError):
    """An input line that cannot be predicted; ``id`` when it could be read."""

    def __init__(self, problem: str, record_id: Any = None) -> None:
        super().__init__(problem)
        self.record_id = record_id


def predict(record_id: Any, turns: list[str]) -> dict[str, Any]:
    """The prediction for one conversation."""
    analyses = [analyse(t) for t in turns]
    observations = [
        Observation.model_construct(at=START + i * STEP, text=t, analysis=a)
        for i, (t, a) in enumerate(zip(turns, analyses, strict=True))
    ]
    profile = classify(observations)
    return {
        "id": record_id,
        "behavior": profile.behavior.label,
        "personality": profile.personality.label,
        "mood": profile.mood.label,
        "shopper": profile.shopper.label,
        "concerns": list(profile.concerns),
        "turn_intents": [list(i) for i in conversation_intents(analyses)],
    }


def parse_line(line: str) -> tuple[Any, list[str]]:
    """``(id, turns)`` from one input line, or :class:`BadLine` saying what is wrong."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadLine(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(record, dict):
        raise BadLine("not a JSON object")
    record_id = record.get("id")
    if not isinstance(record_id, str | int) or isinstance(record_id, bool):
        raise BadLine("missing or invalid 'id' (a string or a number is needed)")
    turns = record.get("turns")
    if not isinstance(turns, list) or not all(isinstance(t, str) for t in turns):
        raise BadLine("'turns' must be a list of strings", record_id)
    return record_id, turns


def run(lines: Iterable[str], out: TextIO, err: TextIO) -> int:
    """Predict every line; return the exit status (0, or 1 if any line was malformed)."""
    status = 0
    for number, line in _numbered(lines):
        try:
            record_id, turns = parse_line(line)
            result = predict(record_id, turns)
        except BadLine as exc:
            status = 1
            print(f"predict: line {number}: {exc}", file=err)
            result = {"id": exc.record_id, "error": str(exc)}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()  # a reader sees each prediction as soon as it is made
    return status


def _numbered(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(lines, 1):
        if line.strip():
            yield number, line


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    if args:
        print(
            "usage: python -m strategies.predict < conversations.jsonl > predictions.jsonl", file=sys.stderr
        )
        return 2
    stdin = sys.stdin
    if hasattr(stdin, "reconfigure"):
        stdin.reconfigure(encoding="utf-8", errors="replace")
        sys.stdout.reconfigure(encoding="utf-8")  # type: ignore[union-attr]
    return run(stdin, sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
