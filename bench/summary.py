"""How long a team lead's daily summary takes for a busy day: 100,000 messages from 20,000 customers.

The day is written into a throwaway real Redis through the store's own path — the same ``team_message``
Lua script ``Store.save_outcome`` runs for every message (pipelined here, to fill it quickly), unpaid
orders through ``Store.add_event`` and whisper feedback through ``Store.count_feedback`` — plus seven
earlier days. Then the summary is built the way the bot builds it: read (``bot.summary.gather``),
compute, format the text, draw the chart. Target: ≤ 1 s for all of it.

    python -m bench summary                       # 100,000 messages, 20,000 customers
    python -m bench summary --messages 20000 --customers 5000 --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import random
import statistics
import subprocess
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import redis

from bot.chart import font_families, render_chart
from bot.embedded_redis import _free_port, find_redis_server
from bot.i18n import load_texts
from bot.keys import Keys
from bot.redis_conn import connect
from bot.store import DAY_KEY_DAYS, CustomerRef, Store
from bot.summary import gather, summarise
from bot.summary_text import format_summary
from strategies.models import Event
from strategies.playbook import Playbook, load_playbook

TEAM = -1001234567890
TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 11, 23, tzinfo=TZ)
BEHAVIOR = ["sociable", "decisive", "polite", "bargainer", "no_pay", "none"]
PERSONALITY = ["friendly", "assertive", "analytical", "egocentric", "none"]
MOOD = ["angry", "dissatisfied", "hesitant", "neutral", "positive", "none"]
VALUE = ["high_interest", "developable", "modeled", "captive", "vip", "one_time", "none"]
INTENTS = ["greeting", "product_question", "bargain", "promotion", "payment", "shipping", "after_sales"]
CONCERNS = ["credibility", "price_quality", "choice", "payment_safety", "delivery", "after_sales"]
BATCH = 2000


@functools.cache
def load_playbook_once() -> Playbook:
    return load_playbook()


def _redis(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    """A throwaway redis-server (no persistence) on a loopback port, answering when this returns."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            find_redis_server(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(directory),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    probe = redis.Redis(port=port)
    for _ in range(200):
        with contextlib.suppress(redis.ConnectionError):
            if probe.ping():
                probe.close()
                return proc, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("the benchmark's redis-server did not start")


async def fill_day(store: Store, day: datetime, messages: int, customers: int, rng: random.Random) -> None:
    """``messages`` customer messages over ``customers`` customers, as ``Store.save_outcome`` counts them."""
    sha = await store._sha("team_message")
    d = store.day_of(day)
    keys = [store.keys.day(TEAM, d, k) for k in "scf"] + [
        store.keys.names(TEAM),
        store.keys.recent(TEAM),
        store.keys.days(TEAM),
    ]
    start = store.day_start(d)
    new = {c for c in range(customers) if rng.random() < 0.6}
    pipe = store.client.pipeline(transaction=False)
    for n in range(messages):
        c = n % customers
        at = start + 8 * 3600 + n * 13 * 3600 // messages
        labels = "|".join(rng.choice(dim) for dim in (BEHAVIOR, PERSONALITY, MOOD, VALUE, ["none"]))
        mood = labels.split("|")[2]
        follow = {
            "negative": mood in ("angry", "dissatisfied") and rng.random() < 0.5,
            "interest": labels.split("|")[3] == "high_interest",
        }
        if rng.random() < 0.002:
            follow[rng.choice(["repeat", "vip"])] = True
        flags = " ".join(f"{k}:{'on' if v else 'off'}" for k, v in follow.items())
        counters = [f"intent:{i}" for i in rng.sample(INTENTS, rng.randint(1, 2))]
        counters += [f"concern:{rng.choice(CONCERNS)}"] if rng.random() < 0.3 else []
        counters.append(f"msgmood:{mood if mood != 'none' else 'neutral'}")
        args: list[str | int] = [
            f"u{c}",
            f"顾客<{c}>",
            at,
            d,
            start,
            int(c in new),
            labels,
            1000 + c % 25,
            flags,
            DAY_KEY_DAYS * 86400,
            *counters,
        ]
        pipe.evalsha(sha, len(keys), *keys, *args)
        if len(pipe) >= BATCH:
            await pipe.execute()
    await pipe.execute()


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
        proc, url = _redis(Path(tmp))
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
