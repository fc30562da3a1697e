"""The analyser on invented customer messages: every intent, concern, motive and mood, in Simplified
and Traditional Chinese and in English; odd input; evidence quoted from the customer's own words."""

import pytest

from strategies.analyser import Analyser, analyse, conversation_intents
from strategies.lexicon import builtin_lexicon
from strategies.textconv import to_traditional

#: (intent, Simplified, Traditional as a Taiwan/Hong Kong customer writes it, English)
INTENTS = [
    ("greeting", "亲，在不在呀", "您好，請問有人在嗎", "Hello, anyone there?"),
    (
        "product_question",
        "这款羽绒服有黑色的L码吗",
        "這雙鞋子是真皮的嗎？尺碼偏小嗎",
        "Does this jacket come in a size M?",
    ),
    (
        "bargain",
        "老板再便宜点呗，两件能少二十吗",
        "可以算便宜一點嗎？",
        "Can you give me a discount if I buy two?",
    ),
    (
        "promotion",
        "现在有满减活动吗，优惠券怎么领",
        "雙十一有什麼活動？可以用優惠券嗎",
        "Is there a coupon code for the holiday sale?",
    ),
    (
        "authenticity",
        "你们家卖的是正品吗，不会是高仿吧",
        "這是正品嗎？會不會是水貨",
        "Is this genuine or a counterfeit?",
    ),
    (
        "payment",
        "可以用花呗分期付款吗",
        "可以貨到付款嗎？信用卡可以分期嗎",
        "Can I pay with PayPal or a credit card?",
    ),
    (
        "shipping",
        "我的包裹到哪里了，怎么物流三天没更新",
        "請問什麼時候發貨？幾天能到台北",
        "Where is my package? The tracking hasn't updated.",
    ),
    (
        "order_change",
        "地址填错了，帮我改一下收货地址",
        "我想取消訂單，剛剛拍錯了",
        "I need to change my delivery address please",
    ),
    (
        "after_sales",
        "收到的杯子碎了，我要退货退款",
        "收到的衣服有破洞，想要換貨",
        "The blender arrived broken, I want a refund",
    ),
    (
        "invoice",
        "麻烦开一张增值税专用发票，抬头是公司",
        "可以開發票嗎？要統一編號",
        "Can you send me an invoice for my order?",
    ),
    (
        "complaint",
        "你们这什么服务态度，我要投诉",
        "太離譜了，我要給差評",
        "This is the worst service ever, I'm filing a complaint",
    ),
    ("urge", "能不能快点处理，我等着急用", "拜託快一點，很急", "Please hurry up, I need it ASAP"),
    ("thanks", "好的，谢谢亲，辛苦了", "好的，謝謝你", "Thanks a lot, have a nice day"),
    (
        "chitchat",
        "哈哈哈你们客服小姐姐太可爱了",
        "哈哈，今天天氣真好",
        "lol you guys are the best, happy holidays",
    ),
]

#: (concern, Simplified, English)
CONCERNS = [
    ("credibility", "你们店靠谱吗，是不是正品", "Is this seller legit? I don't want a fake"),
    ("price_quality", "这么便宜是不是质量有问题啊", "Why is it so cheap, is the quality bad?"),
    ("choice", "这两款有什么区别，哪个更适合我", "Which one would you recommend, A or B?"),
    ("payment_safety", "付款安全吗，可以用支付宝吗", "Is it safe to pay by card on your site?"),
    ("delivery", "什么时候能送到，发什么快递", "When will my parcel be delivered?"),
    ("after_sales", "不合适能退换吗，保修多久", "Can I return it if it doesn't fit? What's the warranty?"),
]

MOTIVES = [
    ("practical", "我要结实耐用的，性价比高一点", "I want something durable and practical"),
    ("aesthetic", "这个颜色好看吗，想要漂亮一点的", "Is it pretty? I want a stylish one"),
    ("brand", "有没有大品牌的，要旗舰店的", "Do you sell the official brand version?"),
    ("cheap", "有没有便宜一点划算的", "I'm on a budget, what's the cheapest one?"),
    ("preference", "我一直用你们家这款，最喜欢这个味道", "This is my favourite, I always buy it"),
    ("novelty", "有什么新款吗，想试试最新的", "Any new arrivals? I like the latest releases"),
    ("herd", "这个销量怎么样，大家都买的是哪款", "Which one is the best seller? My friend recommended it"),
    ("safety", "宝宝用安全吗，有没有甲醛", "Is it safe for babies? Any chemicals in it?"),
]

MOODS = [
    ("angry", "气死我了，你们就是骗子！！！", "This is a SCAM, I am FURIOUS!!!"),
    ("dissatisfied", "等了一个星期还没到，太失望了", "Really disappointed, it still hasn't arrived"),
    ("hesitant", "我再考虑一下吧，不知道选哪个好", "I'm not sure yet, I'll think about it"),
    ("positive", "东西收到了，质量很好，非常满意", "Love it, great quality, thank you so much!"),
    ("neutral", "这个多少钱", "How much is this?"),
]


@pytest.mark.parametrize(("intent", "hans", "hant", "en"), INTENTS, ids=[row[0] for row in INTENTS])
def test_every_intent_in_three_scripts(intent: str, hans: str, hant: str, en: str) -> None:
    for text in (hans, hant, en, to_traditional(hans)):
        assert intent in analyse(text).intents, text


@pytest.mark.parametrize(("concern", "hans", "en"), CONCERNS, ids=[row[0] for row in CONCERNS])
def test_every_concern(concern: str, hans: str, en: str) -> None:
    for text in (hans, to_traditional(hans), en):
        assert concern in analyse(text).concerns, text


@pytest.mark.parametrize(("motive", "hans", "en"), MOTIVES, ids=[row[0] for row in MOTIVES])
def test_every_motive(motive: str, hans: str, en: str) -> None:
    for text in (hans, to_traditional(hans), en):
        assert motive in analyse(text).motives, text


@pytest.mark.parametrize(("mood", "hans", "en"), MOODS, ids=[row[0] for row in MOODS])
def test_every_mood(mood: str, hans: str, en: str) -> None:
    for text in (hans, to_traditional(hans), en):
        assert analyse(text).mood == mood, text


def test_nothing_recognisable_is_other() -> None:
    for text in ("嗯", "是的", "[订单x]", "12:30", "🙂🙂"):
        assert analyse(text).intents == ("other",), text


def test_at_most_three_intents_strongest_first() -> None:
    a = analyse("你好，衣服破了要退货，快递太慢了我要投诉，发票也没给，赶紧处理")
    assert 1 <= len(a.intents) <= 3
    assert a.intents[0] == "complaint"


def test_a_courtesy_closing_a_request_is_not_a_thanks_of_its_own() -> None:
    assert "thanks" not in analyse("麻烦帮我看一下物流，谢谢").intents
    assert "thanks" in analyse("好的，谢谢，那什么时候发货").intents


def test_negation_cancels_the_word() -> None:
    assert "bargain" not in analyse("价格不贵，就要这个").intents
    assert analyse("没有不满意，挺好的").mood == "positive"


def test_english_words_match_whole_words_only() -> None:
    assert "greeting" not in analyse("this is nothing").intents
    assert "greeting" in analyse("hi, this is Ann").intents


def test_masked_names_and_links_are_never_read_as_words() -> None:
    a = analyse("[姓名x] [链接x]")
    assert a.intents == ("other",)
    assert a.signals == ()


def test_emoji_and_kaomoji_count_as_mood_and_chattiness() -> None:
    a = analyse("收到啦😊😊 好喜欢")
    assert a.mood == "positive"
    assert any(s.dimension == "behavior" and s.label == "sociable" for s in a.signals)
    assert analyse("怎么还不发货😡").mood in ("angry", "dissatisfied")


def test_shouting_makes_a_complaint_angry() -> None:
    assert analyse("WHERE IS MY ORDER?! This is ridiculous!!!").mood == "angry"


def test_full_width_and_repeated_punctuation_do_not_hide_words() -> None:
    a = analyse("ＯＫ！！！什麼時候發貨？？？")
    assert "shipping" in a.intents
    assert a.lang == "zh-Hant"


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "\x00\x01", "😂" * 50, "。" * 300])
def test_odd_input_never_fails(text: str) -> None:
    a = analyse(text)
    assert a.intents == ("other",) or a.intents
    assert a.mood in ("angry", "dissatisfied", "hesitant", "neutral", "positive")


def test_huge_input_is_analysed_within_the_cap() -> None:
    a = analyse("能便宜点吗" + "啊" * 100_000 + "我要投诉")
    assert "bargain" in a.intents
    assert "complaint" not in a.intents  # beyond the cap: not read


def test_evidence_quotes_the_customers_own_words() -> None:
    a = analyse("能便宜點嗎？？？ 包郵嗎")
    quotes = {s.evidence for s in a.signals if s.dimension == "intents"}
    assert "便宜點" in "".join(quotes)
    assert all(q in "能便宜點嗎？？？ 包郵嗎" for q in quotes)


def test_every_signal_names_the_rule_that_fired() -> None:
    a = analyse("这个能便宜点吗")
    assert a.signals
    assert all(s.rule and s.evidence and s.weight > 0 for s in a.signals)


def test_analysis_is_deterministic_and_repeats_are_served_from_the_cache() -> None:
    text = "亲，质量怎么样？能便宜点吗，什么时候发货"
    fresh = Analyser(builtin_lexicon(), cache_size=0)
    assert fresh.analyse(text) == fresh.analyse(text) == analyse(text)
    assert fresh.analyse(text) is not fresh.analyse(text)
    cached = Analyser(builtin_lexicon(), cache_size=2)
    first = cached.analyse(text)
    assert cached.analyse(text) is first
    cached.analyse("a")
    cached.analyse("b")  # the cache holds two texts: the oldest goes
    assert cached.analyse(text) is not first


def test_follow_up_messages_continue_the_topic() -> None:
    msgs = [analyse(t) for t in ("我要退货，鞋子开胶了", "左脚那只，穿了两天", "是的", "好的谢谢")]
    assert conversation_intents(msgs) == [
        msgs[0].intents,
        msgs[0].intents[:1],
        ("other",),
        ("thanks",),
    ]


def test_anger_is_shown_with_the_words_that_reveal_it() -> None:
    threat = "If I do not get it today I will report you to my bank and leave a 1 star review"
    angry = [s.evidence for s in analyse(threat).signals if s.label == "angry"]
    assert angry and all(quote == "report you" for quote in angry), "the threat, not the message's start"
    shouted = "WHERE IS MY PARCEL?? I have been waiting three weeks and nobody answers me!!"
    analysis = analyse(shouted)
    assert analysis.mood == "angry"
    quotes = [s.evidence for s in analysis.signals if s.label == "angry"]
    assert quotes and all(q.endswith("…") and shouted.startswith(q[:-1]) for q in quotes)
    assert all(q[:-1].split()[-1] in shouted.split() for q in quotes), "cut at a word's end, not mid-word"
