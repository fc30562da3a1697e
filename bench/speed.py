"""Speed on one core: messages per second and p50/p99 latency per message.

(a) ``analyse`` alone; (b) the bot's per-message work: analyse the new message, then ``classify`` the
customer's last 20 observations (earlier analyses come from the store, they are not recomputed).
Messages are the customer turns of ``../shared/data/eval`` (read at run time) plus a few long ones
(pasted logs, essays) so the cap on huge input is exercised too. The analyser's cache of recent texts
is emptied before each round, so only repeats within a round (好的, 谢谢…) hit it. Times are the
thread's CPU time, so other processes on a shared machine do not inflate them; messages/s is what one
busy core would do.

    python -m bench speed [--rounds N]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bench._eval import conversations
from strategies.analyser import Analyser
from strategies.classifier import classify
from strategies.lexicon import builtin_lexicon
from strategies.models import Observation

HISTORY = 20
LONG_SIZES = (500, 2_000, 10_000)


def messages() -> list[list[str]]:
    """Conversations' turns, plus one conversation of long messages built from real turns."""
    convs = [list(c["turns"]) for c in conversations()]
    pool = " ".join(t for turns in convs for t in turns)
    convs.append([pool[:size] for size in LONG_SIZES])
    return convs


def _percentile(values: list[int], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] / 1000.0


def _report(name: str, timings_ns: list[int]) -> None:
    total_s = sum(timings_ns) / 1e9
    rate = len(timings_ns) / total_s if total_s else float("inf")
    p50, p99 = _percentile(timings_ns, 0.5), _percentile(timings_ns, 0.99)
    print(
        f"  {name}: {rate:,.0f} messages/s on one core; per message p50 {p50:.1f} µs, p99 {p99:.1f} µs, "
        f"max {max(timings_ns) / 1000:.1f} µs, mean {statistics.fmean(timings_ns) / 1000:.1f} µs "
        f"({len(timings_ns)} messages)"
    )


def bench_analyse(analyser: Analyser, convs: list[list[str]], rounds: int) -> list[int]:
    timings: list[int] = []
    clock = time.thread_time_ns
    for _ in range(rounds):
        analyser.clear_cache()  # every round starts cold; repeats within a round hit, as in a live chat
        for turns in convs:
            for text in turns:
                start = clock()
                analyser.analyse(text)
                timings.append(clock() - start)
    return timings


def bench_bot(analyser: Analyser, convs: list[list[str]], rounds: int) -> list[int]:
    """Per message: analyse it, append it to the customer's history, classify the last 20."""
    timings: list[int] = []
    clock = time.thread_time_ns
    base = datetime(2024, 1, 1, tzinfo=UTC)
    for _ in range(rounds):
        analyser.clear_cache()
        for turns in convs:
            history: deque[Observation] = deque(maxlen=HISTORY)
            for i, text in enumerate(turns):
                at = base + timedelta(minutes=i)
                start = clock()
                analysis = analyser.analyse(text)
                history.append(Observation(at=at, text=text, analysis=analysis))
                classify(list(history), now=at)
                timings.append(clock() - start)
    return timings


def _warm(fn: Callable[[], object]) -> None:
    for _ in range(3):
        fn()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="bench speed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the messages (default 3)")
    args = parser.parse_args(argv)
    analyser = Analyser(builtin_lexicon())
    convs = messages()
    count = sum(len(t) for t in convs)
    print(
        f"{count} messages ({len(convs)} conversations, incl. {len(LONG_SIZES)} long), {args.rounds} rounds"
    )
    for sample in ("你好，能便宜点吗？什么时候发货", "請問這個多少錢", "Where is my parcel?"):
        _warm(lambda sample=sample: analyser.analyse(sample))
    # What a long-running bot does after start-up: move the lexicon and loaded data out of the
    # garbage collector's way, so a full collection does not stall one message now and then.
    gc.collect()
    gc.freeze()
    _report("(a) analyse", bench_analyse(analyser, convs, args.rounds))
    _report(f"(b) analyse + classify last {HISTORY}", bench_bot(analyser, convs, args.rounds))
