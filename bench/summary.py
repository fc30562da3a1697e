"""How long a team lead's daily summary takes for a busy day: 100,000 messages from 20,000 customers.

The day is written into a throwaway real Redis through the store's own path — ``Store.save_outcome``,
as the bot calls it for every message (many at once here, to fill it quickly), unpaid
orders through ``Store.add_event`` and whisper feedback through ``Store.count_feedback`` — plus seven
earlier days. Then the summary is built the way the bot builds it: read (``bot.summary.gather``),
compute, format the text, draw the chart. Target: ≤ 1 s for all of it.

    python -m bench summary                       # 100,000 messages, 20,000 customers
    python -m bench summary --messages 20000 --customers 5000 --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.chart import font_families, render_chart
from bot.i18n import load_texts
from bot.keys import Keys
from bot.redis_conn import connect
from bot.store import LABEL_ORDER, CustomerRef, CustomerState, Store
from bot.summary import gather, summarise
from bot.summary_text import format_summary
from strategies.models import Event
from strategies.playbook import Playbook, load_playbook
from tests.conftest import start_redis

TEAM = -1001234567890
TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 11, 23, tzinfo=TZ)
BEHAVIOR = ["sociable", "decisive", "polite", "bargainer", "no_pay", "none"]
PERSONALITY = ["friendly", "assertive", "analytical", "egocentric", "none"]
MOOD = ["angry", "dissatisfied", "hesitant", "neutral", "positive", "none"]
VALUE = ["high_interest", "developable", "modeled", "captive", "vip", "one_time", "none"]
INTENTS = ["greeting", "product_question", "bargain", "promotion", "payment", "shipping", "after_sales"]
CONCERNS = ["credibility", "price_quality", "choice", "payment_safety", "delivery", "after_sales"]
BATCH = 500


@functools.cache
def load_playbook_once() -> Playbook:
    return load_playbook()


async def fill_day(store: Store, day: datetime, messages: int, customers: int, rng: random.Random) -> None:
    """``messages`` customer messages over ``customers`` customers, counted by ``Store.save_outcome``."""
    d = store.day_of(day)
    start = store.day_start(d)
    first_seen = {c: day if rng.random() < 0.6 else day - timedelta(days=30) for c in range(customers)}

    def one(n: int) -> Awaitable[None]:
        c = n % customers
        at = datetime.fromtimestamp(start + 8 * 3600 + n * 13 * 3600 // messages, TZ)
        labels = dict(
            zip(
                LABEL_ORDER,
                (rng.choice(dim) for dim in (BEHAVIOR, PERSONALITY, MOOD, VALUE, ["none"])),
                strict=True,
            )
        )
        mood = labels["mood"]
        follow = {
            "negative": mood in ("angry", "dissatisfied") and rng.random() < 0.5,
            "interest": labels["value"] == "high_interest",
        }
        if rng.random() < 0.002:
            follow[rng.choice(["repeat", "vip"])] = True
        counters = [f"intent:{i}" for i in rng.sample(INTENTS, rng.randint(1, 2))]
        counters += [f"concern:{rng.choice(CONCERNS)}"] if rng.random() < 0.3 else []
        counters.append(f"msgmood:{mood if mood != 'none' else 'neutral'}")
        customer = CustomerState(
            id=f"u{c}",
            name=f"顾客<{c}>",
            kind="user",
            first_seen=first_seen[c],
            last_seen=at,
            messages=1,
            fields={},
            history=(),
            events=(),
        )
        return store.save_outcome(
            TEAM, customer, now=at, labels=labels, agent_id=1000 + c % 25, counters=counters, follow=follow
        )

    for batch in range(0, messages, BATCH):
        await asyncio.gather(*(one(n) for n in range(batch, min(messages, batch + BATCH))))


async def fill_events(store: Store, day: datetime, rng: random.Random, customers: int) -> None:
    noon = day + timedelta(hours=12)
    orders = [
        store.add_event(TEAM, CustomerRef(f"u{c}", f"顾客<{c}>", "user"), Event(kind="order", at=noon))
        for c in rng.sample(range(customers), 300)
    ]
    feedback = [
        store.count_feedback(TEAM, now=noon, agent_id=1000 + n % 25, dimension="behavior", agreed=n % 5 != 0)
        for n in range(2000)
    ]
    for chunk in range(0, len(orders + feedback), 200):
        await asyncio.gather(*(orders + feedback)[chunk : chunk + 200])


async def one_summary(store: Store, day: str) -> tuple[dict[str, float], list[str], bytes]:
    """Build one summary as the bot does; the seconds each step took."""
    playbook, texts = load_playbook_once(), load_texts()
    cpu = time.process_time()  # all threads of this process (the chart is drawn in one)
    t0 = time.perf_counter()
    inputs = await gather(store, TEAM, day)
    t1 = time.perf_counter()
    summary = summarise(inputs)
    t2 = time.perf_counter()
    text = format_summary(
        summary, title="客服一组", agent_names={}, playbook=playbook, texts=texts, lang="zh-Hans", tz=TZ
    )
    t3 = time.perf_counter()
    png = await asyncio.to_thread(render_chart, summary, playbook=playbook, texts=texts, lang="zh-Hans")
    t4 = time.perf_counter()
    steps = {"read": t1 - t0, "compute": t2 - t1, "text": t3 - t2, "chart": t4 - t3}
    steps["data + text"] = t3 - t0
    steps["total"] = t4 - t0
    steps["total, CPU"] = time.process_time() - cpu
    return steps, text, png


async def run(messages: int, customers: int, runs: int) -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        proc, port = start_redis(Path(tmp))
        url = f"redis://127.0.0.1:{port}/0"
        client = await connect(url)
        try:
            store = Store(client, Keys("bench"), TZ)
            started = time.perf_counter()
            for back in range(7, 0, -1):  # earlier days only feed the comparison and the trend
                await fill_day(store, DAY - timedelta(days=back), messages // 50, customers // 10, rng)
            await fill_day(store, DAY, messages, customers, rng)
            await fill_events(store, DAY, rng, customers)
            fill = time.perf_counter() - started
            day = store.day_of(DAY)
            data = await store.day_data(TEAM, day)
            print(
                f"filled in {fill:.1f} s: {data.stats['messages']:,} messages from "
                f"{data.stats['customers']:,} customers today, {len(data.follow):,} follow-up flags"
            )
            t = time.perf_counter()
            font_families()
            print(f"chart font set-up (once per process): {time.perf_counter() - t:.3f} s")
            cold, text, png = await one_summary(store, day)
            print(f"first summary in this process (cold caches): {cold['total']:.3f} s")
            chars = sum(len(m) for m in text)
            print(f"text: {len(text)} message(s), {chars:,} chars; chart PNG {len(png):,} bytes")
            timings: dict[str, list[float]] = {k: [] for k in cold}
            for _ in range(runs):
                steps, _, _ = await one_summary(store, day)
                for key, value in steps.items():
                    timings[key].append(value)
            print(f"then {runs} runs, seconds of wall clock (CPU: this process) — median / worst:")
            for key, values in timings.items():
                print(f"  {key:<12} {statistics.median(values):.3f} / {max(values):.3f}")
            median = statistics.median(timings["total"])
            verdict = "met" if median <= 1.0 else "MISSED"
            print(f"target ≤ 1 s for data + text + chart: {verdict} (median {median:.3f} s)")
        finally:
            await client.aclose()
            proc.terminate()
            proc.wait(timeout=10)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench summary", description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    asyncio.run(run(args.messages, args.customers, args.runs))
