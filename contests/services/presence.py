"""When a contestant's console was last seen: set when it connects (`answers.entry_connect`) and
when it closes (here), so the organiser's panel shows it whichever process held the socket.
One UPDATE per connection, never per answer."""

import datetime as dt

from django.utils import timezone

from ..models import Entry


def entry_disconnect(*, entry_id: int, now: dt.datetime | None = None) -> None:
    Entry.objects.filter(pk=entry_id).update(last_seen_at=now or timezone.now())


def entries_disconnect(*, entry_ids: list[int], now: dt.datetime | None = None) -> None:
    """`entry_disconnect` for many consoles at once, in one statement."""
    Entry.objects.filter(pk__in=entry_ids).update(last_seen_at=now or timezone.now())
