"""The lexicon: the analyser's rules as validated data (``strategies/data/lexicon.yaml``).

A rule says "these words are evidence for this label of this dimension, this strongly"::

    rules:
      - id: bargain.cheaper            # short, unique; shown to agents as the reason for a decision
        dimension: intents             # intents, concerns, motives, mood, behavior, personality…
        label: bargain                 # an id of that dimension (DESIGN.md §3)
        weight: 1.0                    # how strong the evidence is (0 < weight ≤ 5)
        phrases: [便宜点, 少点]          # literal phrases (Simplified or Traditional, any width, any case)
        regex: ['能不能?(再)?便宜']      # regular expressions, written in Simplified and lower case
        exclude: ['不用便宜']            # a match overlapping one of these is ignored (negations)
        lang: zh                       # optional: only for zh (Simplified or Traditional) or en messages

    derive:                            # evidence that implies other evidence, with a factor
      - {from: intents.bargain, to: behavior.bargainer, factor: 1.0}

Messages are normalised first (:mod:`strategies.normalize`), so rules see Simplified Chinese, half-width
punctuation and lower-case Latin. In a regex ``\\b`` is an ASCII word boundary (a Chinese character next
to a Latin word counts as a boundary); literal phrases that start or end with a Latin letter or digit get
those boundaries automatically, so ``hi`` never matches inside ``this``.

For speed all rules are matched in one pass over the message (:mod:`strategies.matcher`): phrases
through a character trie, regexes only where the characters they begin with occur. A shop may
replace the whole file through the overlay folder (see :mod:`strategies.datafiles`). A broken file fails
at load time with :class:`DataFileError` naming the file, the rule and the problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from strategies import taxonomy
from strategies.datafiles import data_files, read_yaml, require
from strategies.errors import DataFileError, problems_from
from strategies.matcher import Matcher
from strategies.models import Lang
from strategies.rulesyntax import checked_regex, phrase, split_alternatives

FILE = "lexicon.yaml"
#: Dimensions a rule may give evidence for, in the order they are scanned.
RULE_DIMENSIONS: tuple[str, ...] = (
    "intents",
    "concerns",
    "motives",
    "mood",
    "behavior",
    "personality",
    "shopper",
)
#: Facts the normaliser counts that the ``features`` section may weigh (see :mod:`strategies.normalize`).
FEATURES: tuple[str, ...] = ("exclaim_run", "question_run", "dot_run", "caps_word", "emoji")
#: How far around a match an exclusion may reach (characters): 不贵 must see the 不 before 贵.
EXCLUDE_WINDOW = 12
MAX_WEIGHT = 5.0
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RuleEntry(_Strict):
    """One rule as written in the file (see the module docstring)."""

    id: str
    dimension: str
    label: str
    weight: float = Field(gt=0.0, le=MAX_WEIGHT)
    phrases: list[str] = Field(default_factory=list)
    regex: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    lang: Literal["zh", "en"] | None = None


class DeriveEntry(_Strict):
    """Evidence for ``from`` (``dimension.label``) is also evidence for ``to``, times ``factor``."""

    source: str = Field(alias="from")
    target: str = Field(alias="to")
    factor: float = Field(gt=0.0, le=MAX_WEIGHT)


class FeatureTarget(_Strict):
    """What one occurrence of a counted feature (``!!!``, an emoji…) is evidence for."""

    dimension: str
    label: str
    weight: float = Field(gt=0.0, le=MAX_WEIGHT)


class LexiconFile(_Strict):
    rules: list[RuleEntry] = Field(min_length=1)
    derive: list[DeriveEntry] = Field(default_factory=list)
    features: dict[str, list[FeatureTarget]] = Field(default_factory=dict)


@dataclass(frozen=True, slots=True, eq=False)
class Rule:
    """A compiled rule: what a match is evidence for, and the negations that cancel it."""

    id: str
    dimension: str
    label: str
    weight: float
    lang: Literal["zh", "en"] | None
    exclude: re.Pattern[str] | None

    def applies_to(self, lang: Lang) -> bool:
        return self.lang is None or (self.lang == "en") == (lang == "en")


class Hit(NamedTuple):
    """One rule matching one span of the normalised text."""

    rule: Rule
    start: int
    end: int


@dataclass(frozen=True)
class Lexicon:
    """Validated, compiled rules. Build with :func:`load_lexicon` or :func:`builtin_lexicon`."""

    rules: tuple[Rule, ...]
    matcher: Matcher[Rule]
    #: (dimension, label) → [(dimension, label, factor)] implied by it.
    derived: dict[tuple[str, str], tuple[tuple[str, str, float], ...]]
    #: Feature name → [(dimension, label, weight per occurrence)].
    features: dict[str, tuple[tuple[str, str, float], ...]]
    source: str = ""

    def scan(self, text: str, lang: Lang) -> Iterator[Hit]:
        """Every rule match in ``text`` (normalised), minus excluded ones and repeats of a rule."""
        last_end: dict[str, int] = {}
        for rule, start, end in self.matcher.finditer(text):
            if start < last_end.get(rule.id, -1) or not rule.applies_to(lang):
                continue
            if rule.exclude is not None and _excluded(rule.exclude, text, start, end):
                continue
            last_end[rule.id] = end
            yield Hit(rule, start, end)


def _excluded(pattern: re.Pattern[str], text: str, start: int, end: int) -> bool:
    lo = max(0, start - EXCLUDE_WINDOW)
    hi = min(len(text), end + EXCLUDE_WINDOW)
    return any(x.start() < end and x.end() > start for x in pattern.finditer(text, lo, hi))


def _compile_entry(entry: RuleEntry) -> tuple[list[str], list[str], Rule]:
    """The rule's phrases, its regexes (ready to compile) and its compiled form.

    Raises ValueError naming every problem found.
    """
    problems: list[str] = []
    if not _ID.match(entry.id):
        problems.append("id must be lower-case letters, digits, '.', '_' or '-'")
    if entry.dimension not in RULE_DIMENSIONS:
        problems.append(f"unknown dimension {entry.dimension!r} (one of: {', '.join(RULE_DIMENSIONS)})")
    elif entry.label not in taxonomy.ids_of(entry.dimension):
        known = ", ".join(taxonomy.ids_of(entry.dimension))
        problems.append(f"unknown label {entry.label!r} for {entry.dimension} (one of: {known})")
    if not entry.phrases and not entry.regex:
        problems.append("needs at least one phrase or regex")
    if any(not phrase.strip() for phrase in entry.phrases):
        problems.append("empty phrase")
    phrases = [phrase(p) for p in entry.phrases if p.strip()]
    regexes = [checked_regex(part, problems) for source in entry.regex for part in split_alternatives(source)]
    excludes = [checked_regex(source, problems) for source in entry.exclude]
    if problems:
        raise ValueError("; ".join(problems))
    exclude = re.compile("|".join(excludes)) if excludes else None
    rule = Rule(entry.id, entry.dimension, entry.label, entry.weight, entry.lang, exclude)
    return phrases, regexes, rule


def _derivations(
    entries: list[DeriveEntry], path: Path
) -> dict[tuple[str, str], tuple[tuple[str, str, float], ...]]:
    out: dict[tuple[str, str], list[tuple[str, str, float]]] = {}
    problems: list[tuple[str, str]] = []
    for i, entry in enumerate(entries):
        ends = []
        for side, ref in (("from", entry.source), ("to", entry.target)):
            dim, _, label = ref.partition(".")
            if dim not in RULE_DIMENSIONS or label not in taxonomy.ids_of(dim):
                problems.append((f"derive.{i}.{side}", f"unknown dimension.label {ref!r}"))
            ends.append((dim, label))
        if ends[0] == ends[1]:
            problems.append((f"derive.{i}", "derives a label from itself"))
        out.setdefault(ends[0], []).append((*ends[1], entry.factor))
    if problems:
        raise DataFileError(path, problems)
    return {k: tuple(v) for k, v in out.items()}


def _features(
    entries: dict[str, list[FeatureTarget]], path: Path
) -> dict[str, tuple[tuple[str, str, float], ...]]:
    problems: list[tuple[str, str]] = []
    out: dict[str, tuple[tuple[str, str, float], ...]] = {}
    for name, targets in entries.items():
        if name not in FEATURES:
            problems.append((f"features.{name}", f"unknown feature (one of: {', '.join(FEATURES)})"))
            continue
        for i, t in enumerate(targets):
            if t.dimension not in RULE_DIMENSIONS or t.label not in taxonomy.ids_of(t.dimension):
                problems.append((f"features.{name}.{i}", f"unknown dimension.label {t.dimension}.{t.label}"))
        out[name] = tuple((t.dimension, t.label, t.weight) for t in targets)
    if problems:
        raise DataFileError(path, problems)
    return out


def parse_lexicon(data: object, path: Path | str = FILE) -> Lexicon:
    """Validate and compile already-parsed lexicon data (``path`` is used in error messages)."""
    path = Path(path)
    if data is None:
        raise DataFileError(path, [("", "file is empty")])
    try:
        parsed = LexiconFile.model_validate(data)
    except ValidationError as exc:
        raise DataFileError(path, _named(problems_from(exc), data)) from None
    problems: list[tuple[str, str]] = []
    matcher: Matcher[Rule] = Matcher()
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, entry in enumerate(parsed.rules):
        where = f"rules.{i} ({entry.id})"
        if entry.id in seen:
            problems.append((where, f"duplicate id {entry.id!r}"))
            continue
        seen.add(entry.id)
        try:
            phrases, regexes, rule = _compile_entry(entry)
        except ValueError as exc:
            problems.append((where, str(exc)))
            continue
        for literal in phrases:
            matcher.add_phrase(rule, literal)
        for regex in regexes:
            matcher.add_regex(rule, regex)
        rules.append(rule)
    if problems:
        raise DataFileError(path, problems)
    derived = _derivations(parsed.derive, path)
    features = _features(parsed.features, path)
    matcher.freeze()
    return Lexicon(tuple(rules), matcher, derived, features, source=str(path))


def _named(problems: list[tuple[str, str]], data: object) -> list[tuple[str, str]]:
    """Add the rule id to ``rules.N…`` entries so the message names the rule, not just its index."""
    rules = data.get("rules") if isinstance(data, dict) else None
    out = []
    for entry, problem in problems:
        parts = entry.split(".")
        if parts[0] == "rules" and len(parts) > 1 and parts[1].isdigit() and isinstance(rules, list):
            i = int(parts[1])
            rid = rules[i].get("id") if i < len(rules) and isinstance(rules[i], dict) else None
            if rid:
                entry = f"rules.{i} ({rid})" + "".join("." + p for p in parts[2:])
        out.append((entry, problem))
    return out


def load_lexicon(overlay: Path | None = None) -> Lexicon:
    """Load the lexicon (a shop's ``lexicon.yaml`` in ``overlay`` replaces the built-in one)."""
    path = require(data_files(overlay, FILE), FILE)
    return parse_lexicon(read_yaml(path), path)


@cache
def builtin_lexicon() -> Lexicon:
    """The built-in lexicon, loaded once per process."""
    return load_lexicon()
