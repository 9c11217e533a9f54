"""The server is the clock: a round ends by itself once the last contestant's time is over.

Every process with sockets on a running round watches its clock (`contests.fanout` starts `watch`
with the round's first local socket). Nearly every look finds time left and is a plain read; the
service `round_end_if_due` ends the round, exactly as the organiser's “end” would, when it is due.
The organiser's round console asks too when it is opened (contests/views/organiser.py), so a round
with no socket open still ends.
"""

import asyncio
import logging
from collections.abc import Callable

from channels.db import database_sync_to_async

from django.utils import timezone

from . import services

log = logging.getLogger(__name__)


async def watch(round_id: int, *, watched: Callable[[], bool], every: Callable[[], float]) -> None:
    """While `watched()`, end the round as soon as the last contestant's time is over. A pause or an
    extension moves that moment, so it is looked up again at least every `every()` seconds."""
    while watched():
        try:
            due = await database_sync_to_async(services.round_end_if_due)(round_id=round_id)
        except Exception:
            log.exception("deadline check of round %s failed", round_id)
            due = None
        wait = every()
        if due is not None:
            wait = min(wait, max(0.05, (due - timezone.now()).total_seconds()))
        await asyncio.sleep(wait)
