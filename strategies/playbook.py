"""The playbook: type descriptions, domain techniques and ready-made replies, loaded from YAML and validated.

Files (all under ``strategies/data``, each replaceable by a shop, see :mod:`strategies.datafiles`):

``types.yaml``
    ``dimensions:`` a display name per dimension; then, per dimension of DESIGN.md §3 (``behavior``,
    ``personality``, ``shopper``, ``value``, ``mood``, ``concerns``, ``motives``), one entry per id with
    ``name``, ``summary``, ``traits``, ``tone``, ``do`` and ``dont``.
``knowledge.yaml``
    The material's techniques: the nine needs, the worries and their answers, the three ways to answer
    haggling, the six steps that calm a complaint, how to treat dissatisfied / hesitant / angry
    customers, after-sales habits, keeping customers from drifting away, the service strategies.
``situations.yaml``
    Per message intent: a display name and the keywords an agent may type to ask for its replies
    (``/reply 讲价``); per placeholder: the words used when its value is unknown.
``replies/*.yaml``
    ``replies:`` a list of ready-made replies keyed by intent and/or concern, the moods they suit, and
    optionally the customer types they are written for and the ``cues``: words that show a message
    asks exactly what the reply answers (``现货``, ``in stock``), so it is offered first for that message.

Every text is given in ``zh-Hans`` and ``en``; ``zh-Hant`` may be written out, otherwise it is derived
from ``zh-Hans`` with OpenCC.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from strategies import taxonomy
from strategies.datafiles import data_files, read_yaml, require
from strategies.errors import DataFileError, problems_from
from strategies.models import Lang
from strategies.normalize import normalize
from strategies.textconv import release_phrase_converter, to_simplified, to_traditional

#: Placeholders a reply may use, and the longest value each is given when checking the 256-char limit.
PLACEHOLDERS: dict[str, int] = {
    "customer": 20,
    "shop": 30,
    "product": 30,
    "currency": 3,
    "free_shipping": 6,
    "return_days": 3,
    "dispatch_hours": 3,
}
REPLY_LIMIT = 256
#: Longest cue of a reply, in characters: a cue is a word or a short phrase, not a sentence.
CUE_LIMIT = 20
NEED_IDS = (
    "security",
    "order",
    "timeliness",
    "recognition",
    "welcome",
    "understanding",
    "help",
    "importance",
    "respect",
)
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class LocalText(_Strict):
    """One text in the three interface languages."""

    zh_hans: str = Field(alias="zh-Hans", min_length=1)
    zh_hant: str = Field(alias="zh-Hant", min_length=1)
    en: str = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _derive_traditional(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("zh-Hant") and isinstance(data.get("zh-Hans"), str):
            data = {**data, "zh-Hant": to_traditional(data["zh-Hans"])}
        return data

    def get(self, lang: Lang) -> str:
        """The text in ``lang``."""
        if lang == "en":
            return self.en
        return self.zh_hant if lang == "zh-Hant" else self.zh_hans

    def all(self) -> tuple[str, str, str]:
        return (self.zh_hans, self.zh_hant, self.en)


class TypeEntry(_Strict):
    """How to recognise and treat one type (e.g. behavior ``bargainer``).

    ``aliases`` are other words an agent may type to find it (``回头客`` for ``captive``); Traditional
    forms of Chinese aliases are matched too.
    """

    name: LocalText
    aliases: list[str] = Field(default_factory=list)
    summary: LocalText
    traits: list[LocalText] = Field(min_length=1)
    tone: LocalText
    do: list[LocalText] = Field(min_length=1)
    dont: list[LocalText] = Field(min_length=1)


class TypesFile(_Strict):
    dimensions: dict[str, LocalText]
    behavior: dict[str, TypeEntry]
    personality: dict[str, TypeEntry]
    shopper: dict[str, TypeEntry]
    value: dict[str, TypeEntry]
    mood: dict[str, TypeEntry]
    concerns: dict[str, TypeEntry]
    motives: dict[str, TypeEntry]

    @model_validator(mode="after")
    def _complete(self) -> TypesFile:
        problems = _exact_keys("dimensions", self.dimensions, taxonomy.DIMENSIONS)
        for dim in taxonomy.DIMENSIONS:
            problems += _exact_keys(dim, getattr(self, dim), taxonomy.ids_of(dim))
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Technique(_Strict):
    """A named step or habit from the training material, in the product's own words."""

    id: str
    name: LocalText
    how: LocalText


class Worry(_Strict):
    """One of the buyer's worries, the question behind it and how to answer it."""

    question: LocalText
    answer: LocalText
    tactics: list[LocalText] = Field(min_length=1)


class KnowledgeFile(_Strict):
    needs: list[Technique]
    worries: dict[str, Worry]
    haggling: list[Technique] = Field(min_length=3, max_length=3)
    complaint_steps: list[Technique] = Field(min_length=6, max_length=6)
    difficult: dict[str, list[Technique]]
    after_sales: list[Technique] = Field(min_length=5)
    retention: list[Technique] = Field(min_length=1)
    service_strategies: list[Technique] = Field(min_length=4)

    @field_validator("needs")
    @classmethod
    def _nine_needs(cls, needs: list[Technique]) -> list[Technique]:
        ids = tuple(n.id for n in needs)
        if ids != NEED_IDS:
            raise ValueError(
                f"the nine needs must be, in order: {', '.join(NEED_IDS)} (got {', '.join(ids)})"
            )
        return needs

    @model_validator(mode="after")
    def _complete(self) -> KnowledgeFile:
        problems = _exact_keys("worries", self.worries, taxonomy.CONCERNS)
        problems += _exact_keys("difficult", self.difficult, ("dissatisfied", "hesitant", "angry"))
        for mood, steps in self.difficult.items():
            if len(steps) < 3:
                problems.append(f"difficult.{mood}: needs at least 3 steps")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class Situation(_Strict):
    """A message intent as an agent names it: display name and lookup keywords."""

    name: LocalText
    keywords: list[str] = Field(default_factory=list)


class SituationsFile(_Strict):
    intents: dict[str, Situation]
    placeholders: dict[str, LocalText]

    @model_validator(mode="after")
    def _complete(self) -> SituationsFile:
        problems = _exact_keys("intents", self.intents, taxonomy.INTENTS)
        missing = [p for p in ("customer", "product") if p not in self.placeholders]
        unknown = [p for p in self.placeholders if p not in PLACEHOLDERS]
        if missing:
            problems.append(f"placeholders: missing default for {', '.join(missing)}")
        if unknown:
            problems.append(f"placeholders: unknown placeholder {', '.join(unknown)}")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class ReplyTemplate(_Strict):
    """A ready-made reply before its placeholders are filled.

    It answers an ``intent`` and/or a ``concern``; ``moods`` lists the moods it suits (an angry
    customer only ever gets replies written for ``angry``). ``behavior``/``personality``/``shopper``
    name the customer types it was written for: it ranks first for them and is not offered to the
    other types of that dimension. ``cues`` are the words of a message it answers precisely (kept
    normalised as messages are: Simplified, lower-case, half-width); a reply with cues is preferred
    when one of them is in the message and passed over for a general one when none is.
    """

    id: str
    intent: str | None = None
    concern: str | None = None
    moods: list[str] = Field(min_length=1)
    behavior: list[str] = Field(default_factory=list)
    personality: list[str] = Field(default_factory=list)
    shopper: list[str] = Field(default_factory=list)
    cues: list[str] = Field(default_factory=list)
    text: LocalText

    @field_validator("cues")
    @classmethod
    def _normalised_cues(cls, cues: list[str]) -> list[str]:
        out = []
        for cue in cues:
            text = normalize(cue).text.strip()
            if not text:
                raise ValueError(f"cue {cue!r} is empty once normalised; write a word of the message")
            if len(text) > CUE_LIMIT:
                raise ValueError(f"cue {cue!r} is longer than {CUE_LIMIT} characters; cues are words")
            out.append(text)
        return out

    @cached_property
    def cue_pattern(self) -> re.Pattern[str] | None:
        """Matches a normalised message holding one of the cues; None when the reply has none."""
        if not self.cues:
            return None
        # An English cue starts a word: "fit" is not in "outfit".
        parts = [
            ("(?<![a-z])" if cue[0].isascii() and cue[0].isalpha() else "") + re.escape(cue)
            for cue in sorted(self.cues, key=len, reverse=True)
        ]
        return re.compile("|".join(parts))

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError("id must be lower-case letters, digits, '.', '_' or '-'")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ReplyTemplate:
        problems: list[str] = []
        if self.intent is None and self.concern is None:
            problems.append("needs an intent or a concern")
        if self.intent is not None and self.intent not in taxonomy.INTENTS:
            problems.append(f"unknown intent {self.intent!r}")
        if self.concern is not None and self.concern not in taxonomy.CONCERNS:
            problems.append(f"unknown concern {self.concern!r}")
        for dim in ("moods", "behavior", "personality", "shopper"):
            ids = taxonomy.MOOD if dim == "moods" else taxonomy.ids_of(dim)
            bad = [v for v in getattr(self, dim) if v not in ids]
            if bad:
                problems.append(f"{dim}: unknown id {', '.join(bad)}")
        for lang, text in zip(("zh-Hans", "zh-Hant", "en"), self.text.all(), strict=True):
            problems += [f"text.{lang}: {p}" for p in _template_problems(text)]
        if problems:
            raise ValueError("; ".join(problems))
        return self


class RepliesFile(_Strict):
    replies: list[ReplyTemplate]


@dataclass(frozen=True)
class Playbook:
    """Everything the advice needs, validated. Build it with :func:`load_playbook`."""

    dimensions: dict[str, LocalText]
    types: dict[str, dict[str, TypeEntry]]
    knowledge: KnowledgeFile
    situations: dict[str, Situation]
    placeholder_defaults: dict[str, LocalText]
    replies: tuple[ReplyTemplate, ...]
    sources: tuple[str, ...] = field(default=())

    @cached_property
    def replies_by_topic(self) -> dict[tuple[str, str], tuple[ReplyTemplate, ...]]:
        """(topic, mood) → the replies written for it; a topic is ``intent:<id>`` or ``concern:<id>``.

        Built once, so choosing replies for a message looks at a handful of templates, not all of them.
        """
        index: dict[tuple[str, str], list[ReplyTemplate]] = {}
        for template in self.replies:
            topics = [f"intent:{template.intent}"] if template.intent else []
            topics += [f"concern:{template.concern}"] if template.concern else []
            for topic in topics:
                for mood in template.moods:
                    index.setdefault((topic, mood), []).append(template)
        return {key: tuple(templates) for key, templates in index.items()}

    def type_entry(self, dimension: str, label: str) -> TypeEntry | None:
        """The entry of a type, or None for ``none`` / unknown ids."""
        return self.types.get(dimension, {}).get(label)

    def type_name(self, dimension: str, label: str, lang: Lang) -> str:
        """A type's display name in ``lang``; the id itself when there is no entry (``none``)."""
        entry = self.type_entry(dimension, label)
        return entry.name.get(lang) if entry else label

    def find_types(self, query: str) -> list[tuple[str, str]]:
        """(dimension, id) pairs whose id, name or alias equals ``query`` (case-insensitive, 型 optional)."""
        # Aliases are written in Simplified: a Traditional query is compared in Simplified too.
        q = to_simplified(query.strip().casefold())
        found: list[tuple[str, str]] = []
        for dim, entries in self.types.items():
            for label, entry in entries.items():
                names = {label.casefold(), *(n.casefold() for n in (*entry.name.all(), *entry.aliases))}
                names = {to_simplified(n) for n in names}
                names |= {n.removesuffix("型") for n in names}
                if q in names or q.removesuffix("型") in names:
                    found.append((dim, label))
        return found

    def cued(self, text: str) -> list[ReplyTemplate]:
        """The replies one of whose cues is in ``text`` (a message, or what an agent typed after /reply)."""
        normalized = normalize(text).text
        return [t for t in self.replies if t.cue_pattern is not None and t.cue_pattern.search(normalized)]

    def find_situation(self, query: str) -> str | None:
        """The intent an agent means by ``query`` (an id, a name or a keyword), or None."""
        q = query.strip().casefold()
        if q in self.situations:
            return q
        for intent, sit in self.situations.items():
            if q in (n.casefold() for n in sit.name.all()) or q in (k.casefold() for k in sit.keywords):
                return intent
        for intent, sit in self.situations.items():
            if any(q and (q in k.casefold() or k.casefold() in q) for k in sit.keywords):
                return intent
        return None


def _exact_keys(where: str, got: dict[str, Any], want: Iterable[str]) -> list[str]:
    wanted = tuple(want)
    problems = []
    missing = [k for k in wanted if k not in got]
    extra = [k for k in got if k not in wanted]
    if missing:
        problems.append(f"{where}: missing {', '.join(missing)}")
    if extra:
        problems.append(f"{where}: unknown id {', '.join(extra)}")
    return problems


def _template_problems(text: str) -> list[str]:
    problems: list[str] = []
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
    except ValueError as exc:
        return [f"bad braces ({exc}); write placeholders as {{customer}}"]
    unknown = sorted({f for f in fields if f not in PLACEHOLDERS})
    if unknown:
        problems.append(f"unknown placeholder {', '.join('{' + u + '}' for u in unknown)}")
        return problems
    longest = text.format_map({k: "x" * n for k, n in PLACEHOLDERS.items()})
    if len(longest) > REPLY_LIMIT:
        problems.append(
            f"too long: {len(longest)} characters with long names filled in (limit {REPLY_LIMIT})"
        )
    return problems


def _validate(model: type[BaseModel], path: Path, data: Any) -> Any:
    if data is None:
        raise DataFileError(path, [("", "file is empty")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise DataFileError(
            path, [(_with_id(entry, data), problem) for entry, problem in problems_from(exc)]
        ) from None


def _with_id(entry: str, data: Any) -> str:
    """``replies.3`` → ``replies.3 (bargain.fair-price)``: a shop finds its entry by id, not by count."""
    parts = entry.split(".")
    if len(parts) >= 2 and parts[0] == "replies" and parts[1].isdigit() and isinstance(data, dict):
        items = data.get("replies")
        index = int(parts[1])
        if (
            isinstance(items, list)
            and index < len(items)
            and isinstance(items[index], dict)
            and "id" in items[index]
        ):
            parts[1] = f"{parts[1]} ({items[index]['id']})"
    return ".".join(parts)


def load_playbook(overlay: Path | None = None) -> Playbook:
    """Load and validate the playbook (built-ins, with ``overlay``'s files replacing them).

    Raises :class:`DataFileError` naming the file, the entry and the problem.
    """
    files = data_files(overlay)
    types_path = require(files, "types.yaml")
    types = _validate(TypesFile, types_path, read_yaml(types_path))
    knowledge_path = require(files, "knowledge.yaml")
    knowledge = _validate(KnowledgeFile, knowledge_path, read_yaml(knowledge_path))
    situations_path = require(files, "situations.yaml")
    situations = _validate(SituationsFile, situations_path, read_yaml(situations_path))

    replies: list[ReplyTemplate] = []
    seen: dict[str, Path] = {}
    reply_paths = [p for name, p in files.items() if name.startswith("replies/")]
    if not reply_paths:
        raise DataFileError(types_path.parent / "replies", [("", "no reply files found")])
    for path in reply_paths:
        parsed = _validate(RepliesFile, path, read_yaml(path))
        for i, reply in enumerate(parsed.replies):
            if reply.id in seen:
                raise DataFileError(
                    path, [(f"replies.{i}.id", f"duplicate id {reply.id!r} (also in {seen[reply.id]})")]
                )
            seen[reply.id] = path
            replies.append(reply)
    # The zh-Hant texts are derived by now; the phrase dictionaries (~43 MB) are not needed at run time.
    release_phrase_converter()
    return Playbook(
        dimensions=types.dimensions,
        types={dim: getattr(types, dim) for dim in taxonomy.DIMENSIONS},
        knowledge=knowledge,
        situations=situations.intents,
        placeholder_defaults=situations.placeholders,
        replies=tuple(replies),
        sources=tuple(str(p) for p in files.values()),
    )
