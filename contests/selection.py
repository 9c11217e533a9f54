"""Who goes on: the top N of a round's final results, overall or per group, with a stated tie rule.

Pure rules, no Django and no I/O: rows in, picks out. Advancement (晋级, contests.services.advancement)
and qualifier nominations (选拔推荐, contests.services.nominations) both select through `select`.

Tie rules (the organiser sees the rule's sentence on every preview):

- `shared` (同分并列): rank by total only; everyone whose total equals the total at the cut-off goes
  on, so more than N may advance.
- `broken` (依次比较): rank by total, then the earlier time the total was reached (the board's own
  tie-break), then the higher theory score. Rows equal in all three still share the cut-off and all
  go on — unless the selection is `strict` (a hard quota, nominations), where the earlier registration
  (lower registration id) goes first, so never more than N are picked.

Rows with a total of zero or less never go on (they did not take part or scored nothing).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

SHARED, BROKEN = "shared", "broken"
TIE_RULES = (SHARED, BROKEN)
MAX_N = 10_000  # a quota larger than any field: refused as a typo rather than taken to mean "everyone"


@dataclass(frozen=True)
class Candidate:
    """One registration's final result in the round."""

    registration_id: int
    total: Decimal
    reached_at: dt.datetime
    theory: Decimal = Decimal(0)
    group: str = ""  # the province code or organisation key the quota is counted in; "" for overall


@dataclass(frozen=True)
class Pick:
    candidate: Candidate
    place: int  # 1-based place within its group under the tie rule (equal keys share a place)
    tied_at_cutoff: bool  # shares the cut-off place with a row ranked after N


@dataclass(frozen=True)
class Selection:
    picks: list[Pick]  # in group order (first seen, by best row), then place
    cutoff: dict[str, Decimal]  # group → the total at its cut-off (the lowest picked total)
    left_out: int  # scored rows not picked


def _key(c: Candidate, tie_rule: str) -> tuple:
    if tie_rule == SHARED:
        return (-c.total,)
    return (-c.total, c.reached_at, -c.theory)


def _order(c: Candidate) -> tuple:
    """Display and strict order: the full key, then the earlier registration."""
    return (-c.total, c.reached_at, -c.theory, c.registration_id)


def _select_group(rows: list[Candidate], n: int, tie_rule: str, strict: bool) -> list[Pick]:
    """Standard competition places (equal keys share the best place); every row placed within n
    goes on, or with `strict` the first n rows in order."""
    ranked: list[tuple[Candidate, int]] = []
    place, previous = 0, None
    for position, c in enumerate(sorted(rows, key=_order), start=1):
        key = _key(c, tie_rule)
        if key != previous:
            place, previous = position, key
        ranked.append((c, place))
    chosen = ranked[:n] if strict else [(c, p) for c, p in ranked if p <= n]
    if not chosen:
        return []
    last = chosen[-1][1]
    tied = len(chosen) > n or (len(ranked) > len(chosen) and ranked[len(chosen)][1] == last)
    return [Pick(c, p, tied and p == last) for c, p in chosen]


def select(
    candidates,
    *,
    n: int,
    tie_rule: str,
    per_group: bool = False,
    limits: dict[str, int] | None = None,
    strict: bool = False,
) -> Selection:
    """The top `n` (per group when `per_group`; `limits` overrides n for a group) under `tie_rule`."""
    if tie_rule not in TIE_RULES:
        raise ValueError(f"unknown tie rule {tie_rule!r}")
    scored = [c for c in candidates if c.total > 0]
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for c in sorted(scored, key=_order):
        groups[c.group if per_group else ""].append(c)
    picks: list[Pick] = []
    cutoff: dict[str, Decimal] = {}
    for group, rows in groups.items():
        quota = n if limits is None else limits.get(group, n)
        chosen = _select_group(rows, quota, tie_rule, strict)
        if chosen:
            cutoff[group] = chosen[-1].candidate.total
        picks.extend(chosen)
    return Selection(picks=picks, cutoff=cutoff, left_out=len(scored) - len(picks))
