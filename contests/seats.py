"""The seat draw by lot (抽签), as pure rules: no Django, no I/O, so anyone can check a draw with Python alone.

Commit, draw, reveal:

1. Before the draw the server picks a seed: 32 random bytes written as 64 lowercase hex characters.
   Its commitment, `sha256(seed as ASCII).hexdigest()`, is recorded and shown; the seed stays secret.
2. The draw orders the entries being seated by `HMAC-SHA256(key=seed as ASCII, message=entry id in
   decimal as ASCII)`, hex digest ascending (the entry id breaks a tie, which never happens in
   practice), and gives them the seats `first_seat`, `first_seat + 1`, … in that order.
3. After the draw the seed is revealed. Whoever has the seed, the entry ids and the first seat can
   redo step 2 and compare, and check the seed against the commitment made before.

HMAC and SHA-256 give the same answer in every Python version (unlike `random.Random`, whose
shuffle is not promised to stay the same across versions). Check a draw from a shell:

    python -m contests.seats <seed> <first seat> <entry id> <entry id> …

prints the commitment and one `seat entry` line per entry.
"""

import hashlib
import hmac
import secrets
import sys

SEED_BYTES = 32


def new_seed() -> str:
    return secrets.token_hex(SEED_BYTES)


def commitment(seed: str) -> str:
    """What is shown before the draw: the SHA-256 of the seed."""
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


def draw_key(seed: str, entry_id: int) -> str:
    return hmac.new(seed.encode("ascii"), str(int(entry_id)).encode("ascii"), hashlib.sha256).hexdigest()


def draw_order(seed: str, entry_ids) -> list[int]:
    """The entry ids in drawn order (the order of `entry_ids` does not matter)."""
    ids = sorted({int(i) for i in entry_ids})
    return sorted(ids, key=lambda i: (draw_key(seed, i), i))


def draw_seats(seed: str, entry_ids, first_seat: int = 1) -> list[tuple[int, int]]:
    """[(seat, entry id)], seats counted from `first_seat` in drawn order."""
    return [(first_seat + n, entry_id) for n, entry_id in enumerate(draw_order(seed, entry_ids))]


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: python -m contests.seats <seed> <first seat> <entry id> …", file=sys.stderr)
        return 2
    seed, first, ids = argv[0], int(argv[1]), [int(i) for i in argv[2:]]
    print(f"commitment {commitment(seed)}")
    for seat, entry_id in draw_seats(seed, ids, first):
        print(f"{seat} {entry_id}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
