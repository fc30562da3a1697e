"""Connecting to Redis: a single server (TCP or Unix socket), Redis Cluster, or Sentinel.

``REDIS_URL`` forms:

- ``redis://[:password@]host:port/db``, ``rediss://…`` (TLS), ``unix:///path/redis.sock`` — one server;
  if that server has cluster mode on, Zhiyin switches to the cluster client by itself;
- ``redis+sentinel://[:password@]host1:26379,host2:26379/master-name[/db]`` — the master Sentinel
  names, re-resolved on fail-over.
"""

from __future__ import annotations

import logging
from urllib.parse import unquote, urlsplit

import redis.asyncio as aioredis
from redis.asyncio.cluster import RedisCluster
from redis.asyncio.sentinel import Sentinel

from bot.store import UNAVAILABLE, Client

log = logging.getLogger(__name__)

#: Short timeouts: a forwarded message must not hang on a dead Redis; the whisper goes out without it.
TIMEOUT = 1.5
MAX_CONNECTIONS = 64
#: The cluster and Sentinel clients refuse (rather than wait) past their pool size, so they get
#: headroom over the bot's concurrency: 64 updates at a time, each a few commands (per node).
ROOMY_POOL = 512


def _single(url: str) -> aioredis.Redis:
    pool = aioredis.BlockingConnectionPool.from_url(
        url,
        max_connections=MAX_CONNECTIONS,
        timeout=TIMEOUT,
        socket_timeout=TIMEOUT,
        socket_connect_timeout=TIMEOUT,
        health_check_interval=30,
    )
    return aioredis.Redis(connection_pool=pool)


def _sentinel(url: str) -> aioredis.Redis:
    parts = urlsplit(url)
    hosts = []
    for hostport in parts.netloc.rsplit("@", 1)[-1].split(","):
        host, _, port = hostport.partition(":")
        hosts.append((host, int(port or 26379)))
    path = [p for p in parts.path.split("/") if p]
    if not path:
        raise ValueError("REDIS_URL: a redis+sentinel:// URL needs the master name, e.g. …:26379/mymaster")
    db = int(path[1]) if len(path) > 1 else 0
    password = unquote(parts.password) if parts.password else None
    # Every new master connection first asks a sentinel where the master is: that pool needs headroom too.
    sentinel = Sentinel(  # type: ignore[no-untyped-call]
        hosts,
        sentinel_kwargs={"socket_timeout": TIMEOUT, "max_connections": ROOMY_POOL},
        socket_timeout=TIMEOUT,
        password=password,
        db=db,
    )
    master: aioredis.Redis = sentinel.master_for(
        path[0], socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT, max_connections=ROOMY_POOL
    )
    return master


async def connect(url: str) -> Client:
    """A client for ``url``; switches to the cluster client when the server says it is a cluster node."""
    if url.startswith("redis+sentinel://"):
        return _sentinel(url)
    client = _single(url)
    try:
        info = await client.info("cluster")
    except UNAVAILABLE:
        log.warning("redis not reachable at start-up; will keep trying")
        return client
    if int(info.get("cluster_enabled", 0)) == 1:
        await client.aclose()
        cluster = RedisCluster.from_url(
            url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT, max_connections=ROOMY_POOL
        )
        # Learn the slot map now: concurrent first commands on an uninitialised client race inside redis-py.
        await cluster.initialize()
        return cluster
    return client
