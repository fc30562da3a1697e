"""What one forwarded message costs Redis: round trips, and memory per customer.

(a) Round trips: the real bot runs in this process against the fake Telegram server and a throwaway
    redis-server; every write of a Redis connection is counted on the client side (a pipeline or a
    script is one write, so one round trip) and, independently, the server's ``MONITOR`` stream lists the
    commands. Target: ≤ 3 round trips per message in steady state (the agent's language is cached).
(b) Memory: 10,000 customers × 20 messages written through the store as the bot writes them
    (``record_message`` → ``save_outcome`` for every message, ``remember_whisper`` for the whisper),
    ``INFO memory`` before and after, divided by the customers; ``MEMORY USAGE`` on samples per key type.
    Target: ≤ 4 KB per customer.

    python -m bench redis_cost                   # both parts
    python -m bench redis_cost --customers 2000  # smaller (b)
    python -m bench redis_cost --only trips      # or --only memory
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import random
import re
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from redis.asyncio.connection import AbstractConnection

from bench._load import ORDER_SUFFIX, TimedTelegram, Workload, customer_turns
from bot.keys import Keys, whisper_token
from bot.pipeline import labels_of, message_counters, profile_of
from bot.redis_conn import connect
from bot.store import Client, CustomerRef, Store, Whisper
from tests.conftest import TZ, start_redis
from tests.harness import bot_settings, domain, start_bot

TARGET_TRIPS = 3
TARGET_BYTES = 4096
TEAM = -1001234567890
KEYS = Keys("zy")


# ---------------------------------------------------------------------------------------------- (a) trips


def _commands(packed: Any) -> list[list[bytes]]:
    """The commands in a RESP-packed write (one, or several for a pipeline)."""
    if isinstance(packed, str):
        packed = packed.encode()
    data = packed if isinstance(packed, bytes) else b"".join(bytes(p) for p in packed)
    out: list[list[bytes]] = []
    i = 0
    while i < len(data) and data[i : i + 1] == b"*":
        end = data.index(b"\r\n", i)
        count = int(data[i + 1 : end])
        i = end + 2
        args = []
        for _ in range(count):
            end = data.index(b"\r\n", i)
            size = int(data[i + 1 : end])
            args.append(data[end + 2 : end + 2 + size])
            i = end + 2 + size + 2
        out.append(args)
    return out


class RoundTrips:
    """Counts writes on every Redis connection of this process (one write = one round trip)."""

    def __init__(self) -> None:
        self.trips: list[list[list[bytes]]] = []

    @contextlib.contextmanager
    def installed(self) -> Any:
        original = AbstractConnection.send_packed_command
        trips = self.trips

        async def counting(conn: AbstractConnection, command: Any, check_health: bool = True) -> None:
            trips.append(_commands(command))
            await original(conn, command, check_health)

        AbstractConnection.send_packed_command = counting  # type: ignore[method-assign]
        try:
            yield self
        finally:
            AbstractConnection.send_packed_command = original  # type: ignore[method-assign]

    def take(self) -> list[list[list[bytes]]]:
        taken = list(self.trips)
        self.trips.clear()
        return taken


async def _monitor(port: int, lines: list[str], ready: asyncio.Event) -> None:
    """Collect the server's MONITOR stream (a plain connection, so it is not counted)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"MONITOR\r\n")
    await writer.drain()
    await reader.readline()  # +OK
    ready.set()
    try:
        while line := await reader.readline():
            lines.append(line.decode("utf-8", "replace").rstrip("\r\n").lstrip("+"))
    finally:
        writer.close()


_MONITOR_LINE = re.compile(r"^[\d.]+ \[\d+ (?P<who>[^\]]+)\] (?P<cmd>.*)$")


def _describe(command: list[bytes], scripts: dict[str, str]) -> str:
    name = command[0].decode().upper()
    args = [a.decode("utf-8", "replace") for a in command[1:]]
    if name == "EVALSHA" and args:
        return f"EVALSHA {scripts.get(args[0], args[0][:8])} ({args[1]} keys)"
    return f"{name} {args[0] if args else ''}".strip()


@dataclass
class TripReport:
    per_message: list[int]  # round trips of each steady-state message
    sample: list[list[str]]  # one steady-state message: its round trips, commands in each
    monitor: list[str]  # what MONITOR saw for that message
    cold: int  # the very first message (scripts loaded, agent's language looked up)
    new_customer: int  # a new customer's first message, once warm
    routes: Counter[str] = field(default_factory=Counter)


async def measure_round_trips(messages: int = 20) -> TripReport:
    """The real bot in-process: round trips of ``messages`` steady-state forwarded messages."""
    with tempfile.TemporaryDirectory(prefix="zhiyin-bench-trips-") as tmp:
        proc, port = await asyncio.to_thread(start_redis, Path(tmp))
        try:
            return await _round_trips(port, messages)
        finally:
            proc.terminate()
            await asyncio.to_thread(proc.wait, 10)


async def _round_trips(port: int, messages: int) -> TripReport:
    routes: Counter[str] = Counter()
    fake = TimedTelegram(lambda call: routes.update([call.method]), can_read_all_group_messages=True)
    async with fake:
        load = Workload.create(fake, customers=6, agents=2)
        settings = bot_settings(
            fake, redis_url=f"redis://127.0.0.1:{port}/0", key_prefix="rt", groups=[load.group.id]
        )
        counter = RoundTrips()
        async with start_bot(settings) as bot:
            registry = bot.services.metrics.registry

            def handled() -> float:
                return registry.get_sample_value("zhiyin_message_handling_seconds_count") or 0.0

            async def one(customer_index: int) -> list[list[list[bytes]]]:
                customer = load.customers[customer_index]
                text = customer.turns[customer.sent % len(customer.turns)]
                if customer.sent >= len(customer.turns):
                    text += ORDER_SUFFIX.format(n=next(load.orders))
                customer.sent += 1
                before = handled()
                counter.take()
                await fake.push_forward(customer.agent, customer.origin, text, chat=load.group)
                deadline = time.monotonic() + 10
                while handled() <= before:
                    if time.monotonic() > deadline:
                        raise RuntimeError("the bot did not handle the message in 10 s")
                    await asyncio.sleep(0.002)
                await asyncio.sleep(0.02)  # nothing else should follow; give it the chance to show
                return counter.take()

            with counter.installed():
                cold = len(await one(0))
                for i in range(1, len(load.customers) - 1):  # every agent's language is cached now
                    await one(i)
                new_customer = len(await one(len(load.customers) - 1))
                per_message = []
                for i in range(messages - 1):
                    per_message.append(len(await one(i % (len(load.customers) - 1))))
                lines: list[str] = []
                ready = asyncio.Event()
                watcher = asyncio.create_task(_monitor(port, lines, ready))
                await asyncio.wait_for(ready.wait(), 5)
                sample_trips = await one(0)
                await asyncio.sleep(0.05)
                watcher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watcher
                per_message.append(len(sample_trips))
            scripts = {sha: name for name, sha in bot.services.store._shas.items()}
    sample = [[_describe(c, scripts) for c in trip] for trip in sample_trips]
    monitor = []
    for line in lines:
        m = _MONITOR_LINE.match(line)
        if m:
            where = "  (in Lua)" if m.group("who") == "lua" else ""
            monitor.append(f"{m.group('cmd')[:100]}{where}")
    return TripReport(per_message, sample, monitor, cold, new_customer, routes)


# ---------------------------------------------------------------------------------------------- (b) memory


@dataclass
class MemoryReport:
    customers: int
    messages: int
    used_before: int
    used_after: int
    seconds: float
    breakdown: list[tuple[str, int, int]]  # (what, keys, bytes per customer)
    redis_version: str

    @property
    def per_customer(self) -> float:
        return (self.used_after - self.used_before) / self.customers


async def _used_memory(client: Client) -> int:
    info = await client.info("memory")
    return int(info["used_memory"])


async def _write_customer(
    store: Store, index: int, turns: list[str], history: int, now: datetime, update_ids: Any
) -> None:
    dom = domain()
    hidden = index % 5 == 0
    ref = (
        CustomerRef(id=f"n:买家{index:05d}", name=f"买家{index:05d}", kind="name")
        if hidden
        else CustomerRef(id=f"u{700_000_000 + index}", name=f"顾客{index:05d}", kind="user")
    )
    agent_id = 1001 + index % 8
    start = now - timedelta(minutes=history * 3)
    recorded = None
    labels = dict.fromkeys(("behavior", "personality", "value", "shopper"), "none") | {"mood": "neutral"}
    for k in range(history):
        turn = turns[k % len(turns)]
        text = turn if k < len(turns) else turn + ORDER_SUFFIX.format(n=next(update_ids) + 202_400_000_000)
        at = start + timedelta(minutes=3 * k)
        recorded = await store.record_message(
            TEAM, ref, update_id=next(update_ids), agent_id=agent_id, text=text, now=at, burst_seconds=8
        )
        assert recorded is not None
        follow: dict[str, bool] = {}
        if k == history - 1:  # the stored labels are the last message's: classify that one for real
            profile = profile_of(dom, recorded.customer, at)
            labels = labels_of(profile)
            follow = {"interest": profile.value.label == "high_interest"}
        await store.save_outcome(
            TEAM,
            recorded.customer,
            now=at,
            labels=labels,
            agent_id=agent_id,
            counters=message_counters(dom.analyse(turn)),
            follow=follow,
        )
    assert recorded is not None
    token = whisper_token(TEAM, ref.id)
    await store.remember_whisper(
        TEAM,
        ref.id,
        Whisper(agent_id, agent_id, 1000 + index, int(now.timestamp()), history),
        now=now,
        route="private",
        callback=(token, {"team": TEAM, "customer": ref.id, "name": ref.name}),
    )


async def _breakdown(client: Client, keys: Keys, customers: int) -> list[tuple[str, int, int]]:
    kinds: dict[str, list[str]] = {}
    async for raw in client.scan_iter(f"{keys.prefix}:*", count=2000):
        key = raw.decode()
        if key.startswith(keys.team_tag(TEAM)):
            kind = "team keys (names, recent, day counters…)"
        elif key.startswith(f"{keys.prefix}:cb:"):
            kind = "callback payload  (cb:…, 7 days)"
        else:
            kind = {"p": "customer hash  (…:p)", "h": "history list  (…:h)", "e": "events list  (…:e)"}.get(
                key.rsplit(":", 1)[-1], "other"
            )
        kinds.setdefault(kind, []).append(key)
    rng = random.Random(1)
    rows = []
    for kind, names in sorted(kinds.items()):
        sample = names if kind.startswith("team") else rng.sample(names, min(200, len(names)))
        sizes = [await client.memory_usage(k, samples=0) or 0 for k in sample]
        total = sum(sizes) / len(sample) * len(names)
        rows.append((kind, len(names), round(total / customers)))
    return rows


async def measure_memory(
    customers: int = 10_000, history: int = 20, *, workers: int = 1, binary: str | None = None
) -> MemoryReport:
    """``customers`` × ``history`` messages through the store into a fresh redis-server.

    ``workers`` > 1 splits the customers over that many processes (each with its own connections), only
    to make the 200,000 writes faster; what is written is the same.
    """
    with tempfile.TemporaryDirectory(prefix="zhiyin-bench-mem-") as tmp:
        proc, port = await asyncio.to_thread(start_redis, Path(tmp), binary=binary)
        url = f"redis://127.0.0.1:{port}/0"
        try:
            client = await connect(url)
            try:
                store = Store(client, KEYS, TZ, history_limit=history, retention_days=90)
                for name in store._scripts:
                    await store._sha(name)  # the scripts belong to the baseline, not to any customer
                version = str((await client.info("server"))["redis_version"])
                before = await _used_memory(client)
                started = time.monotonic()
                if workers <= 1:
                    await _write_customers(url, 0, customers, history)
                else:
                    await _in_processes(url, customers, history, workers)
                seconds = time.monotonic() - started
                after = await _used_memory(client)
                rows = await _breakdown(client, KEYS, customers)
            finally:
                await client.aclose()
        finally:
            proc.terminate()
            await asyncio.to_thread(proc.wait, 10)
    return MemoryReport(customers, customers * history, before, after, seconds, rows, version)


async def _in_processes(url: str, customers: int, history: int, workers: int) -> None:
    loop = asyncio.get_running_loop()
    bounds = [customers * w // workers for w in range(workers + 1)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        jobs = [loop.run_in_executor(pool, _worker, url, a, b, history) for a, b in pairwise(bounds)]
        await asyncio.gather(*jobs)


def _worker(url: str, first: int, stop: int, history: int) -> None:
    asyncio.run(_write_customers(url, first, stop, history))


async def _write_customers(url: str, first: int, stop: int, history: int, concurrency: int = 32) -> None:
    """Customers ``first`` … ``stop - 1``, ``concurrency`` at a time, each with its own conversation."""
    client = await connect(url)
    try:
        store = Store(client, KEYS, TZ, history_limit=history, retention_days=90)
        conversations = customer_turns()
        random.Random(7).shuffle(conversations)
        now = datetime.now(TZ).replace(hour=15, minute=0, second=0, microsecond=0)
        update_ids = iter(range(300_000_001 + first * history * 2, 10**12))
        pending = iter(range(first, stop))

        async def run() -> None:
            for i in pending:
                turns = conversations[i % len(conversations)]
                await _write_customer(store, i, turns, history, now, update_ids)

        await asyncio.gather(*(run() for _ in range(concurrency)))
    finally:
        await client.aclose()


# ---------------------------------------------------------------------------------------------- main


def _print_trips(report: TripReport) -> bool:
    steady = report.per_message
    worst = max(steady)
    print("(a) Redis round trips per forwarded message (client-side count; a pipeline or script = 1)")
    print(f"    steady state, {len(steady)} messages: {Counter(steady)} → at most {worst}")
    print(f"    a new customer's first message: {report.new_customer}")
    print(
        f"    the very first message after start: {report.cold} (loads the Lua scripts, reads the "
        "agent's language; cached for a minute)"
    )
    print("    one steady-state message, round trip by round trip:")
    for n, trip in enumerate(report.sample, start=1):
        print(f"      {n}. " + " + ".join(trip))
    top = [m for m in report.monitor if not m.endswith("(in Lua)")]
    print(
        f"    MONITOR saw {len(report.monitor)} commands for it: {len(top)} sent by the bot, "
        f"{len(report.monitor) - len(top)} run inside the Lua scripts:"
    )
    for line in report.monitor:
        print(f"      {line}")
    return worst <= TARGET_TRIPS


def _print_memory(report: MemoryReport) -> bool:
    print(
        f"(b) Redis memory: {report.customers:,} customers × {report.messages // report.customers} messages "
        f"written in {report.seconds:.0f} s (redis {report.redis_version}, default encodings)"
    )
    print(
        f"    used_memory {report.used_before / 2**20:.1f} MB → {report.used_after / 2**20:.1f} MB: "
        f"{report.per_customer:,.0f} bytes per customer"
    )
    print("    MEMORY USAGE by key type (sampled, per customer):")
    for kind, count, per in report.breakdown:
        print(f"      {kind:44s} {count:>7,} keys  {per:>6,} B")
    return report.per_customer <= TARGET_BYTES


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench redis_cost", description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=10_000, help="customers for (b) (default 10,000)")
    parser.add_argument("--history", type=int, default=20, help="messages per customer for (b)")
    parser.add_argument("--messages", type=int, default=20, help="steady-state messages for (a)")
    parser.add_argument("--only", choices=("trips", "memory"))
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="processes writing (b) (default: CPUs)"
    )
    parser.add_argument(
        "--redis-server", help="redis-server binary for (b) (default: the embedded one, as the tests use)"
    )
    args = parser.parse_args(argv)
    verdicts = []
    if args.only in (None, "trips"):
        ok = _print_trips(asyncio.run(measure_round_trips(args.messages)))
        verdicts.append(f"round trips {'≤' if ok else '>'} {TARGET_TRIPS} {'✓' if ok else '✗'}")
    if args.only in (None, "memory"):
        memory = measure_memory(args.customers, args.history, workers=args.workers, binary=args.redis_server)
        report = asyncio.run(memory)
        ok = _print_memory(report)
        verdicts.append(
            f"{report.per_customer / 1024:.2f} KB per customer {'≤' if ok else '>'} 4 KB {'✓' if ok else '✗'}"
        )
    print("verdict: " + "; ".join(verdicts))
