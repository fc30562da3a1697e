"""Phrase families beyond the first lexicon: the many ways customers say the same thing, in Simplified
Chinese, Traditional as written in Taiwan and Hong Kong (Cantonese words survive the conversion to
Simplified), and English. Every sentence here is invented for these tests."""

import pytest

from strategies.analyser import analyse, conversation_intents

#: (intent, message) — each message should carry the intent, whatever else it carries.
INTENTS = [
    # greeting: hello in Taiwan/Hong Kong words, asking for a person
    ("greeting", "哈囉～想問一下"),
    ("greeting", "早晨，有冇人喺度？"),
    ("greeting", "Hey there, quick one about my order"),
    ("greeting", "I need to speak to a real person, not a bot"),
    ("greeting", "Can I get a live agent please"),
    # thanks: 唔该晒, 感恩, English gratitude
    ("thanks", "收到喇，唔該晒！"),
    ("thanks", "好的喔，感恩"),
    ("thanks", "明白晒"),
    ("thanks", "You guys rock, really appreciate the help"),
    ("thanks", "ok nvm, thanks anyway"),
    ("thanks", "東西比想像中好，給你們五星"),
    ("thanks", "Love it, will definitely order again"),
    ("thanks", "哦哦找到了，没事没事，你们慢慢忙"),
    # product_question: stock, which one, specs, looking for
    ("product_question", "呢款有冇藍色？"),
    ("product_question", "白色 M 有嗎"),
    ("product_question", "兩款邊個好用啲？"),
    ("product_question", "這兩台掃地機你會建議哪一台？"),
    ("product_question", "预算有限，配什么比较合适"),
    ("product_question", "Do you have these boots in a size 9?"),
    ("product_question", "What's the difference between the Pro and the Lite?"),
    ("product_question", "I'm looking for a rain jacket that packs small"),
    ("product_question", "Does the X20 support wireless charging?"),
    ("product_question", "does this jacket run small?"),
    ("product_question", "Can I wash it in the machine or is it dry clean only?"),
    ("product_question", "是国产的还是进口的？产地是哪里"),
    ("product_question", "what brand is this, and where is it made?"),
    # bargain: Cantonese haggling, competitor prices, free shipping instead
    ("bargain", "可唔可以算平啲？"),
    ("bargain", "隔離舖頭平五十蚊，你哋跟唔跟？"),
    ("bargain", "不能降價的話，免運也可以"),
    ("bargain", "再便宜二十块我马上拍"),
    ("bargain", "Can you match $45? That's what the other store charges."),
    ("bargain", "Any wiggle room on the price if I take three?"),
    # promotion: Taiwan coupon words, English sale words
    ("promotion", "折價券跟滿額折扣可以一起用嗎"),
    ("promotion", "周年慶什麼時候開始"),
    ("promotion", "Is anything going on clearance soon?"),
    # authenticity: sourcing, new or used, cheap items that break
    ("authenticity", "你們是正規授權的代理商嗎"),
    ("authenticity", "係咪全新？定係翻新貨？"),
    ("authenticity", "这么便宜会不会用两天就坏"),
    ("authenticity", "Are you an authorized reseller? Can you show a certificate?"),
    ("authenticity", "For that price will it fall apart in a month?"),
    # payment: Hong Kong and Taiwan ways to pay, English card talk
    ("payment", "可以用八達通或者轉數快俾錢嗎"),
    ("payment", "我匯款完要通知你們嗎"),
    ("payment", "結帳的時候一直失敗"),
    ("payment", "Can I pay with Apple Pay?"),
    ("payment", "You charged me twice for one order"),
    # shipping: Taiwan and Hong Kong delivery words, English tracking
    ("shipping", "請問什麼時候出貨？"),
    ("shipping", "我張單寄咗未？"),
    ("shipping", "可以超商取貨嗎"),
    ("shipping", "Where's my order? It's been ages"),
    ("shipping", "Could it come after 5pm? Nobody's home before"),
    # order_change: variant changes, duplicate orders
    ("order_change", "可以幫我改成黑色嗎"),
    ("order_change", "不小心手滑多拍了一單"),
    ("order_change", "Can I change the size on my order to a large?"),
    # after_sales: Taiwan warranty words, Cantonese defects, English fit problems
    ("after_sales", "保固期內可以免費送修嗎"),
    ("after_sales", "件衫著一次就甩色"),
    ("after_sales", "The shoes I received are too small, can I swap them?"),
    ("after_sales", "It arrived cracked. I'd like a replacement."),
    # invoice: Taiwan e-invoice words
    ("invoice", "要打統編，發票存手機載具"),
    ("invoice", "I need a tax invoice with our company name on it"),
    # complaint: distrust, waiting, exposure threats
    ("complaint", "你們是把客人當盤子嗎"),
    ("complaint", "等咗成個禮拜都未寄，咁離譜"),
    ("complaint", "再不處理我就把對話發到網上讓大家看看"),
    ("complaint", "已经五天了还没有人理我"),
    ("complaint", "This is a bait and switch and you know it"),
    ("complaint", "Stop sending me these emails, it's the third one today"),
    ("complaint", "客服完全不回訊息，已讀不回"),
    ("complaint", "I've asked twice and nobody has replied"),
    ("payment", "I was billed twice for the same order"),
    ("payment", "我已經轉咗數，你哋收到未？"),
    ("product_question", "Is the lid dishwasher safe?"),
    ("product_question", "這款電暖器功率是多少"),
    ("bargain", "買三件有冇折？"),
    ("bargain", "I'll give you $25 for both"),
    ("promotion", "滿千送百的活動還有嗎"),
    ("after_sales", "杯子收到就有裂痕"),
    ("after_sales", "The handle snapped after a week"),
    ("order_change", "Can I add a second mug to my order?"),
    ("chitchat", "Hope you're having a lovely weekend!"),
    ("product_question", "Is the charger included or sold separately?"),
    ("bargain", "Would you take $80 for it?"),
    ("bargain", "算我整數啦，五百蚊"),
    ("promotion", "Is the buy one get one free deal still on?"),
    ("payment", "Do you accept Amex?"),
    ("shipping", "Can I pick it up in store instead?"),
    ("shipping", "請問幾天會到？"),
    ("order_change", "Can I change the delivery date to Monday?"),
    ("after_sales", "The seams are coming apart already"),
    ("after_sales", "你哋啲貨根本唔對版"),
    ("authenticity", "呢個係唔係正版？"),
    ("complaint", "Your driver threw my parcel over the fence"),
    ("urge", "Can someone please get back to me today?"),
    ("after_sales", "The vase arrived smashed"),
    ("after_sales", "Where is my refund? It's been two weeks"),
    ("complaint", "You promised it would ship Monday. It didn't."),
    ("complaint", "我已經截圖了，等著被大家肉搜吧"),
    ("complaint", "Stop telling me to read the FAQ"),
    ("bargain", "旺角有間舖賣平過你哋"),
    ("bargain", "包邮的话我就拍了"),
    ("payment", "張卡刷唔到，點算？"),
    ("product_question", "Is this coat warm enough for Toronto winters?"),
    ("product_question", "要一台洗碗機，六人份的"),
    ("authenticity", "這麼便宜，是不是過季的舊款？"),
    ("shipping", "I need it by Friday for a party, will it make it?"),
    ("thanks", "唔得就算啦"),
    ("product_question", "Do you still have the linen shirts?"),
    ("product_question", "I was wondering if the oak table comes in a smaller size"),
    ("product_question", "这款滤芯的使用寿命大概多久"),
    ("bargain", "What's the lowest you can go on this sofa?"),
    ("bargain", "Another shop quoted me 150 less"),
    ("complaint", "I ordered navy and got black. Again."),
    ("complaint", "问三遍了都答非所问，别再发模板回复"),
    ("complaint", "你哋係咪想呃我錢？"),
    ("chitchat", "Random question, is your shop cat on Instagram?"),
    ("urge", "Could you chase the courier for me?"),
    ("authenticity", "Show me your business registration first"),
    ("authenticity", "包裝連塑封都沒有，是不是被拆過？"),
    ("after_sales", "部機用咗三日就壞"),
    ("complaint", "你哋啲嘢真係好渣"),
    ("complaint", "My parcel was marked delivered but I never got it"),
    ("complaint", "Every single order has a problem and nobody takes responsibility"),
    ("thanks", "Just wanted to say the soap smells amazing"),
    ("thanks", "好的，那我等你們消息"),
    ("payment", "可以去超商繳費嗎？"),
    ("product_question", "這款跟上一代差在哪裡？"),
    ("product_question", "Need: two HDMI cables, 2m. Anything matching?"),
    ("order_change", "Could you gift wrap it and add a note?"),
    ("urge", "快啲寄啦，我等住用"),
    ("complaint", "You sold me a fake and I'm going to the police"),
    ("complaint", "你哋個網站好難用，搵咗半個鐘都搵唔到"),
    ("complaint", "快遞顯示已簽收，但我根本沒收到"),
    ("bargain", "Can you do two for $50?"),
    ("bargain", "同款喺淘寶先二百幾"),
    ("bargain", "運費能不能只算一次？"),
    ("shipping", "三張單可以合併一起寄嗎"),
    ("thanks", "下次再嚟買，唔該晒"),
    ("thanks", "Kind regards, Tom"),
    ("thanks", "thank uuuu"),
    ("greeting", "Dear team, I hope you are well."),
    ("greeting", "亲爱的客服小姐姐～"),
    ("bargain", "Can I get 10% off if I buy three? Or at least free shipping?"),
    ("product_question", "Could you let me know if this comes in petite?"),
    ("product_question", "这件的洗涤方式是怎样的"),
    ("product_question", "想再買一把送我媽"),
    ("order_change", "Ordered the wrong size. Swap to M."),
    ("chitchat", "我朋友說你們的回覆都很有梗"),
    ("chitchat", "Hi! Hope your Monday is going okay"),
    ("bargain", "Bought it yesterday at full price, can you refund me the difference?"),
    ("bargain", "不便宜我就去拼多多買了"),
    ("after_sales", "I ordered a king size duvet and got a single"),
    ("after_sales", "Please arrange a collection and send the right one"),
    ("authenticity", "Never heard of this site before, do you have a physical store?"),
    ("complaint", "That's misleading. What are you going to do about it?"),
    ("complaint", "你哋係咪唔想做生意？"),
    ("product_question", "有冇試用裝先？"),
    # urge: hurry in Cantonese and English
    ("urge", "快啲幫我搞掂佢"),
    ("urge", "Don't tell me to wait again. Any update?"),
    ("urge", "都等咗三日啦，仲要等幾耐？"),
    # chitchat: personal life
    ("chitchat", "我男朋友說這個顏色很適合我哈哈"),
    ("chitchat", "Asking for a friend (it's me) lol"),
    # stale or copied goods, orders split or withdrawn, error codes, squeezing the price, charged twice
    ("authenticity", "这茶叶不会是陈货吧"),
    ("authenticity", "比商场便宜一半，能拿去专柜验吗"),
    ("order_change", "两件拆开发，先把外套寄了"),
    ("order_change", "收货地址填错了，少了门牌号"),
    ("after_sales", "洗碗机一开就报错E21"),
    ("bargain", "能压到六百以内我就拍"),
    ("payment", "怎么扣了我两次钱"),
    # haggling and urging in other Englishes
    ("bargain", "ok 40 with free delivery to Quezon City?"),
    ("bargain", "what's your last price for two?"),
    ("bargain", "We need 60 units, is there volume pricing?"),
    ("bargain", "can you give for 3,500 and I take both"),
    ("urge", "Order placed on the 2nd, still 'processing'. What is happening??"),
    ("urge", "Kindly do the needful and revert asap"),
    ("urge", "No reply since 2 hours, please push it through"),
    # installation visits and faults asked about; a coupon or a sum instead of a price cut; leaving for now
    ("after_sales", "洗衣机到了，什么时候上门安装"),
    ("after_sales", "路由器的灯一直闪烁，这正常吗"),
    ("bargain", "价保不了的话，补张优惠券也行"),
    ("bargain", "便宜个三十我就下单"),
    ("thanks", "嗯 好吧"),
    ("thanks", "那我回头再来拍"),
    # sarcasm and tricks; damage, wrong items and faults found after arrival
    ("complaint", "发之前都不核对一下的吗"),
    ("complaint", "查了一下午，查个啥呀"),
    ("complaint", "少拿那套标准回复敷衍我"),
    ("complaint", "你們電話一直打不通"),
    ("complaint", "price went up the moment it hit my cart, nice trick"),
    ("after_sales", "锅盖摔裂了一道"),
    ("after_sales", "我拍的是蓝色，收到的却是灰色"),
    ("after_sales", "冷氣不太制冷了，可以派人來看嗎"),
    ("after_sales", "上周买的吸尘器今天就降价了"),
    # the shop itself official or authorised; "is it actually silk"; a price low enough to wonder why
    ("authenticity", "請問你們是品牌授權的店嗎？"),
    ("authenticity", "你哋係咪官方網店嚟㗎"),
    ("authenticity", "Are you an authorised reseller for Dyson?"),
    ("authenticity", "is this actually real silk or polyester"),
    ("authenticity", "才二十几块一条的羊毛围巾，怎么便宜那么多啊"),
    ("authenticity", "三百蚊一對波鞋，平成咁會唔會係假"),
    # accusing the shop, and being chased to pay told as a grievance
    ("complaint", "你们店员是不是有病，问三遍都答非所问"),
    ("complaint", "我要的是蓝色你寄个红色来是几个意思"),
    ("complaint", "什麼叫超過七天不能退？？"),
    ("complaint", "一天到晚打电话老催我付款，有完没完"),
    ("complaint", "why the hell is my order still 'processing'"),
    # haggling: a price to come down to, matching another seller, a small extra thrown in
    ("bargain", "能不能降到两百五，可以就下单"),
    ("bargain", "不減價我就唔買喇"),
    ("bargain", "跟那家一样价格我就在你这买"),
    ("bargain", "买两盒再送几个小样吧"),
    ("bargain", "if u can do $40 i'll take it"),
    # order changes: don't ship yet, too late to swap, faster delivery
    ("order_change", "订单先别发，我地址可能要换"),
    ("order_change", "唔好寄出住，我想加多件"),
    ("order_change", "Can you hold my order until Monday?"),
    ("order_change", "is it too late to change the colour?"),
    # product questions: specs, how two differ, pick for me, anything new
    ("product_question", "这台吸尘器的续航是多少"),
    ("product_question", "黑白兩款分別大唔大？"),
    ("product_question", "陶瓷的是不是更耐用一点"),
    ("product_question", "三个颜色我选不出来，你帮我挑一个"),
    ("product_question", "最近有上新吗"),
    ("product_question", "which size would you get for a 4 year old?"),
    # after-sales: wrong or damaged on arrival, broken soon after, a price adjustment
    ("after_sales", "耳机才用了两次就没声音了"),
    ("after_sales", "收到时外箱整个压扁了，里面的碗碎了一个"),
    ("after_sales", "盤子邊邊有個小缺口"),
    ("after_sales", "You sent me the wrong size and the box was opened"),
    ("after_sales", "The mirror arrived with a crack down the middle"),
    ("after_sales", "my kettle stopped working after a week"),
    ("after_sales", "Can I get a price adjustment? It dropped $20 two days after I bought it"),
]


@pytest.mark.parametrize(("intent", "text"), INTENTS, ids=[f"{i}-{n}" for n, (i, _) in enumerate(INTENTS)])
def test_intent_families(intent: str, text: str) -> None:
    assert intent in analyse(text).intents, (text, analyse(text).intents)


#: (concern, message)
CONCERNS = [
    # payment ways and trouble in other Englishes
    ("payment_safety", "first time buying online, how to pay ah? paynow can?"),
    ("payment_safety", "payment failed but the money got debited from my account"),
    ("payment_safety", "is it safe to save my card on your site?"),
    # wary of paying, a price gap to doubt, asking the agent to choose
    ("payment_safety", "Can I pay on delivery instead? Not keen on putting my card in online"),
    ("payment_safety", "honestly not comfortable entering my card on a site I don't know"),
    ("payment_safety", "第一次网上买，钱要怎么给啊"),
    ("payment_safety", "用微信付還是一定要支付寶？"),
    ("payment_safety", "So where do I put my card, on this page?"),
    ("price_quality", "同款別家要兩千，價差這麼大是哪裡不一樣"),
    ("price_quality", "The grey one costs less, is it thinner?"),
    ("choice", "兩個顏色都好看，你幫我拿個主意"),
    ("choice", "which one would you pick for a small kitchen?"),
    # when it comes, asked the everyday English way
    ("delivery", "any idea when they're arriving? need them for saturday"),
    ("delivery", "Will it get here before Christmas?"),
    ("delivery", "can I get a status on my order please"),
    ("credibility", "你們講嘅嘢我一個字都唔信"),
    ("credibility", "How do I know these aren't knockoffs?"),
    ("payment_safety", "你們會不會把我的個資賣給別人？"),
    ("payment_safety", "Is it safe to pay by card here, or can I use PayPal?"),
    ("choice", "大一號還是剛好的？我很猶豫"),
    ("choice", "Can't decide between the grey and the navy"),
    ("price_quality", "便宜成這樣，是不是質量有問題"),
    ("price_quality", "Why is it so cheap? What's the catch?"),
]


@pytest.mark.parametrize(("concern", "text"), CONCERNS, ids=[f"{c}-{n}" for n, (c, _) in enumerate(CONCERNS)])
def test_concern_families(concern: str, text: str) -> None:
    assert concern in analyse(text).concerns, (text, analyse(text).concerns)


#: (mood, message)
MOODS = [
    # everyday pleasure, contempt as anger, petty annoyance
    ("positive", "师傅装得很专业，效率真高"),
    ("positive", "这家的辣条巴适得很"),
    ("angry", "五块钱就想打发我？打发要饭的呢"),
    ("angry", "行，我记住你家了，等着看追评"),
    ("dissatisfied", "一包纸巾都不肯送，真抠门"),
    # still making up one's mind; delight in other words
    ("hesitant", "我再研究一下，先加購物車觀察一陣子"),
    ("hesitant", "I need to discuss it with my husband first"),
    ("hesitant", "未諗好要邊隻色，遲啲先決定"),
    ("positive", "the handwritten note made my whole day"),
    ("positive", "收到喇，你哋真快手！"),
    # turning it over, and a let-down spelled out
    ("hesitant", "价格我再琢磨琢磨，明天回来再说"),
    ("hesitant", "hmm cute but i might just pass this time"),
    ("dissatisfied", "難怪這麼便宜，洗一次就縮了"),
    ("dissatisfied", "说好上午来装，到现在都没见着人影"),
    ("dissatisfied", "It's been 50 mins waiting and I still haven't heard back"),
    ("angry", "不退钱我就挂你们，抖音微博全发"),
    ("angry", "refund me by friday or I'm done with you"),
    ("angry", "再拖就给你个一星"),
    ("angry", "再打嚟我就投訴你哋騷擾！"),
    ("angry", "黑心商家，等著收一星評價"),
    ("angry", "You scammers. I'm disputing the charge with my bank."),
    ("dissatisfied", "等了好久都沒人回，好失望"),
    ("dissatisfied", "翻了半天都找不到退貨入口，真的很無言"),
    ("dissatisfied", "Still nothing after 2 weeks now."),
    ("hesitant", "我再諗諗，暫時定唔落"),
    ("hesitant", "Let me think about it and get back to you"),
    ("hesitant", "考慮緊買唔買，遲啲先決定"),
    ("hesitant", "我再对比一下别家吧"),
    ("hesitant", "Love both colours... I'll decide tomorrow"),
    ("positive", "哇新款好好看！"),
    ("angry", "我要全额退款，不然我去黑猫投诉"),
    ("hesitant", "好，我再想一下"),
    ("dissatisfied", "等了好幾天都沒消息，有點不爽"),
    ("angry", "Refund me NOW or I'm calling my bank"),
    ("positive", "It's gorgeous, will definitely order again"),
    ("positive", "比想像中好太多了，五星！"),
    ("positive", "收到啦，好正呀"),
    ("positive", "I'm obsessed with this lamp, you guys rock"),
]


@pytest.mark.parametrize(("mood", "text"), MOODS, ids=[f"{m}-{n}" for n, (m, _) in enumerate(MOODS)])
def test_mood_families(mood: str, text: str) -> None:
    assert analyse(text).mood == mood, (text, analyse(text).mood)


def test_polite_words_are_not_read_as_thanks_when_they_open_a_request() -> None:
    assert "thanks" not in analyse("唔該，想問下幾時到貨").intents


def test_damage_on_arrival_is_not_a_delivery_question() -> None:
    assert "shipping" not in analyse("The mug arrived cracked").intents


def test_a_new_flavour_is_not_a_bad_smell() -> None:
    assert "after_sales" not in analyse("有沒有新出的味道呀？").intents


def test_can_you_guarantee_is_not_a_warranty_claim() -> None:
    assert "after_sales" not in analyse("Can you guarantee it arrives by Saturday?").intents


def test_a_refund_to_the_original_card_is_not_about_genuineness() -> None:
    a = analyse("Refund it to the original payment method please")
    assert "authenticity" not in a.intents
    assert "credibility" not in a.concerns


def test_waiting_for_news_as_a_question_is_not_a_closing() -> None:
    assert "thanks" not in analyse("我等通知是吧？").intents


def test_returning_items_together_is_after_sales_not_shipping() -> None:
    assert "shipping" not in analyse("可以一起寄回給你們嗎？").intents


def test_happy_to_and_best_price_are_not_pleasure() -> None:
    assert analyse("Happy to order today if you can do $30").mood != "positive"
    assert analyse("what's your best price?").mood != "positive"


def test_a_coupon_or_a_payment_method_that_can_be_used_is_not_a_product_question() -> None:
    assert "product_question" not in analyse("我的折價券可以用在特價商品上嗎").intents
    assert "product_question" not in analyse("花呗分期能用吗").intents
    assert "after_sales" not in analyse("下单后才发现不能用信用卡分期").intents


def test_a_price_difference_to_refund_is_haggling_not_a_return() -> None:
    intents = analyse("差價退給我，不然我就不買了").intents
    assert "bargain" in intents
    assert "after_sales" not in intents


def test_a_replacement_part_is_a_product_not_a_return() -> None:
    intents = analyse("Replacement cartridge for the K300 kettle please").intents
    assert "product_question" in intents
    assert "after_sales" not in intents


def test_thinking_it_over_does_not_continue_the_topic() -> None:
    msgs = [analyse(t) for t in ("Which of the two kettles boils faster?", "Hmm, let me think about it")]
    assert conversation_intents(msgs)[1] == ("other",)
    msgs = [analyse(t) for t in ("这件能退吗", "确定可以吗")]
    assert conversation_intents(msgs)[1] == msgs[0].intents[:1]


def test_exclamation_marks_on_a_pleased_message_are_joy() -> None:
    a = analyse("收到了！！超喜歡！！")
    assert a.mood == "positive"
    assert not any(s.label == "angry" for s in a.signals)


@pytest.mark.parametrize(
    "text",
    [
        "全家都很喜歡這個杯子",  # the whole family, not the FamilyMart pickup
        "Thanks again!",  # a warm closing, not "wrong again"
        "What's the zip code for the return address?",
        "可以和上次的订单放在一起寄吗",
        "我在網上買的，想問怎麼用",
    ],
)
def test_common_words_do_not_trigger_unrelated_families(text: str) -> None:
    a = analyse(text)
    assert "complaint" not in a.intents
    assert "promotion" not in a.intents
    assert "chitchat" not in a.intents


def test_the_shop_chasing_payment_is_not_the_customer_urging() -> None:
    assert "urge" not in analyse("你们别催我，月底再付").intents
    assert "urge" not in analyse("天天发消息催我付款").intents
    assert "urge" in analyse("帮我催一下快递").intents


def test_sharing_photos_and_checking_for_faults_are_not_anger() -> None:
    """发小红书 to show off a purchase is no threat; 有没有毛病 is a check, not an insult."""
    assert analyse("好看到想拍照发小红书").mood not in ("angry", "dissatisfied")
    assert analyse("到了我先检查一下有没有毛病").mood != "angry"
    assert analyse("再这样我就发到小红书让大家看看").mood == "angry"


def test_working_days_praise_doubted_and_a_crying_wallet_are_not_what_they_seem() -> None:
    assert analyse("退款已经7个工作日了还没到").mood != "angry"  # 日了 here is days, not the curse
    assert analyse("你家好评都是刷的吧").mood != "positive"
    assert analyse("上新了哈哈，钱包又要哭了").mood != "dissatisfied"


def test_ordinary_questions_stay_clear_of_the_twelfth_set_families() -> None:
    assert analyse("这款窗帘透光性好吗").mood != "dissatisfied"
    assert "after_sales" not in analyse("我要两件，你们寄过来就行").intents
    assert "complaint" not in analyse("我先挂了，晚点再问").intents


def test_a_low_price_said_in_other_words_is_a_hint_not_a_worry() -> None:
    """才三百多 alone is no worry (it needs a doubt beside it, see the classifier), but it is noticed."""
    a = analyse("这件羽绒服才三百多")
    assert any(s.dimension == "concerns" and s.label == "price_quality" for s in a.signals)
    assert "price_quality" not in a.concerns


def test_a_status_shown_is_not_an_error_code() -> None:
    assert "after_sales" not in analyse("物流显示3天前就到站了").intents


def test_a_shop_called_best_buy_is_no_praise() -> None:
    assert analyse("Best Buy has it for $40 less").mood != "positive"


def test_sums_and_supplies_left_over_are_not_displeasure() -> None:
    assert analyse("算了下今年在你家买了五次").mood == "neutral"
    assert analyse("上次买的还没用完呢").mood == "neutral"


def test_acting_at_once_oneself_is_not_urging_the_shop() -> None:
    assert "urge" not in analyse("可以的话我马上就拍").intents
    assert "urge" not in analyse("訂單可以保留幾天嗎").intents
    assert "urge" in analyse("马上给我处理").intents


def test_a_lasting_doubt_is_not_a_wait() -> None:
    assert "urge" not in analyse("我一直不太敢在网上付钱").intents
    assert "urge" in analyse("我问了一直没人回").intents


def test_pay_day_is_not_a_payment_matter() -> None:
    assert "payment" not in analyse("今天工资终于到账了，开心").intents
    assert "payment" in analyse("我付的钱到账了吗").intents


def test_negated_patience_and_repurchase_are_not_pleasure() -> None:
    assert analyse("你們客服一點耐心都沒有").mood != "positive"
    assert analyse("不會再回購了").mood != "positive"
