"""Presence across processes for the organiser's panel: what other processes report, until it expires."""

import asyncio

from contests import panel
from contests.hub import ORIGIN, Hub


def presence(origin, entries, round_id=7):
    return {"type": "console.presence", "round": round_id, "origin": origin, "entries": entries}


def test_other_processes_consoles_count_until_they_go_quiet(monkeypatch):
    async def scenario():
        hub = Hub.get()
        panel.remote_presence(hub, presence("other", [1, 2]))  # a round nobody here watches: ignored
        assert 7 not in hub.state.get("panel", {})
        panel.console_open(7, 3)
        panel.remote_presence(hub, presence("other", [1, 2]))
        panel.remote_presence(hub, presence(ORIGIN, [9]))  # our own message, relayed back: ignored
        panel.remote_presence(hub, presence("forged", "not a list"))
        assert panel.connected(hub, 7) == {1, 2, 3}
        panel.remote_presence(hub, presence("other", [2]))
        assert panel.connected(hub, 7) == {2, 3}
        monkeypatch.setattr(panel, "PRESENCE_TTL", -1.0)
        assert panel.connected(hub, 7) == {3}
        panel.console_closed(7, 3)
        assert 7 not in hub.state.get("panel", {})

    asyncio.run(scenario())
