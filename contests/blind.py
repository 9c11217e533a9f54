"""What a judge's socket reads (blind judging): the round's clock and the judge's seats, by seat
number only. Names, organisations, provinces, teams and entry ids never enter these frames;
`contests.views.judge` holds the same rule for the page and its JSON.
"""

from django.db.models import Count

from .events import judge_seats, round_clock
from .models import Criterion, Entry, JudgeScore, Round

HELLO, SEATS = "judge.hello", "judge.seats"


def judge_seats_text(round_id: int, judge, *, kind: str = SEATS) -> str:
    rnd = Round.objects.select_related("track").get(pk=round_id)
    seated = list(
        Entry.objects.filter(round=rnd, seat_number__isnull=False)
        .order_by("seat_number")
        .values_list("pk", "seat_number")
    )
    done = dict(
        JudgeScore.objects.filter(entry__round=rnd, judge=judge, confirmed=True)
        .values("entry_id")
        .annotate(n=Count("id"))
        .values_list("entry_id", "n")
    )
    return judge_seats(
        kind=kind,
        state=round_clock(rnd),
        criteria=Criterion.objects.filter(task__round=rnd).count(),
        seats=[{"seat": seat, "confirmed": done.get(pk, 0)} for pk, seat in seated],
        unseated=Entry.objects.filter(round=rnd, seat_number__isnull=True).count(),
    )
