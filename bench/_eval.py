"""Shared by the benchmarks: where the evaluation data lives and how to read it (never copied here)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT.parent / "shared" / "data" / "eval" / "conversations.jsonl"


def conversations(path: Path = EVAL) -> Iterator[dict[str, Any]]:
    """The labelled conversations, read at run time from ``../shared/data/eval``."""
    if not path.exists():
        raise SystemExit(f"evaluation data not found at {path} (../shared must sit beside the project)")
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)
