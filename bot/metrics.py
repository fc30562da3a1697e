"""Prometheus metrics, one registry per running bot (so two bots in one test process don't clash)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    """The bot's counters and timings, served at ``/metrics``."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "zhiyin_updates_total", "Updates received, by kind", ["kind"], registry=self.registry
        )
        self.customer_messages = Counter(
            "zhiyin_customer_messages_total", "Customer messages processed", registry=self.registry
        )
        self.duplicates = Counter(
            "zhiyin_duplicate_updates_total", "Updates seen before", registry=self.registry
        )
        self.whispers = Counter(
            "zhiyin_whispers_total", "Whispers delivered, by route", ["route"], registry=self.registry
        )
        self.whisper_failures = Counter(
            "zhiyin_whisper_failures_total", "Whispers that could not be delivered", registry=self.registry
        )
        self.refused = Counter(
            "zhiyin_refused_total",
            "Updates refused (unauthorised chat, stranger, not a lead)",
            ["reason"],
            registry=self.registry,
        )
        self.redis_failures = Gauge(
            "zhiyin_redis_failed_operations",
            "Operations that found Redis unavailable since start",
            registry=self.registry,
        )
        self.redis_up = Gauge(
            "zhiyin_redis_up", "1 when Redis answered the last check", registry=self.registry
        )
        self.handling = Histogram(
            "zhiyin_message_handling_seconds",
            "Time from receiving a customer message to the whisper being sent",
            buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5),
            registry=self.registry,
        )
        self.commands = Counter(
            "zhiyin_commands_total", "Commands answered", ["command"], registry=self.registry
        )
        self.summaries = Counter("zhiyin_summaries_total", "Daily summaries sent", registry=self.registry)

    def render(self) -> bytes:
        return generate_latest(self.registry)
