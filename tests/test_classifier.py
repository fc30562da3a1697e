"""The classifier on invented conversations: every type of every dimension, value tiers and no-pay
from events, ``none`` on thin evidence, recency, and agents' corrections."""

from datetime import UTC, datetime, timedelta

import pytest

from strategies.analyser import analyse
from strategies.classifier import classify
from strategies.models import Event, Observation, Profile
from strategies.textconv import to_traditional

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


def observe(
    turns: list[str], start: datetime = T0, step: timedelta = timedelta(minutes=1)
) -> list[Observation]:
    return [Observation(at=start + i * step, text=t, analysis=analyse(t)) for i, t in enumerate(turns)]


def profile_of(turns: list[str], events: tuple[Event, ...] = ()) -> Profile:
    return classify(observe(turns), events)


def event(kind: str, days: float = 0, **kw: object) -> Event:
    return Event(kind=kind, at=T0 + timedelta(days=days), **kw)  # type: ignore[arg-type]


#: (dimension, type, a customer's messages) — written for these tests, in Chinese and English.
TYPES = [
    (
        "behavior",
        "sociable",
        [
            "哈哈亲爱的，你们家的杯子太好用了😄",
            "我跟你说，我闺蜜看到也想买哈哈",
            "今天下雨还好快递小哥送到了，辛苦他啦😂",
        ],
    ),
    (
        "behavior",
        "sociable",
        ["lol you guys are awesome 😂", "my mum loves the scarf haha", "happy holidays to the whole team!!"],
    ),
    (
        "behavior",
        "sociable",
        [
            "嘿嘿，又来找你聊天啦",
            "最近忙死了，周末终于可以休息了",
            "你们那边下雪了没？我们这冷死了哈哈",
            "对了，上次那个围巾我妈超喜欢",
        ],
    ),
    ("behavior", "sociable", ["美女早上好呀～", "昨天我家猫把快递盒当窝了哈哈哈", "给你们点个赞👍👍"]),
    (
        "behavior",
        "sociable",
        [
            "Morning! How's your day going?",
            "Haha my kids fought over the last cookie 😂",
            "You're always so nice to chat with",
        ],
    ),
    ("behavior", "sociable", ["哈囉～今天心情超好", "跟你說喔，我男朋友說這件很好看哈哈", "謝謝你們啦💕"]),
    ("behavior", "decisive", ["这个要两件", "拍了，发顺丰", "已付款，今天发货"]),
    ("behavior", "decisive", ["I'll take two.", "Just ordered, ship it today by DHL."]),
    ("behavior", "decisive", ["要这款，黑色，42码", "直接下单了，尽快发"]),
    ("behavior", "decisive", ["Two of the blue ones please.", "Paid. Ship today."]),
    (
        "behavior",
        "polite",
        ["您好，请问这款还有货吗？", "麻烦您帮我查一下物流，谢谢", "好的，辛苦了，谢谢您"],
    ),
    (
        "behavior",
        "polite",
        ["Hi there, could you please check my order?", "Thank you so much, I appreciate your help."],
    ),
    ("behavior", "polite", ["不好意思打扰一下，请问我的订单发了吗", "好的，麻烦您了，谢谢"]),
    (
        "behavior",
        "polite",
        ["Sorry to bother you, could you kindly check my refund?", "Many thanks for your help"],
    ),
    ("behavior", "bargainer", ["这件外套能便宜点吗", "别家才卖199，你们这贵了", "再送个小礼物吧"]),
    (
        "behavior",
        "bargainer",
        ["Can you do a better price?", "I found it cheaper elsewhere, can you price match?"],
    ),
    ("behavior", "bargainer", ["都是老顾客了，给个友情价吧", "包邮行不行？", "再抹个零呗"]),
    (
        "behavior",
        "bargainer",
        ["Any chance you could knock a few dollars off?", "Throw in free shipping and I'll buy it"],
    ),
    ("behavior", "no_pay", ["我先拍下来，过几天再付", "拍了又取消了，不想付了"]),
    ("behavior", "no_pay", ["I ordered it but I won't pay for now", "Cancelled again, I'll pay later maybe"]),
    (
        "behavior",
        "no_pay",
        ["我拍了三单了但是先不付款", "等我发工资再付吧", "那个订单你帮我取消，我再重新拍一个"],
    ),
    ("behavior", "no_pay", ["下单了，先放着不付款", "我又把订单取消了，不想要了"]),
    (
        "behavior",
        "no_pay",
        [
            "I placed the order but I'm not going to pay for it yet",
            "I cancelled it again, will reorder later",
        ],
    ),
    ("personality", "friendly", ["没关系，不着急，慢慢来", "好的好的，理解理解，谢谢你们"]),
    ("personality", "friendly", ["No worries, take your time", "That's fine, I understand. Thanks so much!"]),
    ("personality", "friendly", ["没事没事，你们也不容易", "慢慢来不着急，谢谢哈"]),
    (
        "personality",
        "friendly",
        ["No problem at all, I understand these things happen.", "Thanks so much for your help!"],
    ),
    ("personality", "assertive", ["我不管，今天必须给我发货", "马上给我处理，别跟我解释"]),
    (
        "personality",
        "assertive",
        ["I demand a replacement right now.", "You need to fix this immediately, do your job."],
    ),
    ("personality", "assertive", ["我说了多少遍了，必须今天给我换", "别找借口，立刻处理"]),
    (
        "personality",
        "assertive",
        ["This needs to be sorted out right now.", "I expect a full refund immediately, no excuses."],
    ),
    (
        "personality",
        "analytical",
        ["为什么这款比那款贵？区别在哪里？", "如果七天内坏了，是换新还是维修？依据是什么规定"],
    ),
    (
        "personality",
        "analytical",
        [
            "Why is the price different? Can you explain the policy?",
            "So you're saying if it breaks, what happens exactly?",
        ],
    ),
    (
        "personality",
        "analytical",
        ["我对比了一下参数，A款功率1200瓦，B款1500瓦，为什么B反而便宜", "能具体解释一下保修条款吗"],
    ),
    (
        "personality",
        "analytical",
        [
            "According to your policy returns are free within 30 days, so why was I charged?",
            "Can you explain the difference exactly?",
        ],
    ),
    ("personality", "egocentric", ["你们就是骗子，坑我的钱", "不给退我就给差评，还要投诉到12315"]),
    (
        "personality",
        "egocentric",
        [
            "You are scammers, total rip off.",
            "I'll leave a bad review and report you. Never order from them!",
        ],
    ),
    (
        "personality",
        "egocentric",
        ["你们肯定是故意发错的，想坑我", "我不管你们的难处，我的损失谁赔", "不赔钱我就去网上曝光你们"],
    ),
    (
        "personality",
        "egocentric",
        [
            "Typical, you lot always rip people off",
            "I don't care about your policy, refund me or I'll report you everywhere",
        ],
    ),
    ("personality", "egocentric", ["你們根本就是騙人的黑店", "等著吧，我一定給差評，讓大家都知道"]),
    ("shopper", "first_timer", ["我第一次网购，不太会，怎么下单啊", "付款按钮在哪里？能教我一下吗"]),
    ("shopper", "first_timer", ["It's my first time shopping online, how do I place an order?"]),
    ("shopper", "first_timer", ["我是新手，第一次在网上买东西", "这个怎么付款啊，我不太会"]),
    ("shopper", "first_timer", ["Never shopped online before, how do I pay?"]),
    ("shopper", "reluctant", ["网上付款安全吗？会不会泄露我的个人信息", "我先看看，还不敢买"]),
    (
        "shopper",
        "reluctant",
        ["Is it safe to pay on your website? I'm worried about my personal data.", "Just browsing for now."],
    ),
    ("shopper", "reluctant", ["我有点担心在网上付款不安全", "我的身份证信息会不会泄露啊", "我先随便看看"]),
    (
        "shopper",
        "reluctant",
        ["I'm nervous about entering my card details online", "Is my personal information kept private?"],
    ),
    ("shopper", "bargain_hunter", ["别家才卖99，你这贵了", "我比了好几家，哪家便宜买哪家"]),
    (
        "shopper",
        "bargain_hunter",
        ["I found it cheaper elsewhere.", "I only care about the lowest price, any brand is fine."],
    ),
    ("shopper", "bargain_hunter", ["拼多多上同款才59", "我就看价格，哪家最便宜买哪家，牌子无所谓"]),
    (
        "shopper",
        "bargain_hunter",
        ["Amazon has it for $20 less", "I don't care about the brand, just the cheapest price"],
    ),
    ("shopper", "surgical", ["我只要256G的，银色，必须支持5G", "预算3000以内，不要曲屏的"]),
    (
        "shopper",
        "surgical",
        ["I need exactly the 13-inch model with 16GB RAM.", "Must have a USB-C port, under $500."],
    ),
    ("shopper", "surgical", ["我要的是16G内存、512G固态、14寸的", "必须是银色，其他颜色不要"]),
    (
        "shopper",
        "surgical",
        ["I'm looking for a laptop with 32GB RAM and a 14 inch screen", "It must have two USB-C ports"],
    ),
    ("shopper", "enthusiast", ["又来买买买了，最近有什么新款推荐", "我特别喜欢逛你家，上新了吗"]),
    (
        "shopper",
        "enthusiast",
        ["I love shopping here! What's new this week?", "Recommend me something fun, surprise me."],
    ),
    ("shopper", "enthusiast", ["我又来啦，最近又上新了吗", "我就喜欢逛你家，每次都忍不住剁手"]),
    (
        "shopper",
        "enthusiast",
        ["Shopping spree time! What's new?", "I'm addicted to your store haha, any new arrivals?"],
    ),
    ("shopper", "power", ["我赶时间，急需一台打印机", "直接发链接，把详细参数发我"]),
    (
        "shopper",
        "power",
        ["I need a new kettle, mine broke. In a hurry.", "Send me the link with full specs please."],
    ),
    ("shopper", "power", ["家里的电饭煲坏了，急需一个新的", "没时间逛，直接给我推荐一款发链接"]),
    (
        "shopper",
        "power",
        ["My printer died, I need a replacement today", "No time to browse, just send me the link"],
    ),
    ("mood", "angry", ["气死我了，你们就是骗子！！！", "再不处理我就投诉，看你们怎么收场"]),
    ("mood", "angry", ["This is a SCAM!!!", "I am FURIOUS, what the hell is wrong with you"]),
    ("mood", "dissatisfied", ["等了一个星期还没到", "太失望了，物流也不更新"]),
    ("mood", "dissatisfied", ["Really disappointed.", "It still hasn't arrived and nobody replied."]),
    ("mood", "hesitant", ["这两个颜色我还在纠结", "我再考虑一下吧，过两天再说"]),
    ("mood", "hesitant", ["I'm not sure which one to get.", "Let me think about it, maybe later."]),
    ("mood", "hesitant", ["嗯……红色和蓝色都挺好看的，好纠结", "要不我还是再想想吧"]),
    ("mood", "hesitant", ["这个价格有点犹豫，等等看会不会降价", "过几天再决定吧"]),
    ("mood", "hesitant", ["Hmm, I can't decide between the two", "I'll wait and see, maybe next week"]),
    ("mood", "positive", ["东西收到了，质量很好", "非常满意，下次还来买"]),
    ("mood", "positive", ["Arrived today, love it!", "Great quality, thank you so much!"]),
    (
        "behavior",
        "sociable",
        ["哎呀好久不见呀亲～", "最近在追剧，熬夜熬到两点哈哈", "你们客服都好有耐心，爱了爱了😘"],
    ),
    (
        "behavior",
        "sociable",
        [
            "Hiya! Hope you're having a lovely Friday 😊",
            "Just got back from holiday, so much laundry lol",
            "Anyway love your shop, you're all stars ⭐",
        ],
    ),
    (
        "behavior",
        "sociable",
        ["親～又是我啦哈哈", "今天下班好累喔，買點東西犒賞自己😆", "你們家的包裝每次都好可愛"],
    ),
    ("behavior", "decisive", ["M码，白色，两件", "地址不变，直接发"]),
    ("behavior", "decisive", ["Order #5521: add one more, same size.", "Charge my saved card and ship."]),
    ("behavior", "decisive", ["要黑色XL一件", "付好了，今天寄出"]),
    ("behavior", "polite", ["您好，打扰了，想请问一下退货地址", "好的，非常感谢您的耐心解答"]),
    (
        "behavior",
        "polite",
        ["Good afternoon, sorry to trouble you.", "Would you kindly confirm the delivery date? Many thanks."],
    ),
    ("behavior", "polite", ["您好，不好意思打擾了，請問何時出貨", "好的，辛苦您了，謝謝"]),
    ("behavior", "bargainer", ["这个价太高了，打个八折行不行", "不然送个运费险也行"]),
    (
        "behavior",
        "bargainer",
        ["Is that your best price? I was hoping for 20% off.", "Fine, but at least give me free delivery."],
    ),
    ("behavior", "bargainer", ["可以算便宜一點嗎？", "買兩件有沒有折扣"]),
    ("behavior", "no_pay", ["上周拍的那两单我都没付，取消吧", "今天又拍了一个，也先不付"]),
    ("behavior", "no_pay", ["I keep cancelling, sorry, I ordered again but won't pay until payday."]),
    ("personality", "friendly", ["没事的，你们慢慢查，不急", "理解理解，谢谢你们啦"]),
    (
        "personality",
        "friendly",
        ["No rush at all, these things happen.", "That's totally fine, thanks for sorting it!"],
    ),
    ("personality", "assertive", ["我不想听解释，今天之内必须解决", "马上给我退款"]),
    (
        "personality",
        "assertive",
        ["I want this fixed today, no more excuses.", "Send a replacement immediately."],
    ),
    (
        "personality",
        "analytical",
        ["你们页面写的是7天无理由，为什么我第5天申请被拒了？", "请具体说明是依据哪一条规则"],
    ),
    (
        "personality",
        "analytical",
        [
            "Your site says 30-day returns, so why was mine refused on day 12?",
            "Please explain exactly which policy applies.",
        ],
    ),
    ("personality", "egocentric", ["你们这种黑心商家就会骗钱", "我已经截图了，等着我曝光你们吧"]),
    (
        "personality",
        "egocentric",
        [
            "You people are crooks, I'll report you to trading standards",
            "and leave a 1 star review everywhere.",
        ],
    ),
    ("mood", "angry", ["你们到底还要拖多久？！！", "简直欺人太甚！！！"]),
    ("mood", "angry", ["WORST. SERVICE. EVER!!!", "I am absolutely livid"]),
    ("mood", "dissatisfied", ["说好的两天到，结果一周了", "有点失望"]),
    (
        "mood",
        "dissatisfied",
        ["Bit disappointed tbh, the colour is not what was shown.", "Not happy with this."],
    ),
    ("mood", "hesitant", ["我有点拿不定主意", "要不等双十一再买吧"]),
    ("mood", "hesitant", ["Hmm not sure, maybe I'll wait for the sale.", "I'll think it over."]),
    ("mood", "positive", ["收到啦！比想象中还好看", "太喜欢了，必须好评"]),
    ("mood", "positive", ["Wow it's perfect, exactly what I wanted!", "Super happy with it, thanks!"]),
    ("shopper", "first_timer", ["不好意思我不太会用淘宝，这个要怎么买呀", "下单以后钱怎么付"]),
    ("shopper", "first_timer", ["Sorry, first time buying online. How does checkout work?"]),
    ("shopper", "reluctant", ["在网上买东西我一直不太放心，怕被骗", "你们会保护我的个人信息吗"]),
    (
        "shopper",
        "reluctant",
        ["I'm a bit wary of buying online, is my card info secure?", "Just looking for now."],
    ),
    ("shopper", "bargain_hunter", ["京东同款便宜30块", "哪家便宜我就在哪家买"]),
    (
        "shopper",
        "bargain_hunter",
        ["Found the same thing on eBay for less.", "Honestly I just go for the cheapest option."],
    ),
    ("shopper", "surgical", ["我要的是1.5匹、一级能效、变频的空调", "不是这个配置的不要"]),
    (
        "shopper",
        "surgical",
        ["I need a 65 inch TV with HDMI 2.1 and 120Hz, nothing else.", "Exactly that spec please."],
    ),
    ("shopper", "enthusiast", ["又来剁手了哈哈，最近有什么好玩的新品", "每次上新我都要来逛逛"]),
    (
        "shopper",
        "enthusiast",
        ["I'm a bit of a shopaholic haha, what's new?", "Love discovering new stuff here."],
    ),
    ("shopper", "power", ["急需一个充电宝，明天出差", "别推荐别的，直接告诉我哪款续航最长"]),
    (
        "shopper",
        "power",
        ["Need a phone charger fast, mine just died.", "Don't have time to browse, what's the best one?"],
    ),
]


@pytest.mark.parametrize(
    ("dim", "label", "turns"), TYPES, ids=[f"{d}-{lab}-{i}" for i, (d, lab, _) in enumerate(TYPES)]
)
def test_every_type_is_recognised(dim: str, label: str, turns: list[str]) -> None:
    verdict = profile_of(turns).verdict(dim)
    assert verdict.label == label
    assert 0.0 < verdict.confidence <= 1.0
    assert verdict.evidence, "a verdict quotes the words that decided it"
    assert all(isinstance(q, str) and q for q in verdict.evidence)


@pytest.mark.parametrize(
    ("dim", "label", "turns"), TYPES[::3], ids=[f"{d}-{lab}" for d, lab, _ in TYPES[::3]]
)
def test_types_survive_traditional_chinese(dim: str, label: str, turns: list[str]) -> None:
    assert profile_of([to_traditional(t) for t in turns]).verdict(dim).label == label


def test_evidence_quotes_the_customers_words_strongest_first() -> None:
    verdict = profile_of(["能便宜点吗", "别家才卖199，太贵了"]).behavior
    assert verdict.label == "bargainer"
    assert any("便宜" in q for q in verdict.evidence)
    assert all(q in "能便宜点吗 别家才卖199，太贵了" for q in verdict.evidence)
    assert len(verdict.evidence) <= 3


@pytest.mark.parametrize(
    "turns",
    [
        [],
        ["在吗"],
        ["发货了吗"],
        ["谢谢"],
        ["ok"],
        ["[订单x]"],
    ],
)
def test_thin_evidence_gives_none(turns: list[str]) -> None:
    profile = profile_of(turns)
    assert profile.behavior.label == "none"
    assert profile.personality.label == "none"
    assert profile.shopper.label == "none"
    assert profile.value.label == "none"
    assert profile.mood.label == "neutral"


def test_haggling_anywhere_wins_behavior_even_among_courtesy() -> None:
    turns = ["您好，请问这件有货吗", "麻烦您了，谢谢", "能不能便宜二十块", "好的谢谢您"]
    assert profile_of(turns).behavior.label == "bargainer"


def test_merely_asking_about_an_existing_coupon_is_not_bargaining() -> None:
    profile = profile_of(["这个店铺券能用吗", "满300减30是自动减吗"])
    assert profile.behavior.label != "bargainer"
    assert "promotion" in analyse("这个店铺券能用吗").intents


def test_an_angry_customer_who_calmed_down_is_not_angry_now() -> None:
    turns = [
        "气死我了！！！你们是骗子吗",
        "到现在还没发货，什么破店",
        "哦，原来是快递的问题",
        "好的，已经收到了，谢谢你",
    ]
    obs = observe(turns, step=timedelta(hours=2))
    assert classify(obs[:1]).mood.label == "angry"
    assert classify(obs[:2]).mood.label in ("angry", "dissatisfied")
    assert classify(obs).mood.label not in ("angry", "dissatisfied")


def test_old_messages_fade_by_age() -> None:
    angry = observe(["你们就是骗子！！！气死了"], start=T0)
    assert classify(angry, now=T0 + timedelta(minutes=5)).mood.label == "angry"
    assert classify(angry, now=T0 + timedelta(days=3)).mood.label == "neutral"


def test_observations_are_read_in_time_order_whatever_order_they_come_in() -> None:
    obs = observe(["气死我了！！！骗子", "问题解决了，非常满意，谢谢"], step=timedelta(hours=3))
    assert classify(obs).mood == classify(list(reversed(obs))).mood


@pytest.mark.parametrize(
    ("events", "label"),
    [
        ((), "none"),
        ((event("order"), event("paid")), "one_time"),
        ((event("paid", 0), event("paid", 30)), "captive"),
        ((event("paid", 0), event("received", 2), event("paid", 40), event("received", 42)), "captive"),
        (tuple(event("paid", d) for d in (0, 20, 40, 60)), "vip"),
        ((event("paid"), event("referral", 5)), "vip"),
        ((event("referral"),), "vip"),
    ],
)
def test_value_tier_from_events(events: tuple[Event, ...], label: str) -> None:
    assert profile_of(["在吗"], events).value.label == label


def test_value_developable_after_a_happy_receipt() -> None:
    obs = observe(["东西收到了，质量很好，非常满意"], start=T0 + timedelta(days=3))
    events = (event("order"), event("paid"), event("received", 2))
    assert classify(obs, events).value.label == "developable"


def test_value_high_interest_when_eager_but_not_buying_yet() -> None:
    turns = ["这款有白色吗", "尺码偏大吗", "材质是纯棉的吗", "有优惠活动吗", "我再考虑一下过两天买"]
    profile = profile_of(turns)
    assert profile.value.label == "high_interest"


def test_value_modeled_when_much_is_known_about_a_buyer() -> None:
    turns = [
        "您好，请问这款有货吗",
        "能便宜点吗",
        "我只要银色的，必须带NFC",
        "为什么这个比那个贵？区别在哪里，依据是什么",
    ]
    profile = profile_of(turns, (event("paid"),))
    known = [d for d in ("behavior", "personality", "shopper") if profile.verdict(d).label != "none"]
    assert len(known) + bool(profile.motives) >= 3
    assert profile.value.label == "modeled"
    assert profile_of(turns).value.label != "modeled"  # without a purchase it is only interest


def test_no_pay_from_unpaid_orders() -> None:
    events = (event("order", 0), event("order", 3), event("paid", 3))
    assert profile_of(["在吗"], events).behavior.label != "no_pay"  # one left unpaid: an accident
    events = (event("order", 0), event("order", 3), event("order", 6), event("cancel", 6))
    profile = classify(observe(["在吗"]), events, now=T0 + timedelta(days=10))
    assert profile.behavior.label == "no_pay"
    assert profile.behavior.evidence[0].startswith("event:unpaid_orders=")


def test_an_order_placed_minutes_ago_is_not_yet_unpaid() -> None:
    events = (event("order", 0), event("order", 0.001))
    profile = classify(observe(["好的"]), events, now=T0 + timedelta(hours=1))
    assert profile.behavior.label != "no_pay"


def test_an_agents_correction_overrides_the_classifier() -> None:
    corrected = (event("correction", 1, dimension="behavior", label="polite", agent_id=7),)
    profile = profile_of(["能便宜点吗", "别家更便宜"], corrected)
    assert profile.behavior.label == "polite"
    assert profile.behavior.corrected
    assert profile.behavior.confidence == 1.0
    assert not profile.personality.corrected


def test_the_latest_correction_wins() -> None:
    events = (
        event("correction", 2, dimension="personality", label="friendly"),
        event("correction", 1, dimension="personality", label="egocentric"),
        event("correction", 3, dimension="mood", label="hesitant"),
    )
    profile = profile_of(["在吗"], events)
    assert profile.personality.label == "friendly"
    assert profile.mood.label == "hesitant"


def test_invalid_corrections_are_ignored() -> None:
    events = (
        event("correction", 1, dimension="behavior", label="friendly"),  # not a behavior id
        event("correction", 1, dimension="mood", label="none"),  # mood has no "none"
        event("correction", 1, dimension="colour", label="red"),
    )
    profile = profile_of(["能便宜点吗", "再少点"], events)
    assert profile.behavior.label == "bargainer"
    assert not profile.behavior.corrected
    assert profile.mood.label == "neutral"


def test_concerns_and_motives_are_listed_with_evidence() -> None:
    profile = profile_of(["是正品吗，会不会是假货", "什么时候发货", "宝宝用安全吗，有没有甲醛"])
    assert {"credibility", "delivery"} <= set(profile.concerns)
    assert "safety" in profile.motives
    assert profile.concern_evidence["delivery"]
    assert profile.motive_evidence["safety"]


def test_classification_is_deterministic() -> None:
    turns = ["您好，请问有货吗", "能便宜点吗", "好的谢谢"]
    assert profile_of(turns) == profile_of(turns)


def test_one_clear_sign_of_a_shopper_type_shows_before_buying_but_not_in_an_after_sales_chat() -> None:
    """Shopper types are about how someone shops; the guide expects none in talk about a placed order."""
    shopping = ["我对网上付款一直不太放心", "这款保温杯容量多大"]
    assert profile_of(shopping).shopper.label == "reluctant"
    after_sales = ["我对网上付款一直不太放心", "上周买的保温杯到现在还没发货", "再不发我就申请退款了"]
    assert profile_of(after_sales).shopper.label == "none"


@pytest.mark.parametrize(
    "turns",
    [
        ["你们商家说的话我一个字都不信", "这个多少钱", "什么时候能发货"],
        ["I know how these shops work, don't trust a word", "what sizes do you have", "when would it ship"],
    ],
)
def test_one_clear_sign_of_character_still_counts_a_few_messages_later(turns: list[str]) -> None:
    profile = profile_of(turns)
    assert profile.personality.label == "egocentric"
    assert profile.personality.evidence  # the distrustful words are quoted
