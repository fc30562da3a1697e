"""``python -m bot`` runs Zhiyin; ``python -m bot console`` the offline console.

Without ``TELEGRAM_BOT_TOKEN`` the run command starts the console and says how to connect to Telegram.
A bad setting or a broken playbook file stops it with a clear message and exit code 2, no traceback.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.i18n import Texts, load_texts
from bot.logs import setup_logging
from bot.pipeline import Domain
from bot.settings import Settings, SettingsError, load_settings
from strategies.errors import DataFileError

USAGE = "usage: python -m bot [run|console]"


def load_domain(playbook_dir: Path | None) -> Domain:
    """The validated playbook and lexicon (a shop's PLAYBOOK_DIR files replacing the built-in ones)."""
    from strategies.analyser import Analyser
    from strategies.lexicon import load_lexicon
    from strategies.playbook import load_playbook

    return Domain(load_playbook(playbook_dir), Analyser(load_lexicon(playbook_dir)))


def _fail(message: str, code: int) -> int:
    print(f"zhiyin: {message}", file=sys.stderr)
    return code


async def _console(settings: Settings, domain: Domain, texts: Texts) -> None:
    from bot.console import Console
    from bot.runner import make_services, open_storage

    async with open_storage(settings) as storage:
        services = make_services(settings, storage.store, domain, texts)
        await Console(services.pipeline, texts, settings.language).run(sys.stdin)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "run"
    if command in ("-h", "--help", "help"):
        print(USAGE)
        return 0
    if command not in ("run", "console") or len(argv) > 1:
        return _fail(f"unknown command {' '.join(argv)!r}; {USAGE}", 2)
    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(f"bad setting — {exc}", 2)
    console = command == "console" or settings.token is None
    # The console prints whispers on stdout; only warnings go to stderr there.
    setup_logging(
        "WARNING" if console else settings.log_level,
        "text" if console else settings.log_format,
        settings.secrets(),
    )
    try:
        domain = load_domain(settings.playbook_dir)
        texts = load_texts()
    except DataFileError as exc:
        return _fail(f"broken playbook file:\n{exc}", 2)

    from bot.embedded_redis import EmbeddedRedisError
    from bot.runner import StartupError, run_bot

    try:
        if console:
            if command == "run":
                print(texts.get("console.no_token", settings.language), file=sys.stderr)
            asyncio.run(_console(settings, domain, texts))
        else:
            asyncio.run(run_bot(settings, domain, texts))
    except StartupError as exc:
        return _fail(str(exc), exc.exit_code)
    except EmbeddedRedisError as exc:
        return _fail(str(exc), 1)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
