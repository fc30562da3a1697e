"""Finding and reading the YAML data files, with a shop's overrides laid over the built-in ones.

Built-in files live in ``strategies/data``. A shop may point ``PLAYBOOK_DIR`` at a folder of its own:
a file there with the same relative path (``types.yaml``, ``replies/bargain.yaml``…) replaces the
built-in one, and new files under ``replies/`` add to them. Nothing is merged inside a file, so what a
shop sees in its file is exactly what is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from strategies.errors import DataFileError

BUILTIN_DIR = Path(__file__).resolve().parent / "data"


def data_files(overlay: Path | None = None, pattern: str = "**/*.yaml") -> dict[str, Path]:
    """Relative path → file for every data file, ``overlay`` winning over the built-ins."""
    found = {p.relative_to(BUILTIN_DIR).as_posix(): p for p in sorted(BUILTIN_DIR.glob(pattern))}
    if overlay is not None:
        if not overlay.is_dir():
            raise DataFileError(overlay, [("", "playbook folder does not exist or is not a folder")])
        found.update({p.relative_to(overlay).as_posix(): p for p in sorted(overlay.glob(pattern))})
    return found


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; syntax errors name the line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(path, [("", f"cannot read: {exc.strerror or exc}")]) from exc
    except UnicodeDecodeError as exc:
        raise DataFileError(path, [("", f"not UTF-8 text ({exc.reason})")]) from exc
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(unknown position)"
        raise DataFileError(path, [(where, f"YAML syntax error: {exc.problem}")]) from exc
    except yaml.YAMLError as exc:
        raise DataFileError(path, [("", f"YAML error: {exc}")]) from exc


def require(files: dict[str, Path], name: str) -> Path:
    """The path of a required data file, or an error naming it."""
    if name not in files:
        raise DataFileError(BUILTIN_DIR / name, [("", "required data file is missing")])
    return files[name]
