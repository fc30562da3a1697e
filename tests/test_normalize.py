"""Normalisation: what the rules see, and that evidence is quoted from the customer's own words."""

import pytest

from strategies.normalize import ENTITY_FILL, MAX_CHARS, normalize


def test_full_width_and_latin_case_are_folded() -> None:
    n = normalize("ＯＫ，謝謝！Ｍ碼有嗎？")
    assert n.text == "ok,谢谢!m码有吗?"


def test_traditional_is_converted_and_reported() -> None:
    n = normalize("請問這件衣服還有貨嗎？")
    assert n.lang == "zh-Hant"
    assert n.text == "请问这件衣服还有货吗?"


def test_taiwan_variants_convert_too() -> None:
    assert normalize("我很著急，裡面的東西壞了").text == "我很着急,里面的东西坏了"


def test_simplified_stays_simplified_even_with_shared_characters() -> None:
    n = normalize("这本书的作者很著名，发货快吗")
    assert n.lang == "zh-Hans"
    assert "著名" in n.text


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Where is my parcel?", "en"),
        ("ok", "en"),
        ("OK好的", "zh-Hans"),
        ("😊😊", "zh-Hans"),
        ("", "zh-Hans"),
    ],
)
def test_language(text: str, lang: str) -> None:
    assert normalize(text).lang == lang


def test_repeated_punctuation_is_squeezed_and_counted() -> None:
    n = normalize("怎么还没到？？？太慢了！！！真是的。。。。")
    assert n.text == "怎么还没到?太慢了!真是的。"
    assert (n.question_runs, n.exclaim_runs, n.dot_runs) == (1, 1, 1)


def test_a_single_mark_is_not_a_run() -> None:
    n = normalize("到了吗? 好的!")
    assert (n.question_runs, n.exclaim_runs) == (0, 0)


def test_english_shouting_in_capitals_is_counted_but_acronyms_and_handles_are_not() -> None:
    assert normalize("This is NEVER going to ARRIVE").caps_words == 2
    assert normalize("UPS lost my box, ID 42").caps_words == 0
    assert normalize("Refund me NOW, WHY is this so hard").caps_words == 2
    assert normalize("@USER hello there").caps_words == 0


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("收到了😊👍", 2),
        ("好的⊙o⊙", 1),
        ("哈哈^_^", 1),
        ("谢谢[玫瑰]", 1),
        ("#E-s[数字x]#E-s[数字x]", 2),
        ("lol XD", 1),
        ("没有表情", 0),
    ],
)
def test_emoji_kaomoji_and_masked_emoji_are_counted(text: str, count: int) -> None:
    assert normalize(text).emoji == count


def test_masks_become_neutral_filler_never_words() -> None:
    n = normalize("[姓名x]你好，订单[订单x]金额[金额x]，看[链接x]")
    assert "姓名" not in n.text
    assert "链接" not in n.text
    assert ENTITY_FILL in n.text
    assert n.entities == 4


def test_masked_numbers_still_read_as_numbers() -> None:
    assert "00000天" in normalize("都[数字x]天了").text


def test_handles_and_links_are_neutral() -> None:
    n = normalize("@AmazonHelp see https://t.co/abc and @123456")
    assert "amazonhelp" not in n.text
    assert "https" not in n.text
    assert n.entities == 3


def test_spaces_are_squeezed_and_trimmed() -> None:
    assert normalize("  你好   在吗  ").text == "你好 在吗"


def test_empty_and_whitespace_only_input() -> None:
    for text in ("", "   ", "\n\t\r"):
        n = normalize(text)
        assert n.text == ""
        assert n.original_span(0, 0) == ""


def test_control_characters_become_spaces() -> None:
    assert normalize("发\x00货\x07了\u200b吗").text == "发 货 了 吗"


def test_huge_input_is_capped() -> None:
    n = normalize("快" * (MAX_CHARS * 5))
    assert len(n.original) == MAX_CHARS


@pytest.mark.parametrize(
    ("text", "word", "quoted"),
    [
        ("能便宜點嗎", "便宜点", "便宜點"),  # Traditional: quoted as written
        ("ＯＫ，能便宜點嗎", "便宜点", "便宜點"),  # full-width before it
        ("怎么办？？？能便宜点吗", "便宜点", "便宜点"),  # after a squeezed run
        ("好的！！！谢谢！！！", "谢谢", "谢谢"),
        ("WHERE IS MY PARCEL", "parcel", "PARCEL"),
    ],
)
def test_spans_map_back_to_the_customers_own_words(text: str, word: str, quoted: str) -> None:
    n = normalize(text)
    start = n.text.index(word)
    assert n.original_span(start, start + len(word)) == quoted


def test_a_span_across_a_squeezed_run_quotes_the_whole_run() -> None:
    n = normalize("太慢了！！！")
    assert n.original_span(0, len(n.text)) == "太慢了！！！"


def test_simplified_question_particle_survives_conversion() -> None:
    # tw2s alone would turn the Simplified 么 into 幺; both scripts must read the same.
    assert normalize("在么？能优惠么").text == "在么?能优惠么"
    assert normalize("在麼？能優惠麼").text == "在么?能优惠么"
