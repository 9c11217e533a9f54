"""The per-loop hub registry: one hub per running loop, none kept for loops that have closed."""

import asyncio

from contests import hub as hub_module
from contests.hub import Hub


def test_one_hub_per_loop_and_hubs_of_closed_loops_are_dropped():
    async def current():
        return Hub.get(), Hub.get()

    first, again = asyncio.run(current())
    assert first is again
    second, _ = asyncio.run(current())
    assert second is not first
    assert first.loop not in hub_module._hubs  # its loop closed: dropped when the next hub was made
    assert second.loop in hub_module._hubs
