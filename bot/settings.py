"""Zhiyin's settings: one object, read once from the environment (and an optional ``.env``), passed down.

Every setting is documented in the README. A bad value stops the bot at start-up with one line naming
the setting and the problem (see :func:`load_settings`), never a traceback.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from strategies.models import Lang

_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_BOT_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")


class SettingsError(ValueError):
    """A setting is missing or wrong; the message is one line naming it."""


def _int_list(value: Any) -> Any:
    """Accept ``-100123, -100456`` (the documented form) as well as a list."""
    if isinstance(value, str):
        parts = [p.strip() for p in value.replace(";", ",").split(",")]
        return [p for p in parts if p]
    if isinstance(value, int):
        return [value]
    return value


class Settings(BaseSettings):
    """All of Zhiyin's configuration. Field names are the environment variables, upper-cased."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        hide_input_in_errors=True,
        env_ignore_empty=True,  # "SETTING=" in .env means "use the default"
    )

    # Telegram
    telegram_bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    agent_chat_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    lead_user_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    listen_host: str = "0.0.0.0"  # noqa: S104 - the health/webhook server is meant to be reachable
    listen_port: int = Field(default=8080, ge=1, le=65535)
    #: Telegram's limits for a bot: ~30 messages/s overall and 20/min per group; 0 turns a limit off
    #: (only for a local Bot API server or a bot with paid broadcasts).
    rate_limit_per_second: int = Field(default=30, ge=0, le=1000)
    group_rate_limit_per_minute: int = Field(default=20, ge=0, le=1000)

    # Storage
    redis_url: SecretStr | None = None
    data_dir: Path = Path("data")
    key_prefix: str = Field(default="zy", pattern=r"^[A-Za-z0-9_.-]{1,20}$")
    retention_days: int = Field(default=90, ge=1, le=3650)
    history_limit: int = Field(default=20, ge=1, le=500)

    # Behaviour
    language: Lang = "zh-Hans"
    timezone: str = "Asia/Shanghai"
    burst_seconds: float = Field(default=8.0, ge=0, le=120)
    summary_time: time = time(21, 0)
    summary_to_group: bool = False
    playbook_dir: Path | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "json"

    # Shop name and policies, used to fill the ready-made replies
    shop_name: str = Field(default="本店", min_length=1, max_length=30)
    currency: str = Field(default="¥", min_length=1, max_length=3)
    free_shipping_threshold: int = Field(default=99, ge=0, le=999_999)
    return_days: int = Field(default=7, ge=0, le=365)
    dispatch_hours: int = Field(default=48, ge=1, le=720)

    @field_validator("agent_chat_ids", "lead_user_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        return _int_list(value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name like Asia/Shanghai)") from None
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            return None
        if value is not None and not _BOT_TOKEN.match(value.get_secret_value().strip()):
            raise ValueError("does not look like a bot token from BotFather (digits:letters)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _SECRET_TOKEN.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not value.get_secret_value().startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("playbook_dir")
    @classmethod
    def _playbook_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"folder {str(value)!r} does not exist")
        return value

    @model_validator(mode="after")
    def _mode_needs(self) -> Settings:
        if self.mode == "webhook":
            if not self.webhook_url or not self.webhook_url.startswith(("https://", "http://")):
                raise ValueError("WEBHOOK_URL: webhook mode needs the public https:// address of /webhook")
            if self.webhook_secret is None:
                raise ValueError("WEBHOOK_SECRET: webhook mode needs a secret (letters, digits, _ and -)")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value().strip() if self.telegram_bot_token else None

    def is_agent_chat(self, chat_id: int) -> bool:
        return chat_id in self.agent_chat_ids

    def secrets(self) -> list[str]:
        """Values that must never appear in a log line."""
        found = [self.token or ""]
        if self.webhook_secret:
            found.append(self.webhook_secret.get_secret_value())
        if self.redis_url:
            password = urlsplit(self.redis_url.get_secret_value()).password
            found.append(password or "")
        return [s for s in found if s]


def _describe(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = [str(p) for p in err["loc"]]
    message = str(err["msg"]).removeprefix("Value error, ")
    if loc:
        return f"{loc[0].upper()}: {message}"
    return message  # model-level errors already start with the setting's name


def load_settings(**overrides: Any) -> Settings:
    """Read the settings; raise :class:`SettingsError` with one line naming the first bad setting."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise SettingsError(_describe(exc)) from None
