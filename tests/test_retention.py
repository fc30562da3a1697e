"""Nothing about a customer outlives RETENTION_DAYS: keys expire, team lists are trimmed."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.services import Services
from bot.store import Client, CustomerRef, Store
from handlers.maintenance import prune_all
from strategies.models import Event
from tests.conftest import TZ
from tests.fakebot import FromHiddenUser, FromUser
from tests.harness import bot_settings, make_team, start_bot
from tests.kit import ask, button_data, press

RETENTION_DAYS = 30
#: Team-wide keys that never expire as a whole; the maintenance job trims their entries instead.
TRIMMED = (":names", ":recent", ":nopay", ":days", ":sent")


async def test_every_key_expires_within_retention_or_is_trimmed(
    fake, redis_url, key_prefix, redis_client: Client
) -> None:
    team = make_team(fake)
    customer = fake.user(first_name="Ren")
    settings = bot_settings(
        fake,
        redis_url=redis_url,
        key_prefix=key_prefix,
        groups=[team.group.id],
        retention_days=RETENTION_DAYS,
    )
    async with start_bot(settings) as bot:
        await fake.push_forward(team.agent, FromUser(customer), "这个能便宜点吗", chat=team.group)
        whisper = await fake.wait_for_message(team.agent)
        await press(fake, team.agent, whisper, button_data(whisper, "准确"))
        await fake.push_forward(team.agent, FromHiddenUser("Ann"), "什么时候发货", chat=team.group)
        await fake.wait_for_message(team.agent)
        await ask(fake, team.agent, "/event Ann order 59", chat=team.group)
        await ask(fake, team.agent, "/customer An", chat=team.group)
        services: Services = bot.services

    lasting: list[str] = []
    async for raw in redis_client.scan_iter(f"{key_prefix}:*"):
        key = raw.decode()
        ttl = await redis_client.ttl(key)
        if ttl == -1:
            lasting.append(key)
        else:
            assert 0 < ttl <= RETENTION_DAYS * 86400, (key, ttl)
    # what lasts: the team-wide lists the maintenance job trims, and agents' own settings (/lang)
    assert lasting and all(k.endswith(TRIMMED) or f"{key_prefix}:user:" in k for k in lasting), lasting

    # Once everyone is past retention, the maintenance job leaves no customer in the team's lists.
    later = services.now() + timedelta(days=RETENTION_DAYS + 1)
    services.clock = lambda: later
    assert await prune_all(services) == 2
    for key in lasting:
        if key.endswith((":names", ":recent", ":nopay")):
            assert not await redis_client.exists(key), key


async def test_prune_only_drops_customers_past_retention(store: Store) -> None:
    moment = datetime(2026, 11, 23, 12, tzinfo=TZ)
    old, fresh = CustomerRef("n:old", "Old", "name"), CustomerRef("n:fresh", "Fresh", "name")
    await store.add_event(-1, old, Event(kind="order", at=moment - timedelta(days=40)))
    await store.add_event(-1, fresh, Event(kind="order", at=moment - timedelta(days=2)))
    # the fixture's store keeps 30 days
    assert await store.prune_directory(-1, moment) == 1
    assert await store.customer_names(-1) == {"n:fresh": "Fresh"}
    assert list(await store.nopay_list(-1)) == ["n:fresh"]
