"""The installed package (what the Docker image runs) carries every module and data file of the source."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("bot", "handlers", "strategies")
SUFFIXES = {".py", ".lua", ".yaml"}


def test_the_wheel_contains_every_module_and_data_file(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("zhiyin-*.whl"))
    inside = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        path.relative_to(ROOT).as_posix()
        for top in SHIPPED
        for path in (ROOT / top).rglob("*")
        if path.suffix in SUFFIXES and "__pycache__" not in path.parts
    }
    assert expected - inside == set(), "missing from the installed package"
    assert any(name.startswith("bot/store/") for name in inside)
