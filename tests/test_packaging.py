"""The installed package (what the Docker image runs) carries every module and data file of the source."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("bot", "handlers", "strategies")
SUFFIXES = {".py", ".lua", ".yaml"}


def test_the_wheel_contains_every_module_and_data_file(tmp_path: Path) -> None:
    source = tmp_path / "src"  # a copy: building in place would leave build/ and egg-info behind
    for top in SHIPPED:
        shutil.copytree(ROOT / top, source / top, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    subprocess.run([*pip, "-w", str(tmp_path), str(source)], check=True, capture_output=True, timeout=300)
    inside = set(zipfile.ZipFile(next(tmp_path.glob("zhiyin-*.whl"))).namelist())
    expected = {
        path.relative_to(ROOT).as_posix()
        for top in SHIPPED
        for path in (ROOT / top).rglob("*")
        if path.suffix in SUFFIXES and "__pycache__" not in path.parts
    }
    assert expected - inside == set(), "missing from the installed package"
    assert "bot/store/__init__.py" in inside
