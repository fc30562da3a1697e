"""Simplified ↔ Traditional Chinese conversion with OpenCC, built once per process."""

from __future__ import annotations

from functools import cache

import opencc


@cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """Traditional (any region) → Simplified Chinese. Other scripts pass through unchanged.

    ``tw2s`` rather than ``t2s``: it also knows the Taiwanese variant forms (著急 → 着急, 裡 → 里), and
    for Hong Kong and standard Traditional it gives the same result. It would also turn the Simplified
    question particle 么 (在么, 是么) into 幺, so that one is put back.
    """
    return str(_converter("tw2s").convert(text)).replace("幺", "么")


def to_traditional(text: str) -> str:
    """Simplified → Traditional Chinese with Taiwan's standard character forms.

    OpenCC's plain ``s2t`` yields forms like 爲/着/裏 that Taiwan and Hong Kong readers see as odd;
    ``s2tw`` gives 為/著/裡. Word choice is left alone (no phrase conversion), so texts stay neutral.
    """
    return str(_converter("s2tw").convert(text))
