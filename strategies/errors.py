"""Errors raised when a data file (playbook, replies, lexicon) is broken."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError


class DataFileError(ValueError):
    """A data file is missing, unreadable or invalid.

    The message names the file, the entry (a dotted path inside the file) and the problem, one per
    line, so a shop editing a playbook can fix it without reading code.
    """

    def __init__(self, path: Path | str, problems: Iterable[tuple[str, str]]) -> None:
        self.path = str(path)
        self.problems = list(problems) or [("", "invalid")]
        lines = [f"{self.path}: {entry or '(file)'}: {problem}" for entry, problem in self.problems]
        super().__init__("\n".join(lines))


def problems_from(exc: ValidationError, prefix: str = "") -> list[tuple[str, str]]:
    """Turn pydantic's errors into ``(entry, problem)`` pairs with dotted entry paths."""
    out: list[tuple[str, str]] = []
    for err in exc.errors():
        parts = [prefix] if prefix else []
        parts += [str(p) for p in err["loc"]]
        out.append((".".join(parts), str(err["msg"]).removeprefix("Value error, ")))
    return out
