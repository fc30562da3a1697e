"""The performance benchmarks still run: each one's core with tiny parameters, structural checks only.

Nothing here is timed; the figures are printed by ``./zhiyin bench`` (bench/e2e.py, bench/memory.py,
bench/redis_cost.py).
"""

from __future__ import annotations

import asyncio

from bench.e2e import Bot, measure
from bench.memory import measure_rss
from bench.redis_cost import measure_memory, measure_round_trips


async def test_e2e_and_memory_runs_deliver_every_whisper() -> None:
    """Both start bot processes, the slow part, so they run side by side: the two echo bots through e2e's
    rounds, Zhiyin through the memory run (the same harness: bench/_load.py)."""
    echoes = [Bot("echo", "echo", 0.0), Bot("echo on aiohttp", "echo-aiohttp", 0.0)]
    e2e = measure(echoes, n=20, rate=100, seconds=0.2, rounds=2, warmup=5, customers=10)
    measured, memory = await asyncio.gather(e2e, measure_rss(30, every=10, customers=10))

    for bot in measured:
        assert bot.run is not None
        assert [p.messages for p in bot.latency] == [20, 20]
        assert [p.messages for p in bot.throughput] == [20]
        assert all(len(p.latencies) == p.messages for p in bot.latency + bot.throughput)
        assert all(0 < latency < 10 for p in bot.latency for latency in p.latencies)
        assert bot.throughput[0].rate > 0
        assert bot.rss > 0
        assert sum(p.mismatched for p in bot.latency + bot.throughput) == 0
        assert bot.run.unexpected == 0
        assert bot.run.problems() == []
        assert sum(bot.run.calls.values()) == 5 + 2 * 20 + 20  # warm-up, latency rounds, throughput

    assert memory.delivered == 30 and memory.mismatched == 0 and memory.problems == []
    done = [n for n, _, _ in memory.samples]
    assert done[0] == 0 and done[-1] == 30 and len(done) >= 3 and done == sorted(done)
    assert all(rss > 10 * 2**20 for _, rss, _ in memory.samples)
    assert memory.peak >= memory.samples[0][1]


async def test_round_trips_are_counted_per_message() -> None:
    report = await measure_round_trips(messages=4)
    assert len(report.per_message) == 4
    assert all(isinstance(n, int) and 1 <= n <= 3 for n in report.per_message)
    assert len(report.sample) == report.per_message[-1]
    assert any("EVALSHA record_message" in command for trip in report.sample for command in trip)
    assert any(line.endswith("(in Lua)") for line in report.monitor)
    assert report.cold >= report.per_message[0]


async def test_memory_per_customer_is_measured() -> None:
    report = await measure_memory(customers=20, history=5)
    assert report.messages == 100
    assert report.used_after > report.used_before
    assert report.per_customer > 0
    kinds = {kind for kind, _, _ in report.breakdown}
    assert any(kind.startswith("history") for kind in kinds)
    assert any(kind.startswith("customer hash") for kind in kinds)
