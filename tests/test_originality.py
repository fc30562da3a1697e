"""Product texts are written in our own words: no long run of characters copied from the seed material.

The seeds (../shared/seeds) are training material we take facts from; the brief forbids pasting their
sentences. This compares every data file and the README against them after normalising script, case,
spaces and punctuation, and fails on any shared run of ``WINDOW`` characters.
"""

import re
from pathlib import Path

import pytest

from strategies.textconv import to_simplified

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
WINDOW = 12
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def _squash(text: str) -> str:
    return _DROP.sub("", to_simplified(text).casefold())


def _product_texts() -> list[Path]:
    files = sorted((ROOT / "strategies" / "data").rglob("*.yaml"))
    files += sorted((ROOT / "bot" / "locales").glob("*.yaml"))
    files.append(ROOT / "README.md")
    return [f for f in files if f.exists()]


def _seed_windows() -> set[str]:
    if not SEEDS.is_dir():
        pytest.fail(f"seed material not found at {SEEDS}: ../shared must sit beside the project")
    windows: set[str] = set()
    for seed in SEEDS.glob("*.txt"):
        text = _squash(seed.read_text(encoding="utf-8"))
        windows.update(text[i : i + WINDOW] for i in range(len(text) - WINDOW + 1))
    return windows


def test_no_product_text_copies_a_seed_sentence() -> None:
    windows = _seed_windows()
    copied: list[str] = []
    for path in _product_texts():
        text = _squash(path.read_text(encoding="utf-8"))
        hits = {text[i : i + WINDOW] for i in range(len(text) - WINDOW + 1)} & windows
        copied += [f"{path.relative_to(ROOT)}: …{h}…" for h in sorted(hits)[:5]]
    assert not copied, "text copied from the seeds:\n" + "\n".join(copied)


def test_the_check_catches_a_copied_sentence(tmp_path: Path) -> None:
    seed = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    sample = _squash(seed)[100 : 100 + WINDOW + 3]
    windows = _seed_windows()
    squashed = _squash(sample)
    assert any(squashed[i : i + WINDOW] in windows for i in range(len(squashed) - WINDOW + 1))
