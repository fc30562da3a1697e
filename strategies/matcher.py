"""Fast matching of many rules at once: one Aho–Corasick pass per message.

Python's ``re`` tries the branches of an alternation one after another at every position, so one
pattern holding hundreds of phrases is slow, and it reports only the first branch that matches. Here
literal phrases go into an Aho–Corasick automaton (``pyahocorasick``, in C), which finds every
occurrence of every phrase, overlapping ones included, in one pass. A regular expression is filed in
the same automaton under the (up to two) characters it can begin with — worked out from the parsed
regex — and is only tried where those occur; a regex anchored with ``^`` is tried at the start only,
and the rare regex whose beginning cannot be told is run over the whole message.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

import ahocorasick

# The standard library's own regex parser: no public API, but stable across 3.11+ (named
# sre_parse/sre_constants before). Only used when a lexicon is loaded, never per message.
_p: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

T = TypeVar("T")
#: A character class wider than this is not enumerated (the regex is filed less finely instead).
MAX_CLASS = 400
#: A regex with more possible two-character beginnings than this is filed under one character.
MAX_STRINGS = 4000
#: A regex matching at most this many strings (each repeat at most this often) becomes phrases.
MAX_LITERALS = 300
MAX_REPEAT_EXPANDED = 4
_DIGITS = frozenset("0123456789")
_WORD: frozenset[str] = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_PAYLOAD = ""  # a trie node's key for what ends there (no character is the empty string)


def prefixes(pattern: str, length: int = 2) -> frozenset[str] | None:
    """The strings of up to ``length`` characters a match of ``pattern`` can begin with.

    Shorter strings mean a whole match can be that short. None when that cannot be told (``.``,
    negated or very wide classes, back-references) or the set would be too large to index.
    """
    try:
        found = _seq(_p.parse(pattern), length)
    except Exception:  # an exotic construct: the caller falls back to trying everywhere
        return None
    return None if found is None or "" in found else frozenset(found)


def _concat(left: set[str], right: set[str] | None, length: int) -> set[str] | None:
    if right is None:
        return None
    out = {a if len(a) >= length else (a + b)[:length] for a in left for b in right}
    return out if len(out) <= MAX_STRINGS else None


def _seq(seq: Iterable[tuple[Any, Any]], length: int) -> set[str] | None:
    out: set[str] | None = {""}
    for op, arg in seq:
        if out is None or all(len(s) >= length for s in out):
            break
        out = _concat(out, _item(op, arg, length), length)
    return out


def _item(op: Any, arg: Any, length: int) -> set[str] | None:
    if op is _c.LITERAL:
        return {chr(arg)}
    if op is _c.IN:
        return _class_chars(arg)
    if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
        return {""}  # zero-width: it only narrows what matches, so ignoring it over-approximates
    if op is _c.SUBPATTERN:
        return _seq(arg[-1], length)
    if op is _c.BRANCH:
        out: set[str] = set()
        for alt in arg[1]:
            found = _seq(alt, length)
            if found is None:
                return None
            out |= found
        return out
    if op in _REPEATS:
        low, high, sub = arg
        unit = _seq(sub, length)
        if unit is None:
            return None
        result: set[str] = {""} if low == 0 else set()
        current: set[str] | None = {""}
        for count in range(1, min(high, max(low, length + 1)) + 1):
            current = _concat(current or set(), unit, length)
            if current is None:
                return None
            if count >= low:
                result |= current
        return result
    return None


def _class_chars(items: Sequence[tuple[Any, Any]]) -> set[str] | None:
    out: set[str] = set()
    for op, arg in items:
        if op is _c.LITERAL:
            out.add(chr(arg))
        elif op is _c.RANGE and arg[1] - arg[0] < MAX_CLASS:
            out.update(chr(c) for c in range(arg[0], arg[1] + 1))
        elif op is _c.CATEGORY and arg is _c.CATEGORY_DIGIT:
            out |= _DIGITS
        else:
            return None
        if len(out) > MAX_CLASS:
            return None
    return out


_REPEATS = tuple(op for op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)) if op)


def literal_forms(pattern: str) -> tuple[list[str], bool, bool] | None:
    """Every string ``pattern`` matches, when that is a small finite set, with its word boundaries.

    ``(能|可以)便宜(一)?点`` → four phrases. A leading ``(?<![a-z0-9])`` (or ``\\b``) and a trailing
    ``(?![a-z0-9])`` become boundary flags. None when the regex is not such a plain alternation
    (anchors, other lookarounds, open-ended repeats, wide classes).
    """
    try:
        seq = list(_p.parse(pattern))
    except Exception:
        return None
    left = bool(seq) and _is_boundary(*seq[0])
    right = len(seq) > 1 and _is_boundary(*seq[-1])
    body = seq[int(left) : len(seq) - int(right)]
    strings = _expand(body)
    if not strings or "" in strings:
        return None
    return sorted(strings, key=len, reverse=True), left, right


def _is_boundary(op: Any, arg: Any) -> bool:
    """A zero-width ASCII word boundary, as :mod:`strategies.lexicon` writes ``\\b``."""
    if op is _c.ASSERT_NOT:
        return (
            _class_chars(arg[1][0][1]) == set(_WORD) if len(arg[1]) == 1 and arg[1][0][0] is _c.IN else False
        )
    if op is _c.BRANCH:
        return all(len(alt) == 2 and all(o in (_c.ASSERT, _c.ASSERT_NOT) for o, _ in alt) for alt in arg[1])
    return False


def _expand(seq: Iterable[tuple[Any, Any]]) -> list[str] | None:
    out = [""]
    for op, arg in seq:
        options = _expand_item(op, arg)
        if options is None:
            return None
        out = [a + b for a in out for b in options]
        if len(out) > MAX_LITERALS:
            return None
    return out


def _expand_item(op: Any, arg: Any) -> list[str] | None:
    if op is _c.LITERAL:
        return [chr(arg)]
    if op is _c.IN:
        chars = _class_chars(arg)
        return sorted(chars) if chars is not None and len(chars) <= MAX_LITERALS else None
    if op is _c.SUBPATTERN:
        return _expand(arg[-1])
    if op is _c.BRANCH:
        out: list[str] = []
        for alt in arg[1]:
            found = _expand(alt)
            if found is None:
                return None
            out += found
        return out
    if op in _REPEATS and arg[1] <= MAX_REPEAT_EXPANDED:
        low, high, sub = arg
        unit = _expand(sub)
        if unit is None:
            return None
        result: list[str] = [""] if low == 0 else []
        current = [""]
        for count in range(1, high + 1):
            current = [a + b for a in current for b in unit]
            if count >= low:
                result += current
            if len(result) > MAX_LITERALS:
                return None
        return result
    return None


class Matcher(Generic[T]):
    """Finds every ``(key, start, end)`` where a key's phrase or regex matches.

    A key is reported at most once per start position, with its longest match there. Call
    :meth:`freeze` after the last ``add_…``; matching before that freezes implicitly.
    """

    def __init__(self) -> None:
        self._table: dict[str, list[tuple[Any, ...]]] = {}
        self._automaton: Any = None
        self._anchored: dict[str, list[tuple[T, re.Pattern[str]]]] = {}
        self._anywhere: list[tuple[T, re.Pattern[str]]] = []

    def add_phrase(self, key: T, phrase: str, left: bool | None = None, right: bool | None = None) -> None:
        """A literal phrase. ``left``/``right``: must it start/end at a word boundary? By default a
        phrase that starts or ends with a Latin letter or digit does (``hi`` never inside ``this``)."""
        if left is None:
            left = phrase[0] in _WORD
        if right is None:
            right = phrase[-1] in _WORD
        self._table.setdefault(phrase, []).append((key, len(phrase), left, right, None, None))
        self._automaton = None

    def add_regex(self, key: T, regex: str) -> None:
        """A regular expression: filed as phrases when it is a small finite alternation."""
        forms = literal_forms(regex)
        if forms is not None:
            strings, left, right = forms
            for string in strings:
                self.add_phrase(key, string, left, right)
            return
        compiled = re.compile(regex)
        head = _head(regex)
        begins = prefixes(regex, 2) or prefixes(regex, 1)
        if head is _ANCHORED:
            for first in {b[0] for b in begins} if begins else {""}:
                self._anchored.setdefault(first, []).append((key, compiled))
            return
        if begins is None:
            self._anywhere.append((key, compiled))
            return
        for begin in begins:
            self._table.setdefault(begin, []).append((key, len(begin), False, False, compiled, head))
        self._automaton = None

    def freeze(self) -> None:
        """Build the Aho–Corasick automaton over every phrase and regex beginning."""
        automaton = ahocorasick.Automaton()
        for string, payload in self._table.items():
            automaton.add_word(string, tuple(payload))
        if self._table:
            automaton.make_automaton()
        self._automaton = automaton

    def finditer(self, text: str) -> Iterator[tuple[T, int, int]]:
        """Matches in order of their start position (longest first at one position)."""
        if self._automaton is None:
            self.freeze()
        size = len(text)
        found: dict[tuple[T, int], int] = {}
        if size:
            for key, pattern in (*self._anchored.get(text[0], ()), *self._anchored.get("", ())):
                m = pattern.match(text)
                if m is not None and m.end() > 0 and m.end() > found.get((key, 0), 0):
                    found[(key, 0)] = m.end()
        if self._table:
            # The phrases and regex beginnings ending at each position; inlined (not a helper
            # function) because this loop runs a dozen times per message: ~15% of analysing one.
            get = found.get
            for last, payload in self._automaton.iter(text):
                end = last + 1
                for key, length, left, right, pattern, head in payload:
                    start = end - length
                    if pattern is None:
                        if left and start > 0 and text[start - 1] in _WORD:
                            continue
                        if right and end < size and text[end] in _WORD:
                            continue
                        stop = end
                    else:
                        if head is not None and start > 0 and text[start - 1] in head:
                            continue
                        m = pattern.match(text, start)
                        if m is None or m.end() == start:
                            continue
                        stop = m.end()
                    if stop > get((key, start), -1):
                        found[(key, start)] = stop
        for key, pattern in self._anywhere:
            for m in pattern.finditer(text):
                if m.end() > m.start() and m.end() > found.get((key, m.start()), -1):
                    found[(key, m.start())] = m.end()
        for (key, start), stop in sorted(found.items(), key=lambda item: (item[0][1], -item[1])):
            yield key, start, stop


_ANCHORED: frozenset[str] = frozenset({"^"})


def _head(regex: str) -> frozenset[str] | None:
    """How a regex begins, to skip hopeless tries: :data:`_ANCHORED` for ``^…`` (only position 0);
    else the characters that must not come right before a match — a lookbehind's class, an ASCII
    word boundary, or the class of a leading ``[0-9]+`` (a run is tried at its start only)."""
    try:
        seq = list(_p.parse(regex))
    except Exception:
        return None
    if not seq:
        return None
    op, arg = seq[0]
    if op is _c.AT:
        return _ANCHORED if arg is _c.AT_BEGINNING else None
    if op is _c.ASSERT_NOT and arg[0] == -1 and len(arg[1]) == 1 and arg[1][0][0] is _c.IN:
        chars = _class_chars(arg[1][0][1])
        return frozenset(chars) if chars else None
    if op is _c.BRANCH and _is_boundary(op, arg):
        return _WORD
    if op in _REPEATS and arg[0] >= 1 and arg[1] == _c.MAXREPEAT and len(arg[2]) == 1:
        sub_op, sub_arg = arg[2][0]
        if sub_op is _c.IN:
            chars = _class_chars(sub_arg)
            return frozenset(chars) if chars else None
        if sub_op is _c.LITERAL:
            return frozenset({chr(sub_arg)})
    return None
