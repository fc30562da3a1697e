"""Settings: sensible defaults, the documented forms accepted, one clear line for a bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SettingsError, load_settings

TOKEN = "123456:" + "A" * 35


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "AGENT_CHAT_IDS",
        "LEAD_USER_IDS",
        "MODE",
        "WEBHOOK_URL",
        "WEBHOOK_SECRET",
        "REDIS_URL",
        "TIMEZONE",
        "LANGUAGE",
        "SUMMARY_TIME",
        "PLAYBOOK_DIR",
        "LISTEN_PORT",
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults_need_nothing() -> None:
    s = load_settings()
    assert s.token is None and s.agent_chat_ids == [] and s.language == "zh-Hans"
    assert s.timezone == "Asia/Shanghai" and s.mode == "polling" and s.redis_url is None
    assert s.summary_time.hour == 21


def test_comma_lists_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_CHAT_IDS", "-1001, -1002 ,")
    monkeypatch.setenv("LEAD_USER_IDS", "42")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    s = load_settings()
    assert s.agent_chat_ids == [-1001, -1002] and s.lead_user_ids == [42] and s.token == TOKEN


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("LANGUAGE=en\nSHOP_NAME=Tea House\n", encoding="utf-8")
    s = load_settings()
    assert s.language == "en" and s.shop_name == "Tea House"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"AGENT_CHAT_IDS": "-100x"}, "AGENT_CHAT_IDS"),
        ({"TIMEZONE": "Mars/Olympus"}, "TIMEZONE: unknown time zone 'Mars/Olympus'"),
        ({"LANGUAGE": "fr"}, "LANGUAGE"),
        ({"MODE": "webhook"}, "WEBHOOK_URL: webhook mode needs"),
        ({"MODE": "webhook", "WEBHOOK_URL": "https://x.example/webhook"}, "WEBHOOK_SECRET"),
        ({"WEBHOOK_SECRET": "has space"}, "WEBHOOK_SECRET: must be 1-256 characters"),
        ({"TELEGRAM_BOT_TOKEN": "nonsense"}, "TELEGRAM_BOT_TOKEN: does not look like a bot token"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL: must start with redis://"),
        ({"SUMMARY_TIME": "25:00"}, "SUMMARY_TIME"),
        (
            {"PLAYBOOK_DIR": "/nonexistent/playbook"},
            "PLAYBOOK_DIR: folder '/nonexistent/playbook' does not exist",
        ),
        ({"LISTEN_PORT": "70000"}, "LISTEN_PORT"),
    ],
)
def test_bad_settings_name_the_setting(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith(expected.split(":")[0]) and expected in message
    assert "\n" not in message


def test_secrets_never_appear_in_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "999:short-and-secret")
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert "short-and-secret" not in str(info.value)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    assert TOKEN not in repr(load_settings())


def test_the_example_env_file_loads_as_is(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[1] / ".env.example"
    (tmp_path / ".env").write_text(example.read_text(encoding="utf-8"), encoding="utf-8")
    s = load_settings()
    assert s.token is None and s.agent_chat_ids == [] and s.webhook_secret is None and s.redis_url is None
    assert s.shop_name == "本店" and s.free_shipping_threshold == 99
