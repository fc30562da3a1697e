"""Zhiyin's composition root: settings, storage, the Telegram application, the web server."""

import os

# PTB 22 warns that RetryAfter.retry_after becomes a timedelta in v23; our retry code handles both,
# so opt in now (before telegram is imported) instead of logging a deprecation warning per 429.
os.environ.setdefault("PTB_TIMEDELTA", "1")
