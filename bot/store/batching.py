"""Scripts issued in the same event-loop turn go to Redis together, as one pipeline.

Under load many forwards are in flight at once: a ``getUpdates`` answer of a hundred updates starts a
hundred handlers in one turn of the loop, and each runs its script. Sent one by one, every script costs
its own connection checkout, socket write and wake-up — in redis-py that is most of a script's client
CPU. Collected for one turn and sent as a single pipeline they cost a fraction of that (measured by
``python -m bench e2e``), while each caller still awaits its own answer and gets its own error. A
script alone in its turn (a quiet shop) is sent on its own, as before, so nothing waits for company.

Each script is still one command of its own: batching changes how commands travel, not how many a
forwarded message costs, nor their atomicity (each script is atomic; the batch is not a transaction).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import redis.asyncio as aioredis

_Pending = tuple[str, Sequence[str], Sequence[Any], "asyncio.Future[Any]"]


class ScriptBatcher:
    """``await batcher.evalsha(sha, keys, args)``: like ``client.evalsha``, batched per loop turn."""

    def __init__(self, client: aioredis.Redis) -> None:
        self.client = client
        self._pending: list[_Pending] = []
        #: Batches being sent; kept referenced so the loop does not drop their tasks.
        self._sending: set[asyncio.Task[None]] = set()
        #: How many pipelines of two or more scripts went out (for tests and the benchmark's notes).
        self.batches = 0

    async def evalsha(self, sha: str, keys: Sequence[str], args: Sequence[Any]) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        if not self._pending:
            # Runs after every callback already queued for this turn, so their scripts join the batch.
            loop.call_soon(self._flush)
        self._pending.append((sha, keys, args, future))
        return await future

    def _flush(self) -> None:
        batch, self._pending = self._pending, []
        task = asyncio.get_running_loop().create_task(self._send(batch))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, batch: list[_Pending]) -> None:
        try:
            if len(batch) == 1:
                sha, keys, args, _ = batch[0]
                results: list[Any] = [await self.client.evalsha(sha, len(keys), *keys, *args)]
            else:
                self.batches += 1
                pipe = self.client.pipeline(transaction=False)
                for sha, keys, args, _ in batch:
                    pipe.evalsha(sha, len(keys), *keys, *args)
                # Errors of single scripts (NOSCRIPT, a script error) come back in their own places.
                results = await pipe.execute(raise_on_error=False)
        except Exception as exc:  # the connection failed: every script of the batch failed with it
            for *_, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        except BaseException:  # cancelled (shutdown): the callers must not wait forever
            for *_, future in batch:
                future.cancel()
            raise
        for (*_, future), result in zip(batch, results, strict=True):
            if future.done():  # its caller was cancelled meanwhile
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)
