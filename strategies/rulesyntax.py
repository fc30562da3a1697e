"""The syntax of the lexicon's patterns: literal phrases and regexes, made ready to match.

Messages are normalised (Simplified, half-width, lower case) before matching, so phrases are too; a
regex is written in that form already. ``\\b`` means an ASCII word boundary, where a Chinese character
next to a Latin word counts as a boundary (Python's own ``\\b`` treats CJK as word characters).
"""

from __future__ import annotations

import re

from strategies.textconv import to_simplified

_WORD = "a-z0-9"
_ASCII_BOUNDARY = f"(?:(?<![{_WORD}])(?=[{_WORD}])|(?<=[{_WORD}])(?![{_WORD}]))"
_WIDTH = {c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {0x3000: " "}


def phrase(text: str) -> str:
    """A literal phrase normalised the way messages are (script, width, case)."""
    return to_simplified(text.translate(_WIDTH).lower()).strip()


def _regex(source: str) -> str:
    """A rule's regex made safe to embed: groups non-capturing, ``\\b`` an ASCII boundary.

    Raises ValueError with a readable problem.
    """
    out: list[str] = []
    i = 0
    in_class = False
    while i < len(source):
        ch = source[i]
        if ch == "\\" and i + 1 < len(source):
            nxt = source[i + 1]
            if nxt.isdigit() and not in_class:
                raise ValueError("back-references (\\1) are not supported")
            out.append(_ASCII_BOUNDARY if nxt == "b" and not in_class else ch + nxt)
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if source[i + 1 : i + 2] == "]":  # "[]...]" — a literal ] first
                out.append("[]")
                i += 2
                continue
        elif ch == "(":
            rest = source[i + 1 : i + 4]
            if rest.startswith("?P"):
                raise ValueError("named groups are not supported; use (?:...)")
            if not rest.startswith("?"):
                out.append("(?:")
                i += 1
                continue
        elif ch.isascii() and ch.isupper():
            raise ValueError(f"capital letter {ch!r}: messages are lower-cased before matching")
        out.append(ch)
        i += 1
    return "".join(out)


def split_alternatives(source: str) -> list[str]:
    """``\\b(a|b|c)\\b`` → ``\\b(?:a)\\b``, ``\\b(?:b)\\b``…: each alternative on its own can often be
    filed as literal phrases (see :func:`strategies.matcher.literal_forms`), which is much faster."""
    if not (source.startswith("\\b(") and source.endswith(")\\b")):
        return [source]
    inner = source[3:-3]
    alternatives: list[str] = []
    depth = 0
    in_class = False
    current: list[str] = []
    i = 0
    while i < len(inner):
        ch = inner[i]
        if ch == "\\":
            current.append(inner[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:  # the group closed before the end: not one wrapped alternation
                return [source]
        elif ch == "|" and depth == 0:
            alternatives.append("".join(current))
            current = []
            i += 1
            continue
        current.append(ch)
        i += 1
    alternatives.append("".join(current))
    if depth != 0 or len(alternatives) < 2:
        return [source]
    return [f"\\b(?:{alt})\\b" for alt in alternatives]


def checked_regex(source: str, problems: list[str]) -> str:
    try:
        body = _regex(source)
        compiled = re.compile(body)
    except (ValueError, re.error) as exc:
        problems.append(f"bad regex {source!r}: {exc}")
        return ""
    if compiled.match(""):
        problems.append(f"regex {source!r} matches empty text")
    return body
