"""Run benchmarks: ``python -m bench`` runs all of them, ``python -m bench NAME [args…]`` one of them.

Every module in this folder with a ``main(argv: list[str]) -> None`` is a benchmark.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def _benchmarks() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def main() -> int:
    names = _benchmarks()
    if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help"):
        print("usage: python -m bench [NAME [args…]]\nbenchmarks: " + ", ".join(names))
        return 0
    if len(sys.argv) > 1:
        name = sys.argv[1]
        if name not in names:
            print(f"unknown benchmark {name!r}; known: {', '.join(names)}", file=sys.stderr)
            return 2
        importlib.import_module(f"bench.{name}").main(sys.argv[2:])
        return 0
    for name in names:
        print(f"\n=== bench.{name}", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"bench.{name}").main([])
        print(f"(bench.{name} took {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
