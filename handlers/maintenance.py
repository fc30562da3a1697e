"""Daily housekeeping: keep nothing about a customer past RETENTION_DAYS.

A customer's own keys expire by themselves; the team-wide lists that mention customers (the directory
behind /find, last activity, unpaid orders) are trimmed here, once at start-up and every few hours.
"""

from __future__ import annotations

import logging

from telegram.ext import ContextTypes, JobQueue

from bot.services import Services
from bot.store import StoreUnavailable

log = logging.getLogger(__name__)

#: Often enough that nothing outlives retention by more than a few hours.
EVERY_SECONDS = 6 * 3600
FIRST_AFTER_SECONDS = 60


async def prune_all(services: Services) -> int:
    """Trim every team's lists; returns how many customers were dropped from directories."""
    dropped = 0
    for team in services.settings.agent_chat_ids:
        dropped += await services.store.prune_directory(team, services.now())
    return dropped


def schedule_maintenance(services: Services, job_queue: JobQueue[ContextTypes.DEFAULT_TYPE] | None) -> None:
    """Run :func:`prune_all` shortly after start-up and then every few hours."""
    if job_queue is None:
        log.warning(
            "no job queue: the team directory is not trimmed (install python-telegram-bot[job-queue])"
        )
        return

    async def job(_: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            dropped = await prune_all(services)
        except StoreUnavailable:
            return  # Redis is down; the next run catches up
        if dropped:
            log.info("retention: customers dropped from team directories", extra={"customers": dropped})

    job_queue.run_repeating(job, interval=EVERY_SECONDS, first=FIRST_AFTER_SECONDS, name="retention")
