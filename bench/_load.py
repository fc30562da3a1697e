"""Shared by the performance benchmarks (e2e, memory): the workload, a timing fake Telegram server and a
bot (Zhiyin or a bare echo bot) running in its own process.

Layout, the same for both bots: this process runs the fake Bot API server (tests/fakebot.py) and drives the
load; the bot runs in a subprocess (``python -m bench._botproc``), as in production where Telegram is
elsewhere; Redis is a throwaway ``redis-server`` (tests/conftest.py ``start_redis``). Times are taken on
the fake side only: when an update is queued for ``getUpdates`` and when the whisper's ``sendMessage`` /
``editMessageText`` request reaches the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench._eval import EVAL, conversations
from bot.keys import whisper_token
from tests.conftest import free_port, start_redis
from tests.fakebot import Call, Chat, FakeTelegram, FromHiddenUser, FromUser, User

ROOT = Path(__file__).resolve().parents[1]
#: Used only when ../shared/data/eval is missing (e.g. a bare checkout in CI); our own words.
FALLBACK_TURNS = [
    ["你好，这款茶叶还有货吗", "今天下单什么时候能发出来", "好的谢谢"],
    ["怎么还没到啊，都五天了", "物流一直不更新，你们查一下"],
    ["两盒一起买能便宜点吗", "别家才卖八十，你们再少点", "行吧那我再看看"],
    ["收到的罐子压扁了，能换一个吗", "照片已经发你了"],
    ["送长辈的，帮我包装好一点", "能开发票吗", "那我就拍两盒"],
    ["这个是今年的新茶吗？", "泡几次还有味道？"],
]
#: Customers who hide their forwards arrive as a bare name (``hidden_user``); this share of them do.
HIDDEN_SHARE = 0.2
#: A customer's turns are used as they are first; later passes add an order number, as customers do when
#: they chase an order, so that (like real traffic) nearly every message is a new text for the analyser.
ORDER_SUFFIX = "（订单号 {n}）"


def customer_turns() -> list[list[str]]:
    """Customer turns per conversation, read at run time from ../shared/data/eval (never copied here)."""
    if not EVAL.exists():
        return FALLBACK_TURNS
    found = [[t for t in c.get("turns", []) if isinstance(t, str) and t.strip()] for c in conversations()]
    return [turns for turns in found if turns] or FALLBACK_TURNS


@dataclass
class Customer:
    origin: FromUser | FromHiddenUser
    key: str  # Zhiyin's customer id, e.g. "u1234" or "n:name"
    agent: User
    turns: list[str]
    sent: int = 0


@dataclass
class Workload:
    """One agents' group, a few agents, several hundred customers each with a conversation's turns."""

    group: Chat
    agents: list[User]
    customers: list[Customer]
    by_token: dict[str, Customer]
    rng: random.Random
    orders: Iterator[int] = field(default_factory=lambda: iter(range(202_400_000_001, 10**13)))

    @classmethod
    def create(cls, fake: FakeTelegram, *, customers: int = 400, agents: int = 8, seed: int = 7) -> Workload:
        rng = random.Random(seed)
        group = fake.group(title="客服一组")
        staff = [fake.user(first_name=f"客服{i + 1}", language_code="zh-hans") for i in range(agents)]
        for agent in staff:
            fake.set_member(group, agent, "member")
        conversations = customer_turns()
        rng.shuffle(conversations)
        people: list[Customer] = []
        for i in range(customers):
            turns = conversations[i % len(conversations)]
            agent = staff[i % agents]
            origin: FromUser | FromHiddenUser
            if rng.random() < HIDDEN_SHARE:
                name = f"买家{i:04d}"
                origin, key = FromHiddenUser(name), f"n:{name}"
            else:
                user = fake.user(first_name=f"顾客{i:04d}", language_code="zh-hans")
                origin, key = FromUser(user), f"u{user.id}"
            people.append(Customer(origin, key, agent, turns))
        by_token = {whisper_token(group.id, c.key): c for c in people}
        return cls(group, staff, people, by_token, rng)

    def next_message(self) -> tuple[Customer, str]:
        customer = self.rng.choice(self.customers)
        turn = customer.turns[customer.sent % len(customer.turns)]
        if customer.sent >= len(customer.turns):
            turn += ORDER_SUFFIX.format(n=next(self.orders))
        customer.sent += 1
        return customer, turn


class TimedTelegram(FakeTelegram):
    """The fake server, noting when each whisper request arrives; ``trim()`` keeps long runs small."""

    def __init__(self, on_reply: Callable[[Call], None], **profile: Any) -> None:
        super().__init__(**profile)
        self.on_reply = on_reply

    async def _dispatch(self, call: Call) -> Any:
        result = await super()._dispatch(call)  # a refused call (ApiError) is not a whisper
        if call.method in ("sendMessage", "editMessageText"):
            self.on_reply(call)
        return result

    def trim(self, keep_seconds: int = 60) -> None:
        """Forget finished calls, pushed updates and messages nobody can still edit (the fake keeps
        everything for tests; a 100,000-message run would otherwise measure the fake's memory)."""
        world = self._world
        world.calls = [c for c in world.calls if not c.done]
        self.updates.clear()
        cutoff = int(time.time()) - keep_seconds
        for chat_id, messages in self._messages.items():
            if chat_id < 0:  # the group: forwards already queued as updates
                messages.clear()
                continue
            for message_id in [m for m, msg in messages.items() if (msg.edit_date or msg.date) < cutoff]:
                del messages[message_id]
            for msg in messages.values():
                msg.history.clear()


def proc_stat(pid: int) -> tuple[float, int]:
    """(CPU seconds used, resident set size in bytes) of a process, from /proc."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    return cpu, rss_bytes(pid)


def rss_bytes(pid: int | str = "self") -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc status")


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Phase:
    """One measured run of messages."""

    messages: int
    seconds: float
    latencies: list[float]  # seconds, update queued → whisper request received
    bot_cpu: float
    redis_cpu: float
    driver_cpu: float
    mismatched: int  # whispers whose quoted text was not the message expected (ordering check)
    gc: dict[int, list[float]] = field(default_factory=dict)  # generation → [count, total s, longest s]

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    def ms(self, q: float) -> float:
        return percentile(self.latencies, q) * 1000 if self.latencies else float("nan")

    def cpu_ms(self, seconds: float) -> float:
        return seconds / self.messages * 1000 if self.messages else float("nan")


class Session:
    """The fake server, the workload and one bot process; drives load and measures it."""

    def __init__(self, kind: str, fake: TimedTelegram, load: Workload) -> None:
        self.kind = kind
        self.fake = fake
        self.load = load
        self.proc: asyncio.subprocess.Process | None = None
        self.redis_pid: int | None = None
        self.log_path: Path | None = None
        self._pending: dict[object, deque[tuple[float, str]]] = {}
        self._arrived = asyncio.Event()
        self.delivered = 0
        self.pushed = 0
        self.latencies: list[float] = []
        self.mismatched = 0
        self.unexpected = 0
        self.calls: Counter[str] = Counter()  # whisper calls by method

    @property
    def echo(self) -> bool:
        """An echo bot (replies carry the update id), not Zhiyin (whispers carry the customer)."""
        return self.kind.startswith("echo")

    # ------------------------------------------------------------------ fake side
    def on_reply(self, call: Call) -> None:
        self.calls[call.method] += 1
        params = call.params
        key: object = None
        if self.echo:
            head = str(params.get("text", "")).split(" ", 1)[0]
            key = int(head) if head.isdigit() else None
        else:
            for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    data = button.get("callback_data", "")
                    if data.startswith("fb:ok:"):
                        customer = self.load.by_token.get(data[6:])
                        key = customer.key if customer else None
        queue = self._pending.get(key)
        if not queue:
            self.unexpected += 1
            return
        pushed_at, text = queue.popleft()
        if not queue:
            del self._pending[key]
        quoted = html.escape(" ".join(text.split())[:12], quote=False)
        if not self.echo and quoted not in str(params.get("text", "")):
            self.mismatched += 1
        self.latencies.append(call.started - pushed_at)
        self.delivered += 1
        self._arrived.set()

    async def push(self) -> None:
        customer, text = self.load.next_message()
        update = await self.fake.push_forward(customer.agent, customer.origin, text, chat=self.load.group)
        now = time.monotonic()
        key: object = update["update_id"] if self.echo else customer.key
        self._pending.setdefault(key, deque()).append((now, text))
        self.pushed += 1

    async def _wait_delivered(self, count: int, stall: float = 15.0) -> None:
        while self.delivered < count:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), stall)
            except TimeoutError:
                raise RuntimeError(
                    f"{self.kind}: no whisper for {stall:.0f} s ({self.delivered}/{count} delivered); "
                    f"bot log: {self.log_path}\n{self.log_tail()}"
                ) from None

    def log_tail(self, lines: int = 15) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def problems(self) -> list[str]:
        """Warnings and errors the bot logged (there should be none)."""
        if self.log_path is None or not self.log_path.exists():
            return []
        found = []
        for line in self.log_path.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                found.append(line)
                continue
            if entry.get("level") in ("warning", "error", "critical"):
                found.append(line)
        return found

    # ------------------------------------------------------------------ load
    def _counters(self) -> tuple[float, float, float]:
        assert self.proc is not None
        bot = proc_stat(self.proc.pid)[0]
        redis_cpu = proc_stat(self.redis_pid)[0] if self.redis_pid else 0.0
        return bot, redis_cpu, time.process_time()

    async def gc_pauses(self) -> dict[int, list[float]]:
        """The bot's garbage-collector pauses since the last call."""
        assert self.proc is not None and self.proc.stdout is not None
        self.proc.send_signal(signal.SIGUSR1)
        line = await asyncio.wait_for(self.proc.stdout.readline(), 10)
        return {int(g): v for g, v in json.loads(line)["gc"].items()}

    async def _start_phase(self) -> tuple[int, tuple[float, float, float], float]:
        self.latencies = []
        self.mismatched = 0
        await self.gc_pauses()
        return self.delivered, self._counters(), time.monotonic()

    async def _end_phase(self, start: tuple[int, tuple[float, float, float], float], last: float) -> Phase:
        delivered0, (bot0, redis0, drv0), t0 = start
        bot1, redis1, drv1 = self._counters()
        gc_pauses = await self.gc_pauses()
        return Phase(
            messages=self.delivered - delivered0,
            seconds=last - t0,
            latencies=self.latencies,
            bot_cpu=bot1 - bot0,
            redis_cpu=redis1 - redis0,
            driver_cpu=drv1 - drv0,
            mismatched=self.mismatched,
            gc=gc_pauses,
        )

    async def closed_loop(
        self,
        n: int,
        *,
        window: int = 256,
        every: int = 0,
        on_progress: Callable[[int], None] | None = None,
    ) -> Phase:
        """``n`` messages as fast as the bot takes them: ``window`` messages in flight at any time.

        ``on_progress(done)`` is called every ``every`` delivered messages (for RSS checkpoints).
        """
        start = await self._start_phase()
        target = self.delivered + n
        base = self.delivered
        next_mark = every
        last_arrival = time.monotonic()
        while self.delivered < target:
            while self.pushed - self.delivered < window and self.pushed < target:
                await self.push()
            before = self.delivered
            await self._wait_delivered(self.delivered + 1)
            if self.delivered > before:
                last_arrival = time.monotonic()
            done = self.delivered - base
            if done // 2000 != (before - base) // 2000:
                self.fake.trim()
            if every and done >= next_mark:
                next_mark += every
                if on_progress is not None:
                    on_progress(done)
        return await self._end_phase(start, last_arrival)

    async def open_loop(self, n: int, *, rate: float) -> Phase:
        """``n`` messages pushed at a steady ``rate`` per second, whatever the bot does (open loop)."""
        start = await self._start_phase()
        target = self.delivered + n
        loop = asyncio.get_running_loop()
        began = loop.time()
        for i in range(n):
            delay = began + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await self.push()
            if i and i % 2000 == 0:
                self.fake.trim()
        await self._wait_delivered(target)
        phase = await self._end_phase(start, time.monotonic())
        phase.seconds = n / rate
        return phase

    def rss(self) -> int:
        assert self.proc is not None
        return rss_bytes(self.proc.pid)


def _child_env() -> dict[str, str]:
    """The environment without Zhiyin's settings: the bot gets its settings explicitly."""
    from bot.settings import Settings

    names = {name.upper() for name in Settings.model_fields}
    env = {k: v for k, v in os.environ.items() if k.upper() not in names}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@contextlib.asynccontextmanager
async def session(
    kind: str,
    *,
    burst_seconds: float = 8.0,
    customers: int = 400,
    agents: int = 8,
    seed: int = 7,
    profile: str | None = None,
) -> AsyncIterator[Session]:
    """A running fake server, Redis (for Zhiyin) and bot process of ``kind`` ("zhiyin", "echo" or
    "echo-aiohttp": bench/_botproc.py)."""
    holder: list[Session] = []
    fake = TimedTelegram(lambda call: holder[0].on_reply(call), can_read_all_group_messages=True)
    with tempfile.TemporaryDirectory(prefix=f"zhiyin-bench-{kind}-") as tmp:
        redis_proc: subprocess.Popen[bytes] | None = None
        async with fake:
            load = Workload.create(fake, customers=customers, agents=agents, seed=seed)
            run = Session(kind, fake, load)
            holder.append(run)
            config: dict[str, Any] = {
                "token": fake.token,
                "api": fake.base_url,
                "group": load.group.id,
                "port": free_port(),
                "burst": burst_seconds,
                "prefix": "bench",
            }
            if profile:
                config["profile"] = profile  # an absolute path: the bot runs in the project folder
            if kind == "zhiyin":
                redis_proc, port = await asyncio.to_thread(start_redis, Path(tmp))
                run.redis_pid = redis_proc.pid
                config["redis"] = f"redis://127.0.0.1:{port}/0"
            run.log_path = Path(tmp) / "bot.log"
            try:
                with run.log_path.open("wb") as log:
                    run.proc = await asyncio.create_subprocess_exec(
                        sys.executable,
                        "-m",
                        "bench._botproc",
                        kind,
                        json.dumps(config),
                        cwd=ROOT,
                        env=_child_env(),
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                        stderr=log,
                    )
                assert run.proc.stdout is not None
                try:
                    line = await asyncio.wait_for(run.proc.stdout.readline(), 60)
                except TimeoutError:
                    line = b""
                if line.strip() != b"ready":
                    raise RuntimeError(f"{kind} bot did not start:\n{run.log_tail()}")
                yield run
            finally:
                if run.proc is not None and run.proc.returncode is None:
                    run.proc.send_signal(signal.SIGTERM)
                    try:
                        await asyncio.wait_for(run.proc.wait(), 15)
                    except TimeoutError:
                        run.proc.kill()
                        await run.proc.wait()
                if redis_proc is not None:
                    redis_proc.terminate()
                    await asyncio.to_thread(redis_proc.wait, 10)
