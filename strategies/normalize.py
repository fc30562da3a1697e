"""Text normalisation: one customer message → the text the lexicon's rules run on.

Steps, in order: cap the length; control characters → spaces; full-width ASCII → half-width and Latin
→ lower case (one length-preserving table, so offsets survive); Traditional → Simplified with OpenCC
(remembering that the customer wrote Traditional); masked entities (``[订单x]``, ``@USER``, links, order
cards…) → neutral filler the rules cannot read as words; runs of the same punctuation mark or emoji and
runs of spaces squeezed to one, counting the shouting they carried.

Every step but the squeeze keeps the length, and the squeeze keeps a map, so an evidence span found in
the normalised text is quoted from the customer's ORIGINAL words (:meth:`Normalized.original_span`).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from operator import ne
from typing import NamedTuple

from strategies.models import Lang
from strategies.textconv import to_simplified, to_traditional_characters

#: Only the start of a very long message is analysed: forwarded essays and pasted logs must not stall
#: the bot, and a customer's intent shows in the first few thousand characters.
MAX_CHARS = 2000
#: Filler for a masked entity: digits for masked numbers (so "都[数字x]天了" still reads "days"), a box
#: for everything else (names, links, handles), which no rule matches as a word.
NUMBER_FILL = "0"
ENTITY_FILL = "□"
#: At least this many Latin letters and no Chinese character make a message English.
EN_MIN_LETTERS = 2
#: An English word this long or longer written in capitals counts as shouting (shorter ones are
#: usually acronyms: UPS, USA, ID).
CAPS_MIN_LEN = 4
_CAPS_NOT_SHOUTING = frozenset({"ASAP", "HTTP", "HTTPS", "NULL", "PRIME", "IPAD", "IPHONE", "USPS", "FEDEX"})
#: Short words that are shouting, not acronyms, when written in capitals ("refund me NOW").
_SHOUTED_SHORT = frozenset(
    {"NOW", "WHY", "YOU", "NOT", "OUT", "ALL", "HOW", "GET", "AND", "THE", "DID", "WAS", "ANY"}
)


def _width_table() -> dict[int, str]:
    # Control characters (newlines and tabs included) and odd spaces → a plain space.
    table: dict[int, str] = {c: " " for c in range(0x20)}
    table.update({c: " " for c in (0x7F, 0x85, 0xA0, 0x200B, 0x3000, 0xFEFF)})
    table.update({c: chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)})  # ！..～ → !..~
    # Typographic quotes and the Taiwanese 妳 (you) read like their plain forms.
    table.update({ord(a): b for a, b in zip("‘’“”「」妳", '\'\'""""你', strict=True)})
    return table


_WIDTH = _width_table()
#: Width, control characters and Latin case in one length-preserving table.
_FOLD = _WIDTH | {c: chr(c + 32) for c in range(ord("A"), ord("Z") + 1)}
_FOLD.update({c: chr(c - 0xFEE0 + 32) for c in range(0xFF21, 0xFF3B)})  # Ａ..Ｚ → a..z

_NUMBER_MASK = re.compile(r"\[(?:数字|金额|订单|电话|日期|时间|身份证号|邮编|数量|价格)x\]")
_ENTITY = re.compile(
    r"""
      \#e-s(?:\[数字x\]|\d+)                              # masked emoji
    | \[[^\[\]\s]{1,8}x\]                                 # masked entity: [姓名x], [链接x]…
    | https?://\S+ | www\.\S+ | t\.co/\S+                  # links
    | @\w+                                                # handles: @user, @123456, @amazonhelp
    | (?:咨询|查询)?订单(?:编号|号)\s*[:：]                  # the order card the platform pastes
    | 订单金额\s*[:：] | 下单时间\s*[:：] | 商品(?:id|号)\s*[:：]
    | 顾客通过点击\S*信息发送\s*[:：]?
    | nan-nan-nan\s*nan:nan
    """,
    re.VERBOSE,
)
_ENTITY_ANY_CASE = re.compile(_ENTITY.pattern, re.VERBOSE | re.IGNORECASE)
_EMOJI_MASK = re.compile(r"#e-s(?:\[数字x\]|\d+)")
#: Pictographs and symbols people use as emoji; text emoticons in brackets as Taobao/WeChat send them.
_EMOJI = re.compile(
    "[\U0001f300-\U0001faff\U0001f000-\U0001f2ff\u2600-\u27bf\u2b50\u2b55\u203c\u2049]"
    r"|\[(?:[\u4e00-\u9fff]{1,4})\]"
)
_KAOMOJI = re.compile(
    r"⊙\s?[o0_ω]\s?⊙|\^[_\-]?\^|[~≧][_\-▽][~≦]|[t;][_\-][t;]|-_-+|>_<|\(╥﹏╥\)|¯\\_\(ツ\)_/¯|o\(\*?[^()]{1,5}\)o"
    r"|(?<![a-z])(?:xd+|qaq|orz)(?![a-z])|[:;]-?[)(dp](?![a-z0-9])"
)
_EMOJI_OR_KAOMOJI = re.compile(f"{_EMOJI.pattern}|{_KAOMOJI.pattern}")
_SQUEEZE = re.compile(r"([!?~.,;。，、…！？\-=*]|[\U0001f300-\U0001faff\u2600-\u27bf])\1+|\s{2,}|^\s+|\s+$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[a-z]")
_CAPS_WORD = re.compile(r"(?<![A-Za-zＡ-Ｚａ-ｚ])[A-ZＡ-Ｚ]{3,}(?![A-Za-zＡ-Ｚａ-ｚ])")


class _OffsetMap:
    """Normalised offset → original offset, for text where runs were squeezed out.

    ``starts`` holds the normalised offsets where a piece begins and ``origins`` the original offset
    of that piece; inside a piece the two move together.
    """

    __slots__ = ("origins", "starts")

    def __init__(self, starts: list[int], origins: list[int]) -> None:
        self.starts = starts
        self.origins = origins

    def __call__(self, index: int) -> int:
        piece = bisect_right(self.starts, index) - 1
        return self.origins[piece] + index - self.starts[piece]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of ``[start, end)``; a squeezed run at its end is quoted whole."""
        k = bisect_left(self.starts, end)
        if 0 < k < len(self.starts) and self.starts[k] == end:
            return self(start), self.origins[k]
        return self(start), self(end - 1) + 1


class Normalized(NamedTuple):
    """A message ready for the rules, with the facts normalising it revealed."""

    #: The text the rules run on: Simplified, half-width, lower-case, masks neutral, runs squeezed.
    text: str
    #: The customer's text as analysed (capped at :data:`MAX_CHARS`).
    original: str
    lang: Lang
    #: Runs of two or more ``!`` / ``?`` and of ``…``/``。。``/``...`` (speechless dots).
    exclaim_runs: int = 0
    question_runs: int = 0
    dot_runs: int = 0
    #: English words of :data:`CAPS_MIN_LEN`+ letters written in capitals (shouting).
    caps_words: int = 0
    #: Emoji: pictographs, bracketed text emoticons, masked ``#E-s…`` and kaomoji like ⊙o⊙.
    emoji: int = 0
    #: Masked entities (names, numbers, links, handles, order cards).
    entities: int = 0
    #: Maps offsets in ``text`` back to ``original`` when runs were squeezed out.
    offsets: _OffsetMap | None = None
    #: False when Traditional→Simplified changed the length, so offsets cannot be mapped back.
    mappable: bool = True

    def original_span(self, start: int, end: int) -> str:
        """The customer's own words behind ``text[start:end]``.

        Offsets map back exactly when every step kept the length (or recorded what it squeezed);
        otherwise (an OpenCC phrase conversion changed the length) the normalised span is returned.
        """
        if end <= start:
            return ""
        if not self.mappable:
            return self.text[start:end]
        if self.offsets is None:
            return self.original[start:end]
        first, last = self.offsets.span(start, end)
        return self.original[first:last].strip()


def _neutralise(text: str) -> tuple[str, int, int]:
    """Replace masked entities by same-length filler; count them and the masked emoji."""
    count = 0
    emoji = 0
    pieces: list[str] = []
    last = 0
    for m in _ENTITY.finditer(text):
        s, e = m.span()
        token = m.group()
        count += 1
        if _EMOJI_MASK.fullmatch(token):
            emoji += 1
        fill = NUMBER_FILL if _NUMBER_MASK.fullmatch(token) else ENTITY_FILL
        pieces += [text[last:s], fill * (e - s)]
        last = e
    if not count:
        return text, 0, 0
    pieces.append(text[last:])
    return "".join(pieces), count, emoji


def _squeeze(text: str) -> tuple[str, _OffsetMap | None, int, int, int]:
    """Squeeze runs (keeping one mark, or nothing for edge spaces); count ``!!``/``??``/dot runs."""
    exclaims = questions = dots = 0
    pieces: list[str] = []
    starts: list[int] = [0]
    origins: list[int] = [0]
    last = 0
    out_len = 0
    for m in _SQUEEZE.finditer(text):
        s, e = m.span()
        run = m.group()
        mark = run[0]
        if mark == "!":
            exclaims += 1
        elif mark == "?":
            questions += 1
        elif mark in ".。…" and (mark != "." or e - s >= 3):
            dots += 1
        keep = "" if (s == 0 or e == len(text)) and run.isspace() else (" " if run.isspace() else mark)
        pieces.append(text[last:s])
        out_len += s - last
        pieces.append(keep)
        out_len += len(keep)
        starts.append(out_len)
        origins.append(e)
        last = e
    if not pieces:
        return text, None, 0, 0, 0
    pieces.append(text[last:])
    squeezed = "".join(pieces)
    return squeezed, _OffsetMap(starts, origins), exclaims, questions, dots


def _caps_words(original: str) -> int:
    if not _CAPS_WORD.search(original):
        return 0
    words = _CAPS_WORD.findall(_ENTITY_ANY_CASE.sub(" ", original.translate(_WIDTH)))
    return sum(
        1 for w in words if (len(w) >= CAPS_MIN_LEN and w not in _CAPS_NOT_SHOUTING) or w in _SHOUTED_SHORT
    )


def _differs(a: str, b: str) -> int:
    return sum(map(ne, a, b)) if len(a) == len(b) else abs(len(a) - len(b))


def _language(lowered: str, simplified: str) -> Lang:
    if not _CJK.search(simplified):
        return "en" if len(_LATIN.findall(simplified, 0, 200)) >= EN_MIN_LETTERS else "zh-Hans"
    if simplified == lowered:
        return "zh-Hans"
    # Traditional when converting to Simplified changes more than converting to Traditional would:
    # a Simplified text that merely contains a shared character (著, 乾) stays Simplified.
    return (
        "zh-Hant"
        if _differs(lowered, simplified) > _differs(lowered, to_traditional_characters(lowered))
        else "zh-Hans"
    )


def _may_hold_entities(text: str) -> bool:
    """A cheap test before the entity regex: every mask, handle, link or order card has one of these."""
    return "[" in text or "@" in text or "#" in text or ":" in text or "http" in text or "www." in text


def normalize(text: str) -> Normalized:
    """Normalise one customer message (see the module docstring). Pure and deterministic."""
    original = text[:MAX_CHARS]
    lowered = original.translate(_FOLD)
    simplified = to_simplified(lowered)
    lang = _language(lowered, simplified)
    if _may_hold_entities(simplified):
        neutral, entities, emoji = _neutralise(simplified)
    else:
        neutral, entities, emoji = simplified, 0, 0
    emoji += len(_EMOJI_OR_KAOMOJI.findall(neutral))
    squeezed, offsets, exclaims, questions, dots = _squeeze(neutral)
    return Normalized(
        squeezed,
        original,
        lang,
        exclaims,
        questions,
        dots,
        _caps_words(original) if lang == "en" else 0,
        emoji,
        entities,
        offsets,
        len(simplified) == len(original),
    )
