"""检录 and the seat draw: only the round's entries, commit before draw, reproducible, seats never move, audited."""

import pytest

from django.core.exceptions import PermissionDenied, ValidationError

from contests import seats, services
from contests.models import AuditLog, Entry, SeatDraw

pytestmark = pytest.mark.django_db


def test_check_in_takes_only_entries_of_the_round_and_is_audited(running_round, entry, other_entry, organiser):
    assert services.entries_check_in(round=running_round, entry_ids=[entry.pk], by=organiser) == 1
    assert services.entries_check_in(round=running_round, entry_ids=[str(entry.pk)], by=organiser) == 0
    entry.refresh_from_db()
    assert entry.checked_in_at is not None and entry.seat_number is None
    log = AuditLog.objects.get(action="entry.check_in")
    assert log.round == running_round and log.data == {"entries": [entry.pk]} and log.actor == organiser


@pytest.mark.parametrize("bad", ["abc", "-1", "0", str(2**63), "1" * 40, None, "1.5"])
def test_forged_ids_are_refused_without_a_change(running_round, entry, organiser, bad):
    with pytest.raises(ValidationError):
        services.entries_check_in(round=running_round, entry_ids=[entry.pk, bad], by=organiser)
    assert not Entry.objects.filter(checked_in_at__isnull=False).exists()


def test_entries_of_another_round_and_other_people_are_refused(running_round, entry, organiser, learner):
    from tests.contests.factories import RoundFactory

    other = services.round_open_lobby(round=RoundFactory(track=running_round.track), by=organiser)
    with pytest.raises(ValidationError, match="不属于本场次"):
        services.entries_check_in(round=other, entry_ids=[entry.pk], by=organiser)
    with pytest.raises(PermissionDenied):
        services.entries_check_in(round=running_round, entry_ids=[entry.pk], by=learner)
    with pytest.raises(ValidationError):
        services.entries_check_in(round=running_round, entry_ids=range(1, 1100), by=organiser)


def test_the_draw_needs_a_commitment_and_checked_in_entries(running_round, entry, organiser):
    with pytest.raises(ValidationError, match="承诺值"):
        services.seat_draw_run(round=running_round, by=organiser)
    draw = services.seat_draw_commit(round=running_round, by=organiser)
    assert services.seat_draw_commit(round=running_round, by=organiser) == draw  # the waiting one
    with pytest.raises(ValidationError, match="没有已检录"):
        services.seat_draw_run(round=running_round, by=organiser)
    assert draw.commitment == seats.commitment(draw.seed) and not draw.is_drawn


def test_the_draw_is_reproducible_from_the_revealed_seed_and_audited(four, running_round, organiser):
    services.entries_check_in(round=running_round, entry_ids=[e.pk for e in four], by=organiser)
    committed = services.seat_draw_commit(round=running_round, by=organiser)
    commitment = AuditLog.objects.get(action="seats.commit").data["commitment"]
    assert commitment == committed.commitment and "seed" not in AuditLog.objects.get(action="seats.commit").data
    draw = services.seat_draw_run(round=running_round, by=organiser)
    assert seats.commitment(draw.seed) == commitment  # the revealed seed is the committed one
    seated = dict(Entry.objects.filter(round=running_round).values_list("pk", "seat_number"))
    assert seats.draw_seats(draw.seed, seated.keys(), 1) == sorted((s, e) for e, s in seated.items())
    assert draw.entries == seats.draw_order(draw.seed, seated.keys()) and draw.first_seat == 1
    log = AuditLog.objects.get(action="seats.draw")
    assert log.data["seed"] == draw.seed and log.data["entries"] == draw.entries and log.actor == organiser


def test_late_arrivals_get_the_next_seats_and_nobody_moves(four, running_round, organiser):
    services.entries_check_in(round=running_round, entry_ids=[e.pk for e in four[:3]], by=organiser)
    services.seat_draw_commit(round=running_round, by=organiser)
    services.seat_draw_run(round=running_round, by=organiser)
    before = dict(Entry.objects.filter(seat_number__isnull=False).values_list("pk", "seat_number"))
    services.seat_draw_commit(round=running_round, by=organiser)
    with pytest.raises(ValidationError):  # no redraw: nobody is waiting for a seat
        services.seat_draw_run(round=running_round, by=organiser)
    services.entries_check_in(round=running_round, entry_ids=[four[3].pk], by=organiser)
    late = services.seat_draw_run(round=running_round, by=organiser)
    assert late.first_seat == 4 and late.entries == [four[3].pk]
    after = dict(Entry.objects.values_list("pk", "seat_number"))
    assert {k: after[k] for k in before} == before and after[four[3].pk] == 4
    assert SeatDraw.objects.filter(round=running_round).count() == 2


def test_a_seated_entry_cannot_be_checked_out_but_a_waiting_one_can(running_round, entry, other_entry, organiser):
    services.entries_check_in(round=running_round, entry_ids=[entry.pk, other_entry.pk], by=organiser)
    services.entry_check_in_undo(entry=other_entry, by=organiser)
    assert Entry.objects.get(pk=other_entry.pk).checked_in_at is None
    services.seat_draw_commit(round=running_round, by=organiser)
    services.seat_draw_run(round=running_round, by=organiser)
    with pytest.raises(ValidationError, match="不能撤销"):
        services.entry_check_in_undo(entry=entry, by=organiser)
    assert AuditLog.objects.filter(action="entry.check_in_undo").count() == 1


def test_no_check_in_or_draw_after_the_end(running_round, entry, organiser):
    services.round_end(round=running_round, by=organiser)
    for call in (
        lambda: services.entries_check_in(round=running_round, entry_ids=[entry.pk], by=organiser),
        lambda: services.seat_draw_commit(round=running_round, by=organiser),
        lambda: services.seat_draw_run(round=running_round, by=organiser),
    ):
        with pytest.raises(ValidationError, match="不能执行此操作"):
            call()
