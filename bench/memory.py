"""The bot's resident memory under a long run of forwarded messages.

The real bot runs in its own process (as in bench/e2e.py: fake Telegram and the load here, Redis apart,
burst coalescing as deployed); messages go through as fast as it takes them, and its RSS (VmRSS from
/proc/<pid>/status) is printed at the start, at every tenth of the run and at the end. Nearly every message
is a new text (order numbers), so the analysis cache fills and then evicts, as with real traffic.

    python -m bench memory              # 40,000 messages, about five minutes: past the 20,000–30,000
                                        # where the bot's caches fill, so "stable" is a real verdict
    python -m bench memory --n 100000   # the issue's figure (about 15 minutes on 2 CPUs)
    python -m bench memory --quick      # 5,000

Target: stable (the second half of the run adds at most 5 MB), at most 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from dataclasses import dataclass, field

from bench._load import session

TARGET_MB = 200
#: "Stable": the second half of the run may add this much at most (allocator noise, cache churn).
STABLE_MB = 5.0


@dataclass
class MemoryRun:
    messages: int
    samples: list[tuple[int, int, float]] = field(default_factory=list)  # (messages, RSS bytes, seconds)
    gc: dict[int, list[float]] = field(default_factory=dict)
    delivered: int = 0
    problems: list[str] = field(default_factory=list)  # warnings and errors the bot logged
    mismatched: int = 0

    @property
    def peak(self) -> int:
        return max(rss for _, rss, _ in self.samples)

    @property
    def second_half_growth(self) -> int:
        """RSS at the end minus the RSS sampled closest to half-way."""
        half = min(self.samples, key=lambda s: abs(s[0] - self.messages / 2))
        return self.samples[-1][1] - half[1]


async def measure_rss(
    n: int,
    *,
    every: int | None = None,
    burst_seconds: float = 8.0,
    customers: int = 400,
    on_sample: object = None,
) -> MemoryRun:
    """``n`` messages through the bot; RSS sampled before the first and every ``every`` messages."""
    every = every or max(1, n // 10)
    run = MemoryRun(n)
    async with session("zhiyin", burst_seconds=burst_seconds, customers=customers) as bot:
        started = time.monotonic()

        def sample(done: int) -> None:
            run.samples.append((done, bot.rss(), time.monotonic() - started))
            if callable(on_sample):
                on_sample(run.samples[-1])

        sample(0)
        phase = await bot.closed_loop(n, every=every, on_progress=sample)
        if run.samples[-1][0] != n:
            sample(n)
        run.gc = phase.gc
        run.delivered, run.problems, run.mismatched = phase.messages, bot.problems(), phase.mismatched
    return run


def _print_sample(sample: tuple[int, int, float]) -> None:
    done, rss, seconds = sample
    rate = f"{done / seconds:5.0f} msgs/s" if seconds and done else " " * 12
    print(f"  {done:>8,} messages  RSS {rss / 2**20:6.1f} MB   {seconds:6.0f} s  {rate}", flush=True)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench memory", description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=40_000, help="messages (default 40,000; the issue: 100,000)")
    parser.add_argument("--every", type=int, help="RSS sample interval (default: a tenth of --n)")
    parser.add_argument("--quick", action="store_true", help="5,000 messages")
    args = parser.parse_args(argv)
    n = 5_000 if args.quick else args.n
    print(f"bot RSS over {n:,} forwarded messages (400 customers, burst coalescing 8 s, as fast as it goes):")
    run = asyncio.run(measure_rss(n, every=args.every, on_sample=_print_sample))
    full = run.gc.get(2, [0, 0.0, 0.0])
    if run.problems:
        print(f"  the bot logged {len(run.problems)} warnings/errors, e.g. {run.problems[0][:200]}")
    print(f"  full garbage collections during the run: {full[0]:.0f}, longest {full[2] * 1000:.1f} ms")
    growth = run.second_half_growth / 2**20
    stable = growth <= STABLE_MB
    small = run.peak <= TARGET_MB * 2**20
    scope = f"after {n:,} messages" + ("" if n >= 100_000 else " (the issue's figure: --n 100000)")
    print(
        f"verdict: peak {run.peak / 2**20:.0f} MB (target ≤ {TARGET_MB} MB) {'✓' if small else '✗'}; "
        f"second half {growth:+.1f} MB ({'stable' if stable else 'growing'}, ≤ {STABLE_MB:g} MB) "
        f"{'✓' if stable else '✗'}; {scope}"
    )
