"""Zhiyin's domain: reading customers and advising agents. Pure Python — no Telegram, no Redis."""
