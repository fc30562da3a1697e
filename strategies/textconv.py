"""Simplified ↔ Traditional Chinese conversion with OpenCC.

Two costs shape this module. Traditional → Simplified (every message) needs OpenCC's small
``tw2s`` dictionaries (~3 MB), kept for the life of the process. Simplified → Traditional with
phrase-level accuracy (``s2tw``: 头发 → 頭髮, not 頭發) needs the large phrase dictionaries (~43 MB
resident): it is only wanted while the playbook's zh-Hant texts are derived at load time, so that
converter can be released afterwards (:func:`release_phrase_converter`). Telling a Simplified message
from a Traditional one needs no phrases at all: a character-level converter (~1 MB) does it.
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import cache
from pathlib import Path

import opencc

#: A Simplified → Traditional (Taiwan forms) converter by single characters, for telling scripts apart.
_CHARACTER_CHAIN = ("STCharacters.ocd2", "TWVariants.ocd2")


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


@cache
def _phrase_converter() -> opencc.OpenCC:
    return opencc.OpenCC("s2tw")


@cache
def _character_converter() -> opencc.OpenCC:
    share = Path(opencc.__file__).parent / "clib" / "share" / "opencc"
    files = [share / name for name in _CHARACTER_CHAIN]
    if not all(f.is_file() for f in files):  # an OpenCC laid out differently: the full converter works too
        return _phrase_converter()
    config = {
        "name": "Simplified to Traditional by characters (Taiwan forms)",
        "segmentation": {"type": "mmseg", "dict": {"type": "ocd2", "file": str(files[0])}},
        "conversion_chain": [{"dict": {"type": "ocd2", "file": str(f)}} for f in files],
    }
    try:
        fd, path = tempfile.mkstemp(suffix=".json", prefix="zhiyin-opencc-")
    except OSError:  # no writable temporary directory: the full converter gives the same answer
        return _phrase_converter()
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(config, fh)
        converter = opencc.OpenCC(path)
        converter.convert("简")  # dictionaries are read here; the file is not needed afterwards
        return converter
    finally:
        os.unlink(path)


def to_simplified(text: str) -> str:
    """Traditional (any region) → Simplified Chinese. Other scripts pass through unchanged.

    ``tw2s`` rather than ``t2s``: it also knows the Taiwanese variant forms (著急 → 着急, 裡 → 里), and
    for Hong Kong and standard Traditional it gives the same result. It would also turn the Simplified
    question particle 么 (在么, 是么) into 幺, so that one is put back.
    """
    if text.isascii():  # English: nothing for OpenCC to do, and the call is most of normalising it
        return text
    return str(_converter("tw2s").convert(text)).replace("幺", "么")


def to_traditional(text: str) -> str:
    """Simplified → Traditional Chinese with Taiwan's standard character forms.

    OpenCC's plain ``s2t`` yields forms like 爲/着/裏 that Taiwan and Hong Kong readers see as odd;
    ``s2tw`` gives 為/著/裡. Characters are chosen by the phrase they sit in (头发 → 頭髮, 发货 → 發貨);
    vocabulary is left alone (no 软件 → 軟體), so texts stay neutral. Loads ~43 MB of dictionaries on
    first use: call :func:`release_phrase_converter` when done.
    """
    return str(_phrase_converter().convert(text))


def release_phrase_converter() -> None:
    """Drop the phrase dictionaries :func:`to_traditional` loaded; the next call loads them again."""
    _phrase_converter.cache_clear()


def to_traditional_characters(text: str) -> str:
    """Simplified → Traditional character by character: enough to see which script a text is in."""
    return str(_character_converter().convert(text))
