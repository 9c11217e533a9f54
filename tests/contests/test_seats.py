"""contests.seats: the draw by lot as pure rules, the same in every Python version and for everyone."""

import hashlib
import hmac

from contests import seats

ZERO = "0" * 64


def test_the_commitment_is_the_sha256_of_the_seed():
    assert seats.commitment(ZERO) == hashlib.sha256(ZERO.encode()).hexdigest()
    assert seats.commitment(ZERO) == "60e05bd1b195af2f94112fa7197a5c88289058840ce7c6df9693756bc6250f55"


def test_a_known_draw_stays_the_same():
    # Pinned: a change of the algorithm would make every recorded draw unverifiable.
    assert seats.draw_seats(ZERO, [1, 2, 3, 4, 5], 1) == [(1, 4), (2, 3), (3, 1), (4, 2), (5, 5)]


def test_the_order_is_by_hmac_of_the_entry_id_and_ignores_the_input_order():
    seed = seats.new_seed()
    ids = [17, 3, 99, 42, 5, 8]
    key = {i: hmac.new(seed.encode(), str(i).encode(), hashlib.sha256).hexdigest() for i in ids}
    assert seats.draw_order(seed, ids) == sorted(ids, key=key.__getitem__)
    assert seats.draw_order(seed, reversed(ids)) == seats.draw_order(seed, ids + ids)


def test_seats_count_from_the_first_seat_and_another_seed_gives_another_order():
    ids = list(range(1, 30))
    drawn = seats.draw_seats(ZERO, ids, first_seat=11)
    assert [seat for seat, _entry in drawn] == list(range(11, 40))
    assert sorted(entry for _seat, entry in drawn) == ids
    assert seats.draw_order("1" * 64, ids) != seats.draw_order(ZERO, ids)


def test_new_seeds_are_64_hex_characters_and_differ():
    a, b = seats.new_seed(), seats.new_seed()
    assert len(a) == 64 and int(a, 16) >= 0 and a != b


def test_the_command_line_prints_the_commitment_and_the_seats(capsys):
    assert seats.main([ZERO, "1", "5", "4", "3", "2", "1"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"commitment {seats.commitment(ZERO)}",
        "1 4",
        "2 3",
        "3 1",
        "4 2",
        "5 5",
    ]
    assert seats.main([]) == 2
