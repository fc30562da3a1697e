"""Interface texts (whispers, commands, errors) in zh-Hans, zh-Hant and en, from ``bot/locales/ui.yaml``.

Each entry is ``key: {zh-Hans: …, en: …}`` (``zh-Hant`` derived with OpenCC when omitted), with
``{name}`` fields filled by :meth:`Texts.get`. The file is validated at start-up: every entry needs both
languages and every language the same ``{fields}``, so a translation can't drop a value.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from strategies.datafiles import read_yaml
from strategies.errors import DataFileError, problems_from
from strategies.models import LANGS, Lang
from strategies.playbook import LocalText
from strategies.textconv import release_phrase_converter

UI_FILE = Path(__file__).resolve().parent / "locales" / "ui.yaml"


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


class Texts:
    """The validated interface texts."""

    def __init__(self, entries: dict[str, LocalText]) -> None:
        self._entries = entries

    def get(self, key: str, lang: Lang, /, **values: Any) -> str:
        """The text ``key`` in ``lang`` with ``values`` filled in (missing keys are a programming error)."""
        text = self._entries[key].get(lang)
        return text.format(**values) if values else text

    def template(self, key: str, lang: Lang) -> str:
        """The raw text with its ``{fields}`` unfilled (for callers that format the values themselves)."""
        return self._entries[key].get(lang)

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def keys(self) -> set[str]:
        return set(self._entries)

    def all_langs(self, key: str) -> tuple[str, ...]:
        return self._entries[key].all()


def load_texts(path: Path = UI_FILE) -> Texts:
    """Load and check the interface texts; raise :class:`DataFileError` naming the entry."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise DataFileError(path, [("", "expected a mapping of text keys")])
    entries: dict[str, LocalText] = {}
    problems: list[tuple[str, str]] = []
    for key, value in data.items():
        try:
            entry = LocalText.model_validate(value)
        except ValidationError as exc:
            problems += problems_from(exc, prefix=str(key))
            continue
        by_lang = [_fields(t) for t in entry.all()]
        if any(f != by_lang[0] for f in by_lang):
            problems.append(
                (str(key), f"placeholders differ between languages: {[sorted(f) for f in by_lang]}")
            )
        entries[str(key)] = entry
    release_phrase_converter()  # zh-Hant texts are derived; the phrase dictionaries are not needed now
    if problems:
        raise DataFileError(path, problems)
    return Texts(entries)


@cache
def texts() -> Texts:
    """The built-in interface texts, loaded once."""
    return load_texts()


def parse_lang(value: str | None) -> Lang | None:
    """``zh-Hans``/``zh-Hant``/``en`` from what a user typed (``zh``, ``zh-cn``, ``zh-tw``, ``EN`` …)."""
    if not value:
        return None
    v = value.strip().lower().replace("_", "-")
    aliases: dict[str, Lang] = {
        "zh": "zh-Hans",
        "zh-hans": "zh-Hans",
        "zh-cn": "zh-Hans",
        "zh-sg": "zh-Hans",
        "cn": "zh-Hans",
        "简体": "zh-Hans",
        "zh-hant": "zh-Hant",
        "zh-tw": "zh-Hant",
        "zh-hk": "zh-Hant",
        "zh-mo": "zh-Hant",
        "繁體": "zh-Hant",
        "繁体": "zh-Hant",
        "en": "en",
        "english": "en",
    }
    if v in aliases:
        return aliases[v]
    for lang in LANGS:
        if v.startswith(lang.lower()):
            return lang
    if v.startswith("en-"):
        return "en"
    return None
