"""Board upkeep: a row's total from the track's weights, the freeze that holds changes back from
the public, and the reveal that releases them row by row."""

import json
from decimal import Decimal

import pytest

from contests import scoreboard, selectors, services
from contests.models import Round
from tests.contests.conftest import minutes
from tests.contests.factories import T0
from tests.contests.helpers import answer, cid, ranks, right, theory_answer_save

pytestmark = pytest.mark.django_db


def save(entry, question, payload, client_id=None, **kw):
    return theory_answer_save(entry=entry, question_id=question.pk, client_id=client_id or cid(), answer=payload, **kw)


def test_score_percentages_use_the_track_weights(entry, paper, judge):
    for q in paper:
        save(entry, q, right(q))
    row = entry.board_row
    row.refresh_from_db()
    assert (row.theory_score, row.total) == (Decimal(30), Decimal(30))


def test_the_public_board_freezes_while_organisers_and_judges_see_it_live(
    running_round, entry, other_entry, paper, clock
):
    clock.move_to(T0 + minutes(59))
    answer(entry, paper[0])
    public_seq = selectors.board_last_seq(running_round)
    clock.move_to(T0 + minutes(61))  # freeze_minutes=30 before the 90-minute end
    answer(other_entry, paper[0])
    answer(other_entry, paper[1])
    assert ranks(running_round, live=True) == [("李四", 1, "20.00"), ("张三", 2, "10.00")]
    assert ranks(running_round, live=False) == [("张三", 1, "10.00"), ("李四", 2, "0.00")]
    assert selectors.scoreboard_entry_row(running_round, other_entry.pk, live=False)["total"] == "0.00"
    public = scoreboard.snapshot_payload(running_round, audience="public", view="all")
    # The public's number stays: not even a count of hidden changes reaches it.
    assert public["frozen"] and public["seq"] == public_seq == selectors.board_last_seq(running_round) - 2
    json.dumps(public)
    assert selectors.events_since(running_round, public_seq, live=False) == []
    hidden = selectors.events_since(running_round, public_seq, live=True)
    assert [e["payload"]["total"] for e in hidden] == ["10.00", "20.00"]


def test_reveal_goes_bottom_up_through_rows_with_hidden_changes(four, running_round, organiser, paper, clock):
    a, b, c, d = four  # before the freeze: 张三 30, 李四 20, 王五 10, 赵六 0
    for n, e in enumerate((a, b, c)):
        clock.move_to(T0 + minutes(n + 1))
        for q in paper[: 3 - n]:
            answer(e, q)
    clock.move_to(T0 + minutes(70))
    for q in paper:
        answer(d, q)  # 赵六 30, hidden
    answer(c, paper[1])  # 王五 20, hidden
    assert ranks(running_round, live=False) == [
        ("张三", 1, "30.00"),
        ("李四", 2, "20.00"),
        ("王五", 3, "10.00"),
        ("赵六", 4, "0.00"),
    ]
    with pytest.raises(Exception, match="不能执行此操作"):
        services.round_reveal_next(round=running_round, by=organiser)
    services.round_end(round=running_round, by=organiser)
    before = selectors.board_last_seq(running_round)
    first = services.round_reveal_next(round=running_round, by=organiser)
    assert first.entry_id == d.pk
    assert ranks(running_round, live=False)[:2] == [("张三", 1, "30.00"), ("赵六", 2, "30.00")]
    second = services.round_reveal_next(round=running_round, by=organiser)
    assert second.entry_id == c.pk
    assert services.round_reveal_next(round=running_round, by=organiser) is None
    assert ranks(running_round, live=False) == ranks(running_round, live=True)
    assert Round.objects.get(pk=running_round.pk).reveal_cursor == 2
    reveals = selectors.events_since(running_round, before, live=False)
    assert [(e["kind"], e["payload"]["entry"]) for e in reveals] == [("reveal", d.pk), ("reveal", c.pk)]
